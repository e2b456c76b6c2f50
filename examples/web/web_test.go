package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/web"
)

// fakeAPI answers the JSON API routes the pages call with fixed bodies, as
// the real API would for a visitor whose token is "good". It lets these
// tests pin what the pages do with answers; the browser tests drive the
// real server.
func fakeAPI(t *testing.T) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	answer := func(pattern string, body any, staffOnly bool) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if staffOnly && r.Header.Get("Authorization") != "Bearer good" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"error":{"code":"unauthenticated","message":"log in first"}}`)
				return
			}
			require.NoError(t, json.NewEncoder(w).Encode(body))
		})
	}
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	item := map[string]any{"ref": "LC-20261128-000001", "state": "dispatched", "description": evil, "address": "东昌路 1 号", "photos": []string{strings.Repeat("a", 64)}, "created_at": "2026-11-28T08:00:00Z",
		"timeline": []any{map[string]any{"type": "submitted", "to": "submitted", "time": "2026-11-28T08:00:00Z"}, map[string]any{"type": "transition", "action": "dispatch", "to": "dispatched", "note": evil, "time": "2026-11-28T09:00:00Z"}}}
	answer("GET /api/v1/stats", map[string]any{"programme": map[string]any{"citizens": 3, "reports": 12, "rewards_paid_fen": 12345}, "closed": 4,
		"departments": []any{map[string]any{"department": "gas", "assigned": 1, "open": 1, "overdue": 0}, map[string]any{"department": "fire", "assigned": 5, "open": 3, "overdue": 1,
			"oldest": []any{map[string]any{"id": "h2", "ref": "LC-2", "state": "accepted"}, map[string]any{"id": "h3", "ref": "LC-3", "state": "dispatched", "overdue": true}}}}}, false)
	answer("GET /api/v1/plaza", map[string]any{"items": []any{item}, "next": "abc"}, false)
	answer("GET /api/v1/plaza/{ref}", item, false)
	answer("GET /api/v1/articles", map[string]any{"items": []any{map[string]any{"id": "a1", "title": evil, "kind": "law", "published": true}}}, false)
	answer("GET /api/v1/articles/{id}", map[string]any{"id": "a1", "title": "安全生产法", "kind": "law", "body": evil}, false)
	answer("GET /api/v1/categories", []any{map[string]any{"code": "fire", "name_zh": "消防", "name_en": "Fire safety"}}, false)
	answer("GET /api/v1/processes", map[string]any{"items": []any{map[string]any{"name": "ticket", "version": 1, "states": []any{
		map[string]any{"name": "submitted", "public": map[string]any{"zh": "已收到", "en": "Got it"}},
		map[string]any{"name": "dispatched", "public": map[string]any{"zh": "处理中", "en": "On it"}},
		map[string]any{"name": "accepted", "public": map[string]any{"zh": "办理", "en": "Working"}},
	}}}}, false)
	answer("GET /api/v1/departments", []any{map[string]any{"code": "fire", "name_zh": "消防救援支队", "name_en": "Fire and Rescue"}, map[string]any{"code": "gas", "name_zh": "燃气管理处", "name_en": "Gas"}}, false)
	answer("GET /api/v1/me", map[string]any{"id": "dispatcher-1", "role": "dispatcher"}, true)
	answer("GET /api/v1/me/reports", map[string]any{"items": []any{item}}, true)
	answer("GET /api/v1/me/rewards", map[string]any{"items": []any{map[string]any{"id": "r1", "status": "pending", "amount_fen": 5000, "hazard_ref": "LC-1"}}}, true)
	answer("GET /api/v1/queue", map[string]any{"items": []any{map[string]any{"id": "h1", "ref": "LC-1", "state": "submitted", "description": evil}}}, true)
	answer("GET /api/v1/reports/{id}", map[string]any{"id": "h1", "ref": "LC-1", "state": "submitted", "version": 1, "description": evil, "events": []any{}}, true)
	answer("GET /api/v1/reports/{id}/actions", map[string]any{"actions": []any{map[string]any{"name": "dispatch", "label": map[string]any{"zh": "转办", "en": "Dispatch"}, "needs": []string{"department"}}}}, true)
	return mux
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	h, err := web.New(web.Config{API: fakeAPI(t), Demo: true, DemoUsers: []web.DemoUser{{ID: "citizen-1", Label: "verified citizen"}}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func TestPagesRenderAndEscape(t *testing.T) {
	srv := newServer(t)
	staff := &http.Cookie{Name: "hl_token", Value: "good"}
	for _, path := range []string{"/", "/report", "/plaza", "/plaza/LC-20261128-000001", "/knowledge", "/knowledge/a1", "/login", "/mine", "/console", "/console/reports/h1", "/console/board"} {
		t.Run(path, func(t *testing.T) {
			status, body := get(t, srv, path, staff)
			require.Equal(t, http.StatusOK, status, body)
			assert.NotContains(t, body, "<script>alert", "GET %s: raw script from content", path)
			assert.NotContains(t, body, "<img src=x", "GET %s: raw HTML from content", path)
		})
	}
	_, body := get(t, srv, "/plaza/LC-20261128-000001")
	assert.Contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "the description shows as text")
}

// TestLoginNextStaysOnSite: the page after login is a path of this site,
// never another host.
func TestLoginNextStaysOnSite(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct{ name, next, want string }{
		{"path", "/console", `data-next="/console"`},
		{"absolute URL", "https://evil.example/", `data-next="/"`},
		{"scheme-relative", "//evil.example/", `data-next="/"`},
		{"backslash", "/\\evil.example/", `data-next="/"`},
		{"tab", "/\t/evil.example", `data-next="/"`},
		{"CR", "/\r/evil.example", `data-next="/"`},
		{"LF", "/\n/evil.example", `data-next="/"`},
		{"backslash after slash", "/\\\\evil.example", `data-next="/"`},
		{"backslash later", "/a\\..\\\\evil.example", `data-next="/"`},
		{"space", "/ /evil.example", `data-next="/"`},
		{"escaped slash", "/%2Fevil.example", `data-next="/"`},
		{"scheme", "javascript:alert('evil.example')", `data-next="/"`},
		{"no slash", "evil.example", `data-next="/"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, "/login?next="+url.QueryEscape(tc.next))
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, body, tc.want, "GET /login?next=%s", tc.next)
			assert.NotContains(t, body, "evil.example", "GET /login?next=%s", tc.next)
		})
	}
}

