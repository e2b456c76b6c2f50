package relay_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
)

// recorder is a consumer handler that records the sequence numbers it
// handled, safe for concurrent use.
type recorder struct {
	mu   sync.Mutex
	seqs []int64
}

func (r *recorder) handle(_ context.Context, e hazard.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, e.Seq)
	return nil
}

func (r *recorder) got() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seqs...)
}

// fastRelay returns a relay over st with quick retries.
func fastRelay(t testing.TB, st relay.Cursors, log hazard.EventLog, consumers ...relay.Consumer) *relay.Relay {
	t.Helper()
	r, err := relay.New(log, st, relay.Config{
		Consumers: consumers, Batch: 4, PollInterval: time.Millisecond,
		MaxAttempts: 3, BackoffBase: time.Microsecond, BackoffMax: 10 * time.Microsecond,
	})
	require.NoError(t, err, "relay.New")
	return r
}

// fast returns a relay over a memstore, its log and its cursors.
func fast(t testing.TB, st *memstore.Store, consumers ...relay.Consumer) *relay.Relay {
	t.Helper()
	return fastRelay(t, st, st, consumers...)
}

// create stores a fresh hazard with its submitted event.
func create(t testing.TB, st hazard.Store) hazard.Hazard {
	t.Helper()
	h := hazardtest.NewHazard()
	h, _, err := st.Create(context.Background(), h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err, "Create (setup)")
	return h
}

// note appends a note about h carrying its department in Data.
func note(t testing.TB, st hazard.Store, h hazard.Hazard) hazard.Event {
	t.Helper()
	e := hazardtest.NewEvent(h, hazard.EventNote)
	e.Data = map[string]string{hazard.DataDepartment: "fire"}
	evs, err := st.Append(context.Background(), e)
	require.NoError(t, err, "Append (setup)")
	return evs[0]
}

// seed makes n hazards with two events each (submitted, then a note): the
// hazard i has the events 2i+1 and 2i+2.
func seed(t testing.TB, st hazard.Store, n int) []hazard.Hazard {
	t.Helper()
	var hs []hazard.Hazard
	for range n {
		h := create(t, st)
		note(t, st, h)
		hs = append(hs, h)
	}
	return hs
}

// unitEvent appends an event of a unit (a subject other than a hazard).
func unitEvent(t testing.TB, st hazard.EventLog, unit string) hazard.Event {
	t.Helper()
	e := hazard.Event{Subject: hazard.Subject{Kind: "unit", ID: unit}, Type: "unit_checked",
		Actor: hazard.Actor{ID: "inspector-1", Role: "inspector"}, Time: hazardtest.Epoch}
	evs, err := st.Append(context.Background(), e)
	require.NoError(t, err, "Append of a unit's event (setup)")
	return evs[0]
}

func seqsUpTo(n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func lastSeq(t testing.TB, st hazard.EventLog) int64 {
	t.Helper()
	n, err := st.LastSeq(context.Background())
	require.NoError(t, err, "LastSeq")
	return n
}

func TestRelayDeliversInOrder(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 5)
	last := lastSeq(t, st)
	var a, b recorder
	r := fast(t, st, relay.Consumer{Name: "a", Handle: a.handle}, relay.Consumer{Name: "b", Handle: b.handle})
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, seqsUpTo(last), a.got())
	assert.Equal(t, seqsUpTo(last), b.got())
	for _, name := range []string{"a", "b"} {
		cur, err := st.Cursor(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, last, cur, "cursor of %s", name)
	}

	// New events go to both, once.
	seed(t, st, 1)
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, seqsUpTo(lastSeq(t, st)), a.got(), "nothing delivered twice")
}

func TestRelayDeliversEverySubject(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	h := create(t, st)         // 1
	unitEvent(t, st, "unit-1") // 2
	note(t, st, h)             // 3
	unitEvent(t, st, "unit-2") // 4
	var mu sync.Mutex
	var got []hazard.Subject
	r := fast(t, st, relay.Consumer{Name: "maps", Handle: func(_ context.Context, e hazard.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e.SubjectOf())
		return nil
	}})
	require.NoError(t, r.Drain(ctx))
	hs := hazard.HazardSubject(h.ID)
	assert.Equal(t, []hazard.Subject{hs, {Kind: "unit", ID: "unit-1"}, hs, {Kind: "unit", ID: "unit-2"}}, got,
		"events of every subject, in log order")
}

