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
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxJSONBody is the largest JSON request body accepted, in bytes.
const MaxJSONBody = 64 << 10

// decodeJSON reads one JSON value of at most MaxJSONBody bytes from the
// request into v. It refuses another media type (415), a larger body (413),
// unknown fields and trailing data (400), and text that is not what it
// claims (400, checkJSONText): invalid UTF-8, lone surrogate escapes, and
// keys given twice or in two spellings that differ only in case, which
// encoding/json would silently replace or merge.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &hazard.Error{Code: CodeUnsupportedMedia, Message: "the body must be application/json"}
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONText(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return hazard.Errorf(hazard.CodeInvalid, "the body must hold one JSON value and nothing after it")
	}
	return nil
}

// checkJSONText refuses a JSON body that encoding/json would decode into
// something other than what it says: bytes that are not UTF-8 and \u
// escapes of lone UTF-16 surrogates (both silently become U+FFFD), and an
// object with a key twice or in two spellings that differ only in case
// (encoding/json matches keys case-insensitively and keeps the last). The
// error is CodeInvalid naming the field, or "body". Malformed JSON is left
// to the decoder, which reports it.
func checkJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		e := hazard.Errorf(hazard.CodeInvalid, "the body is not valid UTF-8")
		e.Field = "body"
		return e
	}
	if off := loneSurrogate(raw); off >= 0 {
		e := hazard.Errorf(hazard.CodeInvalid, "the body has a lone UTF-16 surrogate escape (at byte %d), which is no character", off)
		e.Field = "body"
		return e
	}
	return checkDuplicateKeys(raw)
}

// loneSurrogate returns the offset of the first \u escape in a JSON
// string of raw that is a UTF-16 surrogate without its pair, or -1.
func loneSurrogate(raw []byte) int {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c != '\\' || i+1 >= len(raw):
		case raw[i+1] != 'u':
			i++ // a one-character escape, maybe \\ or \"
		default:
			r, ok := hex4(raw, i+2)
			if !ok || !utf16.IsSurrogate(r) {
				i++
				continue
			}
			r2, ok2 := rune(0), false
			if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
				r2, ok2 = hex4(raw, i+8)
			}
			if r >= 0xdc00 || !ok2 || r2 < 0xdc00 || r2 > 0xdfff {
				return i
			}
			i += 11 // the pair's last hex digit
		}
	}
	return -1
}

// hex4 decodes the four hex digits at raw[i:].
func hex4(raw []byte, i int) (rune, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
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

// decodeCall is a handler's whole work when it takes a JSON body: decode
// the body as In, call the use case and write its result with status.
func decodeCall[In any](w http.ResponseWriter, r *http.Request, status int, use func(in In) (any, error)) error {
	var in In
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := use(in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}
