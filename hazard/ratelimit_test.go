package hazard_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestSubmitRateLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.SubmitsPerDay = 3 })
	for i := range 3 {
		_, err := f.svc.Submit(ctx, citizen, fireReport(), fmt.Sprintf("k%d", i))
		require.NoError(t, err, "Submit %d", i)
	}
	_, err := f.svc.Submit(ctx, citizen, fireReport(), "k3")
	require.ErrorIs(t, err, hazard.ErrRateLimited)

	again, err := f.svc.Submit(ctx, citizen, fireReport(), "k1")
	require.NoError(t, err, "a retry of an accepted report is answered at the limit")
	first, err := f.svc.Mine(ctx, citizen, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, first.Items, 3)
	assert.Equal(t, first.Items[1].ID, again.ID, "the retry returns the report k1 made")

	_, err = f.svc.Submit(ctx, otherCit, fireReport(), "")
	require.NoError(t, err, "the limit is per reporter")
	_, err = f.svc.Submit(ctx, dispatcher, fireReport(), "")
	require.NoError(t, err, "staff are not limited")

	f.clock.Advance(24*time.Hour + time.Second)
	_, err = f.svc.Submit(ctx, citizen, fireReport(), "")
	require.NoError(t, err, "the window slides")
}

func TestSubmitRateLimitDefault(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for i := range hazard.DefaultSubmitsPerDay {
		_, err := f.svc.Submit(ctx, citizen, fireReport(), "")
		require.NoError(t, err, "Submit %d", i)
	}
	_, err := f.svc.Submit(ctx, citizen, fireReport(), "")
	require.ErrorIs(t, err, hazard.ErrRateLimited)
}

func TestSubmitRateLimitOff(t *testing.T) {
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.SubmitsPerDay = -1 })
	for i := range hazard.DefaultSubmitsPerDay + 5 {
		_, err := f.svc.Submit(context.Background(), citizen, fireReport(), "")
		require.NoError(t, err, "Submit %d", i)
	}
}

// racingSubmits runs one citizen Submit per service in svcs, all at once,
// and returns how many were accepted and how many rate-limited.
func racingSubmits(t *testing.T, svcs []*hazard.Service) (ok, limited int64) {
	t.Helper()
	var okN, limitedN atomic.Int64
	hazardtest.Together(len(svcs), func(i int) {
		_, err := svcs[i].Submit(context.Background(), citizen, fireReport(), "")
		switch {
		case err == nil:
			okN.Add(1)
		case hazard.ErrorCode(err) == hazard.CodeRateLimited:
			limitedN.Add(1)
		default:
			t.Errorf("Submit: %v", err)
		}
	})
	return okN.Load(), limitedN.Load()
}

func TestSubmitRateLimitConcurrent(t *testing.T) {
	const limit, n = 5, 30
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.SubmitsPerDay = limit })
	ok, limited := racingSubmits(t, slices.Repeat([]*hazard.Service{f.svc}, n))
	assert.Equal(t, int64(limit), ok, "accepted")
	assert.Equal(t, int64(n-limit), limited, "rate limited")
}

func TestSubmitRateLimitAcrossServices(t *testing.T) {
	// Two services on one store stand for two processes: the count is the
	// store's.
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.SubmitsPerDay = 2 })
	other, err := hazard.NewService(hazard.ServiceConfig{Store: f.store, Clock: f.clock.Now, SubmitsPerDay: 2})
	require.NoError(t, err)
	_, err = f.svc.Submit(ctx, citizen, fireReport(), "")
	require.NoError(t, err)
	_, err = other.Submit(ctx, citizen, fireReport(), "")
	require.NoError(t, err)
	_, err = f.svc.Submit(ctx, citizen, fireReport(), "")
	require.ErrorIs(t, err, hazard.ErrRateLimited)
}

// limitedCounter counts the CreateLimited calls of a memstore.
type limitedCounter struct {
	*memstore.Store
	calls atomic.Int64
}

