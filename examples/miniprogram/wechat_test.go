package miniprogram_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
	"github.com/stretchr/testify/require"
)

// fakeSecret is the app secret the fake WeChat accepts.
const fakeSecret = "app-secret-for-miniprogram-tests"

// fakeWeChat answers the login endpoints of WeChat as documented:
// code2Session for a code of the harness's wx.login ("wxcode-<user>-<n>",
// the openid "openid-<user>"; each code once), getuserphonenumber for a
// getPhoneNumber code "phone-<number>" with the current stable token, and
// stable_token.
type fakeWeChat struct {
	mu   sync.Mutex
	used map[string]bool
}

func (f *fakeWeChat) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sns/jscode2session", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("appid") != wechatpaytest.AppID || q.Get("secret") != fakeSecret || q.Get("grant_type") != "authorization_code" {
			reply(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
			return
		}
		code := q.Get("js_code")
		parts := strings.Split(code, "-")
		if len(parts) != 3 || parts[0] != "wxcode" || f.use(code) {
			reply(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
			return
		}
		reply(w, map[string]any{"openid": "openid-" + parts[1], "session_key": "c2Vzc2lvbi1rZXk="})
	})
	mux.HandleFunc("POST /cgi-bin/stable_token", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"access_token": "stable-token", "expires_in": 7200})
	})
	mux.HandleFunc("POST /wxa/business/getuserphonenumber", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Code string `json:"code"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		phone, ok := strings.CutPrefix(body.Code, "phone-")
		if r.URL.Query().Get("access_token") != "stable-token" || !ok || f.use(body.Code) {
			reply(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
			return
		}
		reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "phone_info": map[string]any{
			"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}})
	})
	mux.HandleFunc("POST /cgi-bin/message/subscribe/send", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	})
	return mux
}

// use marks a code used and reports whether it was already.
func (f *fakeWeChat) use(code string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	was := f.used[code]
	f.used[code] = true
	return was
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// startWeChatServer runs the example server with WeChat login and WeChat
// Pay against local fakes, and a control route through which the harness's
// wx.requestMerchantTransfer plays the citizen in WeChat: POST
// /transfer {"package", "action"} with action confirm (the bill succeeds
// and WeChat Pay calls the server back) or cancel (nothing changes: the
// bill waits). It returns the server's and the control's URLs.
func startWeChatServer(t *testing.T) (base, control string) {
	t.Helper()
	wx := httptest.NewServer((&fakeWeChat{used: map[string]bool{}}).routes())
	t.Cleanup(wx.Close)
	pay := wechatpaytest.NewServer(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base = "http://" + ln.Addr().String()
	cfg := server.Config{
		Addr: ln.Addr().String(), PhotoDir: t.TempDir(), Demo: true,
		TokenSecret: []byte("miniprogram-wechat-test-secret-0123456789"),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Notifier:    notify.NewRecorder(notify.ChannelLog, nil), BaseURL: base,
		WeChat:    server.WeChatConfig{AppID: wechatpaytest.AppID, Secret: fakeSecret, BaseURL: wx.URL},
		WeChatPay: pay.Config(),
	}
	cfg.WeChatPay.AppID = ""
	cfg.WeChatPay.NotifyURL = base + "/api/v1/pay/wechat/notify"
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
		require.NoError(t, <-done)
		require.NoError(t, srv.Close())
	})

	client := &http.Client{Timeout: 10 * time.Second}
	ctl := http.NewServeMux()
	ctl.HandleFunc("POST /transfer", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Package, Action string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var no string
		for _, b := range pay.Bills() {
			if b.PackageInfo != "" && b.PackageInfo == in.Package {
				no = b.OutBillNo
			}
		}
		if no == "" {
			http.Error(w, "no bill waits with this package", http.StatusNotFound)
			return
		}
		if in.Action == "confirm" {
			err := pay.Confirm(no)
			var status int
			if err == nil {
				status, err = pay.Notify(r.Context(), client, no)
			}
			if err == nil && status/100 != 2 {
				err = errors.New("the server answered the callback " + fmt.Sprint(status))
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	cs := httptest.NewServer(ctl)
	t.Cleanup(cs.Close)
	return base, cs.URL
}
