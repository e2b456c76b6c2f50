package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
)

// act takes an action on a report and returns the updated view.
func (s *testServer) act(token, id, action string, body map[string]any) map[string]any {
	s.t.Helper()
	r := s.do("POST", "/api/v1/reports/"+id+"/actions/"+action, token, body)
	require.Equal(s.t, http.StatusOK, r.status, "%s: %s", action, r.body)
	return r.obj(s.t)
}

func version(v map[string]any) int64 { return int64(v["version"].(float64)) }

// TestCitizenLoop drives one report through the whole closed loop over
// HTTP with the demo users.
func TestCitizenLoop(t *testing.T) {
	citizenLoop(t, startServer(t))
}

// TestCitizenLoopPostgres runs the loop with hazards, events and rewards
// in PostgreSQL (HAZARDLOOP_TEST_DATABASE_URL), in a fresh schema.
func TestCitizenLoopPostgres(t *testing.T) {
	dbURL := testSchema(t)
	citizenLoop(t, startServer(t, func(c *server.Config) { c.DatabaseURL = dbURL }))
}

func citizenLoop(t *testing.T, s *testServer) {
	citizen := s.login("citizen-1")
	dispatcher := s.login("dispatcher-1")
	fire := s.login("fire-1")
	reviewer := s.login("reviewer-1")

	// Submit with photos, uploaded first.
	p1, p2 := s.upload(citizen, pngPhoto(t, 1)), s.upload(citizen, jpegWithGPS())
	v := s.submit(citizen, []string{p1, p2}, func(b map[string]any) {
		b["contact_name"], b["contact_phone"] = "张三", "13800000001"
	}, func(b map[string]any) { b["address"] = "端到端测试路100号" })
	id, ref := v["id"].(string), v["ref"].(string)
	require.Equal(t, "submitted", v["state"])
	require.Equal(t, "reporter", v["view"])

	// Dispatch, accept, resolve with photos, return, resolve, approve.
	v = s.act(dispatcher, id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire", "note": "转消防"})
	require.Equal(t, "dispatched", v["state"])
	v = s.act(fire, id, "accept", map[string]any{"expected_version": version(v)})
	require.Equal(t, "accepted", v["state"])
	e1 := s.upload(fire, pngPhoto(t, 2))
	v = s.act(fire, id, "resolve", map[string]any{"expected_version": version(v), "note": "已清理", "photos": []string{e1}})
	require.Equal(t, "resolved", v["state"])
	v = s.act(reviewer, id, "return", map[string]any{"expected_version": version(v), "note": "仍有杂物"})
	require.Equal(t, "accepted", v["state"])
	e2 := s.upload(fire, pngPhoto(t, 3))
	v = s.act(fire, id, "resolve", map[string]any{"expected_version": version(v), "note": "已全部清理", "photos": []string{e2}})
	require.Equal(t, "resolved", v["state"])
	v = s.act(reviewer, id, "approve", map[string]any{"expected_version": version(v), "verdict": "整改到位"})
	require.Equal(t, "closed_valid", v["state"])

	// The reporter sees the reward pending, claims it and sees it claimed.
	var rewardID string
	require.Eventually(t, func() bool {
		r := s.do("GET", "/api/v1/me/rewards?status=pending", citizen, nil)
		var l struct {
			Items []struct {
				ID        string `json:"id"`
				HazardRef string `json:"hazard_ref"`
				Amount    int64  `json:"amount_fen"`
			} `json:"items"`
		}
		r.json(t, &l)
		for _, it := range l.Items {
			if it.HazardRef == ref && it.Amount > 0 {
				rewardID = it.ID
				return true
			}
		}
		return false
	}, 5*time.Second, 20*time.Millisecond, "a pending reward for %s", ref)
	r := s.do("POST", "/api/v1/me/rewards/"+rewardID+"/claim", citizen, nil)
	require.Equal(t, http.StatusOK, r.status, "claim: %s", r.body)
	r = s.do("GET", "/api/v1/me/rewards?status=claimed", citizen, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), rewardID, "claimed rewards")

	// The plaza shows the report and its timeline with no reporter identity.
	r = s.do("GET", "/api/v1/plaza/"+ref, "", nil)
	require.Equal(t, http.StatusOK, r.status, "plaza item: %s", r.body)
	item := r.obj(t)
	assert.Equal(t, "closed_valid", item["state"])
	timeline := item["timeline"].([]any)
	var actions []string
	for _, e := range timeline {
		if a, ok := e.(map[string]any)["action"].(string); ok {
			actions = append(actions, a)
		}
	}
	assert.Equal(t, []string{"dispatch", "accept", "resolve", "return", "resolve", "approve"}, actions)
	list := s.do("GET", "/api/v1/plaza?limit=100", "", nil)
	require.Equal(t, http.StatusOK, list.status)
	require.Contains(t, string(list.body), ref, "plaza list")
	for name, body := range map[string][]byte{"item": r.body, "list": list.body} {
		for _, secret := range []string{"citizen-1", "13800000001", "138****0001", "张三", "reporter_id", "user_id"} {
			assert.NotContains(t, string(body), secret, "plaza %s", name)
		}
	}

	// The public copy of the JPEG has no GPS EXIF; the reporter's is whole.
	r = s.do("GET", "/photos/"+p2, "", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), "GPS", "public photo")
	assert.Equal(t, "image/jpeg", r.header.Get("Content-Type"))
	r = s.do("GET", "/photos/"+p2, citizen, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "GPSLatitude", "the reporter's own photo")

	// Notifications were recorded for each step.
	want := []string{notify.KeyReceived, notify.KeyDispatched, notify.KeyAssigned, notify.KeyResolved,
		notify.KeyReviewNeeded, notify.KeyReturned, notify.KeyClosedValid, notify.KeyRewardPending, notify.KeyRewardClaimed}
	require.Eventually(t, func() bool {
		got := map[string]bool{}
		for _, m := range s.recorder.Sent() {
			if strings.Contains(m.Message.IdempotencyKey, "") && m.Message.Data["ref"] == ref {
				got[m.Message.Template] = true
			}
		}
		for _, k := range want {
			if !got[k] {
				return false
			}
		}
		return true
	}, 5*time.Second, 20*time.Millisecond, "notifications %v for %s; sent %v", want, ref, templates(s.recorder))

	// /metrics shows the counts.
	r = s.do("GET", "/metrics", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	m := string(r.body)
	for _, line := range []string{
		`hazardloop_http_requests_total{code="201",route="POST /api/v1/reports"}`,
		`hazardloop_http_requests_total{code="200",route="POST /api/v1/reports/{id}/actions/{action}"} 6`,
		`hazardloop_http_request_duration_seconds_count{route="GET /api/v1/plaza/{ref}"}`,
		`hazardloop_transitions_total{action="approve"`,
		`hazardloop_submissions_total{category="fire"`,
	} {
		assert.Contains(t, m, line, "metrics")
	}
}

func templates(r *notify.Recorder) []string {
	var out []string
	for _, m := range r.Sent() {
		out = append(out, fmt.Sprintf("%s:%s", m.Message.Template, m.Message.Data["ref"]))
	}
	return out
}
