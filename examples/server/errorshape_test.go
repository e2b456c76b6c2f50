package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTypeName matches what Go's errors say of types, which users must never
// read.
var goTypeName = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|bool|string|interface|struct|map\[|\[\]|json:|reflect|\*?[a-z]+\.[A-Z][A-Za-z]+)\b`)

// TestEveryErrorHasTheOneShape: protocol-level refusals (bad method, body
// too large, malformed JSON or multipart, wrong types) answer in the one
// JSON error shape with a code and a message that names no Go type.
func TestEveryErrorHasTheOneShape(t *testing.T) {
	s := startServer(t)
	tok := s.login("citizen-1")
	big := `{"phone":"` + strings.Repeat("1", 70<<10) + `"}`
	for _, tc := range []struct {
		name, method, path, ct, body string
		status                       int
	}{
		{"bad method", "DELETE", "/api/v1/plaza", "", "", http.StatusMethodNotAllowed},
		{"bad method on a page", "DELETE", "/plaza", "", "", http.StatusMethodNotAllowed},
		{"no route", "GET", "/api/v1/nothing", "", "", http.StatusNotFound},
		{"body too large", "POST", "/api/v1/auth/code", "application/json", big, http.StatusRequestEntityTooLarge},
		{"malformed JSON", "POST", "/api/v1/auth/code", "application/json", `{"phone":`, http.StatusBadRequest},
		{"wrong type (number)", "POST", "/api/v1/reports", "application/json", `{"latitude":"north"}`, http.StatusBadRequest},
		{"wrong type (string)", "POST", "/api/v1/auth/code", "application/json", `{"phone":138}`, http.StatusBadRequest},
		{"wrong type (list)", "POST", "/api/v1/reports", "application/json", `{"photos":"a"}`, http.StatusBadRequest},
		{"wrong type (object)", "POST", "/api/v1/auth/code", "application/json", `["x"]`, http.StatusBadRequest},
		{"wrong media type", "POST", "/api/v1/auth/code", "text/plain", `{}`, http.StatusUnsupportedMediaType},
		{"malformed multipart", "POST", "/api/v1/uploads", "multipart/form-data; boundary=b", "--b\r\nnonsense", http.StatusBadRequest},
		{"multipart without boundary", "POST", "/api/v1/uploads", "multipart/form-data", "x", http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.base+tc.path, bytes.NewBufferString(tc.body))
			require.NoError(t, err)
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			r := s.send(req)
			assert.Equal(t, tc.status, r.status, "%s %s: %s", tc.method, tc.path, r.body)
			assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "application/json"), "Content-Type %q", r.header.Get("Content-Type"))
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(r.body, &e), "the one error shape: %s", r.body)
			assert.NotEmpty(t, e.Error.Code, "code: %s", r.body)
			assert.NotEmpty(t, e.Error.Message, "message: %s", r.body)
			assert.False(t, goTypeName.MatchString(e.Error.Message), "a Go type name in %q", e.Error.Message)
		})
	}
}
