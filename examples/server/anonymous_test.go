package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// handlerServer is a server called in-process, with a clock the test
// moves and Sweep and Drain at hand.
type handlerServer struct {
	t   *testing.T
	srv *server.Server
	clk *hazardtest.Clock
}

func newHandlerServer(t *testing.T, backend func(*server.Config)) *handlerServer {
	t.Helper()
	clk := newClock()
	cfg := server.Config{Demo: true, PhotoDir: t.TempDir(), Clock: clk.Now,
		TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger()}
	backend(&cfg)
	srv, err := server.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return &handlerServer{t: t, srv: srv, clk: clk}
}

func (h *handlerServer) token(user string) string {
	h.t.Helper()
	tok, err := h.srv.Token(user)
	require.NoError(h.t, err)
	return tok
}

// call sends a JSON request (body nil for none) with the token (empty for
// none) and header pairs, and returns the status and the decoded object.
func (h *handlerServer) call(method, path, token string, body any, headers ...string) (int, map[string]any) {
	h.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(h.t, err)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := newRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// upload uploads a photo by token, or anonymously from device when token
// is empty, and returns its key.
func (h *handlerServer) upload(token, device string, data []byte) string {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "p.png")
	require.NoError(h.t, err)
	_, _ = fw.Write(data)
	require.NoError(h.t, mw.Close())
	req := httptest.NewRequest("POST", "/api/v1/uploads", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if device != "" {
		req.Header.Set(server.DeviceHeader, device)
	}
	rec := newRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	require.Equal(h.t, http.StatusCreated, rec.Code, "upload: %s", rec.Body)
	var out server.UploadResponse
	require.NoError(h.t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out.Key
}

// closeFixed takes a report through dispatch, accept, resolve and approve.
func (h *handlerServer) closeFixed(id string, v int64) map[string]any {
	h.t.Helper()
	evidence := h.upload(h.token("fire-1"), "", pngPhoto(h.t, 902))
	for _, step := range []struct{ user, action string }{
		{"dispatcher-1", "dispatch"}, {"fire-1", "accept"}, {"fire-1", "resolve"}, {"reviewer-1", "approve"},
	} {
		body := map[string]any{"expected_version": v}
		switch step.action {
		case "dispatch":
			body["department"] = "fire"
		case "resolve":
			body["note"], body["photos"] = "已清理", []string{evidence}
		}
		code, out := h.call("POST", "/api/v1/reports/"+id+"/actions/"+step.action, h.token(step.user), body)
		require.Equal(h.t, http.StatusOK, code, "%s: %v", step.action, out)
		v = int64(out["version"].(float64))
	}
	code, out := h.call("GET", "/api/v1/reports/"+id, h.token("reviewer-1"), nil)
	require.Equal(h.t, http.StatusOK, code)
	return out
}

func anonReport(photos ...string) map[string]any {
	return map[string]any{"category": "fire", "description": "楼道堆放杂物堵塞消防通道", "address": "测试路9号", "photos": photos}
}

// TestAnonymousReport: a report without a token carries a one-time claim
// code; the code follows it, a verified citizen binds it after its closure
// and the reward is issued to them then.
func TestAnonymousReport(t *testing.T) { forEachBackend(t, testAnonymousReport) }

func testAnonymousReport(t *testing.T, backend func(*server.Config)) {
	h := newHandlerServer(t, backend)
	ctx := context.Background()
	const device = "test-device-0123456789abcdef"
	photo := h.upload("", device, pngPhoto(t, 901))

	code, out := h.call("POST", "/api/v1/reports", "", anonReport(photo))
	assert.Equal(t, http.StatusBadRequest, code, "no device: %v", out)
	code, _ = h.call("POST", "/api/v1/reports", "not-a-token", anonReport(photo), server.DeviceHeader, device)
	assert.Equal(t, http.StatusUnauthorized, code, "a bad token is refused, never taken for nobody")
	code, out = h.call("POST", "/api/v1/reports", "", anonReport(photo), server.DeviceHeader, "another-device-0123456789")
	assert.Equal(t, http.StatusBadRequest, code, "another device's upload: %v", out)

	code, out = h.call("POST", "/api/v1/reports", "", anonReport(photo), server.DeviceHeader, device, "Idempotency-Key", "k-1")
	require.Equal(t, http.StatusCreated, code, "%v", out)
	claim, _ := out["claim_code"].(string)
	require.NotEmpty(t, claim, "the answer carries the claim code")
	id, ref := out["id"].(string), out["ref"].(string)
	assert.Empty(t, out["actions"])
	assert.True(t, strings.HasPrefix(claim, ref+"."))

	code, again := h.call("POST", "/api/v1/reports", "", anonReport(photo), server.DeviceHeader, device, "Idempotency-Key", "k-1")
	require.Equal(t, http.StatusCreated, code)
	assert.Equal(t, id, again["id"], "a retry returns the report")
	assert.Nil(t, again["claim_code"], "the code is shown once")

	code, out = h.call("POST", "/api/v1/claims/follow", "", map[string]string{"claim_code": claim})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, ref, out["ref"])
	assert.Equal(t, false, out["bound"])
	code, _ = h.call("POST", "/api/v1/claims/follow", "", map[string]string{"claim_code": ref + ".0000000000000000000000A"})
	assert.Equal(t, http.StatusNotFound, code, "a wrong code")

	v := h.closeFixed(id, int64(out["version"].(float64)))
	require.Equal(t, "closed_valid", v["state"])
	require.NoError(t, h.srv.Drain(ctx))

	code, _ = h.call("POST", "/api/v1/claims/bind", h.token("citizen-2"), map[string]string{"claim_code": claim})
	assert.Equal(t, http.StatusForbidden, code, "an unverified citizen")
	code, out = h.call("POST", "/api/v1/claims/bind", h.token("citizen-1"), map[string]string{"claim_code": claim})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, true, out["bound"])
	require.NoError(t, h.srv.Drain(ctx))

	code, out = h.call("GET", "/api/v1/me/rewards", h.token("citizen-1"), nil)
	require.Equal(t, http.StatusOK, code)
	items, _ := out["items"].([]any)
	found := false
	for _, it := range items {
		if it.(map[string]any)["hazard_ref"] == ref {
			found = true
		}
	}
	assert.True(t, found, "the bound citizen's reward for %s: %v", ref, out)
	// Staff handling the report do not learn who bound it: the binding and
	// the reward events keep their type and time, not the citizen.
	for _, u := range []string{"fire-1", "reviewer-1", "admin-1"} {
		code, raw := h.call("GET", "/api/v1/reports/"+id, h.token(u), nil)
		require.Equal(t, http.StatusOK, code, "%v", raw)
		body, _ := json.Marshal(raw)
		assert.NotContains(t, string(body), "citizen-1", "%s's view of an anonymous report", u)
		assert.Contains(t, string(body), `"claim_bound"`, "the binding itself is in the history")
	}
	code, out = h.call("POST", "/api/v1/claims/follow", "", map[string]string{"claim_code": claim})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, out["bound"])
}

