package server

import (
	"encoding/json"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// openAPIDocument describes the routes as an OpenAPI 3.0 document.
func openAPIDocument(routes []Route) ([]byte, error) {
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
			"x-access":    string(rt.Access),
		}
		if rt.Phone {
			op["x-phone-required"] = true
		}
		if rt.Access != AccessPublic {
			op["security"] = []map[string][]string{{"bearer": {}}}
		}
		var params []map[string]any
		for _, seg := range strings.Split(rt.Path, "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true,
					"schema": map[string]string{"type": "string"}})
			}
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]string{"type": "string"}})
		}
		if rt.Path == "/api/v1/reports" && rt.Method == "POST" {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
				"schema": map[string]any{"type": "string", "maxLength": MaxIdempotencyKeyLen}})
		}
		params = append(params, regulatorParams(rt)...)
		if params != nil {
			op["parameters"] = params
		}
		switch rt.Body {
		case "":
		case "multipart":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{
					"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]string{"type": "string", "format": "binary"}},
				}}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/" + rt.Body}}}}
		}
		content := map[string]any{"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}
		switch {
		case rt.Path == "/metrics":
			content = map[string]any{"text/plain": map[string]any{"schema": map[string]string{"type": "string"}}}
		case rt.Status == 204:
			content = nil
		case strings.HasPrefix(rt.Path, "/photos/"):
			content = map[string]any{"image/*": map[string]any{"schema": map[string]string{"type": "string", "format": "binary"}}}
		case rt.Method == "GET" && rt.Path == "/api/v1/reports/{id}/actions":
			content = map[string]any{"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/ActionList"}}}
		}
		regulatorContent(rt, op, &content)
		privacyContent(rt, &content)
		errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]string{"$ref": "#/components/schemas/Error"}}}}
		op["responses"] = map[string]any{
			itoa(rt.Status): success(content),
			"default":       errRef,
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "hazardloop example server",
			"version": "1",
			"description": "Closed-loop public-safety hazard reporting: citizens report with photos, staff dispatch, " +
				"handle and review, the plaza shows progress without reporter identity, verified reporters earn rewards. " +
				"Every error is {\"error\": {\"code\", \"message\", \"field\", \"fields\"}}. x-access names who may call each operation; x-phone-required ones need a citizen to have bound a phone number first. " +
				"429 (rate limited) and 503 (every upload slot taken) carry Retry-After with the real wait; a body not received in time is 408; " +
				"an Idempotency-Key reused with another body is 409 (field Idempotency-Key). Answers for a signed-in caller are Cache-Control: no-store.",
		},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]string{"type": "http", "scheme": "bearer"}},
			"schemas":         schemas(),
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// success is the description of a successful answer; nil content means
// none.
func success(content map[string]any) map[string]any {
	if content == nil {
		return map[string]any{"description": "success"}
	}
	return map[string]any{"description": "success", "content": content}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(rt.Path, "/") {
		seg = strings.Trim(seg, "{}")
		if seg == "" || seg == "api" || seg == "v1" {
			continue
		}
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '.' || r == '_' || r == '-' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func str() map[string]string     { return map[string]string{"type": "string"} }
func integer() map[string]string { return map[string]string{"type": "integer", "format": "int64"} }
func number() map[string]string  { return map[string]string{"type": "number"} }
func boolean() map[string]string { return map[string]string{"type": "boolean"} }
func object(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func schemas() map[string]any {
	s := map[string]any{
		"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
			"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
				"code": str(), "message": str(), "field": str(), "version": integer(),
				"fields": map[string]any{"type": "array", "items": object(map[string]any{"field": str(), "message": str()})},
			}},
		}},
		"CodeRequest":        object(map[string]any{"phone": str()}, "phone"),
		"WeChatLoginRequest": object(map[string]any{"code": map[string]any{"type": "string", "maxLength": MaxWeChatCodeLen}}, "code"),
		"WeChatPhoneRequest": object(map[string]any{"code": map[string]any{"type": "string", "maxLength": MaxWeChatCodeLen}}, "code"),
		"WeChatPayNotification": map[string]any{"type": "object", "description": "WeChat Pay's signed callback: id, create_time, event_type, resource_type, summary and the encrypted resource.",
			"required": []string{"id", "event_type", "resource"}},
		"LoginRequest":     object(map[string]any{"phone": str(), "code": str()}, "phone", "code"),
		"DemoLoginRequest": object(map[string]any{"user": str()}, "user"),
		"VerifyRequest":    object(map[string]any{"name": str(), "resident_id": str()}, "name", "resident_id"),
		"ReportRequest": object(map[string]any{
			"category": str(), "severity": map[string]any{"type": "string", "enum": []string{"general", "major"}},
			"description": str(), "address": str(), "district": str(), "latitude": number(), "longitude": number(),
			"coord_system": map[string]any{"type": "string", "description": "WGS84 or GCJ02 (default), any case, with or without a hyphen: wgs84, gcj02, WGS-84, GCJ-02", "pattern": "^([wW][gG][sS]-?84|[gG][cC][jJ]-?02)$"},
			"unit":         str(), "photos": map[string]any{"type": "array", "items": str(), "minItems": hazard.MinPhotos, "maxItems": hazard.MaxPhotos},
			"source":       map[string]any{"type": "string", "enum": []string{"citizen", "self_check", "inspection", "supervision"}},
			"unit_id":      map[string]any{"type": "string", "maxLength": hazard.MaxUnitIDLen},
			"contact_name": str(),
			"contact_phone": map[string]any{"type": "string", "pattern": hazard.PhonePattern.String(),
				"description": "a mainland mobile number or a landline with its area code"},
		}, "category", "description", "address", "photos"),
		"ActionRequest": object(map[string]any{
			"expected_version": integer(), "note": str(), "private_note": str(), "note_to_reporter": boolean(),
			"department": str(), "photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
			"verdict": str(), "fine_fen": integer(), "bonus_fen": integer(),
			"fields": map[string]any{"type": "object", "additionalProperties": str(), "maxProperties": MaxActionFields},
		}, "expected_version"),
		"ActionList": object(map[string]any{"actions": map[string]any{"type": "array", "items": object(map[string]any{
			"name": str(), "label": object(map[string]any{"zh": str(), "en": str()}),
			"needs": map[string]any{"type": "array", "items": str(),
				"description": "the ActionRequest fields the action requires, as the request names them: note, department, photos, or fields.<key> for a key of fields"},
		}, "name", "label")}}, "actions"),
		"UnitLinkRequest": object(map[string]any{
			"unit_id": map[string]any{"type": "string", "maxLength": hazard.MaxUnitIDLen}, "expected_version": integer(),
		}, "unit_id", "expected_version"),
		"ArticleInput": object(map[string]any{
			"kind":  map[string]any{"type": "string", "enum": []string{"law", "rule", "knowledge"}},
			"title": str(), "body": str(), "source": str(), "expected_version": integer(),
		}, "kind", "title", "body"),
	}
	for k, v := range regulatorSchemas() {
		s[k] = v
	}
	for k, v := range privacySchemas() {
		s[k] = v
	}
	return s
}
