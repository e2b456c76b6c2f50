package hazard_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// recorder is a consumer handler that records the sequence numbers it
// handled, safe for concurrent use.
type recorder struct {
	mu   sync.Mutex
	seqs []int64
	byH  map[uuid.UUID][]int64
}

func (r *recorder) handle(_ context.Context, e hazard.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, e.Seq)
	if r.byH == nil {
		r.byH = map[uuid.UUID][]int64{}
	}
	r.byH[e.HazardID] = append(r.byH[e.HazardID], e.Seq)
	return nil
}

func (r *recorder) got() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seqs...)
}

// fastRelay returns a relay over st with quick retries.
func fastRelay(t testing.TB, st hazard.EventLogAndCursors, consumers ...hazard.Consumer) *hazard.Relay {
	t.Helper()
	r, err := hazard.NewRelay(st, hazard.RelayConfig{
		Consumers: consumers, Batch: 4, PollInterval: time.Millisecond,
		MaxAttempts: 3, BackoffBase: time.Microsecond, BackoffMax: 10 * time.Microsecond,
	})
	require.NoError(t, err, "NewRelay")
	return r
}

// seed makes n hazards with a few events each and returns them.
func seed(t testing.TB, f *fixture, n int) []hazard.Hazard {
	t.Helper()
	var hs []hazard.Hazard
	for range n {
		h := f.submit(t, citizen, fireReport())
		h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
		hs = append(hs, h)
	}
	return hs
}

func seqsUpTo(n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func TestRelayDeliversInOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = -1 })
	seed(t, f, 5)
	last, err := f.store.LastSeq(ctx)
	require.NoError(t, err)
	var a, b recorder
	r := fastRelay(t, f.store, hazard.Consumer{Name: "a", Handle: a.handle}, hazard.Consumer{Name: "b", Handle: b.handle})
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, seqsUpTo(last), a.got())
	assert.Equal(t, seqsUpTo(last), b.got())
	for _, name := range []string{"a", "b"} {
		cur, err := f.store.Cursor(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, last, cur, "cursor of %s", name)
	}

	// New events go to both, once.
	seed(t, f, 1)
	require.NoError(t, r.Drain(ctx))
	last2, err := f.store.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, seqsUpTo(last2), a.got(), "nothing delivered twice")
}

func TestRelayRetriesThenSucceeds(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	seed(t, f, 1)
	var calls atomic.Int64
	var rec recorder
	flaky := func(ctx context.Context, e hazard.Event) error {
		if e.Seq == 1 && calls.Add(1) < 3 {
			return errors.New("smtp down")
		}
		return rec.handle(ctx, e)
	}
	r := fastRelay(t, f.store, hazard.Consumer{Name: "notify", Handle: flaky})
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, int64(3), calls.Load(), "two failures and a success")
	assert.Equal(t, []int64{1, 2}, rec.got())
	parked, err := r.Parked(ctx, "notify")
	require.NoError(t, err)
	assert.Empty(t, parked)
}