// TestReopenAndFixedCheck: a reporter reopens a report closed as fixed with
// a photo; the "is it fixed?" sweep asks once, a "no" reopens it to the
// department, and the department's figures count both.
func TestReopenAndFixedCheck(t *testing.T) { forEachBackend(t, testReopenAndFixedCheck) }

func testReopenAndFixedCheck(t *testing.T, backend func(*server.Config)) {
	h := newHandlerServer(t, backend)
	ctx := context.Background()
	// The demo's own history counts too: the figures before, to compare.
	base := fireAftercare(t, h)
	citizen := h.token("citizen-1")
	photo := h.upload(citizen, "", pngPhoto(t, 903))
	code, out := h.call("POST", "/api/v1/reports", citizen, anonReport(photo))
	require.Equal(t, http.StatusCreated, code, "%v", out)
	id := out["id"].(string)
	v := h.closeFixed(id, int64(out["version"].(float64)))

	h.clk.Advance(hazard.DefaultFixedCheckAfter)
	h.srv.Sweep(ctx)
	code, out = h.call("GET", "/api/v1/reports/"+id, h.token("citizen-1"), nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, out["fixed_check"], "the reporter is asked")
	ver := int64(out["version"].(float64))
	assert.Greater(t, ver, int64(v["version"].(float64)))

	code, out = h.call("POST", "/api/v1/reports/"+id+"/fixed", h.token("citizen-1"), map[string]any{"expected_version": ver, "fixed": false, "note": "又堵了"})
	assert.Equal(t, http.StatusBadRequest, code, "a no needs a photo: %v", out)
	back := h.upload(h.token("citizen-1"), "", pngPhoto(t, 904))
	code, out = h.call("POST", "/api/v1/reports/"+id+"/fixed", h.token("citizen-1"), map[string]any{"expected_version": ver, "fixed": false, "note": "又堵了", "photos": []string{back}})
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, "dispatched", out["state"])
	assert.Equal(t, "fire", out["department"], "back to the department that handled it")
	reopened := int64(out["version"].(float64))

	// The demo's own history counts too: compare with the figures of a
	// server that saw no reopening of this report.
	after := fireAftercare(t, h)
	assert.Equal(t, base["reopens"].(float64)+1, after["reopens"])
	assert.Equal(t, base["fixed_no"].(float64)+1, after["fixed_no"])

	code, out = h.call("POST", "/api/v1/reports/"+id+"/fixed", h.token("citizen-1"), map[string]any{"expected_version": reopened, "fixed": true})
	assert.NotEqual(t, http.StatusOK, code, "an open report awaits no answer: %v", out)
}

