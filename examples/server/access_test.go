package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// identities are the callers every route is tried with: nobody and each
// demo role.
var identities = []struct{ user, role string }{
	{"", ""},
	{"citizen-1", "reporter"},
	{"citizen-2", "reporter"},
	{"dispatcher-1", "dispatcher"},
	{"fire-1", "handler"},
	{"gas-1", "handler"},
	{"reviewer-1", "reviewer"},
	{"admin-1", "admin"},
	{"inspector-1", "inspector"},
	{"fire-inspector-1", "inspector"},
	{"supervisor-1", "supervisor"},
	{"unit-1", "enterprise"},
	{"auditor-1", "auditor"},
}

// concrete fills a route's path parameters with values that name nothing.
func concrete(path string) string {
	r := strings.NewReplacer(
		"{id}", "0190a0b0-0000-7000-8000-000000000000",
		"{ref}", "HZ-19700101-999999",
		"{key}", strings.Repeat("ab", 32),
		"{action}", "dispatch",
	)
	return r.Replace(path)
}

// TestRouteAccess calls every route of the route table as every role: a
// caller the route's access refuses gets 401 (nobody) or 403, and one it
// admits gets past the access check (neither 401 nor 403: the values in
// the path name nothing, so the use case answers 2xx, 400 or 404).
func TestRouteAccess(t *testing.T) {
	s := startServer(t)
	tokens := map[string]string{}
	for _, id := range identities {
		if id.user != "" {
			tokens[id.user] = s.login(id.user)
		}
	}
	routes := server.Routes(true)
	require.NotEmpty(t, routes)
	for _, rt := range routes {
		for _, id := range identities {
			name := rt.Pattern() + " as " + id.user
			if id.user == "" {
				name = rt.Pattern() + " as nobody"
			}
			t.Run(name, func(t *testing.T) {
				var body any
				if rt.Body != "" {
					body = "{}"
				}
				r := s.do(rt.Method, concrete(rt.Path), tokens[id.user], body)
				switch {
				case !rt.Access.Allows(id.role) && id.user == "":
					assert.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
					assert.Equal(t, "unauthenticated", r.errCode(t))
				case !rt.Access.Allows(id.role):
					assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
					assert.Equal(t, "forbidden", r.errCode(t))
				default:
					assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, r.status,
						"admitted caller refused: %s", r.body)
					assert.Less(t, r.status, 500, "%s", r.body)
				}
			})
		}
	}
}

// TestBadTokens: a protected route refuses a forged, malformed or foreign
// token with 401; a public route treats it as no token.
func TestBadTokens(t *testing.T) {
	s := startServer(t)
	good := s.login("citizen-1")
	other := startServer(t, func(c *server.Config) { c.TokenSecret = []byte("another-secret-another-secret-xx") })
	foreign := other.login("citizen-1")
	for _, tc := range []struct{ name, header string }{
		{"forged signature", "Bearer " + good[:len(good)-2] + "xx"},
		{"other secret", "Bearer " + foreign},
		{"not bearer", "Basic " + good},
		{"garbage", "Bearer a.b.c"},
		{"too long", "Bearer " + strings.Repeat("a", 600)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("GET", "/api/v1/me", "", nil, "Authorization", tc.header)
			assert.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
			r = s.do("GET", "/api/v1/plaza", "", nil, "Authorization", tc.header)
			assert.Equal(t, http.StatusOK, r.status, "public route: %s", r.body)
		})
	}
	r := s.do("GET", "/api/v1/me", good, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "citizen-1", r.obj(t)["id"])
}

