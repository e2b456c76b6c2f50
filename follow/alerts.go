package follow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
)

// Messenger delivers messages on a recipient's channels with deduplication
// (notify.Router has these methods): Delivered says whether a message with
// the idempotency key already went out on any of the recipient's channels.
type Messenger interface {
	Deliver(ctx context.Context, to notify.Recipient, m notify.Message) error
	Delivered(ctx context.Context, to notify.Recipient, m notify.Message) (bool, error)
}

// AlertsConfig configures the consumer that tells followers.
type AlertsConfig struct {
	// Messenger and Directory are required: the router's channels and
	// delivery log, and the users' addresses and preferences.
	Messenger Messenger
	Directory notify.Directory
	// UnsubscribeURL is the prefix of the unsubscribe link each message
	// carries; the token is appended (e.g.
	// "https://city.example/unsubscribe?token="). Required.
	UnsubscribeURL string
}

// Consumer returns the relay consumer, named name, that tells followers:
//
//   - a public step of a report (an event PublicTimeline shows, but for its
//     submission) is sent to the report's active followers as
//     notify.KeyFollowUpdate, idempotency key "follow-<seq>/<user>";
//   - an open report the plaza shows is announced to the citizens whose
//     areas cover it (Area.Covers) as notify.KeyAreaAlert, once per report
//     and citizen (idempotency key "area-<hazard>/<user>"), at its first
//     event at which the plaza shows it, so that a publication policy that
//     holds reports back delays the alert rather than lose it.
//
// The reporter and the acting user are never told. Each message carries an
// unsubscribe link (Token). A citizen gets at most Config.MessagesPerDay of
// these messages in any 24 hours: more are dropped (and logged). A report
// the plaza does not show tells nobody.
func (s *Service) Consumer(name string, cfg AlertsConfig) (relay.Consumer, error) {
	var p hazard.Problems
	if cfg.Messenger == nil {
		p.Add("messenger", "is required")
	}
	if cfg.Directory == nil {
		p.Add("directory", "is required")
	}
	if cfg.UnsubscribeURL == "" {
		p.Add("unsubscribe_url", "is required")
	}
	if s.cfg.Limiter == nil {
		p.Add("limiter", "is required for alerts")
	}
	if err := p.Err("follow.consumer"); err != nil {
		return relay.Consumer{}, err
	}
	a := &alerts{s: s, cfg: cfg}
	return relay.Consumer{Name: name, Handle: a.handle}, nil
}

type alerts struct {
	s   *Service
	cfg AlertsConfig
}

func (a *alerts) handle(ctx context.Context, e hazard.Event) error {
	if e.HazardID == uuid.Nil || len(hazard.PublicTimeline([]hazard.Event{e})) == 0 {
		return nil
	}
	h, err := a.s.cfg.HazardStore.Get(ctx, e.HazardID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// Whom to tell first: most reports have no follower and no area
	// watcher, and then their public view need not be made.
	tellFollowers, tellAreas := e.Type != hazard.EventSubmitted, h.Open()
	if tellFollowers {
		fs, err := a.s.cfg.Store.Followers(ctx, h.ID, "", 1)
		if err != nil {
			return err
		}
		tellFollowers = len(fs) > 0
	}
	if tellAreas {
		as, err := a.s.cfg.Store.AreasAt(ctx, h.Location, uuid.Nil, 1)
		if err != nil {
			return err
		}
		tellAreas = len(as) > 0
	}
	if !tellFollowers && !tellAreas {
		return nil
	}
	pub, err := a.s.cfg.Hazards.PublicView(ctx, h.Ref)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil // not on the plaza: nobody is told
	}
	if err != nil {
		return err
	}
	var errs []error
	if tellFollowers {
		errs = append(errs, a.followers(ctx, e, &h, &pub))
	}
	if tellAreas {
		errs = append(errs, a.areas(ctx, &h))
	}
	return errors.Join(errs...)
}

