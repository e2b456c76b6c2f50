package server_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// grayPNG returns a w×h PNG of one light grey.
func grayPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 220
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// TestModerationEndToEnd: a report with a phone number is held off the
// plaza, Open311 and public photos even once forwarded; a reviewer edits
// its public text, releases it, redacts and hides its photo and hides the
// report, each with a reason; the public sees only the moderated version,
// staff the original; every moderation is an event in the staff view.
func TestModerationEndToEnd(t *testing.T) { forEachBackend(t, testModerationEndToEnd) }

func testModerationEndToEnd(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	citizen, dispatcher, reviewer := s.login("citizen-1"), s.login("dispatcher-1"), s.login("reviewer-1")
	orig := grayPNG(t, 40, 20)
	key := s.upload(citizen, orig)
	v := s.submit(citizen, []string{key}, func(b map[string]any) { b["description"] = "安全出口被锁，老板电话13912345678" })
	id, ref := v["id"].(string), v["ref"].(string)
	r := s.do("POST", "/api/v1/reports/"+id+"/actions/dispatch", dispatcher, map[string]any{"expected_version": 1, "department": "fire"})
	require.Equal(t, http.StatusOK, r.status, "dispatch: %s", r.body)

	public := func() (plaza, open311, photo response) {
		return s.do("GET", "/api/v1/plaza/"+ref, "", nil), s.do("GET", "/open311/v2/requests/"+ref+".json", "", nil),
			s.do("GET", "/photos/"+key, "", nil)
	}
	p, o, ph := public()
	assert.Equal(t, http.StatusNotFound, p.status, "a held report on the plaza: %s", p.body)
	assert.Equal(t, http.StatusNotFound, o.status, "a held report on Open311: %s", o.body)
	assert.Equal(t, http.StatusNotFound, ph.status, "a held report's photo")
	assert.Equal(t, "no-store", s.do("GET", "/photos/"+key, citizen, nil).header.Get("Cache-Control"), "the reporter's original")

	r = s.do("GET", "/api/v1/moderation/held", reviewer, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), ref, "the held queue")
	assert.Equal(t, http.StatusForbidden, s.do("GET", "/api/v1/moderation/held", dispatcher, nil).status)

	var mv struct {
		Moderation struct {
			Version int64 `json:"version"`
			Photos  []struct {
				Key, Redacted string
			} `json:"photos"`
		} `json:"moderation"`
		Held, Published bool
	}
	moderate := func(body map[string]any) {
		t.Helper()
		body["expected_version"] = mv.Moderation.Version
		r := s.do("POST", "/api/v1/reports/"+id+"/moderation", reviewer, body)
		require.Equal(t, http.StatusOK, r.status, "moderate %v: %s", body["action"], r.body)
		r.json(t, &mv)
	}
	r = s.do("POST", "/api/v1/reports/"+id+"/moderation", reviewer, map[string]any{"action": "release", "expected_version": 0})
	assert.Equal(t, http.StatusBadRequest, r.status, "a moderation without a reason: %s", r.body)
	moderate(map[string]any{"action": "edit", "reason": "去除电话号码", "description": "安全出口被锁。"})
	moderate(map[string]any{"action": "release", "reason": "已审核"})
	assert.False(t, mv.Held)
	assert.True(t, mv.Published)
	p, o, ph = public()
	require.Equal(t, http.StatusOK, p.status, "%s", p.body)
	require.Equal(t, http.StatusOK, o.status, "%s", o.body)
	require.Equal(t, http.StatusOK, ph.status)
	for name, body := range map[string][]byte{"plaza": p.body, "open311": o.body} {
		assert.Contains(t, string(body), "安全出口被锁。", name)
		assert.NotContains(t, string(body), "13912345678", name)
	}

	// A redaction: the left half blacked out on the public copy only.
	r = s.do("POST", "/api/v1/reports/"+id+"/moderation/redact", reviewer, map[string]any{"photo": key,
		"region": map[string]int{"x": 0, "y": 0, "w": 500, "h": 1000}, "style": "black", "reason": "人脸", "expected_version": mv.Moderation.Version})
	require.Equal(t, http.StatusOK, r.status, "redact: %s", r.body)
	r.json(t, &mv)
	require.Len(t, mv.Moderation.Photos, 1)
	_, _, ph = public()
	require.Equal(t, http.StatusOK, ph.status)
	assert.Equal(t, fmt.Sprintf("public, max-age=%d", int(server.PublicPhotoMaxAge.Seconds())), ph.header.Get("Cache-Control"),
		"a public copy is cached briefly, so that moderation reaches every viewer")
	img, err := png.Decode(bytes.NewReader(ph.body))
	require.NoError(t, err, "the redacted copy is a PNG")
	assert.Equal(t, color.RGBA{0, 0, 0, 255}, color.RGBAModel.Convert(img.At(5, 5)), "the redacted region")
	assert.Equal(t, color.RGBA{220, 220, 220, 220}, color.RGBAModel.Convert(img.At(35, 5)), "outside the region")
	staff := s.do("GET", "/photos/"+key, dispatcher, nil)
	assert.Equal(t, orig, staff.body, "staff read the original")

	moderate(map[string]any{"action": "hide_photo", "photo": key, "reason": "仍可辨认"})
	p, _, ph = public()
	assert.NotContains(t, string(p.body), key, "the plaza lists a hidden photo")
	assert.Equal(t, http.StatusNotFound, ph.status, "a hidden photo to the public")

	moderate(map[string]any{"action": "hide", "reason": "涉及商户名誉，待核实"})
	p, o, _ = public()
	assert.Equal(t, http.StatusNotFound, p.status, "a hidden report on the plaza")
	assert.Equal(t, http.StatusNotFound, o.status, "a hidden report on Open311")
	var list struct{ Items []struct{ Ref string } }
	s.do("GET", "/api/v1/plaza?limit=100", "", nil).json(t, &list)
	for _, it := range list.Items {
		assert.NotEqual(t, ref, it.Ref, "a hidden report in the plaza's list")
	}

	// Staff see the original and every moderation with who and why.
	r = s.do("GET", "/api/v1/reports/"+id, dispatcher, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "13912345678", "staff keep the original text")
	for _, why := range []string{"去除电话号码", "已审核", "人脸", "仍可辨认", "涉及商户名誉，待核实"} {
		assert.Contains(t, string(r.body), why, "the moderation events in the staff view")
	}
	assert.Equal(t, 5, strings.Count(string(r.body), `"type":"moderated"`), "moderation events")
	assert.Contains(t, string(r.body), `"held"`, "the hold event")
}

