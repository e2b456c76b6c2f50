package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Headers of webhook requests.
const (
	// HeaderTimestamp carries the Unix time of the request, in seconds.
	HeaderTimestamp = "X-Hazardloop-Timestamp"
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the
	// timestamp, a '.', and the body, keyed with the shared secret.
	HeaderSignature = "X-Hazardloop-Signature"
	// HeaderIdempotencyKey carries the message's idempotency key.
	HeaderIdempotencyKey = "Idempotency-Key"
)

// MinWebhookSecretLen is the shortest webhook secret, in bytes.
const MinWebhookSecretLen = 16

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// URL receives the messages of recipients without a webhook address.
	URL string
	// Secret keys the signature; at least MinWebhookSecretLen bytes.
	Secret []byte
	// Templates renders the text sent along with the data; required.
	Templates *Templates
	// Client sends requests (default: a new http.Client); Timeout bounds
	// each request (DefaultHTTPTimeout).
	Client  *http.Client
	Timeout time.Duration
	// Clock stamps requests; default time.Now.
	Clock func() time.Time
}

// WebhookPayload is the JSON body a Webhook posts.
type WebhookPayload struct {
	Template       string            `json:"template"`
	Locale         string            `json:"locale"`
	Text           string            `json:"text"`
	Data           map[string]string `json:"data,omitempty"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	UserID         string            `json:"user_id"`
	SentAt         time.Time         `json:"sent_at"`
}

// Webhook posts messages as signed JSON (WebhookPayload) to a URL: the
// recipient's ChannelWebhook address, or the configured URL. A 2xx status
// is delivered; 429 is rate-limited and 5xx temporary (both honouring
// Retry-After); 401 and 403 are credentials errors; any other 4xx is
// permanent. It is safe for concurrent use.
type Webhook struct {
	cfg WebhookConfig
}

// NewWebhook checks cfg (CodeInvalid) and returns a Webhook.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	var p hazard.Problems
	if len(cfg.Secret) < MinWebhookSecretLen {
		p.Add("secret", "must be at least %d bytes", MinWebhookSecretLen)
	}
	if cfg.Templates == nil {
		p.Add("templates", "is required")
	}
	if cfg.URL != "" && !validURL(cfg.URL) {
		p.Add("url", "must be an absolute http(s) URL")
	}
	if err := p.Err("notify.webhook"); err != nil {
		return nil, err
	}
	httpDefaults(&cfg.Client, &cfg.Timeout, &cfg.Clock)
	return &Webhook{cfg: cfg}, nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Notify implements Notifier.
func (w *Webhook) Notify(ctx context.Context, to Recipient, m Message) error {
	const op = "webhook.send"
	target := to.Address(ChannelWebhook)
	if target == "" {
		target = w.cfg.URL
	}
	if target == "" || !validURL(target) {
		return Permanent(ChannelWebhook, op, "no valid webhook URL for the recipient", nil)
	}
	text, err := w.cfg.Templates.RenderMessage(to, m)
	if err != nil {
		return err
	}
	now := w.cfg.Clock().UTC()
	body, err := json.Marshal(WebhookPayload{Template: m.Template, Locale: m.locale(to), Text: text, Data: m.Data,
		IdempotencyKey: m.IdempotencyKey, UserID: to.UserID, SentAt: now})
	if err != nil {
		return Permanent(ChannelWebhook, op, "encode payload", err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, SignWebhook(w.cfg.Secret, ts, body))
	if m.IdempotencyKey != "" {
		h.Set(HeaderIdempotencyKey, m.IdempotencyKey)
	}
	r, err := postBytes(ctx, w.cfg.Client, w.cfg.Timeout, ChannelWebhook, op, target, body, h)
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	return statusError(ChannelWebhook, op, r, now)
}

// SignWebhook returns the HeaderSignature value for a timestamp and body.
func SignWebhook(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks a received webhook: the signature must match and the
// timestamp must be within tolerance of now. A failure is CodeUnauthenticated.
func VerifyWebhook(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return hazard.Errorf(hazard.CodeUnauthenticated, "bad webhook timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return hazard.Errorf(hazard.CodeUnauthenticated, "webhook timestamp out of tolerance")
	}
	if !hmac.Equal([]byte(signature), []byte(SignWebhook(secret, timestamp, body))) {
		return hazard.Errorf(hazard.CodeUnauthenticated, "bad webhook signature")
	}
	return nil
}
