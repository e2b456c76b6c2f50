package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// Directory finds the people to notify and how to reach them. The wiring
// provides it over the integrator's user store. Implementations are safe
// for concurrent use.
type Directory interface {
	// User returns the user with the ID, or an error matching
	// hazard.ErrNotFound when there is none.
	User(ctx context.Context, id string) (Recipient, error)
	// Users returns the users q selects.
	Users(ctx context.Context, q UserQuery) ([]Recipient, error)
}

// UserQuery selects users for a message: those with Role and, when set,
// those of Department or those of Unit (the unit ID an enterprise user
// works for).
type UserQuery struct {
	Role       string
	Department string
	Unit       string
}

// HazardGetter reads a hazard by ID (hazard.Store has this method): the
// router needs the reporter and the department of an event's hazard.
type HazardGetter interface {
	Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error)
}

// RouterConfig configures a Router.
type RouterConfig struct {
	// Hazards and Directory are required.
	Hazards   HazardGetter
	Directory Directory
	// Channels are the notifiers per channel, at least one. Wrap each in
	// Retry and RateLimit as needed; the Router does the deduplication,
	// the fallback between channels and the sent/failed metrics itself.
	Channels map[Channel]Notifier
	// Order is the channel order for users without a preference; default
	// wechat, sms, webhook, log.
	Order []Channel
	// Log drops messages already delivered; default NewMemoryLog(0). Use a
	// durable one across restarts.
	Log DeliveryLog
	// Processes declare who is told of which step of each process, and
	// with which template; default hazard.DefaultProcesses(). Give the
	// router the processes the hazard service runs.
	Processes *hazard.Processes
	// Categories and Departments name categories and departments in
	// messages; defaults hazard.DefaultCategories and DefaultDepartments.
	Categories  []hazard.Category
	Departments []hazard.Department
	Metrics     *Metrics
	// Logger logs deliveries that failed for good; default: discard.
	Logger *slog.Logger
	// Clock stamps deliveries; default time.Now.
	Clock func() time.Time
}

// Router turns hazard and reward events into messages, chooses their
// recipients and channels and delivers them: it is a relay consumer.
//
// Who is told of a hazard's submission, transitions and escalations, with
// which template, is what the hazard's process declares (hazard.Notice,
// read through RouterConfig.Processes): the Router names no state or action.
// Each message's data are the same for every such template: ref, category
// and department (names in the recipient's language), severity, state (the
// label of the state the hazard entered, or was overdue in), action (the
// action's label), reason and deadline (RFC 3339, or empty). The reason is
// the action's public note; staff are given the private note when there is
// no public one. The department is the one the event concerns: the one an
// action assigned, else the acting user's, else the hazard's.
//
// The exchanges about a report (see exchangeAudiences) go to the
// reporter (a question) or the handling department (added information, an
// answer). Reward events go to the hazard's reporter: reward_issued as
// KeyRewardPending (amount and claim deadline), reward_claimed as
// KeyRewardClaimed, reward_expired as KeyRewardExpired. Other events (notes,
// duplicates, an integrator's own types) send nothing.
//
// Messages to staff carry the reference number, category, department,
// state and reasons, never the reporter's identity or contact.
//
// Each recipient gets the message on the first channel, in their preferred
// order, that they have not opted out of and that delivers; a channel
// failing finally for them (Final) falls back to the next. The idempotency
// key is "evt-<seq>/<user>/<channel>": when the log holds the key of any of
// the recipient's channels, the message is dropped as a duplicate, so that
// an event delivered again after a crash sends nothing twice.
//
// Handle returns an error, for the relay to retry the event, only when a
// recipient's delivery failed in a way a retry may fix; recipients already
// served are then dropped as duplicates. A Router is safe for concurrent
// use.
type Router struct {
	cfg RouterConfig
}

