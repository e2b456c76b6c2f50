package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxJSONBody is the largest JSON request body accepted, in bytes.
const MaxJSONBody = 64 << 10

// decodeJSON reads one JSON value of at most MaxJSONBody bytes from the
// request into v. It refuses another media type (415), a larger body (413),
// unknown fields and trailing data (400).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &hazard.Error{Code: CodeUnsupportedMedia, Message: "the body must be application/json"}
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err)
		}
		return hazard.Errorf(hazard.CodeInvalid, "the body must hold one JSON value and nothing after it")
	}
	return nil
}

// jsonError turns a decoding error into a coded error.
func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe), errors.Is(err, os.ErrDeadlineExceeded):
		return readError(err, "")
	case errors.Is(err, io.EOF):
		return hazard.Errorf(hazard.CodeInvalid, "the body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hazard.Errorf(hazard.CodeInvalid, "the body ends in the middle of a JSON value")
	case errors.As(err, &se):
		return hazard.Errorf(hazard.CodeInvalid, "the body is not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		e := hazard.Errorf(hazard.CodeInvalid, "%s has the wrong type: want %s", fieldName(te.Field), jsonKind(te.Type))
		e.Field = fieldName(te.Field)
		return e
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := hazard.Errorf(hazard.CodeInvalid, "unknown field %q", name)
		e.Field = name
		return e
	default:
		return hazard.Errorf(hazard.CodeInvalid, "the body is not valid JSON")
	}
}

// jsonKind names a Go type as the JSON a client should send, never the Go
// type itself.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "an object"
	}
}

func fieldName(f string) string {
	if f == "" {
		return "body"
	}
	return f
}

// writeJSON encodes v fully before writing anything, so that an encoding
// failure is a clean 500 rather than a partial body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
