package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// Limits of the WeChat login client.
const (
	// MaxWeChatCodeLen is the longest code from wx.login or
	// getPhoneNumber accepted, in bytes.
	MaxWeChatCodeLen = 128
	// maxWeChatAnswer is the largest answer of WeChat's API read.
	maxWeChatAnswer = 64 << 10
	// DefaultWeChatTimeout bounds one call to WeChat's API.
	DefaultWeChatTimeout = 10 * time.Second
)

// WeChatConfig is the mini-program's settings for WeChat login: its app
// ID and secret. Both or neither are set.
type WeChatConfig struct {
	// AppID is the mini-program's app ID.
	AppID string
	// Secret is its app secret; it is sent to WeChat only, never logged.
	Secret string
	// BaseURL is WeChat's API base URL; default notify.DefaultWeChatBaseURL.
	// Tests point it at a local fake.
	BaseURL string
	// HTTPClient makes the calls; default a client with
	// DefaultWeChatTimeout.
	HTTPClient *http.Client
	// Templates maps notice keys (notify.KeyRewardClaimed...) to the
	// mini-program's subscribe-message templates. With any, notices to a
	// citizen who logged in through WeChat go by subscribe message to the
	// account's openid, with the same stable access token as the login
	// client, and fall back to Config.Notifier when WeChat refuses (no
	// subscription left) or a key has no template.
	Templates map[string]notify.WeChatTemplate
}

// configured reports whether any setting is given.
func (c WeChatConfig) configured() bool { return c.AppID != "" || c.Secret != "" }

// validate names the missing setting of a half-filled configuration.
func (c WeChatConfig) validate() error {
	var p hazard.Problems
	if c.AppID == "" {
		p.Add("wechat_app_id", "is required with wechat_secret")
	}
	if c.Secret == "" {
		p.Add("wechat_secret", "is required with wechat_app_id")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" {
			p.Add("wechat_base_url", "must be an absolute URL")
		}
	}
	return p.Err("wechat config")
}

// WeChat error codes of code2Session and getuserphonenumber.
const (
	wxBusy         = -1
	wxInvalidToken = 40001
	wxTokenBad     = 40014
	wxInvalidCode  = 40029
	wxTokenExpired = 42001
	wxRateLimited  = 45011
	wxCodeUsed     = 40163
	wxRiskyUser    = 40226
)

// wxLogin is a small client of WeChat's login API: code2Session for the
// code of wx.login, getuserphonenumber for the code of getPhoneNumber
// (with the stable access token the subscribe-message adapter shares). It
// never keeps or logs the session key.
type wxLogin struct {
	cfg    WeChatConfig
	client *http.Client
	// tokens is the subscribe-message adapter, whose stable access token
	// the login client shares.
	tokens *notify.WeChat
}

func newWXLogin(cfg WeChatConfig) (*wxLogin, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = notify.DefaultWeChatBaseURL
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultWeChatTimeout}
	}
	tokens, err := notify.NewWeChat(notify.WeChatConfig{AppID: cfg.AppID, Secret: cfg.Secret, BaseURL: cfg.BaseURL,
		Client: client, Templates: cfg.Templates})
	if err != nil {
		return nil, err
	}
	return &wxLogin{cfg: cfg, client: client, tokens: tokens}, nil
}

// wxAnswer is the error part of every WeChat answer.
type wxAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// checkCode checks a code from the mini-program (field names it).
func checkCode(field, code string) error {
	switch {
	case code == "":
		return &hazard.Error{Code: hazard.CodeInvalid, Field: field, Message: "is required"}
	case len(code) > MaxWeChatCodeLen || strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || r > '~' }):
		return &hazard.Error{Code: hazard.CodeInvalid, Field: field, Message: "is not a WeChat code"}
	}
	return nil
}

// wxError maps a WeChat error code to our answer; field names the code
// the client sent.
func wxError(op, field string, code int) error {
	switch code {
	case wxInvalidCode:
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: field, Message: "WeChat refused the code as invalid; get a new one"}
	case wxCodeUsed:
		return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: field, Message: "the code was used already; get a new one"}
	case wxRateLimited:
		return &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "WeChat is rate limiting logins; try again in a minute"}
	case wxBusy:
		return &hazard.Error{Code: CodeUnavailable, Op: op, Message: "WeChat is busy; try again"}
	case wxRiskyUser:
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "WeChat blocked this login as risky"}
	}
	return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "WeChat refused the call", Err: errCode(code)}
}

