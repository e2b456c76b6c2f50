package web_test

import (
	"bytes"
	"encoding/json"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// apiCall calls the running server's JSON API as user (a demo login) and
// decodes the answer into out.
func apiCall(t *testing.T, base, token, method, path string, body any, out any) {
	t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case *bytes.Buffer:
		rd = b
	default:
		js, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(js)
	}
	if mp, ok := body.(*bytes.Buffer); ok && bytes.HasPrefix(mp.Bytes(), []byte("--")) {
		ct = "multipart/form-data; boundary=" + strings.TrimPrefix(strings.SplitN(mp.String(), "\r\n", 2)[0], "--")
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	require.Less(t, res.StatusCode, 300, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out))
	}
}

func demoToken(t *testing.T, base, user string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	apiCall(t, base, "", "POST", "/api/v1/demo/login", map[string]string{"user": user}, &out)
	return out.Token
}

// TestBrowserPersonalData: a handler reveals a reporter's contact on the
// console with a reason, downloads the department's reports from the
// exports page, and the auditor finds both in the access log; the home
// page shows the published figures by source.
func TestBrowserPersonalData(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)

	// A citizen's report with a contact, dispatched to fire (over the API).
	citizen := demoToken(t, base, "citizen-1")
	photo, err := os.ReadFile(writeJPEG(t, t.TempDir(), "p.jpg", color.RGBA{180, 60, 20, 255}))
	require.NoError(t, err)
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, err := w.CreateFormFile("file", "p.jpg")
	require.NoError(t, err)
	_, _ = fw.Write(photo)
	require.NoError(t, w.Close())
	var up struct {
		Key string `json:"key"`
	}
	apiCall(t, base, citizen, "POST", "/api/v1/uploads", &mp, &up)
	var rep struct {
		ID      string `json:"id"`
		Ref     string `json:"ref"`
		Version int64  `json:"version"`
	}
	apiCall(t, base, citizen, "POST", "/api/v1/reports", map[string]any{
		"category": "fire", "severity": "general", "description": "楼梯间堆放电动车", "address": "东昌路 9 号",
		"latitude": 36.45, "longitude": 115.98, "coord_system": "GCJ02", "photos": []string{up.Key},
		"contact_name": "张三", "contact_phone": "13800000001",
	}, &rep)
	apiCall(t, base, demoToken(t, base, "dispatcher-1"), "POST", "/api/v1/reports/"+rep.ID+"/actions/dispatch",
		map[string]any{"expected_version": rep.Version, "department": "fire"}, nil)

	// The handler sees no contact until they give a reason.
	b.loginAs("fire-1")
	b.open("/console/reports/"+rep.ID, "#reveal-contact")
	require.NotContains(t, b.text("#staff-report"), "13800000001", "the staff view has no contact")
	b.run("reveal without a reason", chromedp.Click(chromedp.CSS(`#reveal-submit`)))
	b.waitFor("the reason is required", `(() => document.querySelector('#reveal-contact [data-error-for="reason"]').textContent ? "done" : "")()`)
	b.run("reveal", chromedp.SendKeys(chromedp.CSS(`#reveal-reason`), "需要确认具体楼层"), chromedp.Click(chromedp.CSS(`#reveal-submit`)))
	b.waitFor("contact shown", `(() => document.getElementById("contact-shown").textContent.includes("13800000001") ? "done" : "")()`)
	b.screenshot("console-contact")

	// The exports page downloads the department's reports as CSV.
	b.open("/console/data", "#export-reports")
	require.Equal(t, "fire", value(b, "department", chromedp.Value(chromedp.CSS(`#xr-dep`))), "a handler exports their own department")
	b.screenshot("exports")
	csv := value(b, "download", chromedp.Evaluate[string](`(async () => {
		const f = document.getElementById("export-reports");
		const res = await fetch(f.action + "?" + new URLSearchParams(new FormData(f)));
		const bytes = new Uint8Array(await res.arrayBuffer());
		return res.headers.get("Content-Disposition") + "\n" + bytes.slice(0, 3).join(",") + "\n" + new TextDecoder().decode(bytes);
	})()`, chromedp.EvalAwaitPromise))
	require.Contains(t, csv, "attachment; filename=reports-fire-")
	require.Contains(t, csv, "\n239,187,191\nref,id,created_at", "a byte order mark, then the header")
	require.Contains(t, csv, rep.Ref)
	require.NotContains(t, csv, "13800000001")

	// The auditor's console is the access log.
	b.loginAs("auditor-1")
	b.open("/console", "#access-log")
	log := b.text("#access-log tbody")
	require.Contains(t, log, "fire-1")
	require.Contains(t, log, rep.Ref)
	require.Contains(t, log, "需要确认具体楼层")
	require.Contains(t, log, "reports", "the export is logged")
	b.screenshot("access-log")

	// The citizen downloads their data from "my data", linked from "mine".
	b.loginAs("citizen-1")
	b.open("/mine", "#my-data")
	b.run("my data", chromedp.Click(chromedp.CSS(`#my-data`)))
	b.waitFor("my data page", `(() => document.getElementById("my-data-download") ? "done" : "")()`)
	mine := value(b, "my data", chromedp.Evaluate[string](`(async () => {
		const res = await fetch(document.getElementById("my-data-download").href);
		return res.headers.get("Content-Disposition") + "\n" + await res.text();
	})()`, chromedp.EvalAwaitPromise))
	require.Contains(t, mine, "attachment; filename=my-data-")
	require.Contains(t, mine, rep.Ref, "their report is in their data")
	require.Contains(t, mine, `"phone":"13800000001"`)

	// The published figures: all time and the last year, by source.
	b.open("/", "#fig-sources")
	require.NotEqual(t, "0", b.text(`#fig-sources tr[data-source="citizen"] td`), "citizens' reports are counted")
}
