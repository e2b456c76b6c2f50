package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// browser is one headless Chromium driven by chromedp against a real
// example server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // directory for screenshots
}

// chromiumPath finds Debian's chromium; the browser tests skip, saying how
// to run them, when it is missing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests need Chromium: apt-get install chromium (bash .ci/run does)")
	return ""
}

func startServer(t *testing.T, edit ...func(*server.Config)) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	cfg := server.Config{
		Addr: "127.0.0.1:0", Demo: true, PhotoDir: t.TempDir(),
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		RelayInterval: 20 * time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	go func() {
		done <- server.Run(ctx, cfg, func(a string) { addr <- a })
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

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(375, 812),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)))
	dir := os.Getenv("HAZARDLOOP_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return &browser{t: t, ctx: ctx, base: base, shot: dir}
}

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that returns a value.
func value[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text reads the visible text of the first element matching sel, waiting
// until it exists. It asks the page itself rather than chromedp's copy of
// the DOM, whose node IDs go stale for a moment after a page reloads.
func (b *browser) text(sel string) string {
	b.t.Helper()
	q, err := json.Marshal(sel)
	require.NoError(b.t, err)
	expr := `(() => { const e = document.querySelector(` + string(q) + `); return e ? [e.innerText] : null; })()`
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](expr))
		switch {
		case err == nil && len(got) == 1:
			return strings.TrimSpace(got[0])
		case time.Now().After(deadline):
			b.t.Fatalf("text of %s: no such element after 20s (last error: %v)", sel, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png := value(b, "screenshot "+name, chromedp.FullScreenshot(100))
	require.NoError(b.t, os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644))
}

// loginAs logs in through the login page's demo button.
func (b *browser) loginAs(user string) {
	b.t.Helper()
	b.run("log in as "+user,
		chromedp.Navigate(b.base+"/login"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`document.cookie = "hl_token=; path=/; max-age=0"`)(ctx, t)
			return err
		}),
		chromedp.Navigate(b.base+"/login"),
		chromedp.Click(chromedp.CSS(`button.demo-login[data-user="`+user+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#logout`)),
	)
}

// act opens the staff view of the report and takes one action.
func (b *browser) act(id, action string, fill ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(b.base + "/console/reports/" + id),
		chromedp.WaitVisible(chromedp.CSS(`form[data-action="` + action + `"]`)),
	}
	steps = append(steps, fill...)
	steps = append(steps, chromedp.Click(chromedp.CSS(`button[data-submit="`+action+`"]`)))
	b.run("action "+action, steps...)
	// Done once the page has reloaded without the action's form: a page
	// still loading has no form yet either, so wait for it to be complete.
	b.waitFor("action "+action+" done", `(() => {
		if (document.readyState !== "complete") return "";
		const f = document.querySelector('form[data-action="`+action+`"]');
		if (!f) return "done";
		return [...f.querySelectorAll(".error")].map(e => e.textContent).join(" ").trim();
	})()`)
}

// open navigates to path and waits until sel is on the page, failing at
// once with the page's error when the server answered one.
func (b *browser) open(path, sel string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.base+path))
	b.waitFor("open "+path, `(() => {
		if (document.querySelector('`+sel+`')) return "done";
		const e = document.getElementById("page-error");
		return e ? e.textContent : "";
	})()`)
}

