package notify

import (
	"context"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// LogNotifier writes each message as one structured slog line: channel,
// user ID, template key, idempotency key, locale, the masked addresses and,
// with templates, the text (never for KeyOTP, whose text is a secret). It
// logs no phone number, openid or name in clear. It is safe for concurrent
// use.
type LogNotifier struct {
	logger    *slog.Logger
	templates *Templates
}

// NewLog returns a LogNotifier writing to logger (slog.Default when nil),
// rendering texts with templates when not nil.
func NewLog(logger *slog.Logger, templates *Templates) *LogNotifier {
	if logger == nil {
		logger = slog.Default()
	}
	return &LogNotifier{logger: logger, templates: templates}
}

// Notify implements Notifier.
func (l *LogNotifier) Notify(ctx context.Context, to Recipient, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	attrs := []slog.Attr{
		slog.String("channel", string(ChannelLog)),
		slog.String("user_id", to.UserID),
		slog.String("template", m.Template),
		slog.String("idempotency_key", m.IdempotencyKey),
		slog.String("locale", m.locale(to)),
	}
	for _, ch := range []Channel{ChannelWeChat, ChannelSMS, ChannelWebhook} {
		if a := to.Address(ch); a != "" {
			attrs = append(attrs, slog.String(string(ch), MaskAddress(ch, a)))
		}
	}
	if l.templates != nil && m.Template != KeyOTP {
		text, err := l.templates.RenderMessage(to, m)
		if err != nil {
			return err
		}
		attrs = append(attrs, slog.String("text", text))
	}
	l.logger.LogAttrs(ctx, slog.LevelInfo, "notify: message", attrs...)
	return nil
}

// MaskPhone masks a phone number, keeping its first three and last four
// digits: "13812345678" becomes "138****5678". Numbers of fewer than eight
// characters are masked whole.
func MaskPhone(p string) string {
	n := utf8.RuneCountInString(p)
	if n < 8 {
		return strings.Repeat("*", n)
	}
	r := []rune(p)
	return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
}

// MaskAddress masks an address on ch for logs: phone numbers with MaskPhone,
// webhook URLs down to their scheme and host, anything else (an openid) to
// its first four characters.
func MaskAddress(ch Channel, a string) string {
	switch ch {
	case ChannelSMS:
		return MaskPhone(a)
	case ChannelWebhook:
		if i := strings.Index(a, "://"); i >= 0 {
			rest := a[i+3:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if k := strings.LastIndex(rest, "@"); k >= 0 {
				rest = rest[k+1:]
			}
			return a[:i+3] + rest
		}
		return "***"
	}
	r := []rune(a)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + "***"
}
