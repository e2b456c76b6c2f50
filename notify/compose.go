package notify

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Named is a notifier with a name, for FanOut's results.
type Named struct {
	Name     string
	Notifier Notifier
}

// Result is one notifier's outcome in a FanOut.
type Result struct {
	Name string
	// Err is nil when the notifier delivered.
	Err error
}

// FanOut sends one message through several notifiers at once and reports
// each one's result. It is safe for concurrent use.
type FanOut struct {
	ns []Named
}

// NewFanOut returns a FanOut over ns.
func NewFanOut(ns ...Named) *FanOut { return &FanOut{ns: append([]Named(nil), ns...)} }

// Send delivers m to to through every notifier concurrently and returns the
// results in the order of the notifiers.
func (f *FanOut) Send(ctx context.Context, to Recipient, m Message) []Result {
	res := make([]Result, len(f.ns))
	var wg sync.WaitGroup
	for i, n := range f.ns {
		res[i].Name = n.Name
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i].Err = n.Notifier.Notify(ctx, to, m)
		}()
	}
	wg.Wait()
	return res
}

// Notify implements Notifier: nil when every notifier delivered, else a
// *FanOutError with every result. Retryable(err) is true when a failed
// notifier's error is.
func (f *FanOut) Notify(ctx context.Context, to Recipient, m Message) error {
	res := f.Send(ctx, to, m)
	for _, r := range res {
		if r.Err != nil {
			return &FanOutError{Results: res}
		}
	}
	return nil
}

// FanOutError reports a FanOut where at least one notifier failed.
type FanOutError struct {
	Results []Result
}

// Error implements error.
func (e *FanOutError) Error() string {
	var b strings.Builder
	b.WriteString("notify: fan-out failed:")
	for _, r := range e.Results {
		if r.Err != nil {
			b.WriteString(" ")
			b.WriteString(r.Name)
			b.WriteString(": ")
			b.WriteString(r.Err.Error())
			b.WriteString(";")
		}
	}
	return b.String()
}

// Unwrap returns the errors of the notifiers that failed.
func (e *FanOutError) Unwrap() []error {
	var errs []error
	for _, r := range e.Results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}

// Fallback returns a Notifier that tries ns in order until one delivers. It
// moves on only when an error is final for the recipient on that channel
// (Final: a refused subscription, an invalid openid, a missing address);
// any other error stops it and is returned, joined with the final errors
// before it, so that the caller retries later. When all fail finally, the
// joined error is Final too.
func Fallback(ns ...Notifier) Notifier {
	ns = append([]Notifier(nil), ns...)
	return NotifierFunc(func(ctx context.Context, to Recipient, m Message) error {
		var errs []error
		for _, n := range ns {
			if err := ctx.Err(); err != nil {
				return err
			}
			err := n.Notify(ctx, to, m)
			if err == nil {
				return nil
			}
			errs = append(errs, err)
			if !Final(err) {
				break
			}
		}
		if len(errs) == 1 {
			return errs[0]
		}
		return errors.Join(errs...)
	})
}

// Limits and defaults of Retry.
const (
	DefaultRetryAttempts = 4
	MaxRetryAttempts     = 10
	DefaultRetryBase     = 200 * time.Millisecond
	DefaultRetryMax      = 10 * time.Second
)

// RetryConfig configures Retry. Zero fields take the defaults.
type RetryConfig struct {
	// Channel labels the retried_total metric.
	Channel Channel
	// MaxAttempts counts every attempt, the first included; default
	// DefaultRetryAttempts, at most MaxRetryAttempts.
	MaxAttempts int
	// BaseDelay is the wait before the first retry (DefaultRetryBase); it
	// doubles with each retry up to MaxDelay (DefaultRetryMax).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Jitter returns a number in [0, 1): the wait is half the backoff plus
	// that share of the other half. Default math/rand/v2.Float64.
	Jitter func() float64
	// Sleep waits d or until ctx is done (then it returns ctx's error).
	// Default: a timer.
	Sleep   func(ctx context.Context, d time.Duration) error
	Metrics *Metrics
}

// Retry returns a Notifier that retries n's retryable errors (Retryable)
// with exponential backoff and jitter. When the service asked for a wait
// (RetryAfter), Retry waits that long instead; a wait longer than MaxDelay
// is not waited for: the error is returned at once, for a later retry by the
// caller (the relay). Permanent errors and the context's end stop it at once;
// a context ended during a wait returns the context's error.
func Retry(n Notifier, cfg RetryConfig) Notifier {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultRetryAttempts
	}
	cfg.MaxAttempts = min(cfg.MaxAttempts, MaxRetryAttempts)
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultRetryBase
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultRetryMax
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	return NotifierFunc(func(ctx context.Context, to Recipient, m Message) error {
		var err error
		for attempt := 0; attempt < cfg.MaxAttempts; attempt++ {
			if attempt > 0 {
				cfg.Metrics.incRetried(cfg.Channel)
			}
			err = n.Notify(ctx, to, m)
			if err == nil || !Retryable(err) || attempt == cfg.MaxAttempts-1 {
				return err
			}
			wait := RetryAfter(err)
			if wait > cfg.MaxDelay {
				return err
			}
			if wait == 0 {
				wait = cfg.backoff(attempt)
			}
			if serr := cfg.Sleep(ctx, wait); serr != nil {
				return serr
			}
		}
		return err
	})
}

// backoff returns the jittered wait after the attempt (0-based).
func (c RetryConfig) backoff(attempt int) time.Duration {
	d := c.BaseDelay
	for i := 0; i < attempt && d < c.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.MaxDelay)
	half := d / 2
	return half + time.Duration(c.Jitter()*float64(d-half))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