// waitFor evaluates expr until it gives "done", and fails the test at once
// with whatever else non-empty it gives (an error the page shows).
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
		switch {
		case err == nil && got == "done":
			return
		case err == nil && got != "":
			b.t.Fatalf("%s: the page says %q", what, got)
		case time.Now().After(deadline):
			b.t.Fatalf("%s: still waiting after 20s (last error: %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func writeJPEG(t *testing.T, dir, name string, c color.Color) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

// TestBrowserCitizenLoop drives one report through the whole loop in a real
// browser: a citizen reports it with a photo, the dispatcher, the fire
// department and the reviewer take it through the console, and the citizen
// claims the reward. Each step is asserted on the page.
func TestBrowserCitizenLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "exit.jpg", color.RGBA{200, 40, 40, 255})
	evidence := writeJPEG(t, dir, "fixed.jpg", color.RGBA{40, 160, 60, 255})

	// Public pages.
	b.run("home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))
	b.screenshot("home")
	b.run("plaza", chromedp.Navigate(base+"/plaza"), chromedp.WaitVisible(chromedp.CSS(`#plaza-list`)))
	b.screenshot("plaza")
	b.run("knowledge", chromedp.Navigate(base+"/knowledge"), chromedp.WaitVisible(chromedp.CSS(`#articles a`)))

	// The citizen reports a hazard with a photo. First without a photo and
	// without an address: the page says what is wrong next to each field.
	b.loginAs("citizen-1")
	b.open("/report", "#report-form")
	b.run("submit empty", chromedp.Click(chromedp.CSS(`#submit-report`)))
	require.NotEmpty(t, b.text(`#photos-error`), "a report without photos is refused next to the photo field")
	b.run("photo only", chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}), chromedp.Click(chromedp.CSS(`#submit-report`)))
	b.waitFor("the API's field errors", `(() => document.getElementById("address-error").textContent ? "done" : "")()`)
	require.NotEmpty(t, b.text(`#description-error`), "the API's error for the description is shown next to it")
	desc := fmt.Sprintf("消防通道被杂物堵塞 <b>not bold</b> %d", time.Now().UnixNano())
	b.run("report",
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#address`), "东昌路 1 号 3 单元"),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc),
	)
	b.screenshot("report")
	b.run("submit", chromedp.Click(chromedp.CSS(`#submit-report`)))
	b.waitFor("report submitted", `(() => {
		if (!document.getElementById("report-success").hidden) return "done";
		return [...document.querySelectorAll("#report-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	ref := b.text(`#report-ref`)
	require.Regexp(t, `^[A-Z0-9]+-\d{8}-\d+$`, ref, "the success message shows the reference number")

	// The plaza shows it once a dispatcher forwarded it (the default
	// publication policy), not before.
	b.run("plaza item before dispatch", chromedp.Navigate(base+"/plaza/"+ref), chromedp.WaitVisible(chromedp.CSS(`#page-error`)))

	// The dispatcher finds it in the queue and dispatches it to fire.
	b.loginAs("dispatcher-1")
	b.run("queue", chromedp.Navigate(base+"/console"), chromedp.WaitVisible(chromedp.CSS(`#queue`)))
	id := value(b, "find in queue", chromedp.AttributeValue(chromedp.Search(`//li[contains(., "`+ref+`")]/a`), "href")).Value
	require.NotEmpty(t, id, "the report is in the dispatcher's queue")
	b.screenshot("console")
	id = strings.TrimPrefix(id, "/console/reports/")
	b.run("detail", chromedp.Navigate(base+"/console/reports/"+id), chromedp.WaitVisible(chromedp.CSS(`#actions`)))
	b.screenshot("console-report")
	b.act(id, "dispatch", chromedp.SetValue(chromedp.CSS(`#dep-dispatch`), "fire"), chromedp.SendKeys(chromedp.CSS(`#note-dispatch`), "转消防救援支队办理"))
	require.Equal(t, "已转办", b.text(`#report-state`))
	b.run("plaza item", chromedp.Navigate(base+"/plaza/"+ref), chromedp.WaitVisible(chromedp.CSS(`#plaza-item`)))
	require.Equal(t, desc, b.text(`#item-description`), "the description shows as text, HTML included")
	require.Equal(t, "已转办", b.text(`#item-state`))

	// The fire department accepts and resolves it with a photo.
	b.loginAs("fire-1")
	b.act(id, "accept")
	require.Equal(t, "办理中", b.text(`#report-state`))
	b.act(id, "resolve",
		chromedp.SendKeys(chromedp.CSS(`#note-resolve`), "已清理通道"),
		chromedp.SetUploadFiles(chromedp.CSS(`#ph-resolve`), []string{evidence}))
	require.Equal(t, "待审核", b.text(`#report-state`))

	// The reviewer approves it.
	b.loginAs("reviewer-1")
	b.act(id, "approve", chromedp.SendKeys(chromedp.CSS(`#note-approve`), "整改到位"))
	require.Equal(t, "已办结", b.text(`#report-state`))
	b.open("/console/board", "#board")
	b.screenshot("board")

	// The citizen sees the reward pending and claims it.
	b.loginAs("citizen-1")
	claim := `li[data-reward] button.claim`
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.run("mine", chromedp.Navigate(base+"/mine"), chromedp.WaitVisible(chromedp.CSS(`#rewards`)))
		n := value(b, "count claim buttons", chromedp.Evaluate[int](`document.querySelectorAll("`+claim+`").length`))
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no pending reward appeared on /mine")
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.screenshot("mine")
	b.run("claim", chromedp.Click(chromedp.CSS(claim)), chromedp.WaitVisible(chromedp.CSS(`span[data-status="claimed"]`)))
	b.screenshot("mine-claimed")

	// The administrator writes and publishes a knowledge article; the
	// public sees it, its text escaped.
	b.loginAs("admin-1")
	title := fmt.Sprintf("电动车安全充电 %d", time.Now().UnixNano())
	b.open("/console/articles", "#article-form")
	b.run("write article",
		chromedp.SendKeys(chromedp.CSS(`#atitle`), title),
		chromedp.SetValue(chromedp.CSS(`#akind`), "knowledge"),
		chromedp.SendKeys(chromedp.CSS(`#abody`), "不要在楼道内充电。<script>alert(1)</script>"),
		chromedp.Click(chromedp.CSS(`#article-form button[type=submit]`)),
	)
	b.waitFor("draft saved", `(() => [...document.querySelectorAll("#admin-articles li")].some(li => li.textContent.includes("`+title+`")) ? "done" : "")()`)
	b.run("publish", chromedp.Click(chromedp.Search(`//li[contains(., "`+title+`")]/button[contains(@class, "publish")]`)))
	b.waitFor("published", `(() => [...document.querySelectorAll("#admin-articles li")].some(li => li.textContent.includes("`+title+`") && !li.querySelector("button.publish")) ? "done" : "")()`)
	b.run("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))
	b.open("/knowledge", "#articles")
	b.run("open article", chromedp.Click(chromedp.Search(`//a[contains(., "`+title+`")]`)), chromedp.WaitVisible(chromedp.CSS(`#article-body`)))
	require.Contains(t, b.text(`#article-body`), "<script>alert(1)</script>", "the article's text shows as text")

	b.run("plaza closed", chromedp.Navigate(base+"/plaza/"+ref), chromedp.WaitVisible(chromedp.CSS(`#timeline`)))
	require.Equal(t, "已办结", b.text(`#item-state`))
	page := value(b, "plaza html", chromedp.OuterHTML(chromedp.CSS(`html`)))
	require.NotContains(t, page, "citizen-1", "the plaza shows no reporter identity")
	b.screenshot("plaza-item")
}

// TestBrowserLoginStaysOnSite: the login page's script applies the same
// rule as the server (web.SafeNext): whatever next it is handed, a real
// browser ends on this site after login.
func TestBrowserLoginStaysOnSite(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	for _, next := range []string{"/\t/evil.example/", "/\n/evil.example/", "/\\evil.example/", "//evil.example/",
		"https://evil.example/", "/%2F/evil.example/", "javascript:alert(1)"} {
		js, err := json.Marshal(next)
		require.NoError(t, err)
		b.run("log in with next "+strconv.Quote(next),
			chromedp.Navigate(b.base+"/login"),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := chromedp.Evaluate[any](`document.cookie = "hl_token=; path=/; max-age=0"`)(ctx, t)
				return err
			}),
			chromedp.Navigate(b.base+"/login"),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				// The server never hands such a next out; the script must
				// refuse it all the same.
				_, err := chromedp.Evaluate[any](`document.querySelector('button.demo-login[data-user="citizen-1"]').dataset.next = `+string(js))(ctx, t)
				return err
			}),
			chromedp.Click(chromedp.CSS(`button.demo-login[data-user="citizen-1"]`)),
		)
		origin, err := json.Marshal(base)
		require.NoError(t, err)
		b.waitFor("after login with next "+strconv.Quote(next), `(() => {
			if (location.origin !== `+string(origin)+`) return "left the site for " + location.href;
			if (document.readyState !== "complete" || !document.getElementById("logout")) return "";
			return location.pathname === "/" ? "done" : "landed on " + location.pathname;
		})()`)
	}
}