// TestLoginNextRaw sends the attack as an address bar would, escaped by
// hand: %2F%09%2Fevil.example decodes to "/<tab>/evil.example", which a
// browser reads as //evil.example.
func TestLoginNextRaw(t *testing.T) {
	srv := newServer(t)
	for _, raw := range []string{"%2F%09%2Fevil.example", "%2F%0D%2Fevil.example", "%2F%0A%2Fevil.example",
		"%2F%5Cevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%E2%80%AE%2Fevil.example"} {
		status, body := get(t, srv, "/login?next="+raw)
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, `data-next="/"`, "GET /login?next=%s", raw)
		assert.NotContains(t, body, "evil.example", "GET /login?next=%s", raw)
	}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/console", "/console"},
		{"/console/reports/h1?tab=x#y", "/console/reports/h1?tab=x#y"},
		{"", "/"},
		{"/\t/evil.com", "/"},
		{"/\x00/evil.com", "/"},
		{"/\u00a0/evil.com", "/"},
		{"\\\\evil.com", "/"},
		{"https://evil.com", "/"},
		{"//evil.com", "/"},
		{"/%5Cevil.com", "/"},
		{"/" + strings.Repeat("a", web.MaxNextLen), "/"},
	} {
		if got := web.SafeNext(tc.next); got != tc.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

func TestStaffPagesNeedLogin(t *testing.T) {
	srv := newServer(t)
	for _, path := range []string{"/mine", "/console", "/console/board", "/console/reports/h1"} {
		status, _ := get(t, srv, path)
		assert.Equal(t, http.StatusSeeOther, status, "GET %s without a token", path)
	}
	status, body := get(t, srv, "/console", &http.Cookie{Name: "hl_token", Value: "bad"})
	assert.Equal(t, http.StatusSeeOther, status, "GET /console with a bad token: %s", body)
}

func TestLanguageSwitch(t *testing.T) {
	srv := newServer(t)
	_, zh := get(t, srv, "/")
	assert.Contains(t, zh, "最新上报")
	_, en := get(t, srv, "/?lang=en")
	assert.Contains(t, en, "Latest reports")
	assert.Contains(t, en, `lang="en"`)
	_, cookie := get(t, srv, "/plaza", &http.Cookie{Name: "hl_lang", Value: "en"})
	assert.Contains(t, cookie, "Report plaza")
}

func TestActionsShowWhatTheAPIAllows(t *testing.T) {
	srv := newServer(t)
	_, body := get(t, srv, "/console/reports/h1", &http.Cookie{Name: "hl_token", Value: "good"})
	assert.Contains(t, body, `data-action="dispatch"`)
	assert.Contains(t, body, `name="department"`, "dispatch needs a department picker")
	assert.NotContains(t, body, `data-action="approve"`, "no action the API did not offer")
}

func TestBoardDrawsChart(t *testing.T) {
	srv := newServer(t)
	_, body := get(t, srv, "/console/board", &http.Cookie{Name: "hl_token", Value: "good"})
	assert.Contains(t, body, `<svg id="board-chart"`)
	assert.Regexp(t, `<rect x="96" y="3" width="184"`, body, "the largest count spans the chart")
	assert.Regexp(t, `(?s)data-department="fire".*data-department="gas"`, body, "overdue departments come first")
	assert.Contains(t, body, "消防救援支队", "departments are shown by name")
	assert.Regexp(t, `(?s)LC-3.*LC-2`, body, "a department's overdue hazards come first")
}

// TestTemplateKeysExist checks that every text key a template asks for has
// both languages, so that no page shows a bare key.
func TestTemplateKeysExist(t *testing.T) {
	files, err := filepath.Glob("templates/*.html")
	require.NoError(t, err)
	re := regexp.MustCompile(`\bt \$?\.?L "([a-z0-9_.]+)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			assert.NotEqual(t, m[1], web.T(web.LangZH, m[1]), "%s: key %q has no Chinese text", f, m[1])
			assert.NotEqual(t, m[1], web.T(web.LangEN, m[1]), "%s: key %q has no English text", f, m[1])
		}
	}
	assert.Greater(t, n, 50, "the key pattern found the templates' keys")
}

// TestDynamicKeysExist checks the text keys that templates build from API
// values (severities, article kinds, reward statuses); states are named by
// the API (GET /api/v1/processes).
func TestDynamicKeysExist(t *testing.T) {
	for _, key := range []string{
		"severity.general", "severity.major", "kind.law", "kind.rule", "kind.knowledge",
		"reward.pending", "reward.claiming", "reward.claimed", "reward.expired", "reward.failed",
	} {
		assert.NotEqual(t, key, web.T(web.LangZH, key), "key %q has no Chinese text", key)
		assert.NotEqual(t, key, web.T(web.LangEN, key), "key %q has no English text", key)
	}
}

// TestStatesComeFromTheProcesses: the pages name states, and offer the
// plaza's state filter, as the API's processes declare them, in the
// page's language; they keep no list of their own.
func TestStatesComeFromTheProcesses(t *testing.T) {
	srv := newServer(t)
	_, zh := get(t, srv, "/plaza")
	assert.Contains(t, zh, `<option value="accepted" >办理</option>`, "the filter lists the declared states")
	assert.Contains(t, zh, ">处理中</span>", "an item's state is its declared public status")
	_, en := get(t, srv, "/plaza?lang=en")
	assert.Contains(t, en, ">On it</span>")
	assert.NotContains(t, en, `value="closed_valid"`, "no state the processes do not declare")
}
