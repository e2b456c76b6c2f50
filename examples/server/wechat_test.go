package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// wxEnv is a server with WeChat login and WeChat Pay, each against its
// local fake.
type wxEnv struct {
	*testServer
	srv   *server.Server
	wx    *fakeWeChat
	pay   *wechatpaytest.Server
	clock *hazardtest.Clock
	// phones counts the phone numbers bound, to make each one new.
	phones int
}

// startWeChat runs the server (New and Serve on 127.0.0.1:0, listening
// first so that the callback URL names it) with demo data, WeChat login
// against a local code2Session/getuserphonenumber/stable_token and WeChat
// Pay against wechatpaytest.
func startWeChat(t *testing.T, backend func(*server.Config)) *wxEnv {
	t.Helper()
	wx := newFakeWeChat(t, wechatpaytest.AppID)
	pay := wechatpaytest.NewServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	clk := newClock()
	cfg := server.Config{
		Addr: ln.Addr().String(), PhotoDir: t.TempDir(), Demo: true,
		TokenSecret: []byte("0123456789abcdef0123456789abcdef"), Logger: quietLogger(),
		Notifier: rec, RelayInterval: 10 * time.Millisecond, Clock: clk.Now, BaseURL: base,
		WeChat: server.WeChatConfig{AppID: wechatpaytest.AppID, Secret: wx.secret, BaseURL: wx.srv.URL,
			Templates: map[string]notify.WeChatTemplate{notify.KeyRewardClaimed: {ID: "TPL-CLAIMED", Page: "pages/mine/rewards",
				Fields: map[string]string{"amount1": "{{yuan .amount_fen}}", "thing2": "隐患举报奖励已到账"}}}},
		WeChatPay: pay.Config(),
	}
	cfg.WeChatPay.AppID = "" // from WeChat
	cfg.WeChatPay.NotifyURL = base + "/api/v1/pay/wechat/notify"
	backend(&cfg)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg)
	if err != nil {
		cancel()
		_ = ln.Close()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "Serve after shutdown")
		require.NoError(t, srv.Close())
	})
	ts := &testServer{t: t, base: base, recorder: rec, client: &http.Client{Timeout: 10 * time.Second}}
	return &wxEnv{testServer: ts, srv: srv, wx: wx, pay: pay, clock: clk}
}

// wxLogin logs in with a wx.login code and returns the answer.
func (e *wxEnv) wxLogin(code string) response {
	e.t.Helper()
	return e.do("POST", "/api/v1/auth/wechat", "", map[string]string{"code": code})
}

// token returns the token of a login answer.
func token(t *testing.T, r response) (tok, userID string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "login: %s", r.body)
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID     string `json:"id"`
			WeChat bool   `json:"wechat"`
		} `json:"user"`
	}
	r.json(t, &out)
	require.True(t, out.User.WeChat, "the account has a WeChat identity")
	return out.Token, out.User.ID
}

// closedReport submits a report as citizen (the coordinates in wx.getLocation's
// spelling) and takes it through the loop to closed_valid; it returns its ref.
func (e *wxEnv) closedReport(citizen string, seed int) string {
	t := e.t
	t.Helper()
	staff := func(id string) string {
		tok, err := e.srv.Token(id)
		require.NoError(t, err)
		return tok
	}
	v := e.submit(citizen, []string{e.upload(citizen, pngPhoto(t, seed))}, func(b map[string]any) {
		b["coord_system"] = "gcj02"
		b["address"] = "微信测试路" + strings.Repeat("1", seed%5+1) + "号"
	})
	id := v["id"].(string)
	v = e.act(staff("dispatcher-1"), id, "dispatch", map[string]any{"expected_version": version(v), "department": "fire"})
	v = e.act(staff("fire-1"), id, "accept", map[string]any{"expected_version": version(v)})
	v = e.act(staff("fire-1"), id, "resolve", map[string]any{"expected_version": version(v), "note": "已清理",
		"photos": []string{e.upload(staff("fire-1"), pngPhoto(t, seed+1000))}})
	v = e.act(staff("reviewer-1"), id, "approve", map[string]any{"expected_version": version(v), "verdict": "整改到位"})
	require.Equal(t, "closed_valid", v["state"])
	return v["ref"].(string)
}