func TestRelayRetriesThenSucceeds(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 1)
	var calls atomic.Int64
	var rec recorder
	flaky := func(ctx context.Context, e hazard.Event) error {
		if e.Seq == 1 && calls.Add(1) < 3 {
			return errors.New("smtp down")
		}
		return rec.handle(ctx, e)
	}
	r := fast(t, st, relay.Consumer{Name: "notify", Handle: flaky})
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, int64(3), calls.Load(), "two failures and a success")
	assert.Equal(t, []int64{1, 2}, rec.got())
	parked, err := r.Parked(ctx, "notify")
	require.NoError(t, err)
	assert.Empty(t, parked)
}

func TestRelayParksPoisonAndRedrives(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	hs := seed(t, st, 2) // seq 1,2 for hazard 0; 3,4 for hazard 1
	note(t, st, hs[0])   // seq 5
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
	reg := prometheus.NewPedanticRegistry()
	m, err := relay.NewMetrics(reg)
	require.NoError(t, err)
	r, err := relay.New(st, st, relay.Config{
		Consumers: []relay.Consumer{{Name: "reward", Handle: h}}, MaxAttempts: 4,
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
	cur, err := st.Cursor(ctx, "reward")
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
	note(t, st, hs[0]) // seq 6
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, []int64{1, 3, 4, 2, 5, 6}, rec.got())
}

// TestRelayParksPerSubject checks that a poisoned event of one unit holds
// back that unit's later events only: the other unit's and the hazards'
// flow, and a re-drive delivers the unit's events in order.
func TestRelayParksPerSubject(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	h := create(t, st)         // 1
	unitEvent(t, st, "unit-1") // 2: poisoned
	unitEvent(t, st, "unit-2") // 3
	note(t, st, h)             // 4
	unitEvent(t, st, "unit-1") // 5: held behind 2
	var broken atomic.Bool
	broken.Store(true)
	var rec recorder
	r := fast(t, st, relay.Consumer{Name: "maps", Handle: func(ctx context.Context, e hazard.Event) error {
		if e.Seq == 2 && broken.Load() {
			return errors.New("map tile service down")
		}
		return rec.handle(ctx, e)
	}})
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, []int64{1, 3, 4}, rec.got(), "only unit-1's events wait")
	parked, err := r.Parked(ctx, "maps")
	require.NoError(t, err)
	require.Len(t, parked, 2)
	assert.Equal(t, []int64{2, 5}, []int64{parked[0].Event.Seq, parked[1].Event.Seq}, "the poison event and the one held behind it")
	assert.Equal(t, hazard.Subject{Kind: "unit", ID: "unit-1"}, parked[1].Event.Subject, "the held event keeps its subject")

	require.ErrorIs(t, r.Redrive(ctx, "maps", 5), hazard.ErrConflict, "the unit's earlier event first")
	broken.Store(false)
	require.NoError(t, r.Redrive(ctx, "maps", 2))
	assert.Equal(t, []int64{1, 3, 4, 2, 5}, rec.got(), "the unit's events arrive in order")
}

func TestRelayParksPanickingHandler(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 1)
	r := fast(t, st, relay.Consumer{Name: "p", Handle: func(context.Context, hazard.Event) error { panic("nil map") }})
	require.NoError(t, r.Drain(ctx))
	parked, err := r.Parked(ctx, "p")
	require.NoError(t, err)
	require.Len(t, parked, 2)
	assert.Contains(t, parked[0].Error, "panicked")
}