// TestTokenExpiry: a token stops working after its TTL.
func TestTokenExpiry(t *testing.T) {
	clk := newClock()
	s := startServer(t, func(c *server.Config) { c.Clock = clk.Now })
	tok := s.login("admin-1")
	require.Equal(t, http.StatusOK, s.do("GET", "/api/v1/me", tok, nil).status)
	clk.Advance(server.DefaultTokenTTL)
	r := s.do("GET", "/api/v1/me", tok, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
}

// TestDepartmentScope: a handler sees and acts on their department's
// hazards only, and a citizen on their own reports only; the library
// decides.
func TestDepartmentScope(t *testing.T) {
	s := startServer(t)
	citizen, dispatcher := s.login("citizen-1"), s.login("dispatcher-1")
	fire, gas := s.login("fire-1"), s.login("gas-1")
	v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 40))}, func(b map[string]any) { b["category"] = "gas" })
	id := v["id"].(string)
	v = s.act(dispatcher, id, "dispatch", map[string]any{"expected_version": version(v), "department": "gas"})

	r := s.do("GET", "/api/v1/reports/"+id, fire, nil)
	assert.Equal(t, http.StatusNotFound, r.status, "fire-1 reads a gas hazard (as if missing): %s", r.body)
	r = s.do("POST", "/api/v1/reports/"+id+"/actions/accept", fire, map[string]any{"expected_version": version(v)})
	assert.Equal(t, http.StatusNotFound, r.status, "fire-1 accepts a gas hazard (as if missing): %s", r.body)
	r = s.do("GET", "/api/v1/reports/"+id, gas, nil)
	require.Equal(t, http.StatusOK, r.status, "gas-1 reads it: %s", r.body)
	assert.Equal(t, "staff", r.obj(t)["view"])
	r = s.do("GET", "/api/v1/reports/"+id, s.login("citizen-2"), nil)
	assert.Equal(t, http.StatusNotFound, r.status, "another citizen: %s", r.body)

	// Stale versions and actions not allowed now are conflicts.
	r = s.do("POST", "/api/v1/reports/"+id+"/actions/accept", gas, map[string]any{"expected_version": version(v) - 1})
	assert.Equal(t, http.StatusConflict, r.status, "stale version: %s", r.body)
	r = s.do("POST", "/api/v1/reports/"+id+"/actions/approve", s.login("reviewer-1"), map[string]any{"expected_version": version(v)})
	assert.Equal(t, http.StatusConflict, r.status, "approve a dispatched report: %s", r.body)

	// The queue of each handler holds their department's work only.
	r = s.do("GET", "/api/v1/queue", gas, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), id)
	r = s.do("GET", "/api/v1/queue", fire, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), id)
}

// TestAccessAllows pins who each access admits: staff is what
// hazard.StaffRole says, and a unit's safety manager (enterprise) is
// never staff.
func TestAccessAllows(t *testing.T) {
	roles := []string{"", "reporter", "enterprise", "dispatcher", "handler", "reviewer", "inspector", "admin"}
	want := map[server.Access][]string{
		server.AccessPublic:   roles,
		server.AccessAnyone:   roles,
		server.AccessUser:     roles[1:],
		server.AccessReporter: {"reporter"},
		server.AccessWork:     {"enterprise", "dispatcher", "handler", "reviewer", "inspector", "admin"},
		server.AccessStaff:    {"dispatcher", "handler", "reviewer", "inspector", "admin"},
		server.AccessAdmin:    {"admin"},
	}
	for a, allowed := range want {
		for _, role := range roles {
			assert.Equal(t, slices.Contains(allowed, role), a.Allows(role), "%s allows %q", a, role)
		}
	}
}

// TestAccessRules pins the access of the routes that matter most, so that
// a change of the route table is a deliberate one.
func TestAccessRules(t *testing.T) {
	want := map[string]server.Access{
		"GET /api/v1/plaza":                          server.AccessPublic,
		"GET /api/v1/plaza/{ref}":                    server.AccessPublic,
		"POST /api/v1/reports":                       server.AccessAnyone,
		"POST /api/v1/reports/{id}/actions/{action}": server.AccessUser,
		"POST /api/v1/reports/{id}/unit":             server.AccessStaff,
		"GET /api/v1/queue":                          server.AccessWork,
		"GET /api/v1/processes":                      server.AccessPublic,
		"GET /api/v1/me/rewards":                     server.AccessReporter,
		"POST /api/v1/me/rewards/{id}/claim":         server.AccessReporter,
		"POST /api/v1/articles":                      server.AccessAdmin,
		"PUT /api/v1/articles/{id}":                  server.AccessAdmin,
		"POST /api/v1/articles/{id}/publish":         server.AccessAdmin,
		"POST /api/v1/uploads":                       server.AccessAnyone,
		"POST /api/v1/claims/follow":                 server.AccessPublic,
		"POST /api/v1/claims/bind":                   server.AccessReporter,
		"POST /api/v1/claims/reopen":                 server.AccessAnyone,
		"POST /api/v1/claims/fixed":                  server.AccessAnyone,
		"POST /api/v1/reports/{id}/fixed":            server.AccessReporter,
		"POST /api/v1/me/verify":                     server.AccessReporter,
		"GET /api/v1/spot-checks":                    server.AccessStaff,
		"GET /api/v1/spot-checks/{id}":               server.AccessStaff,
		"POST /api/v1/spot-checks":                   server.AccessSupervision,
		"POST /api/v1/spot-checks/{id}/verify":       server.AccessSupervision,
		"GET /api/v1/ledger":                         server.AccessStaff,
	}
	got := map[string]server.Access{}
	for _, rt := range server.Routes(true) {
		got[rt.Pattern()] = rt.Access
	}
	for p, a := range want {
		assert.Equal(t, a, got[p], p)
	}
}
