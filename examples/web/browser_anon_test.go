package web_test

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// startClockServer runs the demo server on a clock the test moves, sweeping
// often so that the "is it fixed?" question follows the clock.
func startClockServer(t *testing.T, clk *hazardtest.Clock) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{
			Addr: "127.0.0.1:0", Demo: true, PhotoDir: t.TempDir(), Clock: clk.Now,
			Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
			RelayInterval: 20 * time.Millisecond, SweepInterval: 50 * time.Millisecond,
		}, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server.Run: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("server.Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

// fileReport fills and submits the report page and returns the reference
// number and the claim code shown (empty when signed in).
func (b *browser) fileReport(photo string) (string, string) {
	b.t.Helper()
	b.run("report",
		chromedp.Navigate(b.base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#address`), "东昌路 2 号"),
		chromedp.SendKeys(chromedp.CSS(`#description`), fmt.Sprintf("楼道堆放杂物 %d", time.Now().UnixNano())),
		chromedp.Click(chromedp.CSS(`#submit-report`)),
	)
	b.waitFor("report submitted", `(() => {
		if (!document.getElementById("report-success").hidden) return "done";
		return [...document.querySelectorAll("#report-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	code := ""
	if value(b, "claim box", chromedp.Evaluate[bool](`!document.getElementById("claim-box").hidden`)) {
		code = b.text(`#claim-code`)
	}
	return b.text(`#report-ref`), code
}

// closeFixed takes the report through the console to closed as fixed, as
// the dispatcher, the fire department and the reviewer, and returns its ID.
func (b *browser) closeFixed(ref, evidence string) string {
	b.t.Helper()
	b.loginAs("dispatcher-1")
	b.run("queue", chromedp.Navigate(b.base+"/console"), chromedp.WaitVisible(chromedp.CSS(`#queue`)))
	id := value(b, "find in queue", chromedp.AttributeValue(chromedp.Search(`//li[contains(., "`+ref+`")]/a`), "href")).Value
	id = strings.TrimPrefix(id, "/console/reports/")
	require.NotEmpty(b.t, id, "the report is in the queue")
	b.act(id, "dispatch", chromedp.SetValue(chromedp.CSS(`#dep-dispatch`), "fire"))
	b.finish(id, evidence)
	return id
}

// finish takes a report forwarded to the fire department to closed as
// fixed, as the department and the reviewer.
func (b *browser) finish(id, evidence string) {
	b.t.Helper()
	b.loginAs("fire-1")
	b.act(id, "accept")
	b.act(id, "resolve", chromedp.SendKeys(chromedp.CSS(`#note-resolve`), "已清理"),
		chromedp.SetUploadFiles(chromedp.CSS(`#ph-resolve`), []string{evidence}))
	b.loginAs("reviewer-1")
	b.act(id, "approve")
	require.Equal(b.t, "已办结", b.text(`#report-state`))
}

// TestBrowserAnonymousReport: nobody signed in files a report with a photo
// and gets its claim code with a QR code; the code follows the report to
// its closure, and a verified citizen binds it on the claim page and finds
// the reward on My rewards.
func TestBrowserAnonymousReport(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "anon.jpg", color.RGBA{180, 60, 20, 255})
	evidence := writeJPEG(t, dir, "fixed.jpg", color.RGBA{40, 160, 60, 255})

	b.open("/report", "#anonymous-mode")
	ref, code := b.fileReport(photo)
	require.True(t, strings.HasPrefix(code, ref+"."), "the claim code %q names the report %s", code, ref)
	b.waitFor("QR code", `(() => { const i = document.getElementById("claim-qr"); return i.complete && i.naturalWidth > 0 ? "done" : ""; })()`)
	b.screenshot("report-anonymous")

	b.closeFixed(ref, evidence)
	b.run("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))

	// Nobody signed in follows it with the code in the QR code's link.
	b.run("follow", chromedp.Navigate(base+"/claim#"+code))
	b.waitFor("followed", `(() => !document.getElementById("claim-result").hidden ? "done" : [...document.querySelectorAll("#claim-form .error")].map(e => e.textContent).join(" ").trim())()`)
	require.Equal(t, ref, b.text(`#claim-ref`))
	require.Equal(t, "closed_valid", value(b, "state", chromedp.Evaluate[string](`document.getElementById("claim-state").dataset.state`)))
	require.NotEmpty(t, b.text(`#claim-bind-login`), "binding needs a login")

	// A wrong code says so next to the field.
	b.run("wrong code", chromedp.SetValue(chromedp.CSS(`#claim-code-input`), ref+".0000000000000000000000A"), chromedp.Click(chromedp.CSS(`#claim-follow`)))
	b.waitFor("refused", `(() => document.querySelector('#claim-form [data-error-for="claim_code"]').textContent ? "done" : "")()`)

	// A verified citizen binds it and gets the reward.
	b.loginAs("citizen-1")
	b.open("/claim", "#claim-form")
	b.run("follow signed in", chromedp.SendKeys(chromedp.CSS(`#claim-code-input`), code), chromedp.Click(chromedp.CSS(`#claim-follow`)),
		chromedp.WaitVisible(chromedp.CSS(`#claim-bind`)))
	b.screenshot("claim")
	b.run("bind", chromedp.Click(chromedp.CSS(`#claim-bind`)))
	b.waitFor("bound", `(() => !document.getElementById("claim-bind-done").hidden ? "done" : document.getElementById("claim-bind-error").textContent)()`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.run("mine", chromedp.Navigate(base+"/mine"), chromedp.WaitVisible(chromedp.CSS(`#rewards`)))
		if strings.Contains(b.text(`#rewards`), ref) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reward for %s on /mine", ref)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestBrowserReopenAndFixedCheck: fourteen days after a closure the
// reporter is asked "is it fixed?" on My reports and answers no with a
// photo, which reopens the report; closed again, the reporter reopens it
// with the button.
func TestBrowserReopenAndFixedCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	clk := hazardtest.NewClock(time.Now())
	base := startClockServer(t, clk)
	b := newBrowser(t, base)
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "exit.jpg", color.RGBA{200, 40, 40, 255})
	evidence := writeJPEG(t, dir, "fixed.jpg", color.RGBA{40, 160, 60, 255})
	back := writeJPEG(t, dir, "back.jpg", color.RGBA{120, 40, 200, 255})

	b.loginAs("citizen-1")
	ref, code := b.fileReport(photo)
	require.Empty(t, code, "a signed-in report has no claim code")
	id := b.closeFixed(ref, evidence)

	clk.Advance(hazard.DefaultFixedCheckAfter + time.Minute)
	card := `li[data-report]:has(.ref)`
	b.loginAs("citizen-1")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.run("mine", chromedp.Navigate(base+"/mine"), chromedp.WaitVisible(chromedp.CSS(`#reports`)))
		if value(b, "asked", chromedp.Evaluate[bool](`[...document.querySelectorAll("`+card+`")].some(li => li.textContent.includes("`+ref+`") && li.querySelector(".fixed-check"))`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reporter was not asked whether it is fixed")
		}
		time.Sleep(200 * time.Millisecond)
	}
	item := `//li[@data-report][contains(., "` + ref + `")]`
	b.screenshot("mine-fixed-check")
	b.run("answer no",
		chromedp.SendKeys(chromedp.Search(item+`//textarea[@name="note"]`), "杂物又堆回来了"),
		chromedp.SetUploadFiles(chromedp.Search(item+`//input[@name="photos"]`), []string{back}),
		chromedp.Click(chromedp.Search(item+`//button[contains(@class, "reopen")]`)),
	)
	b.waitFor("reopened", `(() => { const li = [...document.querySelectorAll("li[data-report]")].find(li => li.textContent.includes("`+ref+`"));
		if (li && !li.querySelector("form.aftercare") && document.readyState === "complete") return "done";
		return li ? [...li.querySelectorAll(".error")].map(e => e.textContent).join(" ").trim() : ""; })()`)
	require.Contains(t, b.text(`#reports`), "已转办", "a no sends it back to the department")

	// Closed again, the reporter reopens it with the button.
	b.finish(id, evidence)
	b.loginAs("citizen-1")
	b.open("/mine", "#reports")
	b.run("reopen",
		chromedp.SendKeys(chromedp.Search(item+`//textarea[@name="note"]`), "又堵了"),
		chromedp.SetUploadFiles(chromedp.Search(item+`//input[@name="photos"]`), []string{back}),
	)
	b.screenshot("mine-reopen")
	b.run("reopen submit", chromedp.Click(chromedp.Search(item+`//button[contains(@class, "reopen")]`)))
	b.waitFor("reopened again", `(() => { const li = [...document.querySelectorAll("li[data-report]")].find(li => li.textContent.includes("`+ref+`"));
		if (li && !li.querySelector("form.aftercare") && document.readyState === "complete") return "done";
		return li ? [...li.querySelectorAll(".error")].map(e => e.textContent).join(" ").trim() : ""; })()`)
}

// TestBrowserClaimAftercare: nobody signed in reopens an anonymous report
// closed as fixed on the claim page, with a photo, and fourteen days after
// its next closure answers "is it fixed?" there, all with the claim code.
func TestBrowserClaimAftercare(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	clk := hazardtest.NewClock(time.Now())
	base := startClockServer(t, clk)
	b := newBrowser(t, base)
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "anon.jpg", color.RGBA{180, 60, 20, 255})
	evidence := writeJPEG(t, dir, "fixed.jpg", color.RGBA{40, 160, 60, 255})
	back := writeJPEG(t, dir, "back.jpg", color.RGBA{120, 40, 200, 255})

	b.open("/report", "#anonymous-mode")
	ref, code := b.fileReport(photo)
	require.NotEmpty(t, code, "an anonymous report's claim code")
	id := b.closeFixed(ref, evidence)
	b.run("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))

	followed := `(() => !document.getElementById("claim-result").hidden ? "done" : [...document.querySelectorAll("#claim-form .error")].map(e => e.textContent).join(" ").trim())()`
	b.run("follow", chromedp.Navigate(base+"/claim#"+code))
	b.waitFor("followed", followed)
	require.True(t, value(b, "reopen form", chromedp.Evaluate[bool](`!document.getElementById("claim-aftercare").hidden && document.getElementById("claim-fixed").hidden`)),
		"closed as fixed: the reopen form shows, no question yet")
	b.run("reopen",
		chromedp.SendKeys(chromedp.CSS(`#claim-aftercare textarea[name="note"]`), "杂物又堆回来了"),
		chromedp.SetUploadFiles(chromedp.CSS(`#claim-aftercare input[name="photos"]`), []string{back}),
	)
	b.screenshot("claim-reopen")
	b.run("reopen submit", chromedp.Click(chromedp.CSS(`#claim-reopen`)))
	b.waitFor("reopened", `(() => !document.getElementById("claim-aftercare-done").hidden ? "done" : [...document.querySelectorAll("#claim-aftercare .error")].map(e => e.textContent).join(" ").trim())()`)
	require.Equal(t, "dispatched", value(b, "state", chromedp.Evaluate[string](`document.getElementById("claim-state").dataset.state`)), "back to the department")
	require.True(t, value(b, "form gone", chromedp.Evaluate[bool](`document.getElementById("claim-aftercare").hidden`)), "an open report: nothing to reopen")

	// Fixed again; fourteen days later the page asks, and the holder says yes.
	b.finish(id, evidence)
	b.run("log out again", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))
	clk.Advance(hazard.DefaultFixedCheckAfter + time.Minute)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.run("follow again", chromedp.Navigate(base+"/claim#"+code))
		b.waitFor("followed again", followed)
		if value(b, "asked", chromedp.Evaluate[bool](`!document.getElementById("claim-fixed").hidden`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the claim page did not ask whether it is fixed")
		}
		time.Sleep(300 * time.Millisecond)
	}
	b.screenshot("claim-fixed-check")
	b.run("answer yes", chromedp.Click(chromedp.CSS(`#claim-fixed-yes`)))
	b.waitFor("answered", `(() => !document.getElementById("claim-aftercare-done").hidden ? "done" : [...document.querySelectorAll("#claim-aftercare .error")].map(e => e.textContent).join(" ").trim())()`)
	require.True(t, value(b, "question gone", chromedp.Evaluate[bool](`document.getElementById("claim-fixed").hidden`)), "answered")
	require.Equal(t, "closed_valid", value(b, "state after yes", chromedp.Evaluate[string](`document.getElementById("claim-state").dataset.state`)))
}