func (s *limitedCounter) CreateLimited(ctx context.Context, h hazard.Hazard, events []hazard.Event, key string, since time.Time, limit int) (hazard.Hazard, bool, error) {
	s.calls.Add(1)
	return s.Store.CreateLimited(ctx, h, events, key, since, limit)
}

// TestSubmitRateLimitExactAcrossServices: with a store that is a
// hazard.LimitedCreator, services racing on one store (processes on one
// database) let exactly the limit through; staff go through Create.
func TestSubmitRateLimitExactAcrossServices(t *testing.T) {
	ctx := context.Background()
	const limit, services, each = 3, 4, 8
	store := &limitedCounter{Store: memstore.New()}
	clock := newClock()
	var svcs []*hazard.Service
	for range services {
		svc, err := hazard.NewService(hazard.ServiceConfig{Store: store, Clock: clock.Now, SubmitsPerDay: limit, DuplicateRadius: -1})
		require.NoError(t, err)
		svcs = append(svcs, svc)
	}
	var racers []*hazard.Service
	for _, svc := range svcs {
		racers = append(racers, slices.Repeat([]*hazard.Service{svc}, each)...)
	}
	ok, limited := racingSubmits(t, racers)
	assert.Equal(t, int64(limit), ok, "accepted")
	assert.Equal(t, int64(services*each-limit), limited, "rate limited")
	assert.Positive(t, store.calls.Load(), "the store's CreateLimited decides")

	calls := store.calls.Load()
	_, err := svcs[0].Submit(ctx, dispatcher, fireReport(), "")
	require.NoError(t, err, "staff are not limited")
	assert.Equal(t, calls, store.calls.Load(), "staff submissions use Create")
}

// hiddenLimits hides the store's LimitedCreator: the service's Limiter
// applies the limit.
type hiddenLimits struct{ hazard.Store }

// TestSubmitRateLimitThroughLimiter: without a LimitedCreator the limit is
// the Limiter's, with the same answers, and the error carries the wait.
func TestSubmitRateLimitThroughLimiter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) {
		c.Store = hiddenLimits{memstore.New()}
		c.SubmitsPerDay = 3
	})
	first, err := f.svc.Submit(ctx, citizen, fireReport(), "k0")
	require.NoError(t, err, "Submit k0")
	for range 3 {
		again, err := f.svc.Submit(ctx, citizen, fireReport(), "k0")
		require.NoError(t, err, "Submit k0 again")
		assert.Equal(t, first.ID, again.ID, "a retry returns the first report")
	}
	f.clock.Advance(time.Hour)
	var k1 hazard.Hazard
	for i := 1; i < 3; i++ {
		h, err := f.svc.Submit(ctx, citizen, fireReport(), fmt.Sprintf("k%d", i))
		require.NoError(t, err, "Submit k%d: retries took nothing from the limit", i)
		if i == 1 {
			k1 = h
		}
	}
	_, err = f.svc.Submit(ctx, citizen, fireReport(), "k3")
	require.ErrorIs(t, err, hazard.ErrRateLimited, "Submit past the limit")
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 23*time.Hour, e.RetryAfter, "RetryAfter: until the first report leaves the window")

	again, err := f.svc.Submit(ctx, citizen, fireReport(), "k1")
	require.NoError(t, err, "a retry of an accepted report is answered at the limit")
	assert.Equal(t, k1.ID, again.ID, "the retry returns the report k1 made")
	_, err = f.svc.Submit(ctx, otherCit, fireReport(), "")
	require.NoError(t, err, "the limit is per reporter")
	for range 4 {
		_, err = f.svc.Submit(ctx, dispatcher, fireReport(), "")
		require.NoError(t, err, "staff are not limited")
	}

	f.clock.Advance(23 * time.Hour)
	_, err = f.svc.Submit(ctx, citizen, fireReport(), "")
	require.NoError(t, err, "the window slides")
}

