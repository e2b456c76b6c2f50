package web_test

import (
	"bytes"
	"context"
	"image/color"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
)

// residentID returns a valid resident ID number: first17 and its ISO 7064
// check character.
func residentID(first17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range w {
		sum += int(first17[i]-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// uploadPhoto uploads a JPEG as token and returns its key.
func uploadPhoto(t *testing.T, base, token string, c color.Color) string {
	t.Helper()
	photo, err := os.ReadFile(writeJPEG(t, t.TempDir(), "p.jpg", c))
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
	apiCall(t, base, token, "POST", "/api/v1/uploads", &mp, &up)
	return up.Key
}

// TestBrowserEraseAccount: a citizen who logged in with a phone, with a
// pending reward, opens "my data" from "mine", is told what deleting the
// account does (the pending reward forfeited), is refused a wrong
// confirming word, deletes the account with the right one and sees the
// pseudonym of their records; the page drops the token, which the API
// refuses anyway.
func TestBrowserEraseAccount(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	base := startServer(t, func(c *server.Config) { c.Notifier = rec })
	b := newBrowser(t, base)

	// A citizen logs in with a phone and a code, verifies, and gets a
	// reward for a report closed as valid (over the API).
	const phone = "13711112222"
	apiCall(t, base, "", "POST", "/api/v1/auth/code", map[string]string{"phone": phone}, nil)
	code := ""
	for _, m := range rec.Sent() {
		if m.Message.Template == notify.KeyOTP && m.To.Addresses[notify.ChannelSMS] == phone {
			code = m.Message.Data["code"]
		}
	}
	require.NotEmpty(t, code, "the login code")
	var login struct {
		Token string `json:"token"`
	}
	apiCall(t, base, "", "POST", "/api/v1/auth/login", map[string]string{"phone": phone, "code": code}, &login)
	citizen := login.Token
	apiCall(t, base, citizen, "POST", "/api/v1/me/verify", map[string]string{"name": "赵六", "resident_id": residentID("11010519491231002")}, nil)
	var rep struct {
		ID      string `json:"id"`
		Ref     string `json:"ref"`
		Version int64  `json:"version"`
	}
	apiCall(t, base, citizen, "POST", "/api/v1/reports", map[string]any{
		"category": "fire", "severity": "general", "description": "消防通道堵塞", "address": "注销路 1 号",
		"latitude": 36.45, "longitude": 115.98, "coord_system": "GCJ02", "photos": []string{uploadPhoto(t, base, citizen, color.RGBA{20, 90, 160, 255})},
		"contact_name": "赵六", "contact_phone": phone,
	}, &rep)
	step := func(user, action string, body map[string]any) {
		body["expected_version"] = rep.Version
		apiCall(t, base, demoToken(t, base, user), "POST", "/api/v1/reports/"+rep.ID+"/actions/"+action, body, &rep)
	}
	step("dispatcher-1", "dispatch", map[string]any{"department": "fire"})
	step("fire-1", "accept", map[string]any{})
	fire := demoToken(t, base, "fire-1")
	step("fire-1", "resolve", map[string]any{"note": "已清理", "photos": []string{uploadPhoto(t, base, fire, color.RGBA{200, 200, 20, 255})}})
	step("reviewer-1", "approve", map[string]any{"verdict": "属实"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		var l struct {
			Items []struct{ ID string } `json:"items"`
		}
		apiCall(t, base, citizen, "GET", "/api/v1/me/rewards?status=pending", nil, &l)
		if len(l.Items) > 0 {
			break
		}
		require.False(t, time.Now().After(deadline), "no pending reward after 20s")
		time.Sleep(50 * time.Millisecond)
	}

	// The browser takes the citizen's session.
	b.run("session", chromedp.Navigate(b.base+"/"), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.cookie = "hl_token=`+citizen+`; path=/"`)(ctx, tg)
		return err
	}))
	b.open("/mine", "#my-data")
	b.run("my data", chromedp.Click(chromedp.CSS(`#my-data`)))
	b.waitFor("my data page", `(() => document.getElementById("erase-form") ? "done" : "")()`)
	require.Contains(t, b.text("#erase-pending"), rep.Ref, "the pending reward to be forfeited is listed")
	b.screenshot("my-data")

	// A wrong word is refused by the API, next to the field.
	b.run("a wrong word", chromedp.SendKeys(chromedp.CSS(`#erase-confirm`), "yes"),
		chromedp.Click(chromedp.CSS(`#erase-understand`)), chromedp.Click(chromedp.CSS(`#erase-submit`)))
	b.waitFor("the refusal", `(() => document.querySelector('#erase-form [data-error-for="confirm"]').textContent ? "done" : "")()`)

	// The right word deletes the account.
	b.run("the right word", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`document.getElementById("erase-confirm").value = ""`)(ctx, tg)
		return err
	}), chromedp.SendKeys(chromedp.CSS(`#erase-confirm`), "删除"),
		chromedp.Click(chromedp.CSS(`#erase-submit`)))
	b.waitFor("erased", `(() => document.getElementById("erase-result").hidden ? "" : "done")()`)
	pseudonym := b.text("#erase-pseudonym")
	require.True(t, strings.HasPrefix(pseudonym, "erased-"), "the pseudonym shown: %q", pseudonym)
	b.screenshot("my-data-erased")
	cookie := value(b, "cookie", chromedp.Evaluate[string](`document.cookie`))
	require.NotContains(t, cookie, citizen, "the page dropped the token")

	req, err := http.NewRequest("GET", base+"/api/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+citizen)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the token after the erasure")
	b.open("/mine/data", "#login-phone, .demo-login")

	// The auditor sees the erasure, under the pseudonym alone.
	b.loginAs("auditor-1")
	b.open("/console/access-log", "#access-log")
	log := b.text("#access-log tbody")
	require.Contains(t, log, pseudonym, "the access log names the pseudonym")
	require.Contains(t, log, "账户注销完成", "the erasure's end")
	require.NotContains(t, log, phone, "nor the phone")
}
