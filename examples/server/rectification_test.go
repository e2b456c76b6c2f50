package server_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestRectificationLoop drives a hazard found in an inspection through the
// rectification process over HTTP, and checks that the notices the
// process declares reach the unit, the inspectors and the supervisors.
func TestRectificationLoop(t *testing.T) { forEachBackend(t, rectificationLoop) }

func rectificationLoop(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	inspector, unit, otherUnit := s.login("inspector-1"), s.login("unit-1"), s.login("unit-2")
	reviewer := s.login("reviewer-1")

	v := s.submit(inspector, []string{s.upload(inspector, pngPhoto(t, 90))}, func(b map[string]any) {
		b["category"], b["severity"], b["source"], b["unit_id"] = "industry_trade", "major", "inspection", server.DemoUnitID(1)
		b["description"] = "粉尘作业区未设置除尘系统"
	})
	id, ref := v["id"].(string), v["ref"].(string)
	require.Equal(t, "found", v["state"])

	// A citizen may not name the unit a hazard was found at.
	citizen := s.login("citizen-1")
	r := s.do("POST", "/api/v1/reports", citizen, map[string]any{
		"category": "fire", "description": "x", "address": "y", "unit_id": server.DemoUnitID(1),
		"photos": []string{s.upload(citizen, pngPhoto(t, 91))},
	})
	assert.Equal(t, http.StatusForbidden, r.status, "a citizen sets unit_id: %s", r.body)

	v = s.act(reviewer, id, "list", map[string]any{"expected_version": version(v), "note": "重大隐患挂牌督办"})
	v = s.act(inspector, id, "order", map[string]any{"expected_version": version(v), "note": "限期整改，安装除尘系统"})
	require.Equal(t, "rectifying", v["state"])

	// The unit sees the hazard in its queue and its view, without any
	// reporter; another unit sees nothing.
	r = s.do("GET", "/api/v1/queue", unit, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), id)
	r = s.do("GET", "/api/v1/reports/"+id, unit, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.NotContains(t, string(r.body), `"reporter"`)
	assert.NotContains(t, string(r.body), "inspector-1\",\"verified", "no reporter record")
	r = s.do("GET", "/api/v1/reports/"+id, otherUnit, nil)
	assert.Equal(t, http.StatusNotFound, r.status, "another unit (as if missing): %s", r.body)
	r = s.do("GET", "/api/v1/queue", otherUnit, nil)
	assert.NotContains(t, string(r.body), id)

	v = s.act(unit, id, "rectify", map[string]any{"expected_version": version(v), "note": "已安装除尘系统",
		"photos": []string{s.upload(unit, pngPhoto(t, 92))}})
	require.Equal(t, "rectified", v["state"])
	v = s.act(inspector, id, "fail", map[string]any{"expected_version": version(v), "note": "风量不足"})
	v = s.act(unit, id, "rectify", map[string]any{"expected_version": version(v), "note": "已更换风机",
		"photos": []string{s.upload(unit, pngPhoto(t, 93))}})
	v = s.act(inspector, id, "pass_major", map[string]any{"expected_version": version(v), "verdict": "复查合格"})
	v = s.act(reviewer, id, "sign_off", map[string]any{"expected_version": version(v), "verdict": "准予销号"})
	require.Equal(t, "closed_out", v["state"])

	type notice struct{ user, template string }
	want := []notice{
		{"admin-1", "hazard_listed"},
		{"unit-1", "rectification_ordered"},
		{"inspector-1", "rectification_reported"},
		{"inspector-2", "rectification_reported"},
		{"unit-1", "rectification_rejected"},
		{"unit-1", "rectification_closed_out"},
	}
	var got []notice
	require.Eventually(t, func() bool {
		got = got[:0]
		for _, m := range s.recorder.Sent() {
			if m.Message.Data["ref"] == ref {
				got = append(got, notice{m.To.UserID, m.Message.Template})
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "notices of %s", ref)
	for _, n := range got {
		assert.NotEqual(t, "unit-2", n.user, "another unit is told nothing")
		if n.user == "unit-1" {
			assert.Contains(t, []string{"rectification_ordered", "rectification_rejected", "rectification_closed_out"}, n.template)
		}
	}
}
