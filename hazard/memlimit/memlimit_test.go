package memlimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
)

func TestLimiter(t *testing.T) {
	hazardtest.TestLimiter(t, func(t *testing.T, now func() time.Time) hazard.Limiter {
		return memlimit.New(memlimit.Config{Clock: now})
	})
}

// TestExpiredWindowsAreDropped: a key's state goes once its window ends,
// at the latest after as many takes as there are keys.
func TestExpiredWindowsAreDropped(t *testing.T) {
	clock := hazardtest.NewClock(hazardtest.Epoch)
	l := memlimit.New(memlimit.Config{Clock: clock.Now})
	rule := hazard.Limit{Max: 2, Per: time.Minute}
	for i := range 50 {
		d, err := l.Take(context.Background(), fmt.Sprintf("k%d", i), rule, 1)
		require.NoError(t, err)
		require.True(t, d.Allowed)
	}
	assert.Equal(t, 50, l.Len(), "keys with live windows")
	clock.Advance(time.Minute)
	for range 51 {
		_, err := l.Take(context.Background(), "fresh", rule, 1)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, l.Len(), "keys once the other windows ended")
}

// TestMaxKeys: a full limiter refuses new keys until a window ends, and
// never forgets a live one.
func TestMaxKeys(t *testing.T) {
	ctx := context.Background()
	clock := hazardtest.NewClock(hazardtest.Epoch)
	l := memlimit.New(memlimit.Config{Clock: clock.Now, MaxKeys: 3})
	rule := hazard.Limit{Max: 1, Per: time.Minute}
	for i := range 3 {
		d, err := l.Take(ctx, fmt.Sprintf("k%d", i), rule, 1)
		require.NoError(t, err)
		require.True(t, d.Allowed, "key %d", i)
		clock.Advance(10 * time.Second)
	}
	d, err := l.Take(ctx, "new", rule, 1)
	require.NoError(t, err)
	assert.False(t, d.Allowed, "a new key in a full limiter")
	assert.Equal(t, 30*time.Second, d.RetryAfter, "a new key in a full limiter: RetryAfter until the first window ends")
	d, err = l.Take(ctx, "k0", rule, 1)
	require.NoError(t, err)
	assert.False(t, d.Allowed, "a held key is still limited")
	assert.Equal(t, 3, l.Len())

	clock.Advance(30 * time.Second)
	d, err = l.Take(ctx, "new", rule, 1)
	require.NoError(t, err)
	assert.True(t, d.Allowed, "a new key once the first window ended")
	d, err = l.Take(ctx, "k1", rule, 1)
	require.NoError(t, err)
	assert.False(t, d.Allowed, "k1's window is still live")
	assert.Equal(t, 3, l.Len())
}
