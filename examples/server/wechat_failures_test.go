package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// TestWeChatLoginErrors: the errors WeChat answers code2Session with map
// to clear answers with our codes.
func TestWeChatLoginErrors(t *testing.T) {
	e := startWeChat(t, func(*server.Config) {})
	e.wx.user("once", "o-once", "")
	_, _ = token(t, e.wxLogin("once"))
	for _, tc := range []struct {
		name, code string
		status     int
		errCode    string
	}{
		{"invalid code", codeInvalid, http.StatusBadRequest, "invalid"},
		{"unknown code", "never-issued", http.StatusBadRequest, "invalid"},
		{"code used", "once", http.StatusConflict, "conflict"},
		{"rate limited", codeLimited, http.StatusTooManyRequests, "rate_limited"},
		{"system busy", codeBusy, http.StatusServiceUnavailable, "unavailable"},
		{"risky user", codeRisky, http.StatusForbidden, "forbidden"},
		{"empty code", "", http.StatusBadRequest, "invalid"},
		{"not a code", "a b", http.StatusBadRequest, "invalid"},
		{"code too long", string(bytes.Repeat([]byte("x"), server.MaxWeChatCodeLen+1)), http.StatusBadRequest, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.wxLogin(tc.code)
			assert.Equal(t, tc.status, r.status, "%s", r.body)
			assert.Equal(t, tc.errCode, r.errCode(t))
		})
	}
}