func TestRelayParksPoisonAndRedrives(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = -1 })
	hs := seed(t, f, 2)                                    // seq 1,2 for hazard 0; 3,4 for hazard 1
	f.act(t, fireDept, hs[0], "accept", hazard.ActInput{}) // seq 5
	var broken atomic.Bool
	broken.Store(true)
	var attempts atomic.Int64
	var rec recorder
	h := func(ctx context.Context, e hazard.Event) error {
		if e.Seq == 2 && broken.Load() {
			attempts.Add(1)
			return errors.New("reward budget table missing")
		}
		return rec.handle(ctx, e)
	}
	reg := newRegistry(t)
	m, err := hazard.NewMetrics(reg)
	require.NoError(t, err)
	r, err := hazard.NewRelay(f.store, hazard.RelayConfig{
		Consumers: []hazard.Consumer{{Name: "reward", Handle: h}}, MaxAttempts: 4,
		BackoffBase: time.Microsecond, BackoffMax: time.Microsecond, Metrics: m,
	})
	require.NoError(t, err)
	require.NoError(t, r.Drain(ctx))

	assert.Equal(t, int64(4), attempts.Load(), "MaxAttempts attempts")
	assert.Equal(t, []int64{1, 3, 4}, rec.got(), "the other hazard's events flow; the poisoned hazard's later events wait")
	parked, err := r.Parked(ctx, "reward")
	require.NoError(t, err)
	require.Len(t, parked, 2)
	assert.Equal(t, int64(2), parked[0].Event.Seq)
	assert.Equal(t, 4, parked[0].Attempts)
	assert.Contains(t, parked[0].Error, "budget")
	assert.Equal(t, int64(5), parked[1].Event.Seq, "held behind the poison event")
	assert.Equal(t, 0, parked[1].Attempts)
	assert.Equal(t, 2.0, gaugeValue(t, reg, "hazardloop_relay_parked_events", "reward"), "parked events are visible in a metric")
	cur, err := f.store.Cursor(ctx, "reward")
	require.NoError(t, err)
	assert.Equal(t, int64(5), cur, "the cursor moves on: parking does not block")

	// Re-driving a later event first would break the hazard's order.
	require.ErrorIs(t, r.Redrive(ctx, "reward", 5), hazard.ErrConflict)
	// Still broken: it stays parked, with one more attempt.
	require.ErrorIs(t, r.Redrive(ctx, "reward", 2), hazard.ErrInternal)
	parked, err = r.Parked(ctx, "reward")
	require.NoError(t, err)
	require.Len(t, parked, 2, "a failed re-drive drops nothing")
	assert.Equal(t, 5, parked[0].Attempts)

	broken.Store(false)
	require.NoError(t, r.Redrive(ctx, "reward", 2))
	assert.Equal(t, []int64{1, 3, 4, 2, 5}, rec.got(), "the hazard's events arrive in order")
	parked, err = r.Parked(ctx, "reward")
	require.NoError(t, err)
	assert.Empty(t, parked)
	assert.Equal(t, 0.0, gaugeValue(t, reg, "hazardloop_relay_parked_events", "reward"))

	require.ErrorIs(t, r.Redrive(ctx, "reward", 2), hazard.ErrNotFound, "no longer parked")
	require.ErrorIs(t, r.Redrive(ctx, "nobody", 2), hazard.ErrNotFound)

	// After re-driving, new events of that hazard flow again.
	h0, err := f.store.Get(ctx, hs[0].ID)
	require.NoError(t, err)
	f.act(t, fireDept, h0, "resolve", resolution("x")) // seq 6
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, []int64{1, 3, 4, 2, 5, 6}, rec.got())
}

func TestRelayParksPanickingHandler(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	seed(t, f, 1)
	r := fastRelay(t, f.store, hazard.Consumer{Name: "p", Handle: func(context.Context, hazard.Event) error { panic("nil map") }})
	require.NoError(t, r.Drain(ctx))
	parked, err := r.Parked(ctx, "p")
	require.NoError(t, err)
	require.Len(t, parked, 2)
	assert.Contains(t, parked[0].Error, "panicked")
}

func TestRelayFailingConsumerDoesNotBlockOthers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	seed(t, f, 3)
	last, err := f.store.LastSeq(ctx)
	require.NoError(t, err)
	bDone := make(chan struct{})
	var b recorder
	var bCount atomic.Int64
	slowB := func(ctx context.Context, e hazard.Event) error {
		if bCount.Add(1) == last {
			defer close(bDone)
		}
		return b.handle(ctx, e)
	}
	// a fails until b has handled everything: if a held b up, a would
	// exhaust its attempts and park.
	var a recorder
	failA := func(ctx context.Context, e hazard.Event) error {
		select {
		case <-bDone:
			return a.handle(ctx, e)
		default:
			return errors.New("not yet")
		}
	}
	r, err := hazard.NewRelay(f.store, hazard.RelayConfig{
		Consumers:   []hazard.Consumer{{Name: "a", Handle: failA}, {Name: "b", Handle: slowB}},
		MaxAttempts: hazard.MaxRelayAttempts, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, r.Drain(ctx))
	parked, err := r.Parked(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, parked, "a retried while b went on")
	assert.Equal(t, seqsUpTo(last), a.got())
	assert.Equal(t, seqsUpTo(last), b.got())
}

