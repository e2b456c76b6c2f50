package notify

import (
	"context"
	"strconv"

	"github.com/hazardloop/hazardloop/hazard"
)

// Template keys of the exchanges between a reporter and staff about a
// report, which the Router sends.
const (
	// KeyQuestion tells the reporter that staff asked a question (ref,
	// question).
	KeyQuestion = "question"
	// KeyInfoAdded tells the handling department that the reporter added
	// information (ref, category, note, photos: their count).
	KeyInfoAdded = "info_added"
	// KeyAnswered tells the handling department that the reporter answered
	// (ref, category, answer).
	KeyAnswered = "answered"
)

// Template keys of the messages to followers: a public update of a report
// they follow, and a new report in an area they watch. Both carry
// "unsubscribe", a link that ends the subscription in one step.
const (
	// KeyFollowUpdate: a report the recipient follows moved on (ref,
	// category, state, action, note, unsubscribe).
	KeyFollowUpdate = "follow_update"
	// KeyAreaAlert: a new report in an area the recipient watches (ref,
	// category, address, unsubscribe).
	KeyAreaAlert = "area_alert"
)

// FollowKeys returns the template keys of the messages to followers.
func FollowKeys() []string { return []string{KeyFollowUpdate, KeyAreaAlert} }

// ExchangeKeys returns the template keys of the exchanges about a report.
func ExchangeKeys() []string { return []string{KeyQuestion, KeyInfoAdded, KeyAnswered} }

// exchangeAudiences maps an exchange about a report to its message: a
// question to the reporter; added information and an answer to the
// handlers of the hazard's department, or to the dispatchers while it has
// none. The texts are the events' private notes: staff and the reporter
// may read them, and no message carries the reporter's identity.
func (r *Router) exchangeAudiences(e hazard.Event, h hazard.Hazard) []audience {
	staff, dept := hazard.AudienceHandlers, h.Department
	if dept == "" {
		staff = hazard.AudienceDispatchers
	}
	data := func(extra map[string]string) func(string) map[string]string {
		return func(loc string) map[string]string {
			d := map[string]string{"ref": h.Ref, "category": r.category(h.Category, loc)}
			for k, v := range extra {
				d[k] = v
			}
			return d
		}
	}
	switch e.Type {
	case hazard.EventQuestion:
		return []audience{{key: KeyQuestion, who: hazard.AudienceReporter, dataFor: data(map[string]string{"question": e.PrivateNote})}}
	case hazard.EventInfoAdded:
		return []audience{{key: KeyInfoAdded, who: staff, dept: dept, dataFor: data(map[string]string{
			"note": e.PrivateNote, "photos": strconv.Itoa(len(e.Attachments))})}}
	case hazard.EventAnswer:
		return []audience{{key: KeyAnswered, who: staff, dept: dept, dataFor: data(map[string]string{"answer": e.PrivateNote})}}
	}
	return nil
}

// Deliver sends m to to on the first of to's channels (in their preferred
// order, those they want for m.Template and have an address on) that
// delivers, with the Router's deduplication, fallback and metrics: the
// idempotency key m.IdempotencyKey gets the channel appended. It is how
// other consumers of the log (followers' updates, area alerts) reach people
// through the same channels and delivery log. A recipient with no channel
// for the template gets nothing and Deliver returns nil.
func (r *Router) Deliver(ctx context.Context, to Recipient, m Message) error {
	chs := r.channels(to, m.Template)
	if len(chs) == 0 || to.UserID == "" {
		return nil
	}
	if m.Locale == "" {
		m.Locale = to.Locale
	}
	if m.Locale == "" {
		m.Locale = DefaultLocale
	}
	return r.deliver(ctx, Planned{To: to, Message: m, Channels: chs})
}

// Delivered reports whether m (by its idempotency key) already went out on
// any of the channels Deliver would try for to.
func (r *Router) Delivered(ctx context.Context, to Recipient, m Message) (bool, error) {
	for _, ch := range r.channels(to, m.Template) {
		seen, err := r.cfg.Log.Delivered(ctx, m.IdempotencyKey+"/"+string(ch))
		if err != nil || seen {
			return seen, err
		}
	}
	return false, nil
}