// NewRouter checks cfg (CodeInvalid) and returns a Router.
func NewRouter(cfg RouterConfig) (*Router, error) {
	var p hazard.Problems
	if cfg.Hazards == nil {
		p.Add("hazards", "is required")
	}
	if cfg.Directory == nil {
		p.Add("directory", "is required")
	}
	if len(cfg.Channels) == 0 {
		p.Add("channels", "needs at least one notifier")
	}
	for ch, n := range cfg.Channels {
		if n == nil {
			p.Add("channels."+string(ch), "is nil")
		}
	}
	if err := p.Err("notify.router"); err != nil {
		return nil, err
	}
	if cfg.Order == nil {
		cfg.Order = []Channel{ChannelWeChat, ChannelSMS, ChannelWebhook, ChannelLog}
	}
	if cfg.Log == nil {
		cfg.Log = NewMemoryLog(0)
	}
	if cfg.Processes == nil {
		cfg.Processes = hazard.DefaultProcesses()
	}
	if cfg.Categories == nil {
		cfg.Categories = hazard.DefaultCategories()
	}
	if cfg.Departments == nil {
		cfg.Departments = hazard.DefaultDepartments()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Router{cfg: cfg}, nil
}

// Consumer returns the router as a relay consumer named name.
func (r *Router) Consumer(name string) relay.Consumer {
	return relay.Consumer{Name: name, Handle: r.Handle}
}

// Planned is one message the Router means to send for an event.
type Planned struct {
	To Recipient
	// Message has the idempotency key "evt-<seq>/<user>"; the channel is
	// appended when it is sent.
	Message Message
	// Channels are the channels to try, in order.
	Channels []Channel
}

// audience is who gets which template, with which data.
type audience struct {
	key     string
	who     hazard.Audience
	dept    string // the department a ScopeDepartment audience is of
	dataFor func(loc string) map[string]string
}

// Plan returns the messages an event calls for, without sending them. A
// recipient who wants none of the configured channels (or has no address on
// them), or muted the template, is left out; a reporter or hazard that cannot be found gives no
// message (a hazard lookup failing otherwise is returned). An event of a
// hazard whose process is not among RouterConfig.Processes is an internal
// error, so that the relay retries and parks it rather than drop it.
func (r *Router) Plan(ctx context.Context, e hazard.Event) ([]Planned, error) {
	switch e.Type {
	case hazard.EventSubmitted, hazard.EventTransition, hazard.EventEscalated, hazard.EventFixedCheck,
		hazard.EventRewardIssued, hazard.EventRewardClaimed, hazard.EventRewardExpired,
		hazard.EventInfoAdded, hazard.EventQuestion, hazard.EventAnswer:
	default:
		return nil, nil
	}
	h, err := r.cfg.Hazards.Get(ctx, e.HazardID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, hazard.Wrap("notify.route", err)
	}
	auds, err := r.audiences(e, h)
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, a := range auds {
		var rs []Recipient
		switch a.who.Scope {
		case hazard.ScopeReporter:
			rec, err := r.reporter(ctx, e, h)
			if err != nil {
				return nil, err
			}
			if rec.UserID != "" {
				rs = []Recipient{rec}
			}
		case hazard.ScopeUnit:
			if h.UnitID == "" {
				continue
			}
			rs, err = r.cfg.Directory.Users(ctx, UserQuery{Role: string(a.who.Role), Unit: h.UnitID})
		case hazard.ScopeDepartment:
			if a.dept == "" {
				continue
			}
			rs, err = r.cfg.Directory.Users(ctx, UserQuery{Role: string(a.who.Role), Department: a.dept})
		default:
			rs, err = r.cfg.Directory.Users(ctx, UserQuery{Role: string(a.who.Role)})
		}
		if err != nil {
			return nil, hazard.Wrap("notify.route", err)
		}
		for _, rec := range rs {
			chs := r.channels(rec, a.key)
			if len(chs) == 0 || rec.UserID == "" || slices.ContainsFunc(out, func(p Planned) bool {
				return p.To.UserID == rec.UserID && p.Message.Template == a.key
			}) {
				continue
			}
			loc := rec.Locale
			if loc == "" {
				loc = DefaultLocale
			}
			out = append(out, Planned{To: rec, Channels: chs, Message: Message{
				Template: a.key, Data: a.dataFor(loc), Locale: loc,
				IdempotencyKey: fmt.Sprintf("evt-%d/%s", e.Seq, KeyPart(rec.UserID)),
			}})
		}
	}
	return out, nil
}

func (r *Router) reporter(ctx context.Context, e hazard.Event, h hazard.Hazard) (Recipient, error) {
	id := h.Reporter.UserID
	if v := e.Data[hazard.DataReporterID]; v != "" {
		id = v
	}
	if id == "" {
		return Recipient{}, nil
	}
	rec, err := r.cfg.Directory.User(ctx, id)
	if errors.Is(err, hazard.ErrNotFound) {
		return Recipient{}, nil
	}
	if err != nil {
		return Recipient{}, hazard.Wrap("notify.route", err)
	}
	if rec.Address(ChannelSMS) == "" && h.Reporter.Contact.Phone != "" && id == h.Reporter.UserID {
		addrs := make(map[Channel]string, len(rec.Addresses)+1)
		for k, v := range rec.Addresses {
			addrs[k] = v
		}
		addrs[ChannelSMS] = h.Reporter.Contact.Phone
		rec.Addresses = addrs
	}
	return rec, nil
}

// channels returns the channels to try for rec and key, in order: the
// configured ones the user wants and has an address on.
func (r *Router) channels(rec Recipient, key string) []Channel {
	order := r.cfg.Order
	if rec.Preferences.Channels != nil {
		order = rec.Preferences.Channels
	}
	var out []Channel
	for _, ch := range order {
		if _, ok := r.cfg.Channels[ch]; !ok || !rec.Preferences.Wants(ch, key) || slices.Contains(out, ch) {
			continue
		}
		// WeChat and SMS need the user's address; a webhook may have a
		// default URL and a log needs none.
		if rec.Address(ch) != "" || (ch != ChannelWeChat && ch != ChannelSMS) {
			out = append(out, ch)
		}
	}
	return out
}

// localName returns en for an English locale ("en", "en-GB"), else zh.
func localName(loc, zh, en string) string {
	if strings.HasPrefix(loc, "en") {
		return en
	}
	return zh
}

func (r *Router) department(code, loc string) string {
	for _, d := range r.cfg.Departments {
		if d.Code == code {
			return localName(loc, d.NameZH, d.NameEN)
		}
	}
	return code
}

func (r *Router) category(code, loc string) string {
	for _, c := range r.cfg.Categories {
		if c.Code == code {
			return localName(loc, c.NameZH, c.NameEN)
		}
	}
	return code
}

// audiences maps an event to its templates and recipients: reward events
// by their type, the others by the notices of the hazard's process.
func (r *Router) audiences(e hazard.Event, h hazard.Hazard) ([]audience, error) {
	base := func(extra func(d map[string]string)) func(string) map[string]string {
		return func(string) map[string]string {
			d := map[string]string{"ref": h.Ref}
			extra(d)
			return d
		}
	}
	switch e.Type {
	case hazard.EventRewardIssued:
		return []audience{{key: KeyRewardPending, who: hazard.AudienceReporter, dataFor: base(func(d map[string]string) {
			d["amount_fen"], d["claim_by"] = e.Data[hazard.DataAmountFen], e.Data[hazard.DataClaimBy]
		})}}, nil
	case hazard.EventRewardClaimed, hazard.EventRewardExpired:
		key := KeyRewardClaimed
		if e.Type == hazard.EventRewardExpired {
			key = KeyRewardExpired
		}
		return []audience{{key: key, who: hazard.AudienceReporter, dataFor: base(func(d map[string]string) {
			d["amount_fen"] = e.Data[hazard.DataAmountFen]
		})}}, nil
	case hazard.EventInfoAdded, hazard.EventQuestion, hazard.EventAnswer:
		return r.exchangeAudiences(e, h), nil
	}
	pr, err := r.cfg.Processes.Of(&h)
	if err != nil {
		return nil, &hazard.Error{Code: hazard.CodeInternal, Op: "notify.route", Message: "the hazard's process is not known to the router", Err: err}
	}
	notices := pr.Notices(&e, h.Major())
	if len(notices) == 0 {
		return nil, nil
	}
	dept := cmp.Or(e.Data[hazard.DataDepartment], e.Actor.Department, h.Department)
	state, deadline := e.To, ""
	switch {
	case e.Type == hazard.EventEscalated:
		state, deadline = cmp.Or(e.Data[hazard.DataState], h.State), e.Data[hazard.DataDeadline]
	case e.Type == hazard.EventFixedCheck:
		state = cmp.Or(e.Data[hazard.DataState], h.State)
	case e.Type == hazard.EventSubmitted:
		state = pr.Definition().Initial()
	}
	if deadline == "" && !h.Deadline.IsZero() {
		deadline = h.Deadline.UTC().Format(time.RFC3339)
	}
	out := make([]audience, 0, len(notices))
	for _, n := range notices {
		reason := e.PublicNote
		if reason == "" && staffAudience(n.Audience) {
			reason = e.PrivateNote
		}
		out = append(out, audience{key: n.Template, who: n.Audience, dept: dept, dataFor: func(loc string) map[string]string {
			return map[string]string{
				"ref": h.Ref, "category": r.category(h.Category, loc), "severity": string(h.Severity),
				"department": r.department(dept, loc),
				"state":      localName(loc, pr.StateLabel(state).ZH, pr.StateLabel(state).EN),
				"action":     actionLabel(pr, e.Action, loc),
				"reason":     reason, "deadline": deadline,
			}
		}})
	}
	return out, nil
}

// staffAudience reports whether an audience is the administration's staff,
// who may read a private note: not the reporter and not an enterprise.
func staffAudience(a hazard.Audience) bool {
	return a.Scope != hazard.ScopeReporter && a.Scope != hazard.ScopeUnit && hazard.StaffRole(a.Role)
}

// actionLabel returns the action's label in loc, "" for no action.
func actionLabel(pr *hazard.Process, action, loc string) string {
	if action == "" {
		return ""
	}
	l := pr.ActionLabel(action)
	return localName(loc, l.ZH, l.EN)
}

// Handle routes and delivers one event; see Router.
func (r *Router) Handle(ctx context.Context, e hazard.Event) error {
	plan, err := r.Plan(ctx, e)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range plan {
		if err := r.deliver(ctx, p); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deliver sends one planned message on its first channel that works.
func (r *Router) deliver(ctx context.Context, p Planned) error {
	base := p.Message.IdempotencyKey
	for _, ch := range p.Channels {
		seen, err := r.cfg.Log.Delivered(ctx, base+"/"+string(ch))
		if err != nil {
			return Temporary(ch, "notify.route", "delivery log", err)
		}
		if seen {
			r.cfg.Metrics.incDuplicate(ch)
			return nil
		}
	}
	var last error
	for _, ch := range p.Channels {
		m := p.Message
		m.IdempotencyKey = base + "/" + string(ch)
		err := r.cfg.Channels[ch].Notify(ctx, p.To, m)
		if err == nil {
			r.cfg.Metrics.incSent(ch)
			if err := r.cfg.Log.Record(ctx, Delivery{Key: m.IdempotencyKey, Channel: ch, UserID: p.To.UserID, At: r.cfg.Clock().UTC()}); err != nil {
				r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "notify: delivery not recorded",
					slog.String("channel", string(ch)), slog.String("error", err.Error()))
			}
			return nil
		}
		r.cfg.Metrics.incFailed(ch, err)
		last = err
		if !Final(err) {
			return err
		}
	}
	r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "notify: undeliverable",
		slog.String("template", p.Message.Template), slog.String("user_id", p.To.UserID),
		slog.Any("error", last))
	return nil
}