// followers sends the step e to the report's followers.
func (a *alerts) followers(ctx context.Context, e hazard.Event, h *hazard.Hazard, pub *hazard.PublicHazard) error {
	after := ""
	for {
		fs, err := a.s.cfg.Store.Followers(ctx, h.ID, after, MaxFollowerBatch)
		if err != nil {
			return err
		}
		for _, f := range fs {
			after = f.UserID
			if f.UserID == h.Reporter.UserID || f.UserID == e.Actor.ID {
				continue
			}
			key := fmt.Sprintf("follow-%d/%s", e.Seq, notify.KeyPart(f.UserID))
			token := a.s.Token(f.UserID, h.ID, false)
			err := a.send(ctx, f.UserID, notify.KeyFollowUpdate, key, func(en bool) map[string]string {
				state := pub.Status.ZH
				if en {
					state = pub.Status.EN
				}
				return map[string]string{
					"ref": h.Ref, "category": a.category(h.Category, en), "state": state,
					"action": a.action(h, e.Action, en), "note": e.PublicNote,
					"unsubscribe": a.cfg.UnsubscribeURL + token,
				}
			})
			if err != nil {
				return err
			}
		}
		if len(fs) < MaxFollowerBatch {
			return nil
		}
	}
}

// areas announces the report h to the citizens whose areas cover it.
func (a *alerts) areas(ctx context.Context, h *hazard.Hazard) error {
	told := map[string]bool{h.Reporter.UserID: true}
	after := uuid.Nil
	for {
		as, err := a.s.cfg.Store.AreasAt(ctx, h.Location, after, MaxAreaBatch)
		if err != nil {
			return err
		}
		for _, ar := range as {
			after = ar.ID
			if told[ar.UserID] || !ar.Covers(h.Category, h.Location) {
				continue
			}
			told[ar.UserID] = true
			key := "area-" + h.ID.String() + "/" + notify.KeyPart(ar.UserID)
			token := a.s.Token(ar.UserID, ar.ID, true)
			err := a.send(ctx, ar.UserID, notify.KeyAreaAlert, key, func(en bool) map[string]string {
				return map[string]string{
					"ref": h.Ref, "category": a.category(h.Category, en), "address": h.Location.Address,
					"unsubscribe": a.cfg.UnsubscribeURL + token,
				}
			})
			if err != nil {
				return err
			}
		}
		if len(as) < MaxAreaBatch {
			return nil
		}
	}
}

// send delivers one message to the user, unless it went out already or the
// user's daily cap is reached.
func (a *alerts) send(ctx context.Context, userID, template, key string, data func(en bool) map[string]string) error {
	rec, err := a.cfg.Directory.User(ctx, userID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	loc := rec.Locale
	if loc == "" {
		loc = notify.DefaultLocale
	}
	m := notify.Message{Template: template, Data: data(strings.HasPrefix(loc, "en")), IdempotencyKey: key, Locale: loc}
	seen, err := a.cfg.Messenger.Delivered(ctx, rec, m)
	if err != nil || seen {
		return err
	}
	d, err := a.s.cfg.Limiter.Take(ctx, messageLimitKey+userID, a.s.limit, 1)
	if err != nil {
		return err
	}
	if !d.Allowed {
		a.s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "follow: daily message cap reached", slog.String("template", template))
		return nil
	}
	return a.cfg.Messenger.Deliver(ctx, rec, m)
}

func (a *alerts) category(code string, en bool) string {
	c, ok := a.s.cfg.Hazards.Categories().Lookup(code)
	switch {
	case !ok:
		return code
	case en:
		return c.NameEN
	}
	return c.NameZH
}

func (a *alerts) action(h *hazard.Hazard, action string, en bool) string {
	if action == "" {
		return ""
	}
	pr, err := a.s.cfg.Hazards.Processes().Of(h)
	if err != nil {
		return action
	}
	l := pr.ActionLabel(action)
	if en {
		return l.EN
	}
	return l.ZH
}

// messageLimitKey prefixes a citizen's user ID in the limiter key of their
// daily cap of follow messages.
const messageLimitKey = "follow-msg:"