func TestRelayFailingConsumerDoesNotBlockOthers(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 3)
	last := lastSeq(t, st)
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
	r, err := relay.New(st, st, relay.Config{
		Consumers:   []relay.Consumer{{Name: "a", Handle: failA}, {Name: "b", Handle: slowB}},
		MaxAttempts: relay.MaxAttempts, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
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
	st := memstore.New()
	seed(t, st, 6) // 12 events
	last := lastSeq(t, st)

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
	r := fast(t, st, relay.Consumer{Name: "c", Handle: h})
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	select {
	case err := <-done:
		require.NoError(t, err, "Run")
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	cur, err := st.Cursor(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, stopAt-1, cur, "the cursor is saved up to the last event handled")
	assert.Equal(t, seqsUpTo(stopAt-1), first.got())
	parked, err := st.Parked(context.Background(), "c")
	require.NoError(t, err)
	assert.Empty(t, parked, "an interrupted event is not a failure")

	// Restart: everything after the saved cursor, nothing before it.
	var second recorder
	r2 := fast(t, st, relay.Consumer{Name: "c", Handle: second.handle})
	require.NoError(t, r2.Drain(context.Background()))
	want := seqsUpTo(last)[cur:]
	assert.Equal(t, want, second.got())
}

func TestRelayStopDuringBackoff(t *testing.T) {
	st := memstore.New()
	seed(t, st, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	failing := func(context.Context, hazard.Event) error {
		if calls.Add(1) == 2 {
			cancel()
		}
		return errors.New("down")
	}
	r, err := relay.New(st, st, relay.Config{
		Consumers: []relay.Consumer{{Name: "c", Handle: failing}}, MaxAttempts: 50,
		BackoffBase: time.Millisecond, BackoffMax: time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, r.Run(ctx))
	cur, err := st.Cursor(context.Background(), "c")
	require.NoError(t, err)
	assert.Equal(t, int64(0), cur, "the failing event is still to do")

	var rec recorder
	r2 := fast(t, st, relay.Consumer{Name: "c", Handle: rec.handle})
	require.NoError(t, r2.Drain(context.Background()))
	assert.Equal(t, []int64{1, 2}, rec.got())
}

func TestRelayRunDeliversNewEvents(t *testing.T) {
	st := memstore.New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int64, 100)
	r := fast(t, st, relay.Consumer{Name: "c", Handle: func(_ context.Context, e hazard.Event) error {
		got <- e.Seq
		return nil
	}})
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	seed(t, st, 1)
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

// lockingCursors adds the Locker capability to a memstore's cursors, with
// one lock per name shared by every relay using it, as an advisory lock
// would be. refused is closed the first time a TryLock finds the lock held.
type lockingCursors struct {
	*memstore.Store
	mu      sync.Mutex
	held    map[string]bool
	tries   atomic.Int64
	refused chan struct{}
	once    sync.Once
}

func (s *lockingCursors) TryLock(_ context.Context, name string) (func(), bool, error) {
	s.tries.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[name] {
		s.once.Do(func() { close(s.refused) })
		return nil, false, nil
	}
	s.held[name] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.held, name)
	}, true, nil
}

// TestRelayLockerTwoProcesses runs two relays for one consumer over shared
// cursors with a Locker. The first event handled waits until the other
// relay has been refused the consumer's lock, so the two surely contend;
// every event is still delivered once.
func TestRelayLockerTwoProcesses(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 10)
	last := lastSeq(t, st)
	cur := &lockingCursors{Store: st, held: map[string]bool{}, refused: make(chan struct{})}
	var mu sync.Mutex
	count := map[int64]int{}
	var inFlight, overlaps atomic.Int32
	h := func(_ context.Context, e hazard.Event) error {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inFlight.Add(-1)
		if e.Seq == 1 {
			select {
			case <-cur.refused:
			case <-time.After(10 * time.Second):
				t.Error("the other relay never tried the lock while this one held it")
			}
		}
		mu.Lock()
		count[e.Seq]++
		mu.Unlock()
		return nil
	}
	r1 := fastRelay(t, cur, st, relay.Consumer{Name: "c", Handle: h})
	r2 := fastRelay(t, cur, st, relay.Consumer{Name: "c", Handle: h})
	var wg sync.WaitGroup
	for _, r := range []*relay.Relay{r1, r2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, r.Drain(ctx))
		}()
	}
	wg.Wait()
	assert.Positive(t, cur.tries.Load(), "the relay used the Locker")
	assert.Zero(t, overlaps.Load(), "events handled while another was in flight")
	for seq := int64(1); seq <= last; seq++ {
		assert.Equal(t, 1, count[seq], "event %d delivered once across two processes", seq)
	}
}