// errRequest is a request that cannot be made; its cause, which would
// quote the URL with a secret, is left out.
func errRequest(op string) error {
	return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the request to WeChat cannot be made"}
}

// errCode is a WeChat error code kept as a cause for the log.
type errCode int

func (e errCode) Error() string { return "wechat errcode " + strconv.Itoa(int(e)) }

// call sends req and decodes WeChat's answer into v.
func (c *wxLogin) call(req *http.Request, op string, v any) error {
	res, err := c.client.Do(req)
	if err != nil {
		// The URL carries the app secret or the access token: keep only
		// the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return &hazard.Error{Code: CodeUnavailable, Op: op, Message: "WeChat cannot be reached; try again", Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxWeChatAnswer))
	if err != nil || res.StatusCode != http.StatusOK {
		return &hazard.Error{Code: CodeUnavailable, Op: op, Message: "WeChat did not answer; try again", Err: err}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "WeChat answered something unexpected", Err: err}
	}
	return nil
}

// session exchanges a wx.login code for the user's identity
// (code2Session). The session key in the answer is dropped unread.
func (c *wxLogin) session(ctx context.Context, code string) (wxIdentity, error) {
	const op = "wechat.code2Session"
	if err := checkCode("code", code); err != nil {
		return wxIdentity{}, err
	}
	q := url.Values{"appid": {c.cfg.AppID}, "secret": {c.cfg.Secret}, "js_code": {code}, "grant_type": {"authorization_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/sns/jscode2session?"+q.Encode(), nil)
	if err != nil {
		return wxIdentity{}, errRequest(op)
	}
	var ans struct {
		wxAnswer
		OpenID  string `json:"openid"`
		UnionID string `json:"unionid"`
		// session_key is not decoded: it is never kept.
	}
	if err := c.call(req, op, &ans); err != nil {
		return wxIdentity{}, err
	}
	if ans.ErrCode != 0 {
		return wxIdentity{}, wxError(op, "code", ans.ErrCode)
	}
	if ans.OpenID == "" {
		return wxIdentity{}, &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "WeChat answered without an openid"}
	}
	return wxIdentity{openID: ans.OpenID, unionID: ans.UnionID}, nil
}

// phone exchanges a getPhoneNumber code for the user's phone number
// (getuserphonenumber), with the shared access token; a token WeChat
// refuses is dropped and the call made once more.
func (c *wxLogin) phone(ctx context.Context, code string) (string, error) {
	const op = "wechat.getuserphonenumber"
	if err := checkCode("code", code); err != nil {
		return "", err
	}
	body, _ := json.Marshal(map[string]string{"code": code})
	for try := 0; ; try++ {
		tok, err := c.tokens.AccessToken(ctx)
		if err != nil {
			return "", &hazard.Error{Code: CodeUnavailable, Op: op, Message: "no WeChat access token; try again", Err: err}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			c.cfg.BaseURL+"/wxa/business/getuserphonenumber?access_token="+url.QueryEscape(tok), strings.NewReader(string(body)))
		if err != nil {
			return "", errRequest(op)
		}
		req.Header.Set("Content-Type", "application/json")
		var ans struct {
			wxAnswer
			PhoneInfo struct {
				PurePhoneNumber string `json:"purePhoneNumber"`
				CountryCode     string `json:"countryCode"`
			} `json:"phone_info"`
		}
		if err := c.call(req, op, &ans); err != nil {
			return "", err
		}
		switch ans.ErrCode {
		case 0:
			if ans.PhoneInfo.CountryCode != "" && ans.PhoneInfo.CountryCode != "86" {
				return "", &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "code", Message: "the phone number must be a mainland one"}
			}
			return checkPhone(ans.PhoneInfo.PurePhoneNumber)
		case wxInvalidToken, wxTokenBad, wxTokenExpired:
			c.tokens.InvalidateToken(tok)
			if try == 0 {
				continue
			}
		}
		return "", wxError(op, "code", ans.ErrCode)
	}
}
