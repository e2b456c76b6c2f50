// Package memlimit is the in-memory hazard.Limiter: rate limits held by
// one process, for tests, demos and a server that runs alone. Processes
// sharing a database use pgstore's limiter instead, so that a limit holds
// across all of them.
//
// Its memory is bounded: a key's state is dropped once its window has
// ended (at the latest after as many takes as the limiter holds keys), and at most Config.MaxKeys keys are held at once. When that many
// keys have live windows, a take for a new key is refused (with the wait
// until the first window ends) rather than forgetting a live one, so that
// filling the limiter with keys never lifts anybody's limit.
//
// A Limiter is safe for concurrent use; a take does no I/O and holds the
// limiter's lock for a few microseconds.
package memlimit

import (
	"context"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// DefaultMaxKeys is how many keys a Limiter holds when Config.MaxKeys is 0.
const DefaultMaxKeys = 100_000

var _ hazard.Limiter = (*Limiter)(nil)

// Config configures a Limiter. The zero value is ready to use.
type Config struct {
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// MaxKeys caps the keys held at once; 0 means DefaultMaxKeys.
	MaxKeys int
}

// Limiter is an in-memory hazard.Limiter. Make one with New.
type Limiter struct {
	clock   func() time.Time
	maxKeys int

	mu   sync.Mutex
	keys map[string]*window
	// takes counts the takes since the last sweep: a sweep runs when they
	// reach the number of keys, so that sweeping costs O(1) a take.
	takes int
	// fullUntil is, after a sweep found every slot live, when the first
	// window ends; until then a new key is refused without a sweep.
	fullUntil time.Time
}

// window is one key's state: the times of its units within the window.
type window struct {
	hits []time.Time
	// ends is when the last hit leaves the window; the state is dropped
	// then.
	ends time.Time
}

// New returns an empty Limiter configured by cfg. A negative
// Config.MaxKeys is treated as 0.
func New(cfg Config) *Limiter {
	l := &Limiter{clock: cfg.Clock, maxKeys: cfg.MaxKeys, keys: map[string]*window{}}
	if l.clock == nil {
		l.clock = time.Now
	}
	if l.maxKeys <= 0 {
		l.maxKeys = DefaultMaxKeys
	}
	return l
}

// Take implements hazard.Limiter.
func (l *Limiter) Take(_ context.Context, key string, rule hazard.Limit, n int) (hazard.Decision, error) {
	if err := rule.CheckTake(key, n); err != nil {
		return hazard.Decision{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock().UTC() // under the lock: takes are in the order of their times
	l.takes++
	if l.takes >= len(l.keys) {
		l.sweep(now)
	}
	w := l.keys[key]
	if w == nil {
		if len(l.keys) >= l.maxKeys {
			if now.Before(l.fullUntil) || !l.sweep(now) {
				return hazard.Decision{RetryAfter: l.fullUntil.Sub(now)}, nil
			}
		}
		w = &window{}
	}
	d, hits := rule.Admit(w.hits, now, n)
	w.hits = hits // never empty: an allowed take adds hits, a refused one had some
	w.ends = hits[len(hits)-1].Add(rule.Per)
	l.keys[key] = w
	return d, nil
}

// sweep drops the windows that ended at now and reports whether a key's
// slot is free. When none is, it records when the first window ends.
func (l *Limiter) sweep(now time.Time) bool {
	l.takes = 0
	var first time.Time
	for k, w := range l.keys {
		if !w.ends.After(now) {
			delete(l.keys, k)
		} else if first.IsZero() || w.ends.Before(first) {
			first = w.ends
		}
	}
	if len(l.keys) < l.maxKeys {
		l.fullUntil = time.Time{}
		return true
	}
	l.fullUntil = first
	return false
}

// Len returns how many keys the limiter holds.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

var _ hazard.LimitResetter = (*Limiter)(nil)

// Reset implements hazard.LimitResetter: the keys' windows are dropped.
func (l *Limiter) Reset(_ context.Context, keys ...string) error {
	for _, k := range keys {
		if err := hazard.CheckLimitKey(k); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.keys, k)
	}
	if len(keys) > 0 {
		l.fullUntil = time.Time{}
	}
	return nil
}
