package notify

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// SMSConfig configures an SMS gateway client.
type SMSConfig struct {
	// URL is the gateway's send endpoint.
	URL string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Sign is the registered SMS signature (签名), e.g. "隐患随手拍".
	Sign string
	// Templates maps a template key to the gateway's template ID; a key
	// without an ID is a permanent error for that message (the caller falls
	// back or drops it).
	Templates map[string]string
	// Client sends requests; Timeout bounds each one (DefaultHTTPTimeout).
	Client  *http.Client
	Timeout time.Duration
	// Clock reads Retry-After dates; default time.Now.
	Clock func() time.Time
}

// SMSRequest is the JSON body an SMS posts to the gateway. The gateway
// renders its own registered template with Params.
type SMSRequest struct {
	Phone          string            `json:"phone"`
	Sign           string            `json:"sign"`
	TemplateID     string            `json:"template_id"`
	Params         map[string]string `json:"params"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
}

// SMS sends text messages through an HTTP gateway: a JSON POST of an
// SMSRequest. A 2xx status is delivered; 429 is rate-limited (Retry-After
// honoured); 5xx and 408 temporary; 401 and 403 credentials; other 4xx
// permanent. A recipient without a valid mainland mobile number is a
// permanent error and sends nothing. It is safe for concurrent use.
type SMS struct {
	cfg SMSConfig
}

// NewSMS checks cfg (CodeInvalid) and returns an SMS.
func NewSMS(cfg SMSConfig) (*SMS, error) {
	var p hazard.Problems
	if !validURL(cfg.URL) {
		p.Add("url", "must be an absolute http(s) URL")
	}
	if cfg.Sign == "" {
		p.Add("sign", "is required")
	}
	if len(cfg.Templates) == 0 {
		p.Add("templates", "needs at least one template ID")
	}
	if err := p.Err("notify.sms"); err != nil {
		return nil, err
	}
	httpDefaults(&cfg.Client, &cfg.Timeout, &cfg.Clock)
	return &SMS{cfg: cfg}, nil
}

var phonePattern = regexp.MustCompile(`^(\+?86)?1[3-9][0-9]{9}$`)

// ValidPhone reports whether p is a mainland China mobile number, with or
// without the +86 prefix.
func ValidPhone(p string) bool { return phonePattern.MatchString(p) }

// Notify implements Notifier.
func (s *SMS) Notify(ctx context.Context, to Recipient, m Message) error {
	const op = "sms.send"
	phone := to.Address(ChannelSMS)
	if !ValidPhone(phone) {
		return Permanent(ChannelSMS, op, "recipient has no valid mobile number", hazard.ErrInvalid)
	}
	id, ok := s.cfg.Templates[m.Template]
	if !ok {
		return Permanent(ChannelSMS, op, "no SMS template for "+m.Template, hazard.ErrInvalid)
	}
	h := http.Header{}
	if s.cfg.APIKey != "" {
		h.Set("Authorization", "Bearer "+s.cfg.APIKey)
	}
	if m.IdempotencyKey != "" {
		h.Set(HeaderIdempotencyKey, m.IdempotencyKey)
	}
	if err := checkData(ChannelSMS, op, m.Data); err != nil {
		return err
	}
	params := m.Data
	if params == nil {
		params = map[string]string{}
	}
	r, err := postJSON(ctx, s.cfg.Client, s.cfg.Timeout, ChannelSMS, op, s.cfg.URL,
		SMSRequest{Phone: phone, Sign: s.cfg.Sign, TemplateID: id, Params: params, IdempotencyKey: m.IdempotencyKey}, h)
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	return statusError(ChannelSMS, op, r, s.cfg.Clock())
}