func TestRelayStopMidBatchLosesNothing(t *testing.T) {
	f := newFixture(t)
	seed(t, f, 6) // 12 events
	last, err := f.store.LastSeq(context.Background())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	var first recorder
	stopAt := int64(7) // inside the second batch of 4
	h := func(hctx context.Context, e hazard.Event) error {
		if e.Seq == stopAt {
			cancel() // the process is stopping while this event is handled
			<-hctx.Done()
			return hctx.Err()
		}
		return first.handle(hctx, e)
	}
	r := fastRelay(t, f.store, hazard.Consumer{Name: "c", Handle: h})
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	select {
	case err := <-done:
		require.NoError(t, err, "Run")
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	cur, err := f.store.Cursor(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, stopAt-1, cur, "the cursor is saved up to the last event handled")
	assert.Equal(t, seqsUpTo(stopAt-1), first.got())
	parked, err := f.store.Parked(context.Background(), "c")
	require.NoError(t, err)
	assert.Empty(t, parked, "an interrupted event is not a failure")

	// Restart: everything after the saved cursor, nothing before it.
	var second recorder
	r2 := fastRelay(t, f.store, hazard.Consumer{Name: "c", Handle: second.handle})
	require.NoError(t, r2.Drain(context.Background()))
	want := seqsUpTo(last)[cur:]
	assert.Equal(t, want, second.got())
}

func TestRelayStopDuringBackoff(t *testing.T) {
	f := newFixture(t)
	seed(t, f, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	failing := func(context.Context, hazard.Event) error {
		if calls.Add(1) == 2 {
			cancel()
		}
		return errors.New("down")
	}
	r, err := hazard.NewRelay(f.store, hazard.RelayConfig{
		Consumers: []hazard.Consumer{{Name: "c", Handle: failing}}, MaxAttempts: 50,
		BackoffBase: time.Millisecond, BackoffMax: time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, r.Run(ctx))
	cur, err := f.store.Cursor(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, int64(0), cur, "the failing event is still to do")

	var rec recorder
	r2 := fastRelay(t, f.store, hazard.Consumer{Name: "c", Handle: rec.handle})
	require.NoError(t, r2.Drain(context.Background()))
	assert.Equal(t, []int64{1, 2}, rec.got())
}

func TestRelayRunDeliversNewEvents(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int64, 100)
	r := fastRelay(t, f.store, hazard.Consumer{Name: "c", Handle: func(_ context.Context, e hazard.Event) error {
		got <- e.Seq
		return nil
	}})
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	seed(t, f, 1)
	for want := int64(1); want <= 2; want++ {
		select {
		case s := <-got:
			assert.Equal(t, want, s)
		case <-time.After(10 * time.Second):
			t.Fatal("event not delivered")
		}
	}
	cancel()
	require.NoError(t, <-done)
}

// lockingStore adds the Locker capability to a memstore, with one lock per
// name shared by every relay using it, as an advisory lock would be.
type lockingStore struct {
	*memstore.Store
	mu    sync.Mutex
	held  map[string]bool
	tries atomic.Int64
}

func (s *lockingStore) TryLock(_ context.Context, name string) (func(), bool, error) {
	s.tries.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[name] {
		return nil, false, nil
	}
	s.held[name] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.held, name)
	}, true, nil
}

