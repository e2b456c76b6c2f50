package web_test

import (
	"context"
	"image/color"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// startRecordingServer is startServer with a notification recorder, so
// that a test can follow a message's unsubscribe link. Reports are public
// from their submission, so that a second citizen finds one nearby before
// a dispatcher forwarded it.
func startRecordingServer(t *testing.T) (string, *notify.Recorder) {
	t.Helper()
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{
			Addr: "127.0.0.1:0", Demo: true, PhotoDir: t.TempDir(), Notifier: rec,
			Logger: slog.New(slog.DiscardHandler), RelayInterval: 20 * time.Millisecond,
			Moderation: hazard.ModerationConfig{Publish: hazard.PublishOnSubmit},
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
		return "http://" + a, rec
	case err := <-done:
		t.Fatalf("server.Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

// setLocation puts a located point into the report form, as its locate
// button does.
func setLocation(lat, lng string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.getElementById("latitude").value = "`+lat+`"; document.getElementById("longitude").value = "`+lng+`"`)(ctx, t)
		return err
	})
}

// TestBrowserFollow drives the pages of issue 18's citizen features: a
// second citizen filling the report page is shown the report nearby and
// says "me too" instead of reporting it again; the plaza counts it and
// lets them follow; their subscriptions page lists the follow and takes an
// area; the reporter adds information and answers the dispatcher's
// question on their report's page; and a message's unsubscribe link ends a
// follow in one click, with no login.
func TestBrowserFollow(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base, rec := startRecordingServer(t)
	b := newBrowser(t, base)
	photo := writeJPEG(t, t.TempDir(), "blocked.jpg", color.RGBA{200, 120, 40, 255})

	// citizen-1 reports a blocked fire exit at a point.
	b.loginAs("citizen-1")
	b.run("report",
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#address`), "振兴路 8 号"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "安全出口被货物堵死"),
		setLocation("36.45", "115.98"),
		chromedp.Click(chromedp.CSS(`#submit-report`)),
	)
	b.waitFor("report submitted", `(() => {
		if (!document.getElementById("report-success").hidden) return "done";
		return [...document.querySelectorAll("#report-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	ref := b.text(`#report-ref`)

	// citizen-2, about to report the same, is shown it and says me too.
	b.loginAs("citizen-2")
	b.run("nearby",
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		setLocation("36.4502", "115.9801"),
		chromedp.Click(chromedp.CSS(`#nearby-check`)),
	)
	item := `#nearby-list li[data-ref="` + ref + `"]`
	b.waitFor("nearby list", `(() => document.querySelector('`+item+`') ? "done" : document.getElementById("nearby-error").textContent)()`)
	b.screenshot("report-nearby")
	b.run("me too", chromedp.Click(chromedp.CSS(item+` button.metoo`)), chromedp.WaitVisible(chromedp.CSS(`#metoo-done`)))

	// The plaza counts it, names nobody, and citizen-2 follows.
	b.open("/plaza/"+ref, "#follow-bar")
	require.Equal(t, "1", b.text(`#metoo-count`), "the plaza's me-too count")
	page := value(b, "plaza page", chromedp.Evaluate[string](`document.body.innerText`))
	require.NotContains(t, page, "citizen-2")
	b.run("follow", chromedp.Click(chromedp.CSS(`#follow`)))
	b.waitFor("following", `(() => document.getElementById("follow").disabled ? "done" : document.getElementById("follow-error").textContent)()`)
	b.screenshot("plaza-follow")

	// The subscriptions page lists the follow and takes an area.
	b.open("/mine/subscriptions", "#follow-list")
	require.Contains(t, b.text(`#follow-list`), ref)
	b.run("watch a district", chromedp.SendKeys(chromedp.CSS(`#area-district`), "371502"), chromedp.Click(chromedp.CSS(`#area-add`)))
	b.waitFor("area added", `(() => document.querySelector("#area-list li[data-area]") ? "done" : [...document.querySelectorAll("#area-form .error")].map(e => e.textContent).join(" ").trim())()`)
	require.Contains(t, b.text(`#area-list`), "371502")
	b.screenshot("subscriptions")

	// The reporter adds information on their report's page.
	b.loginAs("citizen-1")
	b.open("/mine", "#reports")
	href := value(b, "my report link", chromedp.AttributeValue(chromedp.Search(`//a[contains(., "`+ref+`")]`), "href")).Value
	id := strings.TrimPrefix(href, "/mine/reports/")
	b.open("/mine/reports/"+id, "#info-form")
	b.run("add info", chromedp.SendKeys(chromedp.CSS(`#info-note`), "货物今天更多了"), chromedp.Click(chromedp.CSS(`#info-send`)))
	b.waitFor("info added", `(() => !document.getElementById("info-done").hidden ? "done" : [...document.querySelectorAll("#info-form .error")].map(e => e.textContent).join(" ").trim())()`)

	// The dispatcher sees it and asks a question; then dispatches.
	b.loginAs("dispatcher-1")
	b.open("/console/reports/"+id, "#ask-form")
	require.Contains(t, b.text(`#history`), "货物今天更多了", "staff see the added information")
	b.run("ask", chromedp.SendKeys(chromedp.CSS(`#ask-question`), "是哪个单元的出口？"), chromedp.Click(chromedp.CSS(`#ask-send`)))
	b.waitFor("asked", `(() => document.getElementById("history") && document.getElementById("history").textContent.includes("是哪个单元的出口") ? "done" : "")()`)
	b.act(id, "dispatch", chromedp.SetValue(chromedp.CSS(`#dep-dispatch`), "fire"), chromedp.SendKeys(chromedp.CSS(`#note-dispatch`), "转消防"))

	// The reporter answers on their report's page.
	b.loginAs("citizen-1")
	b.open("/mine/reports/"+id, "form.answer-form")
	require.Contains(t, b.text(`form.answer-form .question`), "是哪个单元的出口")
	b.run("answer", chromedp.SendKeys(chromedp.CSS(`form.answer-form textarea`), "3 单元"), chromedp.Click(chromedp.CSS(`form.answer-form button`)))
	b.waitFor("answered", `(() => !document.querySelector("form.answer-form .success").hidden ? "done" : [...document.querySelectorAll("form.answer-form .error")].map(e => e.textContent).join(" ").trim())()`)
	b.screenshot("my-report")

	// The dispatch reached citizen-2 as a follower, with an unsubscribe
	// link that works in one click, signed out.
	var link string
	require.Eventually(t, func() bool {
		for _, m := range rec.Sent() {
			if m.To.UserID == "citizen-2" && m.Message.Template == notify.KeyFollowUpdate && m.Message.Data["ref"] == ref {
				link = m.Message.Data["unsubscribe"]
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "the follower is told of the dispatch")
	u, err := url.Parse(link)
	require.NoError(t, err)
	b.run("sign out", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.cookie = "hl_token=; path=/; max-age=0"`)(ctx, t)
		return err
	}))
	b.open(u.Path+"?"+u.RawQuery, "#unsub-form")
	b.run("unsubscribe", chromedp.Click(chromedp.CSS(`#unsub-confirm`)), chromedp.WaitVisible(chromedp.CSS(`#unsub-done`)))
	b.screenshot("unsubscribe")
	b.loginAs("citizen-2")
	b.open("/mine/subscriptions", "#follow-list")
	require.NotContains(t, b.text(`#follow-list`), ref, "the follow after unsubscribing")

	// A forged token is refused on the page.
	b.open("/unsubscribe?token=forged.token", "#unsub-form")
	b.run("forged", chromedp.Click(chromedp.CSS(`#unsub-confirm`)))
	b.waitFor("refused", `(() => document.querySelector('#unsub-form [data-error-for="token"]').textContent ? "done" : "")()`)
}
