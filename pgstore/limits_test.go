package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
)

func TestLimiterConformance(t *testing.T) {
	testURL(t)
	hazardtest.TestLimiter(t, func(t *testing.T, now func() time.Time) hazard.Limiter {
		return newDB(t).Limiter(now)
	})
}

// TestLimiterAcrossPools: two pools on one schema stand for two processes;
// 20 takers split over them get exactly the limit.
func TestLimiterAcrossPools(t *testing.T) {
	a, b := twoProcesses(t)
	clock := hazardtest.NewClock(hazardtest.Epoch)
	limiters := []*pgstore.Limiter{a.Limiter(clock.Now), b.Limiter(clock.Now)}
	rule := hazard.Limit{Max: 7, Per: time.Hour}
	allowed := make([]bool, 20)
	errs := make([]error, 20)
	hazardtest.Together(20, func(i int) {
		d, err := limiters[i%2].Take(context.Background(), "shared", rule, 1)
		allowed[i], errs[i] = d.Allowed, err
	})
	n := 0
	for i := range allowed {
		require.NoError(t, errs[i], "take %d", i)
		if allowed[i] {
			n++
		}
	}
	assert.Equal(t, rule.Max, n, "takes allowed over two pools")
}

func TestLimiterSweep(t *testing.T) {
	db := newDB(t)
	clock := hazardtest.NewClock(hazardtest.Epoch)
	l := db.Limiter(clock.Now)
	ctx := context.Background()
	for _, key := range []string{"a", "b"} {
		_, err := l.Take(ctx, key, hazard.Limit{Max: 1, Per: time.Minute}, 1)
		require.NoError(t, err)
	}
	_, err := l.Take(ctx, "c", hazard.Limit{Max: 1, Per: time.Hour}, 1)
	require.NoError(t, err)
	n, err := l.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "Sweep with every window live")
	clock.Advance(time.Minute)
	n, err = l.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "Sweep once two windows ended")
	d, err := l.Take(ctx, "c", hazard.Limit{Max: 1, Per: time.Hour}, 1)
	require.NoError(t, err)
	assert.False(t, d.Allowed, "the live window survived the sweep")
	d, err = l.Take(ctx, "a", hazard.Limit{Max: 1, Per: time.Minute}, 1)
	require.NoError(t, err)
	assert.True(t, d.Allowed, "a swept key starts afresh")
}
