package hazard

import (
	"context"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of a Limit and of a limiter key.
const (
	// MaxLimitMax is the largest Limit.Max. A limiter keeps one time per
	// unit taken within the window, so this bounds its state per key.
	MaxLimitMax = 1000
	// MinLimitPer is the shortest Limit.Per: finer rates are throttles,
	// not limits.
	MinLimitPer = time.Second
	// MaxLimitPer is the longest Limit.Per: a limiter keeps a key's state
	// this long at most.
	MaxLimitPer = 31 * 24 * time.Hour
	// MaxLimitKeyLen is the longest limiter key, in bytes: room for a
	// namespace of up to 128 bytes and a user ID (MaxUserIDLen runes of up
	// to 4 bytes).
	MaxLimitKeyLen = 128 + 4*MaxUserIDLen
)

// Limit is a rate limit: at most Max units in any window of length Per (a
// sliding window). A unit counts from the instant it was taken until Per
// later, so "5 an hour" refuses a sixth unit until an hour after the
// oldest of the five, whatever the clock reads.
type Limit struct {
	// Max is how many units the window holds, 1 to MaxLimitMax.
	Max int
	// Per is the length of the window, MinLimitPer to MaxLimitPer.
	Per time.Duration
}

// Validate returns CodeInvalid naming "limit.max" or "limit.per" when the
// limit is out of its bounds.
func (l Limit) Validate() error {
	var p Problems
	l.check(&p)
	return p.Err("limit")
}

func (l Limit) check(p *Problems) {
	if l.Max < 1 || l.Max > MaxLimitMax {
		p.Add("limit.max", "must be 1 to %d", MaxLimitMax)
	}
	if l.Per < MinLimitPer || l.Per > MaxLimitPer {
		p.Add("limit.per", "must be %s to %s", MinLimitPer, MaxLimitPer)
	}
}

// CheckTake validates the arguments of Limiter.Take with this limit: the
// limit itself, a key of 1 to MaxLimitKeyLen bytes of UTF-8 without
// control characters, and n from 1 to l.Max. It returns CodeInvalid naming
// every field at fault ("key", "n", "limit.max", "limit.per"). Limiter
// adapters call it first, so that all of them refuse the same input.
func (l Limit) CheckTake(key string, n int) error {
	var p Problems
	checkLimitKey(&p, key)
	l.check(&p)
	if n < 1 || (l.Max >= 1 && n > l.Max) {
		p.Add("n", "must be 1 to the limit's max")
	}
	return p.Err("limit take")
}

func containsControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// Admit decides a take of n units at now from the times of the units taken
// earlier under this limit (hits, in any order: Admit sorts them in
// place): it drops the hits that
// have left the window (taken at or before now-Per), and admits the take
// when the rest plus n is at most Max, adding n hits at now. It returns the
// decision and the hits to keep, oldest first (at most Max of them; the
// slice may share hits' array). A refused take adds nothing; its
// RetryAfter is how long until enough hits leave the window for n units.
//
// Admit is the window rule of every Limiter adapter: an adapter keeps a
// key's hits and calls Admit atomically with respect to other takes of the
// key. Arguments are assumed valid (CheckTake).
func (l Limit) Admit(hits []time.Time, now time.Time, n int) (Decision, []time.Time) {
	slices.SortFunc(hits, time.Time.Compare)
	start := now.Add(-l.Per)
	i := 0
	for i < len(hits) && !hits[i].After(start) {
		i++
	}
	live := hits[i:]
	used := len(live)
	if used+n <= l.Max {
		for range n {
			live = append(live, now)
		}
		slices.SortFunc(live, time.Time.Compare) // a hit from a clock ahead of ours stays last
		return Decision{Allowed: true, Remaining: l.Max - used - n}, live
	}
	// The take fits once the oldest used+n-Max hits have left the window.
	wait := live[used+n-l.Max-1].Add(l.Per).Sub(now)
	return Decision{Remaining: max(l.Max-used, 0), RetryAfter: max(wait, 0)}, live
}

// Decision is a limiter's answer to a take.
type Decision struct {
	// Allowed reports whether the units were taken.
	Allowed bool
	// Remaining is how many units the window still holds after this take.
	Remaining int
	// RetryAfter is, for a refused take, how long until the same take
	// would be allowed if nothing else is taken meanwhile; 0 when allowed.
	RetryAfter time.Duration
}

// Err returns nil for an allowed take, and for a refused one a
// CodeRateLimited *Error for op with the message and Error.RetryAfter set to
// the decision's wait.
func (d Decision) Err(op, message string) error {
	if d.Allowed {
		return nil
	}
	return &Error{Code: CodeRateLimited, Op: op, Message: message, RetryAfter: d.RetryAfter}
}

// Limiter is the port of rate limits: it counts the units taken per key
// within a sliding window (see Limit) and admits a take only while the
// window has room. An adapter whose state is shared (pgstore's, on one
// database) makes a limit hold across every process sharing it.
//
// Take takes n units under rule for key at the limiter's clock's time. It
// is atomic with respect to other takes of the key, in this process and,
// for a shared adapter, in every process: of many concurrent takes, exactly
// as many are allowed as the window has room for. A refused take takes
// nothing and says how long to wait (Decision.RetryAfter). Invalid
// arguments (Limit.CheckTake) are CodeInvalid and take nothing; an
// adapter's failure is CodeInternal.
//
// A key should be used with one rule: callers namespace their keys
// ("otp-send:" + phone, "submit:" + user ID). Implementations are safe for
// concurrent use; hazardtest.TestLimiter pins these promises.
type Limiter interface {
	Take(ctx context.Context, key string, rule Limit, n int) (Decision, error)
}

// LimitResetter is an optional capability of a Limiter that forgets the
// windows of some keys, as if nothing had been taken under them: an
// erasure (Service.ForgetUser) resets the keys that name the person. Keys
// without a window are no error; invalid keys (see Limit.CheckTake) are
// CodeInvalid and nothing is reset. hazardtest.TestLimiter checks it when
// a limiter has it.
type LimitResetter interface {
	Reset(ctx context.Context, keys ...string) error
}

// CheckLimitKey returns CodeInvalid naming "key" unless key is 1 to
// MaxLimitKeyLen bytes of UTF-8 without control characters, as
// Limit.CheckTake requires of a take's key.
func CheckLimitKey(key string) error {
	var p Problems
	checkLimitKey(&p, key)
	return p.Err("limit key")
}

func checkLimitKey(p *Problems, key string) {
	switch {
	case key == "":
		p.Add("key", "is required")
	case len(key) > MaxLimitKeyLen:
		p.Add("key", "must be at most %d bytes", MaxLimitKeyLen)
	case !utf8.ValidString(key) || containsControl(key):
		p.Add("key", "must be UTF-8 text without control characters")
	}
}
