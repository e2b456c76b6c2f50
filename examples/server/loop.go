package server

import (
	"context"

	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
)

// Relay consumer names.
const (
	consumerNotify = "notify"
	consumerReward = "reward"
)

// loop wires the after-commit effects of the closed loop: the relay feeds
// the event log to the reward consumer, the notification router and the
// programme figures.
type loop struct {
	s        *Server
	notifier notify.Notifier
	router   *notify.Router
	rewards  *rewards
	relay    *relay.Relay
	// consumers are the names of the relay's consumers.
	consumers []string
}

func newLoop(ctx context.Context, s *Server) (*loop, error) {
	l := &loop{s: s}
	templates, err := notify.NewTemplates(notify.DefaultTexts())
	if err != nil {
		return nil, err
	}
	if err := templates.Check(notify.RouterKeys(s.svc.Processes())); err != nil {
		return nil, err
	}
	l.notifier = s.cfg.Notifier
	if l.notifier == nil {
		l.notifier = notify.NewLog(s.log, templates)
	}
	nm, err := notify.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	channels := map[notify.Channel]notify.Notifier{notify.ChannelLog: l.notifier}
	order := []notify.Channel{notify.ChannelLog}
	if s.wx != nil && len(s.cfg.WeChat.Templates) > 0 {
		// Subscribe messages first to citizens with an openid; the log
		// notifier when WeChat refuses or a notice has no template.
		channels[notify.ChannelWeChat] = s.wx.tokens
		order = []notify.Channel{notify.ChannelWeChat, notify.ChannelLog}
	}
	if s.deliveries == nil {
		// One process in memory: the log is the server's, so that a
		// person's download of their data lists the notices sent.
		s.deliveries = notify.NewMemoryLog(0)
	}
	l.router, err = notify.NewRouter(notify.RouterConfig{
		Hazards:     s.store,
		Directory:   directory{u: s.users},
		Processes:   s.svc.Processes(),
		Channels:    channels,
		Order:       order,
		Categories:  s.svc.Categories().All(),
		Departments: s.svc.Departments(),
		Log:         s.deliveries,
		Metrics:     nm,
		Logger:      s.log,
		Clock:       s.now,
	})
	if err != nil {
		return nil, err
	}
	if l.rewards, err = newRewards(ctx, s); err != nil {
		return nil, err
	}
	// The consumers that send messages drop redeliveries by the delivery
	// log, kept longer than their redelivery window (Config.Retention).
	notices := l.router.Consumer(consumerNotify)
	notices.RedeliveryWindow = s.cfg.Retention.RedeliveryWindow
	consumers := []relay.Consumer{l.rewards.consumer(), notices}
	if s.regs, err = newRegulators(s); err != nil {
		return nil, err
	}
	consumers = append(consumers, s.regs.consumers()...)
	var fc relay.Consumer
	if s.follow, fc, err = newFollow(s, l.router); err != nil {
		return nil, err
	}
	fc.RedeliveryWindow = s.cfg.Retention.RedeliveryWindow
	consumers = append(consumers, fc)
	for _, c := range consumers {
		l.consumers = append(l.consumers, c.Name)
	}
	rm, err := relay.NewMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	l.relay, err = relay.New(s.store, s.cursors, relay.Config{
		Consumers:    consumers,
		PollInterval: s.cfg.RelayInterval,
		Metrics:      rm,
		Clock:        s.now,
		Logger:       s.log,
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// run runs the relay until ctx is done; it stops after its current batch.
func (l *loop) run(ctx context.Context) {
	if err := l.relay.Run(ctx); err != nil && ctx.Err() == nil {
		l.s.log.Error("relay stopped", "error", err)
	}
}

// flush delivers every event available now to every consumer: rewards are
// issued and notifications sent before the process ends.
func (l *loop) flush(ctx context.Context) error {
	return l.relay.Drain(ctx)
}

// Drain delivers every event available now to every relay consumer (the
// reward ledger, notifications, figures) and returns. Tests and tools call
// it to see the effects of a change at once.
func (s *Server) Drain(ctx context.Context) error { return s.loop.flush(ctx) }

// sweep does the loop's periodic work: escalate overdue hazards, ask the
// reporters of reports closed as fixed a while ago "is it fixed?" and
// expire unclaimed rewards.
func (l *loop) sweep(ctx context.Context) {
	if n, err := l.s.svc.Escalate(ctx); err != nil {
		l.s.log.Error("escalating overdue hazards", "error", err)
	} else if n > 0 {
		l.s.log.Info("escalated overdue hazards", "count", n)
	}
	if n, err := l.s.svc.AskFixed(ctx); err != nil {
		l.s.log.Error("asking reporters whether it is fixed", "error", err)
	} else if n > 0 {
		l.s.log.Info("asked reporters whether it is fixed", "count", n)
	}
	if err := l.s.svc.RefreshMetrics(ctx); err != nil {
		l.s.log.Error("refreshing metrics", "error", err)
	}
	l.rewards.sweep(ctx)
	l.s.regs.sweep(ctx, l.s)
}

// directory is notify's view of the user store.
type directory struct{ u userStore }

// recipient is where an account gets notices: its phone by SMS and, for
// a citizen who logged in through WeChat, its openid by subscribe message.
func recipient(a Account) notify.Recipient {
	r := notify.Recipient{UserID: a.ID, Addresses: map[notify.Channel]string{}}
	if a.Phone != "" {
		r.Addresses[notify.ChannelSMS] = a.Phone
	}
	if a.openID != "" {
		r.Addresses[notify.ChannelWeChat] = a.openID
	}
	return r
}

// User implements notify.Directory.
func (d directory) User(ctx context.Context, id string) (notify.Recipient, error) {
	a, err := d.u.get(ctx, id)
	if err != nil {
		return notify.Recipient{}, err
	}
	return recipient(a), nil
}

// Users implements notify.Directory.
func (d directory) Users(ctx context.Context, q notify.UserQuery) ([]notify.Recipient, error) {
	as, err := d.u.withRole(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Recipient, len(as))
	for i, a := range as {
		out[i] = recipient(a)
	}
	return out, nil
}
