package hazardtest

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestLimiter runs the conformance suite of hazard.Limiter against the
// limiters open returns. open is called once per subtest with the clock the
// limiter must read (a Clock the suite advances) and must return a fresh
// limiter that holds no key; it may register clean-up with t.Cleanup. An
// adapter's test is one line:
//
//	hazardtest.TestLimiter(t, func(t *testing.T, now func() time.Time) hazard.Limiter {
//		return memlimit.New(memlimit.Config{Clock: now})
//	})
//
// It checks that exactly Max of 20 concurrent takers pass, that the window
// slides with the clock, that RetryAfter is the real wait, that keys are
// independent, and that invalid keys, limits and counts are CodeInvalid.
func TestLimiter(t *testing.T, open func(t *testing.T, now func() time.Time) hazard.Limiter) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.Limiter, *Clock)
	}{
		{"Take/CountsDown", limiterCountsDown},
		{"Take/RefusedTakesNothing", limiterRefusedTakesNothing},
		{"Take/SeveralUnits", limiterSeveralUnits},
		{"Take/KeysAreIndependent", limiterKeys},
		{"Take/ParallelExact", limiterParallel},
		{"Window/Slides", limiterSlides},
		{"Window/RetryAfterIsTheWait", limiterRetryAfter},
		{"Window/ClockJump", limiterClockJump},
		{"Invalid", limiterInvalid},
		{"Reset", limiterReset},
	} {
		t.Run(c.name, func(t *testing.T) {
			clock := NewClock(Epoch)
			l := open(t, clock.Now)
			if l == nil {
				t.Fatal("open returned a nil limiter")
			}
			c.fn(t, l, clock)
		})
	}
}

// take calls l.Take and fails the test on an error.
func take(t *testing.T, l hazard.Limiter, key string, rule hazard.Limit, n int) hazard.Decision {
	t.Helper()
	d, err := l.Take(t.Context(), key, rule, n)
	require.NoError(t, err, "Take(%q, %+v, %d)", key, rule, n)
	return d
}

func limiterCountsDown(t *testing.T, l hazard.Limiter, _ *Clock) {
	rule := hazard.Limit{Max: 3, Per: time.Hour}
	for i := range 3 {
		d := take(t, l, "count", rule, 1)
		assert.True(t, d.Allowed, "take %d of 3: Allowed", i+1)
		assert.Equal(t, 2-i, d.Remaining, "take %d of 3: Remaining", i+1)
		assert.Zero(t, d.RetryAfter, "take %d of 3: RetryAfter", i+1)
	}
	d := take(t, l, "count", rule, 1)
	assert.False(t, d.Allowed, "take 4 of 3: Allowed")
	assert.Zero(t, d.Remaining, "take 4 of 3: Remaining")
	assert.Equal(t, time.Hour, d.RetryAfter, "take 4 of 3 at the same instant: RetryAfter is the whole window")
}

func limiterRefusedTakesNothing(t *testing.T, l hazard.Limiter, clock *Clock) {
	rule := hazard.Limit{Max: 1, Per: time.Minute}
	require.True(t, take(t, l, "refused", rule, 1).Allowed, "first take")
	for i := range 5 {
		clock.Advance(10 * time.Second)
		d := take(t, l, "refused", rule, 1)
		assert.False(t, d.Allowed, "take %d within the minute: Allowed", i+2)
		assert.Equal(t, time.Minute-time.Duration(i+1)*10*time.Second, d.RetryAfter, "take %d within the minute: RetryAfter", i+2)
	}
	clock.Advance(10 * time.Second) // a minute after the first take
	assert.True(t, take(t, l, "refused", rule, 1).Allowed, "a take a minute after the first: refused takes took nothing")
}