// pendingReward waits for the reward of ref and returns its ID.
func (e *wxEnv) pendingReward(citizen, ref string) string {
	e.t.Helper()
	require.NoError(e.t, e.srv.Drain(context.Background()))
	r := e.do("GET", "/api/v1/me/rewards?status=pending", citizen, nil)
	require.Equal(e.t, http.StatusOK, r.status)
	var l struct {
		Items []struct {
			ID        string `json:"id"`
			HazardRef string `json:"hazard_ref"`
		} `json:"items"`
	}
	r.json(e.t, &l)
	for _, it := range l.Items {
		if it.HazardRef == ref {
			return it.ID
		}
	}
	e.t.Fatalf("no pending reward for %s: %s", ref, r.body)
	return ""
}

// claimAnswer is the answer of a claim.
type claimAnswer struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	State   string `json:"state"`
	Package string `json:"package"`
	MchID   string `json:"mch_id"`
	AppID   string `json:"app_id"`
	Amount  int64  `json:"amount_fen"`
}

func (e *wxEnv) claim(citizen, rewardID string) claimAnswer {
	e.t.Helper()
	r := e.do("POST", "/api/v1/me/rewards/"+rewardID+"/claim", citizen, nil)
	require.Equal(e.t, http.StatusOK, r.status, "claim: %s", r.body)
	var c claimAnswer
	r.json(e.t, &c)
	return c
}

func (e *wxEnv) status(citizen, rewardID string) string {
	e.t.Helper()
	for _, st := range []string{"pending", "claiming", "claimed", "failed", "expired"} {
		r := e.do("GET", "/api/v1/me/rewards?status="+st, citizen, nil)
		require.Equal(e.t, http.StatusOK, r.status)
		if bytes.Contains(r.body, []byte(rewardID)) {
			return st
		}
	}
	return ""
}

// lastBill returns the fake's last bill.
func (e *wxEnv) lastBill() wechatpaytest.Bill {
	e.t.Helper()
	bills := e.pay.Bills()
	require.NotEmpty(e.t, bills, "bills at WeChat Pay")
	return bills[len(bills)-1]
}

// verifiedCitizen logs a new citizen in through WeChat, binds a new phone
// number and verifies them.
func (e *wxEnv) verifiedCitizen(code, openid, residentID string) (tok, userID string) {
	e.t.Helper()
	e.wx.user(code, openid, "")
	tok, userID = token(e.t, e.wxLogin(code))
	e.phones++
	e.wx.phoneCode("phone-"+code, fmt.Sprintf("1370000%04d", e.phones))
	r := e.do("POST", "/api/v1/me/phone/wechat", tok, map[string]string{"code": "phone-" + code})
	require.Equal(e.t, http.StatusOK, r.status, "bind phone: %s", r.body)
	r = e.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": withCheck(residentID)})
	require.Equal(e.t, http.StatusOK, r.status, "verify: %s", r.body)
	return tok, userID
}

// TestWeChatRewardPaid is the WeChat path end to end: WeChat login →
// report → loop → reward issued → claim → package_info → callback SUCCESS →
// reward claimed and the notice sent to the citizen's openid; then a
// duplicate and a forged callback change nothing.
func TestWeChatRewardPaid(t *testing.T) { forEachBackend(t, testWeChatRewardPaid) }

