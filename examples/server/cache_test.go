package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestCacheHeaders: personal and staff answers and pages are never stored
// (Cache-Control: no-store), answers that depend on the caller say so
// (Vary), and public answers to nobody stay cacheable.
func TestCacheHeaders(t *testing.T) {
	s := startServer(t)
	citizen, staff := s.login("citizen-1"), s.login("dispatcher-1")
	id := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 91))})["id"].(string)
	get := func(path, token string, cookie bool) response {
		req, err := http.NewRequest("GET", s.base+path, nil)
		require.NoError(t, err)
		if token != "" && cookie {
			req.AddCookie(&http.Cookie{Name: "hl_token", Value: token})
		} else if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return s.send(req)
	}
	for _, tc := range []struct {
		name, path, token string
		cookie            bool
	}{
		{"me", "/api/v1/me", citizen, false},
		{"a report", "/api/v1/reports/" + id, citizen, false},
		{"my rewards", "/api/v1/me/rewards", citizen, false},
		{"the queue", "/api/v1/queue", staff, false},
		{"stats for staff", "/api/v1/stats", staff, false},
		{"my page", "/mine", citizen, true},
		{"the console", "/console", staff, true},
	} {
		r := get(tc.path, tc.token, tc.cookie)
		require.Equal(t, http.StatusOK, r.status, "GET %s: %s", tc.path, r.body)
		assert.Equal(t, "no-store", r.header.Get("Cache-Control"), "Cache-Control of %s", tc.name)
		want := "Authorization"
		if tc.cookie {
			want = "Cookie"
		}
		assert.Contains(t, r.header.Values("Vary"), want, "Vary of %s", tc.name)
	}
	for _, path := range []string{"/api/v1/plaza", "/api/v1/stats", "/api/v1/categories"} {
		r := get(path, "", false)
		require.Equal(t, http.StatusOK, r.status)
		assert.NotEqual(t, "no-store", r.header.Get("Cache-Control"), "Cache-Control of public %s to nobody", path)
		assert.Contains(t, r.header.Values("Vary"), "Authorization", "Vary of %s", path)
	}
}

// TestSecureCookieOverHTTPS: a page reached over HTTPS through a trusted
// proxy (X-Forwarded-Proto: https with Config.TrustProxy) tells its script
// to set the token cookie Secure, and sets its own cookies Secure; an
// untrusted client's header changes nothing.
func TestSecureCookieOverHTTPS(t *testing.T) {
	for _, tc := range []struct {
		name  string
		trust bool
		want  bool
	}{{"trusted proxy", true, true}, {"untrusted client", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(c *server.Config) { c.TrustProxy = tc.trust })
			r := s.do("GET", "/login?lang=en", "", nil, "X-Forwarded-Proto", "https")
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, tc.want, strings.Contains(string(r.body), `data-secure="1"`), "the page's Secure mark")
			cookies := (&http.Response{Header: r.header}).Cookies()
			require.NotEmpty(t, cookies, "?lang= sets the language cookie")
			for _, ck := range cookies {
				assert.Equal(t, tc.want, ck.Secure, "cookie %s Secure", ck.Name)
			}
			plain := s.do("GET", "/login", "", nil)
			assert.NotContains(t, string(plain.body), `data-secure="1"`, "over plain HTTP")
		})
	}
}