func limiterSeveralUnits(t *testing.T, l hazard.Limiter, clock *Clock) {
	rule := hazard.Limit{Max: 5, Per: time.Minute}
	d := take(t, l, "units", rule, 3)
	assert.True(t, d.Allowed, "3 of 5: Allowed")
	assert.Equal(t, 2, d.Remaining, "3 of 5: Remaining")
	clock.Advance(10 * time.Second)
	d = take(t, l, "units", rule, 3)
	assert.False(t, d.Allowed, "3 more of 5: Allowed")
	assert.Equal(t, 2, d.Remaining, "3 more of 5: Remaining")
	assert.Equal(t, 50*time.Second, d.RetryAfter, "3 more of 5: RetryAfter until the first 3 leave")
	d = take(t, l, "units", rule, 2)
	assert.True(t, d.Allowed, "the last 2 of 5: Allowed")
	assert.Zero(t, d.Remaining, "the last 2 of 5: Remaining")
	d = take(t, l, "units", rule, 5)
	assert.False(t, d.Allowed, "5 of a full window: Allowed")
	assert.Equal(t, time.Minute, d.RetryAfter, "5 of a full window: RetryAfter until the last 2 leave")
}

func limiterKeys(t *testing.T, l hazard.Limiter, _ *Clock) {
	rule := hazard.Limit{Max: 1, Per: time.Hour}
	long := strings.Repeat("k", hazard.MaxLimitKeyLen)
	for _, key := range []string{"a", "b", "otp-send:13900000001", "限额:市民", long} {
		assert.True(t, take(t, l, key, rule, 1).Allowed, "first take of %q", key)
	}
	for _, key := range []string{"a", "b", "otp-send:13900000001", "限额:市民", long} {
		assert.False(t, take(t, l, key, rule, 1).Allowed, "second take of %q", key)
	}
}

func limiterParallel(t *testing.T, l hazard.Limiter, _ *Clock) {
	rule := hazard.Limit{Max: 5, Per: time.Hour}
	var allowed, refused, failed atomic.Int64
	Together(parallel, func(int) {
		d, err := l.Take(t.Context(), "parallel", rule, 1)
		switch {
		case err != nil:
			failed.Add(1)
		case d.Allowed:
			allowed.Add(1)
		default:
			refused.Add(1)
		}
	})
	assert.Zero(t, failed.Load(), "parallel takes that failed")
	assert.Equal(t, int64(rule.Max), allowed.Load(), "of %d parallel takes of a limit of %d, the number allowed", parallel, rule.Max)
	assert.Equal(t, int64(parallel-rule.Max), refused.Load(), "parallel takes refused")
	assert.False(t, take(t, l, "parallel", rule, 1).Allowed, "a take after the race")
}

func limiterSlides(t *testing.T, l hazard.Limiter, clock *Clock) {
	rule := hazard.Limit{Max: 2, Per: time.Minute}
	require.True(t, take(t, l, "slide", rule, 1).Allowed, "take at 0s")
	clock.Advance(30 * time.Second)
	require.True(t, take(t, l, "slide", rule, 1).Allowed, "take at 30s")
	clock.Advance(29 * time.Second)
	d := take(t, l, "slide", rule, 1)
	assert.False(t, d.Allowed, "take at 59s: Allowed")
	assert.Equal(t, time.Second, d.RetryAfter, "take at 59s: RetryAfter")
	clock.Advance(time.Second)
	d = take(t, l, "slide", rule, 1)
	assert.True(t, d.Allowed, "take at 60s, as the 0s take leaves: Allowed")
	assert.Zero(t, d.Remaining, "take at 60s: Remaining")
	d = take(t, l, "slide", rule, 1)
	assert.False(t, d.Allowed, "second take at 60s: Allowed (the window slides, it does not reset)")
	assert.Equal(t, 30*time.Second, d.RetryAfter, "second take at 60s: RetryAfter until the 30s take leaves")
	clock.Advance(2 * time.Minute)
	d = take(t, l, "slide", rule, 2)
	assert.True(t, d.Allowed, "2 units once the window is empty: Allowed")
	assert.Zero(t, d.Remaining, "2 units once the window is empty: Remaining")
}

func limiterRetryAfter(t *testing.T, l hazard.Limiter, clock *Clock) {
	rule := hazard.Limit{Max: 3, Per: time.Hour}
	for i := range 3 {
		require.True(t, take(t, l, "wait", rule, 1).Allowed, "take %d", i+1)
		clock.Advance(7 * time.Minute)
	}
	d := take(t, l, "wait", rule, 1)
	require.False(t, d.Allowed, "take at the limit")
	require.Positive(t, d.RetryAfter, "RetryAfter at the limit")
	assert.Equal(t, time.Hour-21*time.Minute, d.RetryAfter, "RetryAfter: until the first take leaves")
	clock.Advance(d.RetryAfter - time.Millisecond)
	assert.False(t, take(t, l, "wait", rule, 1).Allowed, "a take just before RetryAfter")
	clock.Advance(time.Millisecond)
	assert.True(t, take(t, l, "wait", rule, 1).Allowed, "a take after RetryAfter")
}

