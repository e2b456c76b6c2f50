package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeWeChat behaves like api.weixin.qq.com for the stable-token and
// subscribe-send endpoints: one valid token at a time (normal mode returns
// it), 42001 for any other, and error codes chosen by the openid.
type fakeWeChat struct {
	mu         sync.Mutex
	valid      string
	n          int
	fetches    int
	sends      int
	rejectAll  bool
	got        []map[string]any
	tokenError int
}

func (f *fakeWeChat) rotate() {
	f.n++
	f.valid = fmt.Sprintf("tok-%d", f.n)
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	reply := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch r.URL.Path {
	case "/cgi-bin/stable_token":
		f.fetches++
		if f.tokenError != 0 {
			reply(map[string]any{"errcode": f.tokenError, "errmsg": "error"})
			return
		}
		if body["grant_type"] != "client_credential" || body["appid"] != "wx-app" || body["secret"] != "s3cret" {
			reply(map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
			return
		}
		if f.valid == "" {
			f.rotate()
		}
		reply(map[string]any{"access_token": f.valid, "expires_in": 7200})
	case "/cgi-bin/message/subscribe/send":
		f.sends++
		if f.rejectAll || r.URL.Query().Get("access_token") != f.valid {
			reply(map[string]any{"errcode": 42001, "errmsg": "access_token expired"})
			return
		}
		codes := map[string]int{"refused": 43101, "bad-openid": 40003, "bad-data": 47003, "busy": -1, "quota": 45009, "minute": 45011}
		if c, ok := codes[body["touser"].(string)]; ok {
			reply(map[string]any{"errcode": c, "errmsg": "error"})
			return
		}
		f.got = append(f.got, body)
		reply(map[string]any{"errcode": 0, "errmsg": "ok"})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

var wechatTemplates = map[string]notify.WeChatTemplate{
	notify.KeyReceived: {ID: "TPL-RECEIVED", Page: "pages/report/detail?ref={{.ref}}",
		Fields: map[string]string{"character_string1": "{{.ref}}", "phrase2": "已受理", "thing3": "您的隐患报告已收到"}},
	notify.KeyRewardPending: {ID: "TPL-REWARD", Page: "pages/mine/rewards",
		Fields: map[string]string{"character_string1": "{{.ref}}", "amount2": "{{yuan .amount_fen}}", "date3": "{{date .claim_by}}"}},
}

func newWeChat(t *testing.T, f *fakeWeChat, c *hazardtest.Clock) *notify.WeChat {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	w, err := notify.NewWeChat(notify.WeChatConfig{AppID: "wx-app", Secret: "s3cret", BaseURL: srv.URL,
		Templates: wechatTemplates, Clock: c.Now, Timeout: time.Second})
	require.NoError(t, err)
	return w
}

func to(openid string) notify.Recipient {
	return notify.Recipient{UserID: "u-" + openid, Locale: "en", Addresses: map[notify.Channel]string{notify.ChannelWeChat: openid}}
}

func TestWeChatSendsAndCachesToken(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	w := newWeChat(t, f, c)
	ctx := context.Background()
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	assert.Equal(t, 1, f.fetches, "token fetched once and cached")
	require.Len(t, f.got, 2)
	assert.Equal(t, "TPL-RECEIVED", f.got[0]["template_id"])
	assert.Equal(t, "pages/report/detail?ref=LC-1", f.got[0]["page"])
	assert.Equal(t, "formal", f.got[0]["miniprogram_state"])
	assert.Equal(t, "en_US", f.got[0]["lang"])
	assert.Equal(t, map[string]any{"character_string1": map[string]any{"value": "LC-1"},
		"phrase2": map[string]any{"value": "已受理"}, "thing3": map[string]any{"value": "您的隐患报告已收到"}}, f.got[0]["data"])

	c.Advance(7200*time.Second - notify.DefaultTokenMargin - time.Second)
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	assert.Equal(t, 1, f.fetches, "still cached just before the margin")
	c.Advance(2 * time.Second)
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	assert.Equal(t, 2, f.fetches, "refreshed shortly before expiry")
}

func TestWeChatRefreshesRejectedTokenOnce(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	w := newWeChat(t, f, c)
	ctx := context.Background()
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	f.mu.Lock()
	f.rotate() // the cached token is no longer valid: 42001
	f.mu.Unlock()
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	assert.Equal(t, 2, f.fetches)
	assert.Equal(t, 3, f.sends, "one send rejected, then resent once")

	f.mu.Lock()
	f.rejectAll = true
	f.mu.Unlock()
	err := w.Notify(ctx, to("oUser1"), msg)
	require.ErrorIs(t, err, notify.ErrCredentials)
	assert.True(t, notify.Retryable(err))
	assert.Equal(t, 3, f.fetches, "refreshed once only")
	assert.Equal(t, 5, f.sends, "resent once only")
}

func TestWeChatErrorCodes(t *testing.T) {
	tests := []struct {
		openid  string
		wantErr error
		after   time.Duration
	}{
		{"refused", notify.ErrPermanent, 0},
		{"bad-openid", notify.ErrPermanent, 0},
		{"bad-data", notify.ErrPermanent, 0},
		{"busy", notify.ErrTemporary, 0},
		{"quota", notify.ErrRateLimited, 8 * time.Hour}, // 16:00 CST until midnight
		{"minute", notify.ErrRateLimited, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.openid, func(t *testing.T) {
			f, c := &fakeWeChat{}, newClock()
			err := newWeChat(t, f, c).Notify(context.Background(), to(tt.openid), msg)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.after, notify.RetryAfter(err))
		})
	}
}

func TestWeChatBadCredentials(t *testing.T) {
	f, c := &fakeWeChat{tokenError: 40125}, newClock()
	err := newWeChat(t, f, c).Notify(context.Background(), to("oUser1"), msg)
	require.ErrorIs(t, err, notify.ErrPermanent)
	assert.Equal(t, 0, f.sends)
	f2 := &fakeWeChat{tokenError: -1}
	require.ErrorIs(t, newWeChat(t, f2, c).Notify(context.Background(), to("oUser1"), msg), notify.ErrTemporary)
}

func TestWeChatValidatesBeforeSending(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	w := newWeChat(t, f, c)
	ctx := context.Background()
	long := notify.Message{Template: notify.KeyReceived, Data: map[string]string{"ref": strings.Repeat("X", 33)}}
	err := w.Notify(ctx, to("oUser1"), long)
	require.ErrorIs(t, err, notify.ErrPermanent)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	require.ErrorIs(t, w.Notify(ctx, notify.Recipient{UserID: "x"}, msg), notify.ErrPermanent, "no openid")
	require.ErrorIs(t, w.Notify(ctx, to("oUser1"), notify.Message{Template: notify.KeyOTP}), notify.ErrPermanent, "no template")
	assert.Equal(t, 0, f.sends, "nothing was sent")

	reward := notify.Message{Template: notify.KeyRewardPending, Data: map[string]string{"ref": "LC-1", "amount_fen": "5000", "claim_by": "2026-12-08T16:00:00Z"}}
	require.NoError(t, w.Notify(ctx, to("oUser1"), reward))
	assert.Equal(t, map[string]any{"value": "¥50.00"}, f.got[0]["data"].(map[string]any)["amount2"])
	assert.Equal(t, map[string]any{"value": "2026年12月9日 00:00"}, f.got[0]["data"].(map[string]any)["date3"])
}

func TestWeChatCancelled(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, newWeChat(t, f, c).Notify(ctx, to("oUser1"), msg), context.Canceled)
}

func TestNewWeChatFailsAtStartUp(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
	}{
		{"unknown field type", map[string]string{"colour1": "red"}},
		{"data never supplied", map[string]string{"thing1": "{{.reporter_name}}"}},
		{"too long for thing", map[string]string{"thing1": "{{.ref}}{{.ref}}"}},
		{"does not parse", map[string]string{"thing1": "{{.ref"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewWeChat(notify.WeChatConfig{AppID: "a", Secret: "s",
				Templates: map[string]notify.WeChatTemplate{notify.KeyReceived: {ID: "T", Fields: tt.fields}}})
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
	_, err := notify.NewWeChat(notify.WeChatConfig{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestValidateWeChatField(t *testing.T) {
	tests := []struct {
		field, value string
		ok           bool
	}{
		{"thing1", strings.Repeat("隐", 20), true},
		{"thing1", strings.Repeat("隐", 21), false},
		{"thing2", "", false},
		{"character_string1", "LC-20261128-000123", true},
		{"character_string1", strings.Repeat("1", 33), false},
		{"character_string1", "编号1", false},
		{"phrase3", "处理中", true},
		{"phrase3", "处理中处理中", false},
		{"phrase3", "ok", false},
		{"number4", "12.5", true},
		{"number4", "12a", false},
		{"letter5", "abc", true},
		{"letter5", "ab1", false},
		{"name6", "张三", true},
		{"name6", "张三张三张三张三张三张", false},
		{"name6", "Zhang San", true},
		{"amount7", "¥50.00", true},
		{"amount7", "50元", true},
		{"amount7", "¥12345678901", false},
		{"time8", "15:01", true},
		{"time8", "2019年10月1日 15:01", true},
		{"time8", "2019-10-01 15:01~2019-10-01 16:01", true},
		{"time8", "soon", false},
		{"date9", "2019年10月1日", true},
		{"date9", "2019-10-01 15:01", true},
		{"date9", "15:01", false},
		{"phone_number10", "+86-0766-66888866", true},
		{"symbol11", "%", true},
		{"unknown12", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			got := notify.ValidateWeChatField(tt.field, tt.value)
			assert.Equal(t, tt.ok, got == "", "ValidateWeChatField(%q, %q) = %q", tt.field, tt.value, got)
		})
	}
}

func TestFallbackWeChatToSMS(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	sms := notify.NewRecorder(notify.ChannelSMS, nil)
	n := notify.Fallback(newWeChat(t, f, c), sms)
	refused := to("refused")
	refused.Addresses[notify.ChannelSMS] = "13812345678"
	require.NoError(t, n.Notify(context.Background(), refused, msg))
	require.Len(t, sms.Sent(), 1, "43101 fell back to SMS")

	busy := to("busy")
	busy.Addresses[notify.ChannelSMS] = "13812345678"
	require.ErrorIs(t, n.Notify(context.Background(), busy, msg), notify.ErrTemporary)
	assert.Len(t, sms.Sent(), 1, "a busy WeChat is retried later, not replaced by SMS")
}

func TestWeChatSharesItsAccessToken(t *testing.T) {
	f, c := &fakeWeChat{}, newClock()
	w := newWeChat(t, f, c)
	ctx := context.Background()
	tok, err := w.AccessToken(ctx)
	require.NoError(t, err)
	require.NoError(t, w.Notify(ctx, to("oUser1"), msg))
	again, err := w.AccessToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, tok, again, "AccessToken after Notify")
	assert.Equal(t, 1, f.fetches, "one fetch for AccessToken and Notify together")

	f.mu.Lock()
	f.rotate()
	f.mu.Unlock()
	w.InvalidateToken(tok)
	fresh, err := w.AccessToken(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, tok, fresh, "AccessToken after InvalidateToken")
	assert.Equal(t, 2, f.fetches, "a refused token is fetched again")
	w.InvalidateToken(tok) // no longer the cached one: nothing happens
	got, err := w.AccessToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, fresh, got, "InvalidateToken of an old token keeps the new one")
}