// TestSubmitRateLimitExactThroughSharedLimiter: services on one store
// without LimitedCreator (processes on one database) sharing one limiter
// let exactly the limit through.
func TestSubmitRateLimitExactThroughSharedLimiter(t *testing.T) {
	const limit, services, each = 3, 4, 8
	store := hiddenLimits{memstore.New()}
	clock := newClock()
	limiter := memlimit.New(memlimit.Config{Clock: clock.Now})
	var racers []*hazard.Service
	for range services {
		svc, err := hazard.NewService(hazard.ServiceConfig{Store: store, Clock: clock.Now, SubmitsPerDay: limit, DuplicateRadius: -1, Limiter: limiter})
		require.NoError(t, err)
		racers = append(racers, slices.Repeat([]*hazard.Service{svc}, each)...)
	}
	ok, limited := racingSubmits(t, racers)
	assert.Equal(t, int64(limit), ok, "accepted")
	assert.Equal(t, int64(services*each-limit), limited, "rate limited")
}

func TestSubmitLimiterConfig(t *testing.T) {
	plain := hiddenLimits{memstore.New()}
	for _, c := range []struct {
		name  string
		cfg   hazard.ServiceConfig
		field string
	}{
		{"no limiter for a plain store", hazard.ServiceConfig{Store: plain}, "limiter"},
		{"a limit above the limiter's bound", hazard.ServiceConfig{Store: plain, Limiter: memlimit.New(memlimit.Config{}), SubmitsPerDay: hazard.MaxLimitMax + 1}, "submits_per_day"},
	} {
		_, err := hazard.NewService(c.cfg)
		require.ErrorIs(t, err, hazard.ErrInvalid, "NewService with %s", c.name)
		var e *hazard.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, c.field, e.Field, "NewService with %s: field", c.name)
	}
	for _, c := range []struct {
		name string
		cfg  hazard.ServiceConfig
	}{
		{"no limit", hazard.ServiceConfig{Store: plain, SubmitsPerDay: -1}},
		{"a LimitedCreator store", hazard.ServiceConfig{Store: memstore.New()}},
		{"a limiter", hazard.ServiceConfig{Store: plain, Limiter: memlimit.New(memlimit.Config{})}},
	} {
		_, err := hazard.NewService(c.cfg)
		assert.NoError(t, err, "NewService with %s", c.name)
	}
}

// gatedStore blocks the first CreateLimited until the gate opens.
type gatedStore struct {
	*memstore.Store
	entered chan struct{}
	gate    chan struct{}
	once    atomic.Bool
}

func (s *gatedStore) CreateLimited(ctx context.Context, h hazard.Hazard, events []hazard.Event, key string, since time.Time, limit int) (hazard.Hazard, bool, error) {
	if s.once.CompareAndSwap(false, true) {
		close(s.entered)
		<-s.gate
	}
	return s.Store.CreateLimited(ctx, h, events, key, since, limit)
}

// TestSubmitHoldsNoLockAcrossStoreCalls: while one submission of a
// reporter waits in the store, another of the same reporter completes.
func TestSubmitHoldsNoLockAcrossStoreCalls(t *testing.T) {
	ctx := context.Background()
	store := &gatedStore{Store: memstore.New(), entered: make(chan struct{}), gate: make(chan struct{})}
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.Store = store; c.DuplicateRadius = -1 })
	firstDone := make(chan error, 1)
	go func() {
		_, err := f.svc.Submit(ctx, citizen, fireReport(), "")
		firstDone <- err
	}()
	<-store.entered
	secondDone := make(chan error, 1)
	go func() {
		_, err := f.svc.Submit(ctx, citizen, fireReport(), "")
		secondDone <- err
	}()
	select {
	case err := <-secondDone:
		require.NoError(t, err, "the second Submit while the first waits in the store")
	case <-time.After(10 * time.Second):
		t.Fatal("the second Submit of the reporter waited for the first: a lock is held across the store call")
	}
	close(store.gate)
	require.NoError(t, <-firstDone, "the first Submit")
}