func limiterClockJump(t *testing.T, l hazard.Limiter, clock *Clock) {
	rule := hazard.Limit{Max: 1, Per: 24 * time.Hour}
	require.True(t, take(t, l, "jump", rule, 1).Allowed, "first take")
	clock.Advance(hazard.MaxLimitPer)
	assert.True(t, take(t, l, "jump", rule, 1).Allowed, "a take after the longest window")
	assert.False(t, take(t, l, "jump", rule, 1).Allowed, "a second take after the longest window")
}

func limiterInvalid(t *testing.T, l hazard.Limiter, _ *Clock) {
	ok := hazard.Limit{Max: 2, Per: time.Minute}
	for _, c := range []struct {
		name  string
		key   string
		rule  hazard.Limit
		n     int
		field string
	}{
		{"empty key", "", ok, 1, "key"},
		{"long key", strings.Repeat("k", hazard.MaxLimitKeyLen+1), ok, 1, "key"},
		{"NUL in key", "a\x00b", ok, 1, "key"},
		{"newline in key", "a\nb", ok, 1, "key"},
		{"invalid UTF-8 key", "a\xffb", ok, 1, "key"},
		{"max 0", "k", hazard.Limit{Max: 0, Per: time.Minute}, 1, "limit.max"},
		{"max above the bound", "k", hazard.Limit{Max: hazard.MaxLimitMax + 1, Per: time.Minute}, 1, "limit.max"},
		{"per 0", "k", hazard.Limit{Max: 2}, 1, "limit.per"},
		{"negative per", "k", hazard.Limit{Max: 2, Per: -time.Minute}, 1, "limit.per"},
		{"per below the bound", "k", hazard.Limit{Max: 2, Per: hazard.MinLimitPer - 1}, 1, "limit.per"},
		{"per above the bound", "k", hazard.Limit{Max: 2, Per: hazard.MaxLimitPer + 1}, 1, "limit.per"},
		{"n 0", "k", ok, 0, "n"},
		{"n above max", "k", ok, 3, "n"},
	} {
		d, err := l.Take(t.Context(), c.key, c.rule, c.n)
		if !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("Take with %s: got %v, want CodeInvalid", c.name, err)
			continue
		}
		assert.False(t, d.Allowed, "Take with %s: Allowed", c.name)
		var e *hazard.Error
		if assert.ErrorAs(t, err, &e, "Take with %s", c.name) {
			assert.Equal(t, c.field, e.Field, "Take with %s: Error.Field", c.name)
		}
	}
	d := take(t, l, "k", ok, 2)
	assert.True(t, d.Allowed, "a valid take after the invalid ones: they took nothing")
}

// limiterReset pins hazard.LimitResetter, when the limiter has it: a reset
// key starts afresh, other keys keep their windows, unknown keys are no
// error and an invalid key is CodeInvalid.
func limiterReset(t *testing.T, l hazard.Limiter, _ *Clock) {
	r, ok := l.(hazard.LimitResetter)
	if !ok {
		t.Skipf("the limiter (%T) is no hazard.LimitResetter", l)
	}
	rule := hazard.Limit{Max: 2, Per: time.Hour}
	for _, k := range []string{"submit:erased", "submit:kept"} {
		take(t, l, k, rule, 2)
		require.False(t, take(t, l, k, rule, 1).Allowed, "Take %s past its limit (setup)", k)
	}
	require.NoError(t, r.Reset(t.Context(), "submit:erased", "never-taken"), "Reset")
	assert.True(t, take(t, l, "submit:erased", rule, 2).Allowed, "Take after Reset: the window is empty")
	assert.False(t, take(t, l, "submit:kept", rule, 1).Allowed, "Take of a key not reset")
	require.NoError(t, r.Reset(t.Context()), "Reset of no key")
	assertCode(t, r.Reset(t.Context(), "submit:kept", ""), hazard.ErrInvalid, "Reset with an empty key")
	assert.False(t, take(t, l, "submit:kept", rule, 1).Allowed, "nothing reset by an invalid Reset")
}
