package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/examples/server"
)

// errFields returns the field of an error answer and those of its problems.
func errFields(t *testing.T, r response) []string {
	t.Helper()
	var e server.ErrorBody
	r.json(t, &e)
	var out []string
	if e.Error.Field != "" {
		out = append(out, e.Error.Field)
	}
	for _, f := range e.Error.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestJSONTextPolicy: the JSON API refuses text that is not what it
// claims, naming the field, instead of replacing or merging it; and the
// domain's text policy holds for its fields.
func TestJSONTextPolicy(t *testing.T) { forEachBackend(t, testJSONTextPolicy) }

func testJSONTextPolicy(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	tok := s.login("citizen-1")
	photo := s.upload(tok, pngPhoto(t, 7))
	body := func(edit func(map[string]any)) string {
		b := map[string]any{
			"category": "fire", "severity": "general", "description": "楼道堆放杂物堵塞消防通道",
			"address": "测试路1号", "latitude": 36.40, "longitude": 115.90, "coord_system": "GCJ02",
			"photos": []string{photo},
		}
		if edit != nil {
			edit(b)
		}
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return string(j)
	}
	valid := body(nil)
	replace := func(old, new string) string {
		s := strings.Replace(valid, old, new, 1)
		if s == valid {
			t.Fatalf("%q is not in %s", old, valid)
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		body  string
		field string
	}{
		{"invalid UTF-8", replace("测试路", "测\xff路"), "body"},
		{"lone high surrogate", replace("测试路", `\ud800路`), "body"},
		{"lone low surrogate", replace("测试路", `\udc00路`), "body"},
		{"high surrogate then text", replace("测试路", `\ud83dx`), "body"},
		{"duplicate key", strings.Replace(valid, `"address":`, `"description":"second","address":`, 1), "description"},
		{"case-variant key", strings.Replace(valid, `"address":`, `"Description":"second","address":`, 1), "description"},
		{"bidi override", body(func(b map[string]any) { b["description"] = "exit \u202egnikcolb" }), "description"},
		{"zero width space", body(func(b map[string]any) { b["address"] = "测试\u200b路1号" }), "address"},
		{"unit on two lines", body(func(b map[string]any) { b["unit"] = "某某\n公司" }), "unit"},
		{"contact phone not a phone", body(func(b map[string]any) { b["contact_phone"] = "call me" }), "contact.phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/reports", tok, tc.body)
			assert.Equal(t, 400, r.status, "%s", r.body)
			assert.Equal(t, "invalid", r.errCode(t))
			assert.Contains(t, errFields(t, r), tc.field, "%s", r.body)
		})
	}
	// A surrogate pair is a character, and a key in its one spelling is fine.
	r := s.do("POST", "/api/v1/reports", tok, replace("测试路", `\ud83d\udd25路`))
	assert.Equal(t, 201, r.status, "surrogate pair: %s", r.body)
}