func TestNewInvalid(t *testing.T) {
	ok := func(context.Context, hazard.Event) error { return nil }
	st := memstore.New()
	one := []relay.Consumer{{Name: "a", Handle: ok}}
	tests := []struct {
		name    string
		log     hazard.EventLog
		cursors relay.Cursors
		cfg     relay.Config
	}{
		{"no log", nil, st, relay.Config{Consumers: one}},
		{"no cursors", st, nil, relay.Config{Consumers: one}},
		{"no consumers", st, st, relay.Config{}},
		{"bad name", st, st, relay.Config{Consumers: []relay.Consumer{{Name: "Has Space", Handle: ok}}}},
		{"repeated name", st, st, relay.Config{Consumers: []relay.Consumer{{Name: "a", Handle: ok}, {Name: "a", Handle: ok}}}},
		{"no handler", st, st, relay.Config{Consumers: []relay.Consumer{{Name: "a"}}}},
		{"too many attempts", st, st, relay.Config{Consumers: one, MaxAttempts: relay.MaxAttempts + 1}},
		{"negative batch", st, st, relay.Config{Consumers: one, Batch: -1}},
		{"negative backoff", st, st, relay.Config{Consumers: one, BackoffBase: -1}},
		{"negative redelivery window", st, st, relay.Config{Consumers: []relay.Consumer{{Name: "a", Handle: ok, RedeliveryWindow: -time.Second}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := relay.New(tt.log, tt.cursors, tt.cfg)
			require.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

// TestRelayHandlerChangesItsEvent checks that a handler that changes the
// event it was given and fails changes nothing for its retries, the parked
// record, a re-drive or the other consumers: each sees the event as logged.
func TestRelayHandlerChangesItsEvent(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seed(t, st, 1) // seq 1 submitted, seq 2 a note with data department=fire
	logged, err := st.Events(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, "fire", logged[0].Data[hazard.DataDepartment], "the note carries its department")

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
	r := fast(t, st, relay.Consumer{Name: "vandal", Handle: vandal}, relay.Consumer{Name: "other", Handle: other})
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
	again, err := st.Events(ctx, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, logged, again, "the log is unchanged")
}

// gaugeValue returns the value of a gauge whose label "consumer" is
// consumer; 0 when absent.
func gaugeValue(t testing.TB, reg *prometheus.Registry, name, consumer string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, fam := range fams {
		if fam.GetName() != name {
			continue
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "consumer" && l.GetValue() == consumer {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return 0
}

func TestMetricsLint(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := relay.NewMetrics(reg)
	require.NoError(t, err)
	st := memstore.New()
	seed(t, st, 1)
	r, err := relay.New(st, st, relay.Config{Consumers: []relay.Consumer{{Name: "c", Handle: (&recorder{}).handle}}, Metrics: m})
	require.NoError(t, err)
	require.NoError(t, r.Drain(context.Background()))

	problems, err := testutil.CollectAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems, "metric names and help texts follow Prometheus conventions")
	for _, name := range []string{
		"hazardloop_relay_lag_events", "hazardloop_relay_lag_seconds", "hazardloop_relay_parked_events",
		"hazardloop_relay_deliveries_total",
	} {
		n, err := testutil.GatherAndCount(reg, name)
		require.NoError(t, err)
		assert.Positive(t, n, "%s has a series", name)
	}
}

func TestMetricsLag(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewPedanticRegistry()
	m, err := relay.NewMetrics(reg)
	require.NoError(t, err)
	clock := hazardtest.NewClock(hazardtest.Epoch.Add(3 * time.Hour))
	st := memstore.New()
	seed(t, st, 3)
	last := lastSeq(t, st)

	// A relay stopped after two events leaves the rest to do.
	runCtx, cancel := context.WithCancel(ctx)
	calls := 0
	stopping, err := relay.New(st, st, relay.Config{Batch: 2, Metrics: m, Clock: clock.Now, PollInterval: time.Hour,
		Consumers: []relay.Consumer{{Name: "lagger", Handle: func(context.Context, hazard.Event) error {
			if calls++; calls == 2 {
				cancel()
			}
			return nil
		}}}})
	require.NoError(t, err)
	require.NoError(t, stopping.Run(runCtx))
	assert.Equal(t, float64(last-2), gaugeValue(t, reg, "hazardloop_relay_lag_events", "lagger"))
	third, err := st.Events(ctx, 2, 1)
	require.NoError(t, err)
	assert.Equal(t, clock.Now().Sub(third[0].Time).Seconds(), gaugeValue(t, reg, "hazardloop_relay_lag_seconds", "lagger"),
		"the age of the oldest event not delivered")
	r, err := relay.New(st, st, relay.Config{Metrics: m, Clock: clock.Now,
		Consumers: []relay.Consumer{{Name: "lagger", Handle: (&recorder{}).handle}}})
	require.NoError(t, err)
	require.NoError(t, r.Drain(ctx))
	assert.Equal(t, 0.0, gaugeValue(t, reg, "hazardloop_relay_lag_events", "lagger"))
	assert.Equal(t, 0.0, gaugeValue(t, reg, "hazardloop_relay_lag_seconds", "lagger"))
}

func TestNewMetricsErrors(t *testing.T) {
	_, err := relay.NewMetrics(nil)
	require.ErrorIs(t, err, hazard.ErrInvalid, "never the global registry")
	reg := prometheus.NewPedanticRegistry()
	_, err = relay.NewMetrics(reg)
	require.NoError(t, err)
	_, err = relay.NewMetrics(reg)
	require.ErrorIs(t, err, hazard.ErrConflict, "registered twice")
}
