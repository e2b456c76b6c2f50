package notify

import (
	"context"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limiter is a token bucket: it holds up to burst tokens and gains rate
// tokens per second. Time comes from an injected clock, so that tests need
// no sleeping. It is safe for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	clock  func() time.Time
}

// NewLimiter returns a full bucket of burst tokens refilled at perSecond
// tokens a second. perSecond and burst must be positive (CodeInvalid); a nil
// clock means time.Now.
func NewLimiter(perSecond float64, burst int, clock func() time.Time) (*Limiter, error) {
	var p hazard.Problems
	if !(perSecond > 0) {
		p.Add("per_second", "must be positive")
	}
	if burst <= 0 {
		p.Add("burst", "must be positive")
	}
	if err := p.Err("notify.limiter"); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{rate: perSecond, burst: float64(burst), tokens: float64(burst), last: clock(), clock: clock}, nil
}

// Take takes a token if one is available and reports true; otherwise it
// takes nothing and returns how long until one will be.
func (l *Limiter) Take() (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	if el := now.Sub(l.last); el > 0 {
		l.tokens = min(l.burst, l.tokens+el.Seconds()*l.rate)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return true, 0
	}
	need := (1 - l.tokens) / l.rate
	return false, time.Duration(need*float64(time.Second)) + 1
}

// RateLimit returns a Notifier that passes a message to n only when l has a
// token, and otherwise returns a KindRateLimited *Error whose RetryAfter is
// the wait until the next token, without calling n. Wrap it in Retry to wait.
func RateLimit(ch Channel, n Notifier, l *Limiter) Notifier {
	return NotifierFunc(func(ctx context.Context, to Recipient, m Message) error {
		if ok, wait := l.Take(); !ok {
			return RateLimited(ch, "notify.ratelimit", "channel rate limit", wait)
		}
		return n.Notify(ctx, to, m)
	})
}
