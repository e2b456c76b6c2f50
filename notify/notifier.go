package notify

import (
	"context"
	"slices"

	"github.com/hazardloop/hazardloop/hazard"
)

// Channel names a way to reach someone.
type Channel string

// The channels this package has adapters for.
const (
	ChannelWeChat  Channel = "wechat"  // mini-program subscribe message; address: openid
	ChannelSMS     Channel = "sms"     // text message; address: mainland mobile number
	ChannelWebhook Channel = "webhook" // JSON POST; address: a URL (or empty for the configured one)
	ChannelLog     Channel = "log"     // structured log line; no address
)

// Limits of messages.
const (
	// MaxIdempotencyKeyLen is the longest idempotency key, in bytes.
	MaxIdempotencyKeyLen = 200
	// MaxDataKeys is the most data entries a message carries; rendering or
	// sending one with more is a KindPermanent error wrapping
	// hazard.ErrInvalid.
	MaxDataKeys = 32
)

// DefaultLocale is the locale of messages and recipients that name none.
const DefaultLocale = "zh-CN"

// Notifier delivers one message to one recipient on one channel.
//
// Notify returns nil once the message was handed over, or an error that
// says whether and when retrying can help: a *Error of a Kind (see
// Retryable, Final and RetryAfter), or the context's error when ctx ended.
// Fan-out to many recipients or channels belongs to a dispatcher (FanOut,
// Fallback, Router), not to adapters. Implementations are safe for
// concurrent use.
type Notifier interface {
	Notify(ctx context.Context, to Recipient, m Message) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, to Recipient, m Message) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, to Recipient, m Message) error {
	return f(ctx, to, m)
}

// Discard is the null notifier: it drops every message and returns nil
// (or the context's error once ctx is done).
var Discard Notifier = discard{}

type discard struct{}

func (discard) Notify(ctx context.Context, _ Recipient, _ Message) error { return ctx.Err() }

// Recipient is who a message goes to: a user, their addresses per channel,
// locale and preferences. It carries contact data: never log it whole.
type Recipient struct {
	// UserID identifies the user in the integrator's user store.
	UserID string
	// Addresses holds the user's address per channel: the WeChat openid,
	// the phone number, a webhook URL.
	Addresses map[Channel]string
	// Locale is the user's language, "zh-CN" (default) or "en".
	Locale      string
	Preferences Preferences
}

// Address returns the recipient's address on ch, "" when none.
func (r Recipient) Address(ch Channel) string { return r.Addresses[ch] }

// Preferences are a user's choices about notifications.
type Preferences struct {
	// Channels lists the channels the user wants, most preferred first;
	// nil means the router's default order.
	Channels []Channel
	// OptOut lists channels the user never wants to be reached on.
	OptOut []Channel
	// Muted lists template keys the user does not want at all
	// (e.g. KeyRewardExpired).
	Muted []string
	// None opts the user out of every notification.
	None bool
}

// Wants reports whether the user accepts the template key on ch.
func (p Preferences) Wants(ch Channel, key string) bool {
	if p.None || slices.Contains(p.OptOut, ch) || slices.Contains(p.Muted, key) {
		return false
	}
	return p.Channels == nil || slices.Contains(p.Channels, ch)
}

// Message is a channel-neutral message: a template key and its data, an
// idempotency key and a locale. Adapters render it with their own templates
// (text, a WeChat template's fields, an SMS gateway's template ID).
type Message struct {
	// Template is the template key, e.g. KeyReceived.
	Template string
	// Data holds the template's values by name (ref, amount_fen...).
	Data map[string]string
	// IdempotencyKey identifies the message: a delivery log drops a second
	// message with a key already delivered, and HTTP adapters send it so
	// that the far end can do the same.
	IdempotencyKey string
	// Locale is the language to render in; empty means the recipient's.
	Locale string
}

// checkData returns a KindPermanent error wrapping hazard.ErrInvalid when
// data has more than MaxDataKeys entries.
func checkData(ch Channel, op string, data map[string]string) error {
	if len(data) <= MaxDataKeys {
		return nil
	}
	return Permanent(ch, op, "too much message data", hazard.Errorf(hazard.CodeInvalid, "message data has %d entries, more than %d", len(data), MaxDataKeys))
}

// locale returns the locale m is rendered in for to.
func (m Message) locale(to Recipient) string {
	switch {
	case m.Locale != "":
		return m.Locale
	case to.Locale != "":
		return to.Locale
	}
	return DefaultLocale
}