// TestWeChatLoginNotConfigured: without WeChat settings the WeChat routes
// answer not found.
func TestWeChatLoginNotConfigured(t *testing.T) {
	s := startServer(t)
	r := s.do("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "c"})
	assert.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = s.do("POST", "/api/v1/pay/wechat/notify", "", "{}")
	assert.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWeChatIdentity: one WeChat user is one account (a second login finds
// it; a unionid finds it under another openid); the session key and the
// secrets are in no answer and no log.
func TestWeChatIdentity(t *testing.T) { forEachBackend(t, testWeChatIdentity) }

func testWeChatIdentity(t *testing.T, backend func(*server.Config)) {
	logs := &lockedBuffer{}
	e := startWeChat(t, func(c *server.Config) {
		backend(c)
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	e.wx.user("a1", "o-a", "u-person")
	e.wx.user("a2", "o-a", "u-person")
	e.wx.user("b1", "o-other-app", "u-person")
	e.wx.user("c1", "o-c", "")
	r1 := e.wxLogin("a1")
	_, id1 := token(t, r1)
	_, id2 := token(t, e.wxLogin("a2"))
	_, id3 := token(t, e.wxLogin("b1"))
	_, id4 := token(t, e.wxLogin("c1"))
	assert.Equal(t, id1, id2, "the same openid logs into one account")
	assert.Equal(t, id1, id3, "the same unionid logs into one account")
	assert.NotEqual(t, id1, id4, "another person has another account")
	for _, secret := range []string{"c2Vzc2lvbi1rZXktc2VjcmV0", e.wx.secret, "session_key"} {
		assert.NotContains(t, string(r1.body), secret, "login answer")
		assert.NotContains(t, logs.String(), secret, "logs")
	}
}

// TestWeChatPhoneBinding: getPhoneNumber's code binds a new phone to the
// WeChat account; a phone that is already a citizen's account (logged in by
// phone code before) takes the WeChat identity, so the person keeps one
// account. The stable access token is fetched once and shared.
func TestWeChatPhoneBinding(t *testing.T) { forEachBackend(t, testWeChatPhoneBinding) }

func testWeChatPhoneBinding(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	// A WeChat account files nothing before it has a phone.
	e.wx.user("n1", "o-new", "")
	tok, id := token(t, e.wxLogin("n1"))
	for _, r := range []response{
		e.uploadBytes(tok, "file", pngPhoto(t, 500)),
		e.do("POST", "/api/v1/reports", tok, map[string]any{"category": "fire", "description": "楼道堆放杂物", "address": "a", "photos": []string{"x"}}),
		e.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": withCheck("32010219880415678")}),
	} {
		assert.Equal(t, http.StatusForbidden, r.status, "before the phone: %s", r.body)
		assert.Equal(t, "forbidden", r.errCode(t))
	}
	// A new phone is bound to the WeChat account, which may then report.
	e.wx.phoneCode("p-new", "13900000011")
	r := e.do("POST", "/api/v1/me/phone/wechat", tok, map[string]string{"code": "p-new"})
	_, bound := token(t, r)
	assert.Equal(t, id, bound, "a free phone stays on the WeChat account")
	assert.Equal(t, "139****0011", r.obj(t)["user"].(map[string]any)["phone"])
	e.upload(tok, pngPhoto(t, 501))

	// A citizen who logged in by phone code before, then through WeChat:
	// binding the phone links the WeChat identity to the phone's account.
	phoneTok := e.phoneLogin("13900000022")
	r = e.do("GET", "/api/v1/me", phoneTok, nil)
	require.Equal(t, http.StatusOK, r.status)
	phoneID := r.obj(t)["id"].(string)
	e.wx.user("w1", "o-linked", "")
	wxTok, wxID := token(t, e.wxLogin("w1"))
	require.NotEqual(t, phoneID, wxID, "a WeChat login without a phone starts its own account")
	e.wx.phoneCode("p-linked", "13900000022")
	r = e.do("POST", "/api/v1/me/phone/wechat", wxTok, map[string]string{"code": "p-linked"})
	linkedTok, linkedID := token(t, r)
	assert.Equal(t, phoneID, linkedID, "the WeChat identity joins the phone's account")
	e.wx.user("w2", "o-linked", "")
	_, again := token(t, e.wxLogin("w2"))
	assert.Equal(t, phoneID, again, "the next WeChat login is the phone's account")
	r = e.do("GET", "/api/v1/me", linkedTok, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, true, r.obj(t)["wechat"])

	// The phone of an account with another WeChat identity is refused.
	e.wx.user("x1", "o-intruder", "")
	xTok, _ := token(t, e.wxLogin("x1"))
	e.wx.phoneCode("p-taken", "13900000022")
	r = e.do("POST", "/api/v1/me/phone/wechat", xTok, map[string]string{"code": "p-taken"})
	assert.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	// Errors of getuserphonenumber.
	for code, want := range map[string]int{codeInvalid: 400, codeBusy: 503, codeLimited: 429, "p-new": 409} {
		r = e.do("POST", "/api/v1/me/phone/wechat", xTok, map[string]string{"code": code})
		assert.Equal(t, want, r.status, "getuserphonenumber %s: %s", code, r.body)
	}
	fetches, _ := e.wx.counts()
	assert.Equal(t, 1, fetches, "the stable token is fetched once and shared")

	// A token WeChat no longer holds valid is dropped and fetched again once.
	e.wx.rotate()
	e.wx.phoneCode("p-later", "13900000033")
	r = e.do("POST", "/api/v1/me/phone/wechat", xTok, map[string]string{"code": "p-later"})
	assert.Equal(t, http.StatusOK, r.status, "%s", r.body)
	fetches, _ = e.wx.counts()
	assert.Equal(t, 2, fetches, "one fetch after the token was refused")
}

// TestWeChatPayNeverConfirmed: a transfer the citizen never confirms is
// cancelled by WeChat Pay; the reward becomes claimable again and the next
// claim gets a new bill number.
func TestWeChatPayNeverConfirmed(t *testing.T) { forEachBackend(t, testWeChatPayNeverConfirmed) }

func testWeChatPayNeverConfirmed(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	citizen, _ := e.verifiedCitizen("l1", "o-slow", "32010219880415678")
	rewardID := e.pendingReward(citizen, e.closedReport(citizen, 2))
	c := e.claim(citizen, rewardID)
	require.Equal(t, "claiming", c.State)
	first := e.lastBill()
	require.NoError(t, e.pay.Expire(first.OutBillNo))
	st, err := e.pay.Notify(context.Background(), e.client, first.OutBillNo)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, st)
	assert.Equal(t, "pending", e.status(citizen, rewardID), "claimable again")

	c = e.claim(citizen, rewardID)
	assert.Equal(t, "claiming", c.State)
	second := e.lastBill()
	assert.NotEqual(t, first.OutBillNo, second.OutBillNo, "a new bill number")
	assert.NotEqual(t, first.PackageInfo, c.Package, "a new package")
}

// TestWeChatPayInsufficientBalance: a merchant account without funds fails
// the claim without paying; the citizen claims again once it is funded.
func TestWeChatPayInsufficientBalance(t *testing.T) {
	forEachBackend(t, testWeChatPayInsufficientBalance)
}

func testWeChatPayInsufficientBalance(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	citizen, _ := e.verifiedCitizen("l1", "o-poor", "32010219880415678")
	rewardID := e.pendingReward(citizen, e.closedReport(citizen, 3))
	e.pay.SetBalance(0)
	c := e.claim(citizen, rewardID)
	assert.Equal(t, "pending", c.State, "NOT_ENOUGH: nothing paid, claimable again")
	assert.Empty(t, c.Package)
	assert.Equal(t, int64(0), e.pay.Balance())

	e.pay.SetBalance(wechatpaytest.DefaultBalance)
	c = e.claim(citizen, rewardID)
	assert.Equal(t, "claiming", c.State)
	assert.NotEmpty(t, c.Package)
}

// TestWeChatPayReconciled: a confirmed transfer whose callback was lost is
// found by the sweep, which asks WeChat Pay, and the reward is claimed.
func TestWeChatPayReconciled(t *testing.T) { forEachBackend(t, testWeChatPayReconciled) }

func testWeChatPayReconciled(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	citizen, _ := e.verifiedCitizen("l1", "o-lost", "32010219880415678")
	rewardID := e.pendingReward(citizen, e.closedReport(citizen, 4))
	e.claim(citizen, rewardID)
	require.NoError(t, e.pay.Confirm(e.lastBill().OutBillNo))
	e.srv.Sweep(context.Background())
	assert.Equal(t, "claiming", e.status(citizen, rewardID), "a young bill is left to its callback")
	e.clock.Advance(server.WeChatPayReconcileAfter + time.Minute)
	e.srv.Sweep(context.Background())
	assert.Equal(t, "claimed", e.status(citizen, rewardID), "reconciled")
}

// TestWeChatPayHalfConfigured: a half-filled WeChat Pay or WeChat
// configuration stops the start and names each missing setting, without
// printing a secret.
func TestWeChatPayHalfConfigured(t *testing.T) {
	base := server.Config{TokenSecret: bytes.Repeat([]byte("k"), 32), Logger: quietLogger()}
	for _, tc := range []struct {
		name   string
		edit   func(*server.Config)
		fields []string
	}{
		{"merchant ID only", func(c *server.Config) { c.WeChatPay = wechatpay.Config{MchID: "1900000001"} },
			[]string{"app_id", "mch_cert_serial", "api_v3_key", "platform_public_key_id", "scene_id", "notify_url", "mch_private_key", "platform_public_key", "report_infos"}},
		{"no API v3 key", func(c *server.Config) {
			c.WeChatPay = wechatpaytest.NewServer(t).Config()
			c.WeChatPay.APIv3Key = ""
		}, []string{"api_v3_key"}},
		{"app ID without secret", func(c *server.Config) { c.WeChat = server.WeChatConfig{AppID: "wx1"} }, []string{"wechat_secret"}},
		{"secret without app ID", func(c *server.Config) { c.WeChat = server.WeChatConfig{Secret: "top-secret-value"} }, []string{"wechat_app_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, err := server.New(context.Background(), cfg)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var he *hazard.Error
			require.True(t, errors.As(err, &he))
			var got []string
			for _, f := range he.Fields {
				got = append(got, f.Field)
			}
			if len(got) == 0 {
				got = []string{he.Field}
			}
			for _, f := range tc.fields {
				assert.Contains(t, got, f, "missing settings named")
			}
			assert.NotContains(t, err.Error(), "top-secret-value")
		})
	}
}

// TestWeChatPayees: WeChat Pay pays the account's openid, with the real
// name of the verification once there is one; a reporter who never logged
// in through WeChat has no payee.
func TestWeChatPayees(t *testing.T) { forEachBackend(t, testWeChatPayees) }

func testWeChatPayees(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	ctx := context.Background()
	_, verified := e.verifiedCitizen("v1", "o-verified", "32010219880415678")
	p, err := server.PayeeOf(ctx, e.srv, verified)
	require.NoError(t, err)
	assert.Equal(t, wechatpay.Payee{OpenID: "o-verified", RealName: "王五"}, p, "verified citizen")

	e.wx.user("u1", "o-unverified", "")
	_, unverified := token(t, e.wxLogin("u1"))
	p, err = server.PayeeOf(ctx, e.srv, unverified)
	require.NoError(t, err)
	assert.Equal(t, wechatpay.Payee{OpenID: "o-unverified"}, p, "no real name before verification")

	_, err = server.PayeeOf(ctx, e.srv, "citizen-1")
	require.ErrorIs(t, err, hazard.ErrNotFound, "a citizen without WeChat")
}

// TestWeChatUnreachable: WeChat down is 503, and neither the answer nor
// the log quotes the URL with the app secret.
func TestWeChatUnreachable(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	logs := &lockedBuffer{}
	const secret = "app-secret-in-the-url"
	s := startServer(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.WeChat = server.WeChatConfig{AppID: "wx0000000000000001", Secret: secret, BaseURL: gone.URL}
	})
	r := s.do("POST", "/api/v1/auth/wechat", "", map[string]string{"code": "some-code"})
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	assert.Equal(t, "unavailable", r.errCode(t))
	assert.NotContains(t, string(r.body)+logs.String(), secret)
}
