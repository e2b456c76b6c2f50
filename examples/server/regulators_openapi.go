package server

import "github.com/hazardloop/hazardloop/hazard"

// regulatorParams are the header parameters of the regulators' routes.
func regulatorParams(rt Route) []map[string]any {
	if rt.Method == "POST" && rt.Path == "/api/v1/inspections/{id}/finish" {
		return []map[string]any{{"name": "Idempotency-Key", "in": "header", "required": true,
			"schema": map[string]any{"type": "string", "maxLength": MaxIdempotencyKeyLen}}}
	}
	return nil
}

// regulatorContent sets the request and answer media types of the
// regulators' routes that are not JSON only.
func regulatorContent(rt Route, op map[string]any, content *map[string]any) {
	switch {
	case rt.Method == "POST" && rt.Path == "/api/v1/checklists":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/ChecklistFile"}},
			"text/csv":         map[string]any{"schema": map[string]any{"type": "string", "maxLength": MaxChecklistFile}},
		}}
	case rt.Method == "GET" && rt.Path == "/api/v1/ledger":
		(*content)["text/csv"] = map[string]any{"schema": map[string]string{"type": "string"}}
	case rt.Method == "GET" && rt.Path == "/api/v1/risk/map.geojson":
		*content = map[string]any{"application/geo+json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/FeatureCollection"}}}
	}
}

// regulatorSchemas are the schemas of the regulators' request bodies and
// of the risk map.
func regulatorSchemas() map[string]any {
	grade := map[string]any{"type": "string", "enum": []string{"red", "orange", "yellow", "blue"}}
	assess := map[string]any{
		"method": map[string]any{"type": "string", "enum": []string{"lec", "ls", "manual"}},
		"values": map[string]any{"type": "object", "additionalProperties": integer(), "description": "the method's factors in tenths (l, e, c; or l, s)"},
		"grade":  grade, "reason": str(),
	}
	withVersion := map[string]any{"expected_version": integer()}
	for k, v := range assess {
		withVersion[k] = v
	}
	location := object(map[string]any{"address": str(), "district": str(),
		"point": object(map[string]any{"lat": number(), "lng": number(), "system": str()})}, "address")
	return map[string]any{
		"UnitInput": object(map[string]any{
			"credit_code": str(), "name": str(), "industry": str(),
			"size":  map[string]any{"type": "string", "enum": []string{"micro", "small", "medium", "large"}},
			"level": str(), "location": location, "grid": str(),
			"departments": map[string]any{"type": "array", "items": str()},
			"contacts":    map[string]any{"type": "array", "items": object(map[string]any{"name": str(), "phone": str()})},
		}, "credit_code", "name", "industry", "size", "location", "departments"),
		"PointInput": object(map[string]any{"name": str(), "kind": map[string]any{"type": "string", "enum": []string{"place", "device", "process", "operation"}},
			"assess": object(assess, "method")}, "name", "kind", "assess"),
		"AssessRequest": object(withVersion, "method", "expected_version"),
		"GradeOverride": object(map[string]any{"grade": map[string]any{"type": "string", "enum": []string{"", "red", "orange", "yellow", "blue"}},
			"reason": str(), "expected_version": integer()}, "expected_version"),
		"ChecklistFile": map[string]any{"type": "object", "description": "a checklist: id, title, industry, department, category and items (code, text, basis, major criterion, deadline days)",
			"required": []string{"id", "title", "items"}},
		"InspectionStart": object(map[string]any{
			"kind": map[string]any{"type": "string", "enum": []string{"enforcement", "self_check"}}, "unit_id": str(),
			"inspectors": map[string]any{"type": "array", "items": str()}, "checklist": str(), "checklist_version": integer(),
		}, "kind", "unit_id", "checklist"),
		"InspectionFinish": object(map[string]any{
			"expected_version": integer(),
			"results": map[string]any{"type": "array", "items": object(map[string]any{
				"item": str(), "outcome": map[string]any{"type": "string", "enum": []string{"compliant", "non_compliant", "not_applicable"}},
				"note": str(), "photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
				"severity": str(), "severity_reason": str(),
			}, "item", "outcome")},
			"trained": object(map[string]any{"count": integer(), "topic": str()}),
		}, "expected_version"),
		"InspectionRecord": object(map[string]any{
			"expected_version": integer(), "item": str(),
			"outcome": map[string]any{"type": "string", "enum": []string{"compliant", "non_compliant", "not_applicable"}},
			"note":    str(), "photos": map[string]any{"type": "array", "items": str(), "maxItems": hazard.MaxPhotos},
			"severity": str(), "severity_reason": str(),
		}, "expected_version", "item", "outcome"),
		"InspectionTrained": object(map[string]any{"expected_version": integer(), "count": integer(), "topic": str()}, "expected_version", "count"),
		"SpotCheckDraw": object(map[string]any{"department": str(), "industry": str(),
			"since": map[string]any{"type": "string", "format": "date-time"}, "until": map[string]any{"type": "string", "format": "date-time"},
			"size": integer(), "seed": integer()}, "since", "until", "size"),
		"SpotCheckVerify": object(map[string]any{"expected_version": integer(), "hazard_id": str(), "passed": boolean(), "note": str()},
			"expected_version", "hazard_id", "passed"),
		"FeatureCollection": map[string]any{"type": "object", "description": "RFC 7946: features of type Point, coordinates [longitude, latitude] in WGS-84; properties name, industry, grade, grade_zh, colour, district",
			"required": []string{"type", "features"}},
	}
}