func testWeChatRewardPaid(t *testing.T, backend func(*server.Config)) {
	e := startWeChat(t, backend)
	citizen, userID := e.verifiedCitizen("login-1", "o-openid-1", "32010219880415678")
	ref := e.closedReport(citizen, 1)
	rewardID := e.pendingReward(citizen, ref)

	c := e.claim(citizen, rewardID)
	assert.Equal(t, "claiming", c.State, "claim state")
	assert.NotEmpty(t, c.Package, "package_info for wx.requestMerchantTransfer")
	assert.Equal(t, wechatpaytest.MchID, c.MchID)
	assert.Equal(t, wechatpaytest.AppID, c.AppID)
	bill := e.lastBill()
	assert.Equal(t, "o-openid-1", bill.OpenID, "paid to the account's openid")
	assert.Equal(t, c.Package, bill.PackageInfo)
	assert.Equal(t, c.Amount, bill.Amount)

	// The app was closed: the same package again.
	r := e.do("GET", "/api/v1/me/rewards/"+rewardID+"/claim", citizen, nil)
	require.Equal(t, http.StatusOK, r.status, "pending claim: %s", r.body)
	var again claimAnswer
	r.json(t, &again)
	assert.Equal(t, c.Package, again.Package, "package of the pending claim")

	// The citizen confirms; WeChat Pay calls back.
	require.NoError(t, e.pay.Confirm(bill.OutBillNo))
	st, err := e.pay.Notify(context.Background(), e.client, bill.OutBillNo)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, st, "callback answer")
	assert.Equal(t, "claimed", e.status(citizen, rewardID))
	require.NoError(t, e.srv.Drain(context.Background()))
	assert.Equal(t, []subscribeSent{{ToUser: "o-openid-1", TemplateID: "TPL-CLAIMED", Page: "pages/mine/rewards"}},
		e.wx.subscribeMessages(), "the reward claimed notice, by subscribe message to the account's openid")
	// Notices without a subscribe template reach the other channel, with
	// the openid in the recipient's addresses.
	var notice *notify.Sent
	for _, m := range e.recorder.Sent() {
		if m.Message.Template == notify.KeyRewardPending && m.Message.Data["ref"] == ref {
			notice = &m
		}
	}
	require.NotNil(t, notice, "reward pending notice; sent %v", templates(e.recorder))
	assert.Equal(t, userID, notice.To.UserID)
	assert.Equal(t, "o-openid-1", notice.To.Addresses[notify.ChannelWeChat], "the account's openid")
	fetches, _ := e.wx.counts()
	assert.Equal(t, 1, fetches, "one stable token for the notices")

	// A duplicate callback is answered as WeChat Pay expects and changes nothing.
	st, err = e.pay.Notify(context.Background(), e.client, bill.OutBillNo)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, st, "duplicate callback")
	assert.Len(t, e.pay.Bills(), 1, "one bill")
	assert.Equal(t, "claimed", e.status(citizen, rewardID))
	r = e.do("GET", "/api/v1/stats", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	var stats struct {
		Programme server.ProgrammeFigures `json:"programme"`
	}
	r.json(t, &stats)
	assert.Equal(t, 1, stats.Programme.RewardsPaid, "paid once: %s", r.body)

	// A forged callback is refused with 401 and changes nothing.
	req, err := e.pay.CallbackRequest(bill.OutBillNo, wechatpaytest.CallbackOptions{Forged: true})
	require.NoError(t, err)
	res := e.send(req)
	assert.Equal(t, http.StatusUnauthorized, res.status, "forged callback: %s", res.body)
	assert.Contains(t, string(res.body), `"FAIL"`, "WeChat Pay's error shape")
	// A replayed one too.
	req, err = e.pay.CallbackRequest(bill.OutBillNo, wechatpaytest.CallbackOptions{At: time.Now().Add(-time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, e.send(req).status, "replayed callback")
	assert.Equal(t, "claimed", e.status(citizen, rewardID))

	// The report's point was stored in its canonical system.
	r = e.do("GET", "/api/v1/me/reports", citizen, nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), `"system":"GCJ02"`, "canonical coordinate system")
}
