package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
)

// TestOpenAPIListsEveryRoute: the description and the router list the
// same routes, and the router answers each of them (never "no such
// route").
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s := startServer(t)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	s.openAPI(&doc)
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), "openapi version %q", doc.OpenAPI)
	var described, routed []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			described = append(described, strings.ToUpper(method)+" "+path)
			assert.NotEmpty(t, op["summary"], "%s %s summary", method, path)
		}
	}
	for _, rt := range server.Routes(true) {
		routed = append(routed, rt.Pattern())
		res := s.do(rt.Method, concrete(rt.Path), "", nil)
		if res.status == http.StatusNotFound || res.status == http.StatusMethodNotAllowed {
			assert.NotContains(t, []string{"method_not_allowed"}, res.errCode(t), rt.Pattern())
			var e server.ErrorBody
			res.json(t, &e)
			assert.NotEqual(t, "no such route", e.Error.Message, "%s is not routed", rt.Pattern())
		}
	}
	sort.Strings(described)
	sort.Strings(routed)
	assert.Equal(t, routed, described)
}

// TestOpenAPILimits: the description states the limits the server
// enforces.
func TestOpenAPILimits(t *testing.T) {
	s := startServer(t)
	type prop struct {
		MinItems      int `json:"minItems"`
		MaxItems      int `json:"maxItems"`
		MaxProperties int `json:"maxProperties"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]prop `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	s.openAPI(&doc)
	sc := doc.Components.Schemas
	assert.Equal(t, prop{MinItems: hazard.MinPhotos, MaxItems: hazard.MaxPhotos}, sc["ReportRequest"].Properties["photos"], "ReportRequest.photos")
	assert.Equal(t, prop{MaxItems: hazard.MaxPhotos}, sc["ActionRequest"].Properties["photos"], "ActionRequest.photos")
	assert.Equal(t, prop{MaxProperties: server.MaxActionFields}, sc["ActionRequest"].Properties["fields"], "ActionRequest.fields")
}

// openAPI decodes the server's OpenAPI description into doc.
func (s *testServer) openAPI(doc any) {
	s.t.Helper()
	r := s.do("GET", "/api/v1/openapi.json", "", nil)
	require.Equal(s.t, http.StatusOK, r.status, "GET openapi.json")
	r.json(s.t, doc)
}

// TestUnknownRoutes answer in the one error shape.
func TestUnknownRoutes(t *testing.T) {
	s := startServer(t)
	r := s.do("GET", "/api/v1/nothing", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "not_found", r.errCode(t))
	r = s.do("DELETE", "/api/v1/plaza", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "method_not_allowed", r.errCode(t))
	assert.Contains(t, r.header.Get("Allow"), "GET")
}

// TestDemoLoginOnlyInDemoMode: without demo data there is no demo login
// and no demo user.
func TestDemoLoginOnlyInDemoMode(t *testing.T) {
	s := startServer(t, func(c *server.Config) { c.Demo = false })
	r := s.do("POST", "/api/v1/demo/login", "", map[string]string{"user": "admin-1"})
	assert.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/plaza", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"items":[]}`, strings.TrimSpace(string(r.body)))
	for _, rt := range server.Routes(false) {
		assert.False(t, rt.DemoOnly, rt.Pattern())
	}
}

// TestDemoData: the demo seeds a dozen reports over the states, articles
// with a draft, departments and categories.
func TestDemoData(t *testing.T) { forEachBackend(t, testDemoData) }

func testDemoData(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	r := s.do("GET", "/api/v1/plaza?limit=100", "", nil)
	var l struct {
		Items []struct {
			State    string `json:"state"`
			Category string `json:"category"`
		} `json:"items"`
	}
	r.json(t, &l)
	require.Len(t, l.Items, 12)
	states, cats := map[string]int{}, map[string]int{}
	for _, it := range l.Items {
		states[it.State]++
		cats[it.Category]++
	}
	for _, st := range []string{"submitted", "dispatched", "accepted", "resolved", "closed_valid", "closed_invalid", "withdrawn"} {
		assert.Positive(t, states[st], "demo reports in %s", st)
	}
	assert.GreaterOrEqual(t, len(cats), 6, "categories of demo reports")

	r = s.do("GET", "/api/v1/articles", "", nil)
	var arts struct{ Items []server.Article }
	r.json(t, &arts)
	assert.Len(t, arts.Items, 3, "published articles")
	r = s.do("GET", "/api/v1/articles", s.login("admin-1"), nil)
	r.json(t, &arts)
	assert.Len(t, arts.Items, 4, "an admin also sees the draft")

	for _, path := range []string{"/api/v1/departments", "/api/v1/categories"} {
		r = s.do("GET", path, "", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), `"code":"gas"`, path)
	}
}

