package notify

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Template keys: the presets' notices (hazard.Template*, repeated here for
// convenience), the reward messages the Router sends, and KeyOTP.
const (
	KeyReceived              = hazard.TemplateReceived
	KeyDispatched            = hazard.TemplateDispatched
	KeyAssigned              = hazard.TemplateAssigned
	KeyResolved              = hazard.TemplateResolved
	KeyReviewNeeded          = hazard.TemplateReviewNeeded
	KeyClosedValid           = hazard.TemplateClosedValid
	KeyClosedInvalid         = hazard.TemplateClosedInvalid
	KeyReturned              = hazard.TemplateReturned
	KeySentBack              = hazard.TemplateSentBack
	KeyWithdrawn             = hazard.TemplateWithdrawn
	KeyReopened              = hazard.TemplateReopened
	KeyFixedCheck            = hazard.TemplateFixedCheck // the reporter: "is it fixed?" some time after closure
	KeyOverdueDepartment     = hazard.TemplateOverdueDepartment
	KeyOverdueSupervisor     = hazard.TemplateOverdueSupervisor
	KeyRectificationOrdered  = hazard.TemplateRectificationOrdered
	KeyRectificationReported = hazard.TemplateRectificationReported
	KeyRectificationRejected = hazard.TemplateRectificationRejected
	KeyClosedOut             = hazard.TemplateClosedOut
	KeyListed                = hazard.TemplateListed
	KeyRewardPending         = "reward_pending" // reporter: a reward awaits claiming, amount and deadline
	KeyRewardClaimed         = "reward_claimed" // reporter: the reward was paid
	KeyRewardExpired         = "reward_expired" // reporter: the reward was not claimed in time
	KeyOTP                   = "otp"            // a login one-time code (code, minutes)
)

// RewardKeys returns the template keys of the reward messages.
func RewardKeys() []string { return []string{KeyRewardPending, KeyRewardClaimed, KeyRewardExpired} }

