package web_test

import (
	"context"
	"image/color"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// offline tells the page the network is gone (navigator.onLine false, the
// "offline" event) or back.
func offline(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: on, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// item is the CSS selector of the nth item (1-based) of the inspection.
func item(n int) string { return `li.item:nth-child(` + strconv.Itoa(n) + `)` }

// waitSynced waits until the inspection page has sent everything and
// shows n items answered.
func (b *browser) waitSynced(n int) {
	b.t.Helper()
	b.waitFor("synced "+strconv.Itoa(n), `(() => {
		const s = document.getElementById("sync-status");
		if (s && s.dataset.pending === "0" && document.getElementById("progress-count").textContent === "`+strconv.Itoa(n)+`") return "done";
		return [...document.querySelectorAll("li.item .error, #finish-error")].map(e => e.textContent).join(" ").trim();
	})()`)
}

// pressed reports the outcome pressed on the nth item.
func (b *browser) pressed(n int) string {
	b.t.Helper()
	return value(b, "pressed", chromedp.Evaluate[string](`(() => { const x = document.querySelector('`+item(n)+` button[aria-pressed="true"]'); return x ? x.dataset.outcome : ""; })()`))
}

// TestBrowserInspectorPhone drives an inspection on a phone-sized screen:
// the inspector opens today's plan and a unit's page, starts an
// inspection, answers items one by one (one non-compliant with a photo),
// reloads mid-way and finds every answer kept, answers one while offline
// (it waits in the page and is sent when the network is back, a reload in
// between included), finishes once, and sees the hazard it raised.
func TestBrowserInspectorPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	photo := writeJPEG(t, t.TempDir(), "store.jpg", color.RGBA{180, 60, 30, 255})
	unitID := server.DemoUnitID(1)

	b.loginAs("inspector-1")
	b.open("/work", "#plan")
	b.screenshot("work-plan")
	b.open("/work/units/"+unitID, "#start-form")
	require.NotEmpty(t, b.text(`#grade-steps`), "the unit's page says why it has its grade")
	b.screenshot("work-unit")
	b.run("start", chromedp.SendKeys(chromedp.CSS(`#co-inspector`), "inspector-2"), chromedp.Click(chromedp.CSS(`#start`)))
	// Done once the inspection's page has loaded completely (its script may
	// still be syncing: read the total in one evaluation, not by node).
	b.waitFor("inspection page", `(() => {
		if (document.readyState === "complete" && document.getElementById("progress-total")) return "done";
		return [...document.querySelectorAll("#start-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	total, err := strconv.Atoi(strings.TrimSpace(value(b, "progress total", chromedp.Evaluate[string](`document.getElementById("progress-total").textContent`))))
	require.NoError(t, err)
	require.GreaterOrEqual(t, total, 4, "the checklist's items")

	// Item 1 compliant; item 2 non-compliant with a photo.
	b.run("item 1", chromedp.Click(chromedp.CSS(item(1)+` button[data-outcome="compliant"]`)))
	b.waitSynced(1)
	b.run("photo 2", chromedp.SetUploadFiles(chromedp.CSS(item(2)+` input.photo`), []string{photo}))
	b.waitFor("photo uploaded", `(() => document.querySelector('`+item(2)+`').dataset.photos === "1" ? "done" : document.querySelector('`+item(2)+` .error').textContent)()`)
	b.run("item 2", chromedp.SendKeys(chromedp.CSS(item(2)+` textarea.note`), "储罐区未设可燃气体报警"),
		chromedp.Click(chromedp.CSS(item(2)+` button[data-outcome="non_compliant"]`)))
	b.waitSynced(2)
	b.screenshot("work-inspection")

	// A reload mid-way keeps the progress: the server has each answer.
	url := value(b, "location", chromedp.Evaluate[string](`location.pathname`))
	b.open(url, "#items")
	require.Equal(t, "2", b.text(`#progress-count`), "the answers survive a reload")
	require.Equal(t, "compliant", b.pressed(1))
	require.Equal(t, "non_compliant", b.pressed(2))

	// Offline: the answer waits in the page, survives a reload, and is
	// sent when the network is back.
	b.run("offline", offline(true), chromedp.Click(chromedp.CSS(item(3)+` button[data-outcome="not_applicable"]`)))
	b.waitFor("queued", `document.getElementById("sync-status").dataset.pending === "1" ? "done" : ""`)
	b.run("reload offline", offline(false), chromedp.Navigate(base+url), chromedp.WaitVisible(chromedp.CSS(`#items`)), offline(true))
	require.Equal(t, "not_applicable", b.pressed(3), "the unsent answer is still shown after the reload")
	b.run("online", offline(false))
	b.waitSynced(3)

	for n := 4; n <= total; n++ {
		b.run("item "+strconv.Itoa(n), chromedp.Click(chromedp.CSS(item(n)+` button[data-outcome="compliant"]`)))
		b.waitSynced(n)
	}
	b.run("trained", chromedp.SendKeys(chromedp.CSS(`#trained-count`), "6"), chromedp.SendKeys(chromedp.CSS(`#trained-topic`), "危化品储存安全"),
		chromedp.Click(chromedp.CSS(`#save-trained`)))
	b.waitSynced(total)
	b.run("finish", chromedp.Click(chromedp.CSS(`#finish`)))
	b.waitFor("finished", `(() => document.getElementById("finished") ? "done" : document.getElementById("finish-error") ? document.getElementById("finish-error").textContent : "")()`)

	// The hazard the failed item raised (the relay raises it moments
	// after the finish).
	for i := 0; ; i++ {
		b.open(url, "#raised")
		if strings.Contains(b.text(`#raised`), "HZ") || i == 50 {
			break
		}
		b.run("wait", chromedp.Sleep(200_000_000))
	}
	require.Equal(t, 1, value(b, "raised", chromedp.Evaluate[int](`document.querySelectorAll("#raised li.hazard").length`)), "one hazard raised")
	b.screenshot("work-finished")

	// The ledger lists it, with a CSV download; the figures have a chart.
	b.open("/work/ledger", "#ledger")
	require.NotEmpty(t, value(b, "csv link", chromedp.AttributeValue(chromedp.CSS(`#ledger-csv`), "href")).Value)
	b.screenshot("work-ledger")
	b.open("/work/figures", "#figures-chart")
	b.screenshot("work-figures")
}

// TestBrowserUnitSelfCheckAndRectify: a unit's safety manager sees their
// grade and why, runs a self-check on the phone with one non-compliant
// item and a photo, finishes it; the department orders the hazard it
// raised rectified; the unit sees it among its open hazards with its
// deadline and reports it rectified with a photo; the inspector closes it
// out; the supervision group draws it in a spot check, finds the
// rectification a sham and it reopens.
func TestBrowserUnitSelfCheckAndRectify(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "valve.jpg", color.RGBA{200, 40, 40, 255})
	fixed := writeJPEG(t, dir, "fixed.jpg", color.RGBA{40, 160, 60, 255})

	b.loginAs("unit-1")
	b.run("my unit", chromedp.Navigate(base+"/work"), chromedp.WaitVisible(chromedp.CSS(`#unit`)))
	require.NotEmpty(t, b.text(`#unit-grade`))
	require.NotEmpty(t, b.text(`#grade-steps`), "my grade and why")
	b.screenshot("unit-home")
	b.run("start self-check", chromedp.Click(chromedp.CSS(`#start`)))
	b.waitFor("self-check page", `(() => {
		if (document.getElementById("inspection")) return "done";
		return [...document.querySelectorAll("#start-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	total, err := strconv.Atoi(b.text(`#progress-total`))
	require.NoError(t, err)
	// The first item that is no major hazard fails, with a photo.
	bad := value(b, "general item", chromedp.Evaluate[int](`[...document.querySelectorAll("li.item")].findIndex(li => !li.querySelector(".tag.major")) + 1`))
	require.Positive(t, bad, "the checklist has a general item")
	b.run("photo", chromedp.SetUploadFiles(chromedp.CSS(item(bad)+` input.photo`), []string{photo}))
	b.waitFor("photo uploaded", `(() => document.querySelector('`+item(bad)+`').dataset.photos === "1" ? "done" : document.querySelector('`+item(bad)+` .error').textContent)()`)
	b.run("failed item", chromedp.Click(chromedp.CSS(item(bad)+` button[data-outcome="non_compliant"]`)))
	b.waitSynced(1)
	answered := 1
	for n := 1; n <= total; n++ {
		if n == bad {
			continue
		}
		b.run("item "+strconv.Itoa(n), chromedp.Click(chromedp.CSS(item(n)+` button[data-outcome="compliant"]`)))
		answered++
		b.waitSynced(answered)
	}
	b.screenshot("unit-selfcheck")
	b.run("finish", chromedp.Click(chromedp.CSS(`#finish`)))
	b.waitFor("finished", `(() => document.getElementById("finished") ? "done" : document.getElementById("finish-error") ? document.getElementById("finish-error").textContent : "")()`)

	// The department orders its rectification (the relay raises the
	// hazard moments after the finish).
	b.loginAs("inspector-1")
	hazardLink := func() string {
		return value(b, "hazard", chromedp.Evaluate[string](`(() => { const a = document.querySelector("#unit-hazards li.hazard a"); return a ? a.getAttribute("href") : ""; })()`))
	}
	var id string
	for i := 0; id == "" && i < 50; i++ {
		b.open("/work/units/"+server.DemoUnitID(1), "#unit-hazards")
		if id = hazardLink(); id == "" {
			b.run("wait", chromedp.Sleep(200_000_000))
		}
	}
	require.NotEmpty(t, id, "the self-check's hazard is on the unit's ledger")
	id = strings.TrimPrefix(id, "/console/reports/")
	b.act(id, "order", chromedp.SendKeys(chromedp.CSS(`#note-order`), "限期七日内整改"))

	// My open hazards show it with its deadline; I report it rectified
	// with a photo.
	b.loginAs("unit-1")
	b.open("/work", "#unit-hazards")
	require.Equal(t, "/console/reports/"+id, hazardLink(), "my open hazard")
	require.Contains(t, b.text(`#unit-hazards`), "期限", "with its deadline")
	b.screenshot("unit-hazards")
	b.act(id, "rectify", chromedp.SendKeys(chromedp.CSS(`#note-rectify`), "已加装可燃气体报警器"),
		chromedp.SetUploadFiles(chromedp.CSS(`#ph-rectify`), []string{fixed}))
	require.Equal(t, "rectified", value(b, "state", chromedp.Evaluate[string](`document.getElementById("report-state").className.replace("state state-", "")`)))
	b.screenshot("unit-rectified")

	// The inspector passes the re-inspection: closed out.
	b.loginAs("inspector-1")
	b.act(id, "pass", chromedp.SendKeys(chromedp.CSS(`#note-pass`), "复查合格"))
	require.Equal(t, "closed_out", value(b, "state", chromedp.Evaluate[string](`document.getElementById("report-state").className.replace("state state-", "")`)))

	// The supervision group draws a spot check and finds the
	// rectification a sham: the hazard reopens.
	b.loginAs("supervisor-1")
	b.open("/work/spot-checks", "#draw-form")
	// From today: the demo city's history has closed-out hazards of its own.
	b.run("draw", chromedp.SetValue(chromedp.CSS(`#d-since`), time.Now().UTC().Format(time.DateOnly)),
		chromedp.Click(chromedp.CSS(`#draw`)))
	b.waitFor("drawn", `(() => {
		if (document.getElementById("spot-check")) return "done";
		const f = document.getElementById("draw-form");
		return f ? [...f.querySelectorAll(".error")].map(e => e.textContent).join(" ").trim() : "";
	})()`)
	require.Equal(t, id, value(b, "drawn hazard", chromedp.Evaluate[string](`document.querySelector("li.spot-item").dataset.hazard`)), "the one closed-out hazard is drawn")
	b.screenshot("work-spotcheck")
	b.run("fail it", chromedp.SendKeys(chromedp.CSS(`li.spot-item .spot-note`), "报警器未接电"), chromedp.Click(chromedp.CSS(`li.spot-item button[data-passed="false"]`)))
	b.waitFor("verified", `(() => {
		const li = document.querySelector("li.spot-item");
		if (document.readyState === "complete" && li && li.dataset.verdict === "failed") return "done";
		const e = li && li.querySelector(".error");
		return e ? e.textContent : "";
	})()`)
	b.open("/console/reports/"+id, "#report-state")
	require.Equal(t, "rectifying", value(b, "state", chromedp.Evaluate[string](`document.getElementById("report-state").className.replace("state state-", "")`)), "a sham rectification reopens")

	// The supervision group's list shows the spot check done, a sham
	// found; filtered to those that found a sham, then opened again.
	b.open("/work/spot-checks", "#spot-list")
	sc := value(b, "spot check id", chromedp.Evaluate[string](`location.search === "" && document.querySelector("li.spot-row") ? document.querySelector("li.spot-row").dataset.id : ""`))
	require.NotEmpty(t, sc, "the spot check is listed, newest first")
	b.run("filter shams", chromedp.SetValue(chromedp.CSS(`#s-verdict`), "failed"), chromedp.SetValue(chromedp.CSS(`#s-status`), "done"),
		chromedp.Click(chromedp.CSS(`#spot-filters button[type="submit"]`)))
	b.waitFor("filtered", `(() => location.search.includes("verdict=failed") && document.readyState === "complete" ? "done" : "")()`)
	row := `li.spot-row[data-id="` + sc + `"]`
	require.Equal(t, "done", value(b, "status", chromedp.Evaluate[string](`document.querySelector('`+row+`').dataset.status`)))
	require.Equal(t, "1", b.text(row+` .spot-failed`), "one sham found")
	require.Equal(t, "0", b.text(row+` .spot-pending`))
	b.screenshot("work-spotchecks")
	b.run("open it", chromedp.Click(chromedp.CSS(row+` a`)))
	b.waitFor("spot check page", `(() => document.getElementById("spot-check") && document.readyState === "complete" ? "done" : "")()`)
	require.Equal(t, "failed", value(b, "verdict", chromedp.Evaluate[string](`document.querySelector("li.spot-item").dataset.verdict`)))
	b.open("/work/spot-checks?status=open", "#spot-list")
	require.Zero(t, value(b, "open ones", chromedp.Evaluate[int](`document.querySelectorAll('`+row+`').length`)), "not among the open ones")
	b.open("/work/spot-checks?lang=en", "#spot-list")
	require.Contains(t, b.text(`#spot-list-title`), "Spot checks drawn", "in English")
}
