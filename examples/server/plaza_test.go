package server_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestPlazaCacheFollowsTheLog: a cached plaza answer is dropped only when
// an event may change it. A new report refreshes the first page but not the
// pages after it; an action on a report refreshes the pages and the views
// that show it, and the lists filtered by state, but not another report's
// view. An answer kept answers its old ETag with 304.
func TestPlazaCacheFollowsTheLog(t *testing.T) {
	// Reports are public from their submission here: a new one comes
	// first. TestPlazaCacheFollowsPublication tests the default policy.
	s := startServer(t, func(c *server.Config) { c.Moderation.Publish = hazard.PublishOnSubmit })
	c := s.login("citizen-1")
	a := s.submit(c, []string{s.upload(c, pngPhoto(t, 90))}, func(b map[string]any) { b["address"] = "缓存测试路1号" })
	b := s.submit(c, []string{s.upload(c, pngPhoto(t, 91))}, func(b map[string]any) { b["address"] = "缓存测试路2号" })
	refA, refB := a["ref"].(string), b["ref"].(string)

	type list struct {
		Items []struct {
			Ref   string `json:"ref"`
			State string `json:"state"`
		} `json:"items"`
		Next string `json:"next"`
	}
	// get reads a plaza answer, decoding it as a list when it is one (a
	// report's view has no items).
	get := func(path string) (response, list) {
		t.Helper()
		r := s.do("GET", path, "", nil)
		require.Equal(t, http.StatusOK, r.status, "GET %s: %s", path, r.body)
		var l list
		r.json(t, &l)
		return r, l
	}
	unchanged := func(path, etag string) bool {
		return s.do("GET", path, "", nil, "If-None-Match", etag).status == http.StatusNotModified
	}
	first := "/api/v1/plaza?limit=1"
	// The relay appends the demo's reward events in the background: wait
	// until the log is still.
	var r1 response
	var l1 list
	require.Eventually(t, func() bool {
		r1, l1 = get(first)
		return unchanged(first, r1.header.Get("ETag"))
	}, 5*time.Second, 20*time.Millisecond, "a 304 for the current ETag")
	require.Len(t, l1.Items, 1)
	require.Equal(t, refB, l1.Items[0].Ref, "the newest report first")
	second := "/api/v1/plaza?limit=1&cursor=" + url.QueryEscape(l1.Next)
	r2, l2 := get(second)
	require.Equal(t, refA, l2.Items[0].Ref)
	itemA, itemB := "/api/v1/plaza/"+refA, "/api/v1/plaza/"+refB
	rA, _ := get(itemA)
	rB, _ := get(itemB)
	submitted := "/api/v1/plaza?state=submitted&limit=100"
	rS, lS := get(submitted)
	refs := func(l list) []string {
		var out []string
		for _, it := range l.Items {
			out = append(out, it.Ref)
		}
		return out
	}
	require.Contains(t, refs(lS), refA)

	// A new report: the first page changes, nothing else does.
	cc := s.submit(c, []string{s.upload(c, pngPhoto(t, 92))}, func(b map[string]any) { b["address"] = "缓存测试路3号" })
	_, l1 = get(first)
	assert.Equal(t, cc["ref"], l1.Items[0].Ref, "the first page shows the new report")
	assert.True(t, unchanged(second, r2.header.Get("ETag")), "the second page is kept")
	assert.True(t, unchanged(itemA, rA.header.Get("ETag")), "report A's view is kept")
	_, lS = get(submitted)
	assert.Contains(t, refs(lS), cc["ref"], "the list of submitted reports shows it")

	// An action on A: what shows A changes, B's view does not.
	d := s.login("dispatcher-1")
	r := s.do("POST", "/api/v1/reports/"+a["id"].(string)+"/actions/dispatch", d,
		map[string]any{"expected_version": 1, "department": "fire", "note": "转办"})
	require.Equal(t, http.StatusOK, r.status, "dispatch: %s", r.body)
	assert.False(t, unchanged(itemA, rA.header.Get("ETag")), "report A's view after its dispatch")
	assert.False(t, unchanged(second, r2.header.Get("ETag")), "the page showing A after its dispatch")
	_, l2 = get(second)
	assert.NotEqual(t, "submitted", l2.Items[0].State, "the page showing A shows its new state")
	assert.True(t, unchanged(itemB, rB.header.Get("ETag")), "report B's view is kept")
	assert.False(t, unchanged(submitted, rS.header.Get("ETag")), "the list filtered by state")
	_, lS = get(submitted)
	assert.NotContains(t, refs(lS), refA, "A left the submitted reports")
}