// RouterKeys returns every template key the Router can emit for the
// processes ps (their notices' templates, in order) and the reward
// messages. A nil ps means hazard.DefaultProcesses().
func RouterKeys(ps *hazard.Processes) []string {
	if ps == nil {
		ps = hazard.DefaultProcesses()
	}
	var out []string
	for _, pr := range ps.All() {
		for _, k := range pr.Templates() {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	out = append(out, RewardKeys()...)
	return append(out, ExchangeKeys()...)
}

// Keys returns every template key DefaultTexts defines, and NewTemplates
// requires in every locale: RouterKeys of the presets, KeyOTP and
// FollowKeys.
func Keys() []string { return append(append(RouterKeys(nil), KeyOTP), FollowKeys()...) }

// SampleData returns example data for a template key: exactly the keys
// the Router (or, for KeyOTP, the login flow) supplies. NewTemplates renders
// every template with it at start-up, so that a template naming data that
// is never supplied fails there, not at send time. Every key of a
// process's notices gets the same data (see Router).
func SampleData(key string) map[string]string {
	switch key {
	case KeyOTP:
		return map[string]string{"code": "428913", "minutes": "5"}
	case KeyRewardPending:
		return map[string]string{"ref": "LC-20261128-000123", "amount_fen": "5000", "claim_by": "2026-12-08T16:00:00Z"}
	case KeyRewardClaimed, KeyRewardExpired:
		return map[string]string{"ref": "LC-20261128-000123", "amount_fen": "5000"}
	case KeyQuestion:
		return map[string]string{"ref": "LC-20261128-000123", "category": "燃气", "question": "阀门在几楼？"}
	case KeyInfoAdded:
		return map[string]string{"ref": "LC-20261128-000123", "category": "燃气", "note": "今天气味更重了", "photos": "2"}
	case KeyAnswered:
		return map[string]string{"ref": "LC-20261128-000123", "category": "燃气", "answer": "三楼楼梯间"}
	case KeyFollowUpdate:
		return map[string]string{"ref": "LC-20261128-000123", "category": "燃气", "state": "办理中", "action": "受理", "note": "已派人现场查看",
			"unsubscribe": "https://example.gov.cn/unsubscribe?token=abc"}
	case KeyAreaAlert:
		return map[string]string{"ref": "LC-20261128-000123", "category": "燃气", "address": "人民路 1 号",
			"unsubscribe": "https://example.gov.cn/unsubscribe?token=abc"}
	}
	return map[string]string{
		"ref": "LC-20261128-000123", "category": "燃气", "severity": string(hazard.SeverityMajor),
		"department": "燃气管理处", "state": "办理中", "action": "受理",
		"reason": "照片无法看清隐患", "deadline": "2026-12-01T08:00:00Z",
	}
}

// Texts holds template sources: locale → template key → text/template source.
// A template sees the message data as a map[string]string (.ref,
// .amount_fen...) and the functions yuan (fen as "¥12.50"), date (an RFC 3339
// time shown in China Standard Time), severity (a severity's name) and trunc
// (at most n runes, "…" marking a cut). States and actions come as labels in
// the message's language (.state, .action), from the process's definition.
type Texts map[string]map[string]string

// DisplayZone is the time zone dates are shown in: China Standard Time.
var DisplayZone = time.FixedZone("CST", 8*60*60)

// DefaultTexts returns the programme's texts in zh-CN and en.
func DefaultTexts() Texts {
	return Texts{
		"zh-CN": {
			KeyReceived:              `您上报的隐患（编号 {{.ref}}）已收到，我们将尽快转办处理。`,
			KeyDispatched:            `您上报的隐患（编号 {{.ref}}）已转办至{{.department}}。`,
			KeyAssigned:              `新的{{severity .severity}}待办理：{{.category}}，编号 {{.ref}}{{with .deadline}}，请于 {{date .}} 前办理{{end}}。`,
			KeyResolved:              `您上报的隐患（编号 {{.ref}}）已整改完毕，正在审核。`,
			KeyReviewNeeded:          `{{.department}}已办结隐患 {{.ref}}，请审核。`,
			KeyClosedValid:           `您上报的隐患（编号 {{.ref}}）已办结，经核实属实，感谢您的参与！`,
			KeyClosedInvalid:         `您上报的隐患（编号 {{.ref}}）不予受理，原因：{{.reason}}`,
			KeyReturned:              `隐患 {{.ref}} 审核未通过，已退回重新办理，原因：{{.reason}}`,
			KeySentBack:              `隐患 {{.ref}} 被{{.department}}退回，请重新转办，原因：{{.reason}}`,
			KeyWithdrawn:             `隐患 {{.ref}} 已由上报人撤回。`,
			KeyRewardPending:         `您上报的隐患（编号 {{.ref}}）获得奖励 {{yuan .amount_fen}}，请于 {{date .claim_by}} 前在“我的—我的奖励—待领”中领取。`,
			KeyRewardClaimed:         `您的奖励 {{yuan .amount_fen}}（隐患编号 {{.ref}}）已发放。`,
			KeyRewardExpired:         `您的奖励 {{yuan .amount_fen}}（隐患编号 {{.ref}}）因逾期未领取已失效。`,
			KeyOverdueDepartment:     `【督办】隐患 {{.ref}}（{{.state}}）已超期{{with .deadline}}（期限 {{date .}}）{{end}}，请立即办理。`,
			KeyOverdueSupervisor:     `【督办】{{.department}}的隐患 {{.ref}}（{{.state}}）已超期{{with .deadline}}（期限 {{date .}}）{{end}}。`,
			KeyReopened:              `隐患 {{.ref}} 已重新打开（{{.action}}），请{{.department}}重新办理，原因：{{.reason}}`,
			KeyFixedCheck:            `您上报的隐患（编号 {{.ref}}）办结已有一段时间，问题是否已解决？请在“我的上报”中回答；如仍存在，可附照片重新反映。`,
			KeyRectificationOrdered:  `【整改通知】隐患 {{.ref}}（{{.category}}，{{severity .severity}}）已下达整改：{{.reason}}{{with .deadline}}，请于 {{date .}} 前完成整改{{end}}。`,
			KeyRectificationReported: `{{.department}}：隐患 {{.ref}} 的单位已报告整改完成，请复查。`,
			KeyRectificationRejected: `隐患 {{.ref}} 整改未通过（{{.action}}），请继续整改，原因：{{.reason}}`,
			KeyClosedOut:             `隐患 {{.ref}} 已复查通过并销号。`,
			KeyListed:                `【挂牌督办】重大隐患 {{.ref}}（{{.category}}）已挂牌督办，责任部门：{{.department}}。`,
			KeyOTP:                   `您的登录验证码为 {{.code}}，{{.minutes}} 分钟内有效。请勿告诉他人。`,
			KeyQuestion:              `关于您上报的隐患（编号 {{.ref}}），工作人员提问：{{trunc 200 .question}} 请在“我的上报”中回答。`,
			KeyInfoAdded:             `隐患 {{.ref}}（{{.category}}）的上报人补充了情况{{with .note}}：{{trunc 200 .}}{{end}}（照片 {{.photos}} 张）。`,
			KeyAnswered:              `隐患 {{.ref}}（{{.category}}）的上报人回答：{{trunc 200 .answer}}`,
			KeyFollowUpdate:          `您关注的隐患 {{.ref}}（{{.category}}）有新进展：{{.state}}{{with .note}}，{{trunc 100 .}}{{end}}。退订：{{.unsubscribe}}`,
			KeyAreaAlert:             `您关注的区域有新的隐患上报：{{.category}}，{{.address}}（编号 {{.ref}}）。退订：{{.unsubscribe}}`,
		},
		"en": {
			KeyReceived:              `Your hazard report {{.ref}} was received; we will forward it shortly.`,
			KeyDispatched:            `Your hazard report {{.ref}} was forwarded to {{.department}}.`,
			KeyAssigned:              `New {{severity .severity}} to handle: {{.category}}, ref {{.ref}}{{with .deadline}}, due {{date .}}{{end}}.`,
			KeyResolved:              `Your hazard report {{.ref}} was fixed and is being reviewed.`,
			KeyReviewNeeded:          `{{.department}} resolved hazard {{.ref}}; please review it.`,
			KeyClosedValid:           `Your hazard report {{.ref}} was confirmed and closed. Thank you!`,
			KeyClosedInvalid:         `Your hazard report {{.ref}} was not accepted: {{.reason}}`,
			KeyReturned:              `Hazard {{.ref}} was returned for more work: {{.reason}}`,
			KeySentBack:              `Hazard {{.ref}} was sent back by {{.department}}; please forward it again: {{.reason}}`,
			KeyWithdrawn:             `Hazard report {{.ref}} was withdrawn by its reporter.`,
			KeyRewardPending:         `Your hazard report {{.ref}} earned a reward of {{yuan .amount_fen}}. Claim it under Mine > My rewards > Pending by {{date .claim_by}}.`,
			KeyRewardClaimed:         `Your reward of {{yuan .amount_fen}} for report {{.ref}} was paid.`,
			KeyRewardExpired:         `Your reward of {{yuan .amount_fen}} for report {{.ref}} expired unclaimed.`,
			KeyOverdueDepartment:     `[Overdue] Hazard {{.ref}} ({{.state}}) is overdue{{with .deadline}} (due {{date .}}){{end}}; please act now.`,
			KeyOverdueSupervisor:     `[Overdue] Hazard {{.ref}} of {{.department}} ({{.state}}) is overdue{{with .deadline}} (due {{date .}}){{end}}.`,
			KeyReopened:              `Hazard {{.ref}} was reopened ({{.action}}); {{.department}}, please handle it again: {{.reason}}`,
			KeyFixedCheck:            `Your hazard report {{.ref}} was closed as fixed a while ago: is it still fixed? Answer in "My reports"; if it is back, reopen it with a photo.`,
			KeyRectificationOrdered:  `[Rectification order] Hazard {{.ref}} ({{.category}}, {{severity .severity}}) must be rectified: {{.reason}}{{with .deadline}}, by {{date .}}{{end}}.`,
			KeyRectificationReported: `{{.department}}: the unit reports hazard {{.ref}} rectified; please re-inspect it.`,
			KeyRectificationRejected: `Hazard {{.ref}} was not accepted as rectified ({{.action}}); keep rectifying: {{.reason}}`,
			KeyClosedOut:             `Hazard {{.ref}} passed re-inspection and was closed out.`,
			KeyListed:                `[Listed for supervision] Major hazard {{.ref}} ({{.category}}) was listed for supervision; responsible department: {{.department}}.`,
			KeyOTP:                   `Your login code is {{.code}}, valid for {{.minutes}} minutes. Do not share it.`,
			KeyQuestion:              `About your hazard report {{.ref}}, staff ask: {{trunc 200 .question}} Please answer under My reports.`,
			KeyInfoAdded:             `The reporter of hazard {{.ref}} ({{.category}}) added information{{with .note}}: {{trunc 200 .}}{{end}} ({{.photos}} photo(s)).`,
			KeyAnswered:              `The reporter of hazard {{.ref}} ({{.category}}) answered: {{trunc 200 .answer}}`,
			KeyFollowUpdate:          `Hazard {{.ref}} ({{.category}}) that you follow moved on: {{.state}}{{with .note}}, {{trunc 100 .}}{{end}}. Unsubscribe: {{.unsubscribe}}`,
			KeyAreaAlert:             `New hazard report in an area you watch: {{.category}}, {{.address}} (ref {{.ref}}). Unsubscribe: {{.unsubscribe}}`,
		},
	}
}

// Templates renders messages as text per locale. It is immutable once made
// and safe for concurrent use.
type Templates struct {
	sets map[string]*template.Template
}

// NewTemplates parses texts with missingkey=error and checks, at start-up,
// that DefaultLocale is present, that every key of Keys exists in every
// locale, and that each renders with SampleData. Every problem is reported
// at once as a hazard CodeInvalid error.
func NewTemplates(texts Texts) (*Templates, error) {
	var p hazard.Problems
	if _, ok := texts[DefaultLocale]; !ok {
		p.Add("locales", "must include %s", DefaultLocale)
	}
	t := &Templates{sets: make(map[string]*template.Template, len(texts))}
	for _, loc := range slices.Sorted(maps.Keys(texts)) {
		srcs := texts[loc]
		set := template.New(loc).Option("missingkey=error").Funcs(funcs(loc))
		for _, k := range Keys() {
			if _, ok := srcs[k]; !ok {
				p.Add(loc+"."+k, "is missing")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(srcs)) {
			if _, err := set.New(k).Parse(srcs[k]); err != nil {
				p.Add(loc+"."+k, "does not parse: %v", err)
				continue
			}
			if !slices.Contains(Keys(), k) {
				continue
			}
			var b strings.Builder
			if err := set.Lookup(k).Execute(&b, SampleData(k)); err != nil {
				p.Add(loc+"."+k, "does not render: %v", err)
			}
		}
		t.sets[loc] = set
	}
	if err := p.Err("notify.templates"); err != nil {
		return nil, err
	}
	return t, nil
}

// MustTemplates is NewTemplates that panics on error, for tests and
// package-level variables.
func MustTemplates(texts Texts) *Templates {
	t, err := NewTemplates(texts)
	if err != nil {
		panic(err)
	}
	return t
}

// Check reports, as one CodeInvalid error, every key of keys that a locale
// of t lacks or cannot render with SampleData. Call it at start-up with
// RouterKeys of the processes the service runs, so that a process's notice
// without a text fails there and not at send time.
func (t *Templates) Check(keys []string) error {
	var p hazard.Problems
	for _, loc := range t.Locales() {
		set := t.sets[loc]
		for _, k := range keys {
			tpl := set.Lookup(k)
			if tpl == nil {
				p.Add(loc+"."+k, "is missing")
				continue
			}
			if err := tpl.Execute(io.Discard, SampleData(k)); err != nil {
				p.Add(loc+"."+k, "does not render: %v", err)
			}
		}
	}
	return p.Err("notify.templates")
}

// Locales returns the locales t renders, sorted.
func (t *Templates) Locales() []string { return slices.Sorted(maps.Keys(t.sets)) }

// Render renders the template key in locale with data. An unknown locale
// renders in DefaultLocale. An unknown key, data the template needs but
// lacks, or more than MaxDataKeys entries of data is a KindPermanent *Error
// wrapping hazard.ErrInvalid.
func (t *Templates) Render(locale, key string, data map[string]string) (string, error) {
	if err := checkData("", "notify.render", data); err != nil {
		return "", err
	}
	set, ok := t.sets[locale]
	if !ok {
		set = t.sets[DefaultLocale]
	}
	tm := set.Lookup(key)
	if tm == nil {
		return "", Permanent("", "notify.render", "no template "+key, hazard.Errorf(hazard.CodeInvalid, "unknown template %q", key))
	}
	if data == nil {
		data = map[string]string{}
	}
	var b strings.Builder
	if err := tm.Execute(&b, data); err != nil {
		return "", Permanent("", "notify.render", "template "+key, &hazard.Error{Code: hazard.CodeInvalid, Message: "data does not fit the template", Err: err})
	}
	return b.String(), nil
}

// RenderMessage renders m for to, in m's locale or else to's.
func (t *Templates) RenderMessage(to Recipient, m Message) (string, error) {
	return t.Render(m.locale(to), m.Template, m.Data)
}

// FormatYuan formats an amount in fen as yuan with two decimals, e.g.
// 5000 as "¥50.00" and -5 as "-¥0.05", with integer arithmetic only.
func FormatYuan(fen int64) string {
	sign := ""
	u := uint64(fen)
	if fen < 0 {
		sign = "-"
		u = uint64(-(fen + 1)) + 1
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, u/100, u%100)
}

func funcs(locale string) template.FuncMap {
	zh := !strings.HasPrefix(locale, "en")
	pick := func(n [2]string) string {
		if zh {
			return n[0]
		}
		return n[1]
	}
	return template.FuncMap{
		"yuan": func(fen string) (string, error) {
			n, err := strconv.ParseInt(fen, 10, 64)
			if err != nil {
				return "", errors.New("amount is not an integer number of fen")
			}
			return FormatYuan(n), nil
		},
		"date": func(s string) (string, error) {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return "", errors.New("time is not RFC 3339")
			}
			t = t.In(DisplayZone)
			if zh {
				return t.Format("2006年1月2日 15:04"), nil
			}
			return t.Format("2 Jan 2006 15:04 CST"), nil
		},
		"trunc": func(n int, s string) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			if n <= 1 {
				return string(r[:max(n, 0)])
			}
			return string(r[:n-1]) + "…"
		},
		"severity": func(s string) string {
			if hazard.Severity(s) == hazard.SeverityMajor {
				return pick([2]string{"重大隐患", "major hazard"})
			}
			return pick([2]string{"一般隐患", "hazard"})
		},
	}
}
