package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
)

// sentTo returns the messages with the template sent to the user so far.
func sentTo(r *notify.Recorder, user, template string) []notify.Sent {
	var out []notify.Sent
	for _, m := range r.Sent() {
		if m.To.UserID == user && m.Message.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// waitSent waits until the user got a message with the template and
// returns the last one.
func waitSent(t *testing.T, s *testServer, user, template string) notify.Sent {
	t.Helper()
	var got []notify.Sent
	require.Eventually(t, func() bool {
		got = sentTo(s.recorder, user, template)
		return len(got) > 0
	}, 20*time.Second, 10*time.Millisecond, "%s gets %s", user, template)
	return got[len(got)-1]
}

// TestMeTooFollowAndAreas walks the citizen's flow on memory and
// PostgreSQL: an area watched, a report announced in it, "is it one of
// these?" finding the report, a me-too counted once on the plaza (naming
// nobody), an update reaching the follower with an unsubscribe link that
// works with no login, and the caps.
func TestMeTooFollowAndAreas(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend func(*server.Config)) {
		s := startServer(t, backend)
		c1, c2, c3 := s.login("citizen-1"), s.login("citizen-2"), s.login("citizen-3")
		dispatcher, fire := s.login("dispatcher-1"), s.login("fire-1")

		r := s.do("POST", "/api/v1/me/areas", c2, map[string]any{"center": map[string]any{"lat": 36.40, "lng": 115.90, "system": "GCJ02"}, "radius_meters": 500})
		require.Equal(t, http.StatusCreated, r.status, "watch an area: %s", r.body)
		r = s.do("POST", "/api/v1/me/areas", c2, map[string]any{"center": map[string]any{"lat": 36.40, "lng": 115.90, "system": "GCJ02"}, "radius_meters": 99999})
		assert.Equal(t, http.StatusBadRequest, r.status, "a radius too large: %s", r.body)

		v := s.submit(c1, []string{s.upload(c1, pngPhoto(t, 71))})
		id, ref := v["id"].(string), v["ref"].(string)
		v = s.act(dispatcher, id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})

		alert := waitSent(t, s, "citizen-2", notify.KeyAreaAlert)
		assert.Equal(t, ref, alert.Message.Data["ref"])
		assert.Contains(t, alert.Message.Data["unsubscribe"], server.UnsubscribePath+"?token=")
		assert.Empty(t, sentTo(s.recorder, "citizen-1", notify.KeyAreaAlert), "the reporter is told of their own report")

		// Is it one of these?
		r = s.do("GET", "/api/v1/nearby?category=fire&lat=36.4001&lng=115.9001&coord_system=gcj02&radius=300", "", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), ref)
		assert.NotContains(t, string(r.body), "citizen-1", "nearby names the reporter")
		r = s.do("GET", "/api/v1/nearby?category=gas&lat=36.4001&lng=115.9001&coord_system=gcj02", "", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.NotContains(t, string(r.body), ref, "another category")
		r = s.do("GET", "/api/v1/nearby?category=fire&lat=36.4001&lng=115.9001&coord_system=gcj02&radius=5000", "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "a radius above the max: %s", r.body)
		r = s.do("GET", "/api/v1/nearby?category=fire&lat=36.4&coord_system=gcj02", "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "no longitude: %s", r.body)

		// Me too, once per citizen.
		r = s.do("POST", "/api/v1/plaza/"+ref+"/metoo", c3, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, true, r.obj(t)["counted"])
		assert.EqualValues(t, 1, r.obj(t)["me_too"])
		r = s.do("POST", "/api/v1/plaza/"+ref+"/metoo", c3, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, false, r.obj(t)["counted"], "a second me-too")
		r = s.do("POST", "/api/v1/plaza/"+ref+"/metoo", c1, nil)
		assert.Equal(t, http.StatusConflict, r.status, "a me-too on one's own report: %s", r.body)
		r = s.do("POST", "/api/v1/plaza/HZ-19700101-999999/metoo", c3, nil)
		assert.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
		require.Eventually(t, func() bool {
			r = s.do("GET", "/api/v1/plaza/"+ref, "", nil)
			return r.status == http.StatusOK && r.obj(t)["me_too"] == float64(1)
		}, 20*time.Second, 20*time.Millisecond, "the plaza counts the me-too: %s", r.body)
		assert.NotContains(t, string(r.body), "citizen-3", "the plaza names who said me too")
		assert.NotContains(t, string(r.body), "me_too\",", "a me-too step on the public timeline")
		r = s.do("GET", "/api/v1/plaza", "", nil)
		assert.NotContains(t, string(r.body), "citizen-3")

		// citizen-2 follows too; an update reaches both followers, not the actor.
		r = s.do("POST", "/api/v1/plaza/"+ref+"/follow", c2, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		s.act(fire, id, "accept", map[string]any{"expected_version": version(v), "note": "已受理"})
		upd := waitSent(t, s, "citizen-3", notify.KeyFollowUpdate)
		assert.Equal(t, ref, upd.Message.Data["ref"])
		assert.Equal(t, "已受理", upd.Message.Data["note"])
		upd2 := waitSent(t, s, "citizen-2", notify.KeyFollowUpdate)
		assert.Empty(t, sentTo(s.recorder, "citizen-1", notify.KeyFollowUpdate), "the reporter as a follower")

		// Unsubscribe in one step from the message, with no login.
		link, err := url.Parse(upd2.Message.Data["unsubscribe"])
		require.NoError(t, err)
		token := link.Query().Get("token")
		r = s.do("POST", "/api/v1/unsubscribe", "", map[string]any{"token": token})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, "follow", r.obj(t)["kind"])
		assert.Equal(t, ref, r.obj(t)["ref"])
		r = s.do("POST", "/api/v1/unsubscribe", "", map[string]any{"token": token})
		assert.Equal(t, http.StatusOK, r.status, "unsubscribing twice: %s", r.body)
		r = s.do("POST", "/api/v1/unsubscribe", "", map[string]any{"token": token[:len(token)-3] + "AAA"})
		assert.Equal(t, http.StatusBadRequest, r.status, "a forged token: %s", r.body)
		r = s.do("GET", "/api/v1/me/subscriptions", c2, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var subs struct {
			Follows []map[string]any `json:"follows"`
			Areas   []map[string]any `json:"areas"`
		}
		r.json(t, &subs)
		assert.Empty(t, subs.Follows, "the follow after unsubscribing")
		require.Len(t, subs.Areas, 1)
		areaLink, err := url.Parse(alert.Message.Data["unsubscribe"])
		require.NoError(t, err)
		r = s.do("POST", "/api/v1/unsubscribe", "", map[string]any{"token": areaLink.Query().Get("token")})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, "area", r.obj(t)["kind"])

		// The cap of areas.
		for i := range 5 {
			r = s.do("POST", "/api/v1/me/areas", c2, map[string]any{"district": "d" + strings.Repeat("x", i)})
			require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		}
		r = s.do("POST", "/api/v1/me/areas", c2, map[string]any{"district": "more"})
		assert.Equal(t, http.StatusConflict, r.status, "a sixth area: %s", r.body)
		r = s.do("GET", "/api/v1/me/subscriptions", c2, nil)
		r.json(t, &subs)
		require.Len(t, subs.Areas, 5)
		r = s.do("DELETE", "/api/v1/me/areas/"+subs.Areas[0]["id"].(string), c3, nil)
		assert.Equal(t, http.StatusNotFound, r.status, "another citizen's area: %s", r.body)
		r = s.do("DELETE", "/api/v1/me/areas/"+subs.Areas[0]["id"].(string), c2, nil)
		assert.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	})
}

// TestAddInfoAndQuestions: the reporter adds information the department
// sees (and is told of), staff ask a question the reporter is told of and
// answers on the report's page; the plaza shows none of it.
func TestAddInfoAndQuestions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend func(*server.Config)) {
		s := startServer(t, backend)
		c1, c2 := s.login("citizen-1"), s.login("citizen-2")
		dispatcher, fire, gas := s.login("dispatcher-1"), s.login("fire-1"), s.login("gas-1")
		v := s.submit(c1, []string{s.upload(c1, pngPhoto(t, 81))})
		id, ref := v["id"].(string), v["ref"].(string)
		s.act(dispatcher, id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})

		photo := s.upload(c1, pngPhoto(t, 82))
		r := s.do("POST", "/api/v1/reports/"+id+"/info", c1, map[string]any{"note": "今天又堆了更多纸箱", "photos": []string{photo}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = s.do("POST", "/api/v1/reports/"+id+"/info", c2, map[string]any{"note": "x"})
		assert.Equal(t, http.StatusNotFound, r.status, "another citizen adds to the report: %s", r.body)
		r = s.do("POST", "/api/v1/reports/"+id+"/info", c1, map[string]any{})
		assert.Equal(t, http.StatusBadRequest, r.status, "nothing to add: %s", r.body)
		info := waitSent(t, s, "fire-1", notify.KeyInfoAdded)
		assert.Equal(t, "1", info.Message.Data["photos"])

		r = s.do("GET", "/api/v1/reports/"+id, fire, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), "今天又堆了更多纸箱", "the department sees the information")

		r = s.do("POST", "/api/v1/reports/"+id+"/questions", gas, map[string]any{"question": "在几楼？"})
		assert.Equal(t, http.StatusNotFound, r.status, "a handler of another department: %s", r.body)
		r = s.do("POST", "/api/v1/reports/"+id+"/questions", fire, map[string]any{"question": "在几楼？"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		q := waitSent(t, s, "citizen-1", notify.KeyQuestion)
		assert.Equal(t, "在几楼？", q.Message.Data["question"])

		r = s.do("GET", "/api/v1/reports/"+id, c1, nil)
		require.Equal(t, http.StatusOK, r.status)
		var view struct {
			Timeline []struct {
				Type    string            `json:"type"`
				Message string            `json:"message"`
				Data    map[string]string `json:"data"`
			} `json:"timeline"`
		}
		r.json(t, &view)
		var seq string
		for _, e := range view.Timeline {
			if e.Type == "question" {
				seq = e.Data["question"]
				assert.Equal(t, "在几楼？", e.Message)
			}
		}
		require.NotEmpty(t, seq, "the reporter sees the question: %s", r.body)
		r = s.do("POST", "/api/v1/reports/"+id+"/answers", c1, map[string]any{"question": 999999, "answer": "三楼"})
		assert.Equal(t, http.StatusBadRequest, r.status, "an answer to no question: %s", r.body)
		r = s.do("POST", "/api/v1/reports/"+id+"/answers", c1, map[string]any{"question": mustAtoi(t, seq), "answer": "三楼楼梯间"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		a := waitSent(t, s, "fire-1", notify.KeyAnswered)
		assert.Equal(t, "三楼楼梯间", a.Message.Data["answer"])
		r = s.do("POST", "/api/v1/reports/"+id+"/answers", c1, map[string]any{"question": mustAtoi(t, seq), "answer": "again"})
		assert.Equal(t, http.StatusBadRequest, r.status, "answering twice: %s", r.body)

		r = s.do("GET", "/api/v1/plaza/"+ref, "", nil)
		require.Equal(t, http.StatusOK, r.status)
		for _, secret := range []string{"今天又堆了更多纸箱", "在几楼", "三楼楼梯间", photo} {
			assert.NotContains(t, string(r.body), secret, "the plaza shows an exchange")
		}
	})
}

// TestCitizenRouteAccess pins the access of the citizen routes (every
// role is tried on them by TestRouteAccess): public reads and the
// unsubscribe link need no login, following and adding to a report are a
// citizen's, asking a reporter is staff's.
func TestCitizenRouteAccess(t *testing.T) {
	want := map[string]server.Access{
		"GET /api/v1/nearby":                  server.AccessPublic,
		"POST /api/v1/plaza/{ref}/metoo":      server.AccessReporter,
		"POST /api/v1/plaza/{ref}/follow":     server.AccessReporter,
		"DELETE /api/v1/plaza/{ref}/follow":   server.AccessReporter,
		"GET /api/v1/me/subscriptions":        server.AccessReporter,
		"POST /api/v1/me/areas":               server.AccessReporter,
		"DELETE /api/v1/me/areas/{id}":        server.AccessReporter,
		"POST /api/v1/unsubscribe":            server.AccessPublic,
		"POST /api/v1/reports/{id}/info":      server.AccessReporter,
		"POST /api/v1/reports/{id}/questions": server.AccessStaff,
		"POST /api/v1/reports/{id}/answers":   server.AccessReporter,
	}
	got := map[string]server.Access{}
	for _, rt := range server.Routes(false) {
		got[rt.Pattern()] = rt.Access
	}
	for p, a := range want {
		assert.Equal(t, a, got[p], p)
	}
}