// TestArticles: admins write drafts, publish them, update them with the
// version they read; the public sees published ones only; text is never
// rendered as HTML.
func TestArticles(t *testing.T) { forEachBackend(t, testArticles) }

func testArticles(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	admin := s.login("admin-1")
	r := s.do("POST", "/api/v1/articles", admin, map[string]any{
		"kind": "knowledge", "title": "<b>火灾</b>逃生", "body": "# 要点\n- 低姿<script>alert(1)</script>\n\n用湿毛巾捂住口鼻"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var a server.Article
	r.json(t, &a)
	assert.False(t, a.Published)
	assert.NotContains(t, a.HTML, "<script>")
	assert.Contains(t, a.HTML, "&lt;script&gt;")
	assert.Contains(t, a.HTML, "<h2>要点</h2>")
	assert.Contains(t, a.HTML, "<li>")

	assert.Equal(t, http.StatusNotFound, s.do("GET", "/api/v1/articles/"+a.ID, "", nil).status, "a draft is not public")
	r = s.do("PUT", "/api/v1/articles/"+a.ID, admin, map[string]any{"kind": "knowledge", "title": "火灾逃生", "body": "b", "expected_version": a.Version + 1})
	assert.Equal(t, http.StatusConflict, r.status, "stale version: %s", r.body)
	r = s.do("PUT", "/api/v1/articles/"+a.ID, admin, map[string]any{"kind": "knowledge", "title": "火灾逃生", "body": "b", "expected_version": a.Version})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = s.do("POST", "/api/v1/articles/"+a.ID+"/publish", admin, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/articles/"+a.ID, "", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(t, &a)
	assert.Equal(t, "火灾逃生", a.Title)
	assert.True(t, a.Published)

	for _, id := range []string{"%00", "%FF"} {
		body := map[string]any{"kind": "knowledge", "title": "t", "body": "b", "expected_version": 1}
		for _, req := range []struct{ method, path string }{
			{"GET", "/api/v1/articles/" + id}, {"PUT", "/api/v1/articles/" + id}, {"POST", "/api/v1/articles/" + id + "/publish"},
		} {
			var b any
			if req.method == "PUT" {
				b = body
			}
			r := s.do(req.method, req.path, admin, b)
			assert.Equal(t, http.StatusNotFound, r.status, "%s %s: %s", req.method, req.path, r.body)
		}
	}
}

// TestVerification: real-name verification checks the resident ID's check
// digit and birth date; only verified reporters earn rewards.
func TestVerification(t *testing.T) { forEachBackend(t, testVerification) }

func testVerification(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	tok := s.login("citizen-2")
	valid := "11010519491231002X"
	for _, tc := range []struct{ name, id, field string }{
		{"short", "11010519491231002", "resident_id"},
		{"letters", "1101051949123100AX", "resident_id"},
		{"check digit", "110105194912310021", "resident_id"},
		{"birth date", withCheck("11010519491331002"), "resident_id"},
		{"future birth", withCheck("11010530000101002"), "resident_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": tc.id})
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
			var e server.ErrorBody
			r.json(t, &e)
			assert.Equal(t, tc.field, e.Error.Field)
		})
	}
	r := s.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "", "resident_id": valid})
	assert.Equal(t, http.StatusBadRequest, r.status, "no name")
	r = s.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": strings.ToLower(valid)})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	me := r.obj(t)
	assert.Equal(t, true, me["verified"])
	assert.NotContains(t, string(r.body), valid, "the ID number is masked")
	r = s.do("POST", "/api/v1/me/verify", s.login("citizen-3"), map[string]string{"name": "王五", "resident_id": valid})
	assert.Equal(t, http.StatusConflict, r.status, "one ID number, one account: %s", r.body)
	r = s.do("POST", "/api/v1/me/verify", s.login("fire-1"), map[string]string{"name": "王五", "resident_id": valid})
	assert.Equal(t, http.StatusForbidden, r.status, "staff: %s", r.body)
}

func TestCheckResidentID(t *testing.T) {
	now := mustTime(t, "2026-01-01T00:00:00Z")
	require.NoError(t, server.CheckResidentID("11010519491231002X", now))
	require.NoError(t, server.CheckResidentID("11010519491231002x", now))
	for _, id := range []string{"110105194912310021", "11010519491231002", "11010519491231002XX", "1101051949123100 X", withCheck("11010518991231002"), withCheck("11010520260102002")} {
		require.ErrorIs(t, server.CheckResidentID(id, now), hazard.ErrInvalid, id)
	}
}