func TestRelayLockerTwoProcesses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	seed(t, f, 10)
	last, err := f.store.LastSeq(ctx)
	require.NoError(t, err)
	st := &lockingStore{Store: f.store, held: map[string]bool{}}
	var mu sync.Mutex
	count := map[int64]int{}
	h := func(_ context.Context, e hazard.Event) error {
		mu.Lock()
		count[e.Seq]++
		mu.Unlock()
		time.Sleep(50 * time.Microsecond) // widen the window for overlap
		return nil
	}
	r1 := fastRelay(t, st, hazard.Consumer{Name: "c", Handle: h})
	r2 := fastRelay(t, st, hazard.Consumer{Name: "c", Handle: h})
	var wg sync.WaitGroup
	for _, r := range []*hazard.Relay{r1, r2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, r.Drain(ctx))
		}()
	}
	wg.Wait()
	assert.Positive(t, st.tries.Load(), "the relay used the Locker")
	for seq := int64(1); seq <= last; seq++ {
		assert.Equal(t, 1, count[seq], "event %d delivered once across two processes", seq)
	}
}

func TestNewRelayInvalid(t *testing.T) {
	ok := func(context.Context, hazard.Event) error { return nil }
	st := memstore.New()
	tests := []struct {
		name string
		log  hazard.EventLogAndCursors
		cfg  hazard.RelayConfig
	}{
		{"no log", nil, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "a", Handle: ok}}}},
		{"no consumers", st, hazard.RelayConfig{}},
		{"bad name", st, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "Has Space", Handle: ok}}}},
		{"repeated name", st, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "a", Handle: ok}, {Name: "a", Handle: ok}}}},
		{"no handler", st, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "a"}}}},
		{"too many attempts", st, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "a", Handle: ok}}, MaxAttempts: hazard.MaxRelayAttempts + 1}},
		{"negative batch", st, hazard.RelayConfig{Consumers: []hazard.Consumer{{Name: "a", Handle: ok}}, Batch: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hazard.NewRelay(tt.log, tt.cfg)
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

// TestRelayHandlerChangesItsEvent checks that a handler that changes the
// event it was given and fails changes nothing for its retries, the parked
// record, a re-drive or the other consumers: each sees the event as logged.
func TestRelayHandlerChangesItsEvent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	seed(t, f, 1) // seq 1 submitted, seq 2 dispatch with data department=fire
	logged, err := f.store.Events(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, "fire", logged[0].Data[hazard.DataDepartment], "the dispatch event carries its department")

	var mu sync.Mutex
	var seen []hazard.Event
	vandal := func(_ context.Context, e hazard.Event) error {
		if e.Seq != 2 {
			return nil
		}
		mu.Lock()
		seen = append(seen, e.Clone())
		mu.Unlock()
		e.Data[hazard.DataDepartment] = "changed"
		e.Data["extra"] = "x"
		e.PublicNote = "changed"
		return errors.New("refused")
	}
	var rec recorder
	other := func(ctx context.Context, e hazard.Event) error {
		if e.Seq == 2 && e.Data[hazard.DataDepartment] != "fire" {
			return errors.New("saw a changed event")
		}
		return rec.handle(ctx, e)
	}
	r := fastRelay(t, f.store, hazard.Consumer{Name: "vandal", Handle: vandal}, hazard.Consumer{Name: "other", Handle: other})
	require.NoError(t, r.Drain(ctx))

	require.Len(t, seen, 3, "MaxAttempts attempts")
	for i, e := range seen {
		assert.Equal(t, logged[0], e, "attempt %d got the event as logged", i+1)
	}
	assert.Equal(t, []int64{1, 2}, rec.got(), "the other consumer got both events unchanged")
	parked, err := r.Parked(ctx, "vandal")
	require.NoError(t, err)
	require.Len(t, parked, 1)
	assert.Equal(t, logged[0], parked[0].Event, "the parked record is the event as logged")

	require.Error(t, r.Redrive(ctx, "vandal", 2), "the re-drive fails again")
	parked, err = r.Parked(ctx, "vandal")
	require.NoError(t, err)
	require.Len(t, parked, 1)
	assert.Equal(t, logged[0], parked[0].Event, "a failed re-drive keeps the event as logged")
	again, err := f.store.Events(ctx, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, logged, again, "the log is unchanged")
}
