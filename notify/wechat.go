package notify

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
)

// Defaults of the WeChat adapter.
const (
	// DefaultWeChatBaseURL is the WeChat API's base URL.
	DefaultWeChatBaseURL = "https://api.weixin.qq.com"
	// DefaultTokenMargin is how long before its expiry a cached access token
	// is replaced (WeChat itself renews stable tokens 5 minutes ahead).
	DefaultTokenMargin = 5 * time.Minute
	// MaxWeChatFields is the most fields a subscribe template may have.
	MaxWeChatFields = 20
)

// WeChat error codes the adapter acts on.
const (
	wxBusy           = -1
	wxInvalidToken   = 40001
	wxInvalidOpenID  = 40003
	wxInvalidAppID   = 40013
	wxTokenBad       = 40014
	wxBadTemplateID  = 40037
	wxInvalidSecret  = 40125
	wxIPNotAllowed   = 40164
	wxPageInvalid    = 41030
	wxTokenExpired   = 42001
	wxRefused        = 43101
	wxDailyQuota     = 45009
	wxMinuteQuota    = 45011
	wxDataInvalid    = 47003
	wxTooManyRefresh = 45035
)

// WeChatTemplate maps one template key to a subscribe-message template.
type WeChatTemplate struct {
	// ID is the template ID (模板ID) from the mini-program's console.
	ID string
	// Page is the mini-program page the card opens, e.g. "pages/report/detail";
	// it may use data like Fields.
	Page string
	// Fields maps each template field (thing1, character_string2, amount3,
	// time4...) to a text/template source over the message data, with the
	// functions of Texts (yuan, date, state, severity, trunc). The field's
	// type, named by its prefix, fixes its limits (see ValidateWeChatField).
	Fields map[string]string
}

// WeChatConfig configures a WeChat mini-program subscribe-message sender.
type WeChatConfig struct {
	AppID  string
	Secret string
	// BaseURL defaults to DefaultWeChatBaseURL (tests point it at httptest).
	BaseURL string
	// Templates maps template keys to subscribe templates; a key without
	// one is a permanent error for that message, so that a Fallback sends
	// it by SMS.
	Templates map[string]WeChatTemplate
	// MiniprogramState is "formal" (default), "trial" or "developer".
	MiniprogramState string
	// TokenMargin replaces a cached token this long before it expires
	// (DefaultTokenMargin).
	TokenMargin time.Duration
	// Client sends requests; Timeout bounds each one (DefaultHTTPTimeout).
	Client  *http.Client
	Timeout time.Duration
	// Clock is the time for token expiry and quota waits; default time.Now.
	Clock func() time.Time
}

type wechatTemplate struct {
	id     string
	page   *template.Template
	fields map[string]*template.Template
}

// WeChat sends mini-program subscribe messages (服务通知).
//
// It fetches the access token from the stable-token endpoint and caches it
// until TokenMargin before its expiry. When WeChat rejects the token (40001,
// 40014, 42001) it drops it, fetches a fresh one and resends once; a second
// rejection is KindCredentials. Template data is checked against WeChat's
// per-field limits before sending: invalid data is KindPermanent wrapping
// hazard.ErrInvalid and sends nothing. Error codes map to kinds: 43101 (the
// user refused or has no subscription left), 40003 (invalid openid), 47003
// (invalid data), 40037 and 41030 (bad template or page) are permanent for
// the recipient; -1 (system busy) is temporary; 45009 (daily quota, waiting
// until midnight China time) and 45011 (minute quota) are rate-limited.
// It is safe for concurrent use.
type WeChat struct {
	cfg       WeChatConfig
	templates map[string]wechatTemplate

	fetch sync.Mutex // serialises token fetches
	mu    sync.Mutex
	token string
	exp   time.Time
}