// fireAftercare returns the fire department's aftercare figures as
// GET /api/v1/stats gives them to a reviewer.
func fireAftercare(t *testing.T, h *handlerServer) map[string]any {
	t.Helper()
	code, out := h.call("GET", "/api/v1/stats", h.token("reviewer-1"), nil)
	require.Equal(t, http.StatusOK, code)
	for _, d := range out["departments"].([]any) {
		if d.(map[string]any)["department"] == "fire" {
			return d.(map[string]any)["aftercare"].(map[string]any)
		}
	}
	t.Fatal("no figures of the fire department")
	return nil
}

// TestClaimAftercare: the holder of a claim code reopens the anonymous
// report closed as fixed with a photo uploaded from another device, and
// later answers "is it fixed?" with the code, as a signed-in reporter does
// on their own report.
func TestClaimAftercare(t *testing.T) { forEachBackend(t, testClaimAftercare) }

func testClaimAftercare(t *testing.T, backend func(*server.Config)) {
	h := newHandlerServer(t, backend)
	ctx := context.Background()
	const device, phone = "test-device-claim-0123456789", "holders-other-phone-0123456789"
	photo := h.upload("", device, pngPhoto(t, 911))
	code, out := h.call("POST", "/api/v1/reports", "", anonReport(photo), server.DeviceHeader, device)
	require.Equal(t, http.StatusCreated, code, "%v", out)
	claim, id := out["claim_code"].(string), out["id"].(string)
	follow := func() map[string]any {
		t.Helper()
		code, out := h.call("POST", "/api/v1/claims/follow", "", map[string]string{"claim_code": claim})
		require.Equal(t, http.StatusOK, code, "%v", out)
		return out
	}
	actionNames := func(v map[string]any) []string {
		var names []string
		for _, a := range v["actions"].([]any) {
			names = append(names, a.(map[string]any)["name"].(string))
		}
		return names
	}
	assert.Empty(t, actionNames(follow()), "an open report: nothing for the holder to do")

	v := h.closeFixed(id, int64(out["version"].(float64)))
	version := v["version"].(float64)
	f := follow()
	assert.Equal(t, []string{"reopen"}, actionNames(f), "closed as fixed: the holder may reopen")

	back := h.upload("", phone, pngPhoto(t, 912))
	reopen := map[string]any{"claim_code": claim, "expected_version": version, "note": "杂物又堆回来了", "photos": []string{back}}
	code, out = h.call("POST", "/api/v1/claims/reopen", "", reopen)
	assert.Equal(t, http.StatusBadRequest, code, "no device: the upload is nobody's: %v", out)
	code, out = h.call("POST", "/api/v1/claims/reopen", "not-a-token", reopen, server.DeviceHeader, phone)
	assert.Equal(t, http.StatusUnauthorized, code, "a bad token is refused: %v", out)
	wrong := map[string]any{"claim_code": v["ref"].(string) + ".0000000000000000000000A", "expected_version": version, "note": "x", "photos": []string{back}}
	code, out = h.call("POST", "/api/v1/claims/reopen", "", wrong, server.DeviceHeader, phone)
	assert.Equal(t, http.StatusNotFound, code, "a wrong code: %v", out)
	code, out = h.call("POST", "/api/v1/claims/reopen", "", reopen, server.DeviceHeader, phone)
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, "dispatched", out["state"], "back to the department")
	assert.Equal(t, "fire", out["department"])
	assert.Empty(t, actionNames(out))

	// Closed again; fourteen days later the sweep asks, and the holder
	// answers yes with the code.
	version = out["version"].(float64)
	evidence := h.upload(h.token("fire-1"), "", pngPhoto(t, 913))
	for _, step := range []struct{ user, action string }{{"fire-1", "accept"}, {"fire-1", "resolve"}, {"reviewer-1", "approve"}} {
		body := map[string]any{"expected_version": version}
		if step.action == "resolve" {
			body["note"], body["photos"] = "已再次清理", []string{evidence}
		}
		code, out := h.call("POST", "/api/v1/reports/"+id+"/actions/"+step.action, h.token(step.user), body)
		require.Equal(t, http.StatusOK, code, "%s: %v", step.action, out)
		version = out["version"].(float64)
	}
	fixed := map[string]any{"claim_code": claim, "expected_version": version, "fixed": true}
	code, out = h.call("POST", "/api/v1/claims/fixed", "", fixed)
	assert.Equal(t, http.StatusConflict, code, "not asked yet: %v", out)
	h.clk.Advance(hazard.DefaultFixedCheckAfter + time.Minute)
	h.srv.Sweep(ctx)
	f = follow()
	require.Equal(t, true, f["fixed_check"], "the holder sees the question: %v", f)
	fixed["expected_version"] = f["version"]
	code, out = h.call("POST", "/api/v1/claims/fixed", "", fixed)
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.Equal(t, "closed_valid", out["state"])
	assert.Nil(t, out["fixed_check"], "answered")
	aftercare, _ := out["aftercare"].(map[string]any)
	assert.Equal(t, float64(1), aftercare["fixed_yes"], "%v", out)
	assert.Equal(t, float64(1), aftercare["reopens"], "%v", out)
}