// withCheck appends the resident ID check character.
func withCheck(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range w {
		sum += int(first17[i]-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// TestUnverifiedEarnsNothing: a report of an unverified citizen closed as
// valid earns no reward.
func TestUnverifiedEarnsNothing(t *testing.T) { forEachBackend(t, testUnverifiedEarnsNothing) }

func testUnverifiedEarnsNothing(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	c2 := s.login("citizen-2")
	v := s.submit(c2, []string{s.upload(c2, pngPhoto(t, 60))}, func(b map[string]any) { b["address"] = "未实名测试路9号" })
	id := v["id"].(string)
	v = s.act(s.login("dispatcher-1"), id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})
	fire := s.login("fire-1")
	v = s.act(fire, id, "accept", map[string]any{"expected_version": version(v)})
	v = s.act(fire, id, "resolve", map[string]any{"expected_version": version(v), "note": "ok", "photos": []string{s.upload(fire, pngPhoto(t, 61))}})
	v = s.act(s.login("reviewer-1"), id, "approve", map[string]any{"expected_version": version(v)})
	require.Equal(t, "closed_valid", v["state"])
	// Wait until the relay has handled the approval (its notification).
	require.Eventually(t, func() bool {
		for _, m := range s.recorder.Sent() {
			if m.Message.Template == "report_closed_valid" && m.Message.Data["ref"] == v["ref"] {
				return true
			}
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	r := s.do("GET", "/api/v1/me/rewards", c2, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), v["ref"].(string))
}

// TestStats: public figures for everyone, department figures for staff.
func TestStats(t *testing.T) { forEachBackend(t, testStats) }

func testStats(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	r := s.do("GET", "/api/v1/stats", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	var st server.StatsResponse
	r.json(t, &st)
	assert.Equal(t, 12, st.Programme.Reports)
	assert.Equal(t, 3, st.Programme.Citizens)
	assert.Empty(t, st.Departments, "department figures are for staff")
	// All-time totals beside the period's, by source too.
	assert.Equal(t, st.Programme.Reports, sumOf(st.Programme.BySource), "every report counts under its source")
	assert.Positive(t, st.Programme.BySource["citizen"])
	assert.Equal(t, st.Period.Reports, sumOf(st.Period.BySource))
	assert.LessOrEqual(t, st.Period.Reports, st.Programme.Reports)
	assert.GreaterOrEqual(t, st.Programme.RewardsIssued, st.Programme.RewardsPaid)
	assert.GreaterOrEqual(t, st.Programme.RewardsIssuedFen, st.Programme.PaidFen)
	assert.Equal(t, st.Programme.RewardsIssued > 0, st.Programme.RewardsIssuedFen > 0, "a count and an amount")
	r = s.do("GET", "/api/v1/stats?since=2000-01-01&until=2000-02-01", "", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var old server.StatsResponse
	r.json(t, &old)
	assert.Zero(t, old.Period.Reports, "a period before the programme has no reports")
	assert.Zero(t, old.Period.RewardsIssued)
	assert.Equal(t, st.Programme, old.Programme, "the all-time totals do not depend on the period")
	assert.Equal(t, "2000-01-01T00:00:00Z", old.Period.Since.Format(time.RFC3339))
	for _, q := range []string{"since=2000-02-01&until=2000-01-01", "since=yesterday", "until=2000-13-01"} {
		r = s.do("GET", "/api/v1/stats?"+q, "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", q, r.body)
	}
	r = s.do("GET", "/api/v1/stats", s.login("reviewer-1"), nil)
	r.json(t, &st)
	require.NotEmpty(t, st.Departments)
	assert.Equal(t, "fire", st.Departments[0].Department)
}

// TestHealth: liveness and readiness.
func TestHealth(t *testing.T) {
	s := startServer(t)
	assert.Equal(t, http.StatusOK, s.do("GET", "/healthz", "", nil).status)
	assert.Equal(t, http.StatusOK, s.do("GET", "/readyz", "", nil).status)
}

// TestSweepRemovesUnusedUploads: an upload no report used is gone after a
// day, photo included; a used one stays.
func TestSweepRemovesUnusedUploads(t *testing.T) { forEachBackend(t, testSweepRemovesUnusedUploads) }

func testSweepRemovesUnusedUploads(t *testing.T, backend func(*server.Config)) {
	clk := newClock()
	cfg := server.Config{Demo: true, PhotoDir: t.TempDir(), Clock: clk.Now,
		TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger()}
	backend(&cfg)
	srv, err := server.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	h := srv.Handler()
	call := func(req *http.Request) *http.Response {
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	tok, err := srv.Token("citizen-1")
	require.NoError(t, err)
	key := func(data []byte) string {
		res := call(uploadRequest(t, tok, data))
		require.Equal(t, http.StatusCreated, res.StatusCode)
		var out server.UploadResponse
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		return out.Key
	}
	unused, used := key(pngPhoto(t, 70)), key(pngPhoto(t, 71))
	body, _ := json.Marshal(map[string]any{"category": "fire", "description": "d", "address": "a", "photos": []string{used}})
	req, _ := http.NewRequest("POST", "/api/v1/reports", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	require.Equal(t, http.StatusCreated, call(req).StatusCode)

	clk.Advance(server.DefaultUploadTTL)
	srv.Sweep(context.Background())
	tok, _ = srv.Token("citizen-1")
	get := func(k string) int {
		req, _ := http.NewRequest("GET", "/photos/"+k, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		return call(req).StatusCode
	}
	assert.Equal(t, http.StatusNotFound, get(unused), "swept upload")
	assert.Equal(t, http.StatusOK, get(used), "used upload")
}

// TestPlazaCache: plaza answers carry an ETag of the event log's state; a
// matching If-None-Match is 304, and any change gives a new answer.
func TestPlazaCache(t *testing.T) {
	s := startServer(t)
	// The relay appends the demo's reward events in the background: wait
	// until the log is still.
	var etag string
	require.Eventually(t, func() bool {
		r := s.do("GET", "/api/v1/plaza?limit=100", "", nil)
		require.Equal(t, http.StatusOK, r.status)
		etag = r.header.Get("ETag")
		require.NotEmpty(t, etag)
		return s.do("GET", "/api/v1/plaza?limit=100", "", nil, "If-None-Match", etag).status == http.StatusNotModified
	}, 5*time.Second, 20*time.Millisecond, "a 304 for the current ETag")
	other := s.do("GET", "/api/v1/plaza?limit=50", "", nil)
	assert.NotEqual(t, etag, other.header.Get("ETag"), "another page has another ETag")

	c := s.login("citizen-1")
	v := s.submit(c, []string{s.upload(c, pngPhoto(t, 80))}, func(b map[string]any) { b["address"] = "缓存测试路1号" })
	r3 := s.do("GET", "/api/v1/plaza?limit=100", "", nil, "If-None-Match", etag)
	require.Equal(t, http.StatusOK, r3.status, "after a submission")
	assert.NotEqual(t, etag, r3.header.Get("ETag"))
	assert.Contains(t, string(r3.body), v["ref"].(string))
}

// TestBadDatabaseURL: a malformed database URL stops the start with an
// invalid-input error.
func TestBadDatabaseURL(t *testing.T) {
	_, err := server.New(context.Background(), server.Config{DatabaseURL: "postgres://%zz", Logger: quietLogger(),
		TokenSecret: bytes.Repeat([]byte("k"), 32)})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

// TestSweepRemovesUnreferencedPhotos: a stored photo nothing refers to
// (fetched, say, for an Open311 report that was never made) is deleted
// after the grace period; photos of reports and pending uploads stay.
func TestSweepRemovesUnreferencedPhotos(t *testing.T) {
	dir := t.TempDir()
	cfg := server.Config{Demo: true, PhotoDir: dir, BlobGrace: time.Nanosecond,
		TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger()}
	srv, err := server.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	h := srv.Handler()
	tok, err := srv.Token("citizen-1")
	require.NoError(t, err)
	rec := newRecorder()
	h.ServeHTTP(rec, uploadRequest(t, tok, pngPhoto(t, 80)))
	require.Equal(t, http.StatusCreated, rec.Code)
	var pending server.UploadResponse
	require.NoError(t, json.NewDecoder(rec.Body).Decode(&pending))

	blobs, err := fsblob.New(dir)
	require.NoError(t, err)
	orphan, err := blobs.Put(context.Background(), bytes.NewReader(pngPhoto(t, 81)), hazard.TypePNG)
	require.NoError(t, err)
	demo, err := blobs.OldBlobs(context.Background(), 0, "", 1000)
	require.NoError(t, err)

	srv.Sweep(context.Background())
	_, err = blobs.Stat(context.Background(), orphan.Key)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "the photo nothing refers to")
	for _, k := range demo {
		if k == orphan.Key {
			continue
		}
		_, err := blobs.Stat(context.Background(), k)
		assert.NoError(t, err, "photo %s of a report or an upload was swept", k)
	}
	_, err = blobs.Stat(context.Background(), pending.Key)
	assert.NoError(t, err, "the pending upload's photo")
}

func sumOf[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