// NewWeChat checks cfg (CodeInvalid, every problem at once), parses every
// field template with missingkey=error and renders and validates each one
// whose key is in Keys with SampleData, so that a broken template fails at
// start-up.
func NewWeChat(cfg WeChatConfig) (*WeChat, error) {
	var p hazard.Problems
	if cfg.AppID == "" {
		p.Add("app_id", "is required")
	}
	if cfg.Secret == "" {
		p.Add("secret", "is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultWeChatBaseURL
	}
	if !validURL(cfg.BaseURL) {
		p.Add("base_url", "must be an absolute http(s) URL")
	}
	switch cfg.MiniprogramState {
	case "":
		cfg.MiniprogramState = "formal"
	case "formal", "trial", "developer":
	default:
		p.Add("miniprogram_state", "must be formal, trial or developer")
	}
	w := &WeChat{templates: make(map[string]wechatTemplate, len(cfg.Templates))}
	for _, key := range slices.Sorted(maps.Keys(cfg.Templates)) {
		wt := cfg.Templates[key]
		f := "templates." + key
		if wt.ID == "" {
			p.Add(f+".id", "is required")
		}
		if len(wt.Fields) == 0 || len(wt.Fields) > MaxWeChatFields {
			p.Add(f+".fields", "must have 1 to %d fields", MaxWeChatFields)
		}
		t := wechatTemplate{id: wt.ID, fields: make(map[string]*template.Template, len(wt.Fields))}
		var err error
		if t.page, err = template.New("page").Option("missingkey=error").Funcs(funcs(DefaultLocale)).Parse(wt.Page); err != nil {
			p.Add(f+".page", "does not parse: %v", err)
		}
		for _, name := range slices.Sorted(maps.Keys(wt.Fields)) {
			if _, ok := fieldLimits[fieldType(name)]; !ok {
				p.Add(f+".fields."+name, "is not a known WeChat field type")
				continue
			}
			ft, err := template.New(name).Option("missingkey=error").Funcs(funcs(DefaultLocale)).Parse(wt.Fields[name])
			if err != nil {
				p.Add(f+".fields."+name, "does not parse: %v", err)
				continue
			}
			t.fields[name] = ft
		}
		w.templates[key] = t
		if slices.Contains(Keys(), key) && t.page != nil && len(t.fields) == len(wt.Fields) {
			if _, _, err := t.render(SampleData(key)); err != nil {
				p.Merge(f, err)
			}
		}
	}
	if err := p.Err("notify.wechat"); err != nil {
		return nil, err
	}
	if cfg.TokenMargin <= 0 {
		cfg.TokenMargin = DefaultTokenMargin
	}
	httpDefaults(&cfg.Client, &cfg.Timeout, &cfg.Clock)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	w.cfg = cfg
	return w, nil
}

type wxValue struct {
	Value string `json:"value"`
}

// render fills the fields and page and validates every field; failures
// are one CodeInvalid *hazard.Error.
func (t wechatTemplate) render(data map[string]string) (rendered map[string]wxValue, page string, err error) {
	var p hazard.Problems
	out := make(map[string]wxValue, len(t.fields))
	for _, name := range slices.Sorted(maps.Keys(t.fields)) {
		var b strings.Builder
		if err := t.fields[name].Execute(&b, data); err != nil {
			p.Add("fields."+name, "does not render: %v", err)
			continue
		}
		v := b.String()
		if msg := ValidateWeChatField(name, v); msg != "" {
			p.Add("fields."+name, "%s", msg)
			continue
		}
		out[name] = wxValue{Value: v}
	}
	var b strings.Builder
	if err := t.page.Execute(&b, data); err != nil {
		p.Add("page", "does not render: %v", err)
	}
	if err := p.Err("wechat.render"); err != nil {
		return nil, "", err
	}
	return out, b.String(), nil
}

type fieldLimit struct {
	max   int // runes
	check func(string) bool
}

var (
	reNumber    = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	reLetter    = regexp.MustCompile(`^[A-Za-z]+$`)
	reCharStr   = regexp.MustCompile(`^[\x21-\x7e]+$`)
	reSymbol    = regexp.MustCompile(`^[[:punct:]]+$`)
	reAmount    = regexp.MustCompile(`^[¥￥$€£]?[0-9]{1,10}(\.[0-9]{1,2})?元?$`)
	rePhone     = regexp.MustCompile(`^[0-9+\-() ]+$`)
	datePart    = `[0-9]{4}(年[0-9]{1,2}月[0-9]{1,2}日|-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2})`
	timePart    = `[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?`
	oneTime     = `(` + datePart + ` ?)?` + timePart
	oneDate     = datePart + `( ?` + timePart + `)?`
	reTimeField = regexp.MustCompile(`^` + oneTime + `(~` + oneTime + `)?$`)
	reDateField = regexp.MustCompile(`^` + oneDate + `(~` + oneDate + `)?$`)
)

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func anyHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// fieldLimits are WeChat's subscribe-message value limits by field type.
var fieldLimits = map[string]fieldLimit{
	"thing":            {20, nil},
	"number":           {32, reNumber.MatchString},
	"letter":           {32, reLetter.MatchString},
	"symbol":           {5, reSymbol.MatchString},
	"character_string": {32, reCharStr.MatchString},
	"time":             {64, reTimeField.MatchString},
	"date":             {64, reDateField.MatchString},
	"amount":           {14, reAmount.MatchString},
	"phone_number":     {17, rePhone.MatchString},
	"car_number":       {8, nil},
	"name":             {20, func(s string) bool { return !anyHan(s) || utf8.RuneCountInString(s) <= 10 }},
	"phrase":           {5, allHan},
	"enum":             {20, nil},
}

// fieldType returns the type of a field name: "thing" for "thing12".
func fieldType(name string) string { return strings.TrimRight(name, "0123456789") }

// ValidateWeChatField checks value against the limits of field's type
// (named by its prefix: thing ≤ 20 characters; character_string ≤ 32
// letters, digits or symbols; phrase ≤ 5 Chinese characters; number ≤ 32
// digits; letter ≤ 32 letters; name ≤ 10 Chinese characters or 20 letters;
// amount a currency sign and ≤ 10 digits; time and date in 24-hour or 年月日
// formats, ranges joined by "~"; phone_number ≤ 17). It returns "" when the
// value fits, else what is wrong.
func ValidateWeChatField(field, value string) string {
	lim, ok := fieldLimits[fieldType(field)]
	if !ok {
		return "unknown field type"
	}
	n := utf8.RuneCountInString(value)
	switch {
	case n == 0:
		return "is empty"
	case n > lim.max:
		return "is longer than " + strconv.Itoa(lim.max) + " characters"
	case lim.check != nil && !lim.check(value):
		return "does not fit the " + fieldType(field) + " format"
	}
	return ""
}

type wxError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

type wxSend struct {
	ToUser           string             `json:"touser"`
	TemplateID       string             `json:"template_id"`
	Page             string             `json:"page,omitempty"`
	Data             map[string]wxValue `json:"data"`
	MiniprogramState string             `json:"miniprogram_state"`
	Lang             string             `json:"lang"`
}

// wxLang maps a locale to WeChat's lang parameter.
func wxLang(locale string) string { return localName(locale, "zh_CN", "en_US") }

// Notify implements Notifier.
func (w *WeChat) Notify(ctx context.Context, to Recipient, m Message) error {
	const op = "wechat.send"
	openid := to.Address(ChannelWeChat)
	if openid == "" {
		return Permanent(ChannelWeChat, op, "recipient has no openid", nil)
	}
	t, ok := w.templates[m.Template]
	if !ok {
		return Permanent(ChannelWeChat, op, "no subscribe template for "+m.Template, hazard.ErrInvalid)
	}
	if err := checkData(ChannelWeChat, op, m.Data); err != nil {
		return err
	}
	data := m.Data
	if data == nil {
		data = map[string]string{}
	}
	fields, page, err := t.render(data)
	if err != nil {
		return Permanent(ChannelWeChat, op, "template data invalid", err)
	}
	body := wxSend{ToUser: openid, TemplateID: t.id, Page: page, Data: fields,
		MiniprogramState: w.cfg.MiniprogramState, Lang: wxLang(m.locale(to))}
	for attempt := 0; ; attempt++ {
		tok, err := w.accessToken(ctx)
		if err != nil {
			return err
		}
		r, err := postJSON(ctx, w.cfg.Client, w.cfg.Timeout, ChannelWeChat, op,
			w.cfg.BaseURL+"/cgi-bin/message/subscribe/send?access_token="+url.QueryEscape(tok), body, nil)
		if err != nil {
			return err
		}
		if r.status != http.StatusOK {
			return statusError(ChannelWeChat, op, r, w.cfg.Clock())
		}
		var res wxError
		if err := json.Unmarshal(r.body, &res); err != nil {
			return Temporary(ChannelWeChat, op, "bad response", err)
		}
		switch res.ErrCode {
		case 0:
			return nil
		case wxInvalidToken, wxTokenBad, wxTokenExpired:
			w.invalidate(tok)
			if attempt == 0 {
				continue
			}
			return &Error{Kind: KindCredentials, Channel: ChannelWeChat, Op: op, Message: wxMessage(res)}
		}
		return w.classify(op, res)
	}
}

func wxMessage(res wxError) string {
	return "errcode " + strconv.Itoa(res.ErrCode)
}

// classify maps a WeChat error code to a kind.
func (w *WeChat) classify(op string, res wxError) error {
	msg := wxMessage(res)
	switch res.ErrCode {
	case wxRefused, wxInvalidOpenID, wxDataInvalid, wxBadTemplateID, wxPageInvalid,
		wxInvalidAppID, wxInvalidSecret, wxIPNotAllowed:
		return Permanent(ChannelWeChat, op, msg, nil)
	case wxDailyQuota:
		now := w.cfg.Clock().In(DisplayZone)
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, DisplayZone)
		return RateLimited(ChannelWeChat, op, msg, midnight.Sub(now))
	case wxMinuteQuota, wxTooManyRefresh:
		now := w.cfg.Clock()
		return RateLimited(ChannelWeChat, op, msg, now.Truncate(time.Minute).Add(time.Minute).Sub(now))
	default: // -1 system busy, and codes not documented here
		return Temporary(ChannelWeChat, op, msg, nil)
	}
}

type wxToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	wxError
}

// accessToken returns the cached token or fetches one from the stable-token
// endpoint in normal mode (force_refresh false): after a rejected token,
// normal mode returns the token WeChat currently holds valid without
// spending the 20 forced refreshes a day.
func (w *WeChat) accessToken(ctx context.Context) (string, error) {
	if tok, ok := w.cached(); ok {
		return tok, nil
	}
	w.fetch.Lock()
	defer w.fetch.Unlock()
	if tok, ok := w.cached(); ok { // fetched while we waited
		return tok, nil
	}
	const op = "wechat.token"
	r, err := postJSON(ctx, w.cfg.Client, w.cfg.Timeout, ChannelWeChat, op, w.cfg.BaseURL+"/cgi-bin/stable_token",
		map[string]any{"grant_type": "client_credential", "appid": w.cfg.AppID, "secret": w.cfg.Secret, "force_refresh": false}, nil)
	if err != nil {
		return "", err
	}
	if r.status != http.StatusOK {
		return "", statusError(ChannelWeChat, op, r, w.cfg.Clock())
	}
	var res wxToken
	if err := json.Unmarshal(r.body, &res); err != nil {
		return "", Temporary(ChannelWeChat, op, "bad response", err)
	}
	if res.ErrCode != 0 || res.AccessToken == "" {
		if res.ErrCode == 0 {
			return "", Temporary(ChannelWeChat, op, "empty token", nil)
		}
		return "", w.classify(op, res.wxError)
	}
	w.mu.Lock()
	w.token = res.AccessToken
	w.exp = w.cfg.Clock().Add(time.Duration(res.ExpiresIn)*time.Second - w.cfg.TokenMargin)
	w.mu.Unlock()
	return res.AccessToken, nil
}

// AccessToken returns the mini-program's stable access token, the one
// the adapter sends messages with: cached until TokenMargin before it
// expires, fetched once however many callers ask at once. Other calls to
// WeChat's server API (phone numbers at login) share it rather than fetch
// their own. Errors are classified as Notify's are.
func (w *WeChat) AccessToken(ctx context.Context) (string, error) { return w.accessToken(ctx) }

// InvalidateToken drops tok when WeChat refused it (errcode 40001, 40014
// or 42001), if it is still the cached token, so that the next
// AccessToken fetches the token WeChat holds valid.
func (w *WeChat) InvalidateToken(tok string) { w.invalidate(tok) }

func (w *WeChat) cached() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.token != "" && w.cfg.Clock().Before(w.exp) {
		return w.token, true
	}
	return "", false
}

// invalidate drops tok if it is still the cached token.
func (w *WeChat) invalidate(tok string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.token == tok {
		w.token = ""
	}
}
