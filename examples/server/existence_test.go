package server_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestExistenceDoesNotLeak: another user's hazard or reward answers
// exactly as a missing one does (same status, same body), for reading it,
// listing its actions and acting on it, on memory and PostgreSQL.
func TestExistenceDoesNotLeak(t *testing.T) { forEachBackend(t, testExistenceDoesNotLeak) }

func testExistenceDoesNotLeak(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	owner, other, fire := s.login("citizen-1"), s.login("citizen-2"), s.login("fire-1")
	v := s.submit(owner, []string{s.upload(owner, pngPhoto(t, 77))})
	id := v["id"].(string)
	missing := uuid.Must(uuid.NewV7()).String()
	same := func(what string, hidden, absent response) {
		t.Helper()
		assert.Equal(t, absent.status, hidden.status, "%s: status of a hidden one and of a missing one", what)
		assert.Equal(t, string(absent.body), string(hidden.body), "%s: body of a hidden one and of a missing one", what)
		assert.Equal(t, http.StatusNotFound, hidden.status, "%s", what)
	}
	for _, tc := range []struct{ name, token string }{{"another citizen", other}, {"a handler of no concern", fire}} {
		same(tc.name+" reads", s.do("GET", "/api/v1/reports/"+id, tc.token, nil), s.do("GET", "/api/v1/reports/"+missing, tc.token, nil))
		hidden := s.do("GET", "/api/v1/reports/"+id+"/actions", tc.token, nil)
		same(tc.name+" lists actions", hidden, s.do("GET", "/api/v1/reports/"+missing+"/actions", tc.token, nil))
		assert.NotContains(t, string(hidden.body), "actions", "%s: no actions listed", tc.name)
		for _, action := range []string{"withdraw", "accept", "no_such_action"} {
			body := map[string]any{"expected_version": version(v)}
			same(tc.name+" acts "+action, s.do("POST", "/api/v1/reports/"+id+"/actions/"+action, tc.token, body),
				s.do("POST", "/api/v1/reports/"+missing+"/actions/"+action, tc.token, body))
		}
	}

	// A reward: closing the report as valid issues one to its reporter.
	claimPending := func() string {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		require.Eventually(t, func() bool {
			r := s.do("GET", "/api/v1/me/rewards?status=pending", s.login("citizen-1"), nil)
			r.json(t, &page)
			return len(page.Items) > 0
		}, 10e9, 10e6, "a pending reward of citizen-1 (demo data)")
		return page.Items[0]["id"].(string)
	}
	reward := claimPending()
	same("another citizen claims a reward", s.do("POST", "/api/v1/me/rewards/"+reward+"/claim", other, nil),
		s.do("POST", "/api/v1/me/rewards/"+uuid.Must(uuid.NewV7()).String()+"/claim", other, nil))
}