// TestReplyTemplatesEndToEnd: an admin manages a response template (with
// versions); a dispatcher gets it rendered for a report, sends it edited
// as the dispatch note, and the plaza shows the note.
func TestReplyTemplatesEndToEnd(t *testing.T) { forEachBackend(t, testReplyTemplatesEndToEnd) }

func testReplyTemplatesEndToEnd(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	admin, dispatcher, citizen := s.login("admin-1"), s.login("dispatcher-1"), s.login("citizen-1")
	tpl := map[string]any{"id": "fwd_fire", "action": "dispatch", "category": "fire", "title": "转办消防",
		"text_zh": "您的报告 {ref} 已转至{department}。", "text_en": "Report {ref} went to {department}."}
	r := s.do("POST", "/api/v1/reply-templates", admin, tpl)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = s.do("POST", "/api/v1/reply-templates", admin, map[string]any{"id": "bad", "title": "x", "text_zh": "{phone}"})
	assert.Equal(t, http.StatusBadRequest, r.status, "an unknown placeholder: %s", r.body)
	assert.Equal(t, http.StatusForbidden, s.do("POST", "/api/v1/reply-templates", dispatcher, tpl).status)
	tpl["text_zh"], tpl["expected_version"] = "您的报告 {ref} 已转至{department}处理。", 1
	r = s.do("PUT", "/api/v1/reply-templates/fwd_fire", admin, tpl)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = s.do("PUT", "/api/v1/reply-templates/fwd_fire", admin, tpl)
	assert.Equal(t, http.StatusConflict, r.status, "a stale version: %s", r.body)
	r = s.do("GET", "/api/v1/reply-templates/fwd_fire/versions", admin, nil)
	require.Equal(t, http.StatusOK, r.status)
	var vs struct{ Items []struct{ Version int64 } }
	r.json(t, &vs)
	assert.Len(t, vs.Items, 2, "versions")

	v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 130))})
	id, ref := v["id"].(string), v["ref"].(string)
	r = s.do("GET", "/api/v1/reports/"+id+"/notes?action=dispatch", dispatcher, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var notes struct {
		Items []struct {
			ID     string `json:"id"`
			TextZH string `json:"text_zh"`
			TextEN string `json:"text_en"`
		}
	}
	r.json(t, &notes)
	require.Len(t, notes.Items, 1)
	want := fmt.Sprintf("您的报告 %s 已转至消防救援支队处理。", ref)
	assert.Equal(t, want, notes.Items[0].TextZH)
	assert.Contains(t, notes.Items[0].TextEN, "Fire and Rescue")
	note := notes.Items[0].TextZH + "请保持电话畅通。" // edited before sending
	r = s.do("POST", "/api/v1/reports/"+id+"/actions/dispatch", dispatcher, map[string]any{"expected_version": 1, "department": "fire", "note": note})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/plaza/"+ref, "", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), note, "the plaza shows the sent note")

	r = s.do("DELETE", "/api/v1/reply-templates/fwd_fire", admin, nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "a delete without expected_version")
	r = s.do("DELETE", "/api/v1/reply-templates/fwd_fire?"+url.Values{"expected_version": {"2"}}.Encode(), admin, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = s.do("GET", "/api/v1/reply-templates", dispatcher, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), "fwd_fire", "a deleted template listed")
}
