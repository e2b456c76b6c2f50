package server_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestDemoLoginOnlySeededUsers: the demo login issues tokens for the
// seeded demo users only, never for another stored account (a citizen who
// signed in by phone), on memory and PostgreSQL; demo mode logs a warning.
func TestDemoLoginOnlySeededUsers(t *testing.T) { forEachBackend(t, testDemoLoginOnlySeededUsers) }

func testDemoLoginOnlySeededUsers(t *testing.T, backend func(*server.Config)) {
	var logs syncBuffer
	s := startServer(t, backend, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	assert.Contains(t, logs.String(), "DEMO MODE IS ON", "demo mode is announced in the logs")
	tok := s.phoneLogin("13800009999")
	me := s.do("GET", "/api/v1/me", tok, nil)
	require.Equal(t, http.StatusOK, me.status)
	id := me.obj(t)["id"].(string)
	require.True(t, strings.HasPrefix(id, "citizen-"), "a phone citizen's ID looks like a demo one: %s", id)
	r := s.do("POST", "/api/v1/demo/login", "", map[string]string{"user": id})
	assert.Equal(t, http.StatusNotFound, r.status, "demo login as a stored, not seeded account: %s", r.body)
	assert.NotContains(t, string(r.body), "token")
	for _, d := range server.DemoUsers() {
		r := s.do("POST", "/api/v1/demo/login", "", map[string]string{"user": d.ID})
		assert.Equal(t, http.StatusOK, r.status, "demo login as %s", d.ID)
	}
}

// TestNoDemoNoWarning: without demo mode there is no demo login and no
// warning.
func TestNoDemoNoWarning(t *testing.T) {
	var logs syncBuffer
	s := startServer(t, func(c *server.Config) {
		c.Demo = false
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	r := s.do("POST", "/api/v1/demo/login", "", map[string]string{"user": "citizen-1"})
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.NotContains(t, logs.String(), "DEMO MODE")
}
