package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Codes the fake WeChat answers with an error code, whatever else.
const (
	codeInvalid = "code-invalid" // 40029
	codeBusy    = "code-busy"    // -1
	codeLimited = "code-limited" // 45011
	codeRisky   = "code-risky"   // 40226
)

// fakeWeChat behaves like api.weixin.qq.com for the login endpoints:
// code2Session (each code once: 40163 after), getuserphonenumber (with
// the current stable token only: 40001 otherwise) and stable_token. It
// checks the app ID and secret and counts token fetches.
type fakeWeChat struct {
	appID, secret string

	mu       sync.Mutex
	users    map[string][2]string // wx.login code -> openid, unionid
	phones   map[string]string    // getPhoneNumber code -> phone
	used     map[string]bool
	token    string
	fetches  int
	sessions int
	sent     []subscribeSent
	srv      *httptest.Server
}

// subscribeSent is a subscribe message the fake accepted.
type subscribeSent struct {
	ToUser, TemplateID, Page string
}

func newFakeWeChat(t *testing.T, appID string) *fakeWeChat {
	t.Helper()
	f := &fakeWeChat{appID: appID, secret: "app-secret-for-tests", users: map[string][2]string{},
		phones: map[string]string{}, used: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sns/jscode2session", f.session)
	mux.HandleFunc("POST /wxa/business/getuserphonenumber", f.phone)
	mux.HandleFunc("POST /cgi-bin/stable_token", f.stableToken)
	mux.HandleFunc("POST /cgi-bin/message/subscribe/send", f.subscribe)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// user makes a wx.login code for the openid (and unionid).
func (f *fakeWeChat) user(code, openid, unionid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[code] = [2]string{openid, unionid}
}

// phoneCode makes a getPhoneNumber code for the phone.
func (f *fakeWeChat) phoneCode(code, phone string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phones[code] = phone
}

// rotate makes WeChat hold a new token valid, the old one refused.
func (f *fakeWeChat) rotate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = ""
}

func (f *fakeWeChat) counts() (fetches, sessions int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches, f.sessions
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// errorOf is the error code a special code answers with, or 0.
func errorOf(code string) int {
	return map[string]int{codeInvalid: 40029, codeBusy: -1, codeLimited: 45011, codeRisky: 40226}[code]
}

func (f *fakeWeChat) session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions++
	if q.Get("appid") != f.appID || q.Get("secret") != f.secret || q.Get("grant_type") != "authorization_code" {
		reply(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	code := q.Get("js_code")
	if c := errorOf(code); c != 0 {
		reply(w, map[string]any{"errcode": c, "errmsg": "error"})
		return
	}
	u, ok := f.users[code]
	switch {
	case !ok:
		reply(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
	case f.used[code]:
		reply(w, map[string]any{"errcode": 40163, "errmsg": "code been used"})
	default:
		f.used[code] = true
		ans := map[string]any{"openid": u[0], "session_key": "c2Vzc2lvbi1rZXktc2VjcmV0"}
		if u[1] != "" {
			ans["unionid"] = u[1]
		}
		reply(w, ans)
	}
}

func (f *fakeWeChat) phone(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code string `json:"code"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token == "" || r.URL.Query().Get("access_token") != f.token {
		reply(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
		return
	}
	if c := errorOf(body.Code); c != 0 {
		reply(w, map[string]any{"errcode": c, "errmsg": "error"})
		return
	}
	p, ok := f.phones[body.Code]
	switch {
	case !ok:
		reply(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
	case f.used[body.Code]:
		reply(w, map[string]any{"errcode": 40163, "errmsg": "code been used"})
	default:
		f.used[body.Code] = true
		reply(w, map[string]any{"errcode": 0, "errmsg": "ok", "phone_info": map[string]any{
			"phoneNumber": p, "purePhoneNumber": p, "countryCode": "86"}})
	}
}

func (f *fakeWeChat) stableToken(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if body["appid"] != f.appID || body["secret"] != f.secret || body["grant_type"] != "client_credential" {
		reply(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	if f.token == "" {
		f.token = fmt.Sprintf("stable-token-%d", f.fetches)
	}
	reply(w, map[string]any{"access_token": f.token, "expires_in": 7200})
}

func (f *fakeWeChat) subscribe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Page       string `json:"page"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token == "" || r.URL.Query().Get("access_token") != f.token {
		reply(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
		return
	}
	f.sent = append(f.sent, subscribeSent{ToUser: body.ToUser, TemplateID: body.TemplateID, Page: body.Page})
	reply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// subscribeMessages returns the subscribe messages sent.
func (f *fakeWeChat) subscribeMessages() []subscribeSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]subscribeSent(nil), f.sent...)
}
