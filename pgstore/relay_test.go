package pgstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusalSpy is a process's relay.Cursors over pgstore whose TryLock, the
// real advisory lock, also reports the first time it is refused.
type refusalSpy struct {
	*pgstore.HazardStore
	refused func()
}

func (s refusalSpy) TryLock(ctx context.Context, name string) (func(), bool, error) {
	unlock, ok, err := s.HazardStore.TryLock(ctx, name)
	if err == nil && !ok {
		s.refused()
	}
	return unlock, ok, err
}

// TestRelaysInTwoProcessesShareAConsumer runs two relays, each over its
// own pool of the same database as two processes would, for one consumer
// while events are appended: thanks to TryLock the consumer is never
// handed two events at once, and each event is delivered exactly once.
// The first event handled waits until the other process has been refused
// the consumer's lock, so that the two surely contend.
func TestRelaysInTwoProcessesShareAConsumer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	poolA := newSchema(t)
	dbA := pgstore.New(poolA)
	_, err := dbA.Migrate(ctx)
	require.NoError(t, err)
	poolB, err := pgxpool.NewWithConfig(ctx, poolA.Config())
	require.NoError(t, err)
	t.Cleanup(poolB.Close)
	dbB := pgstore.New(poolB)

	st := dbA.Hazards()
	h := hazardtest.NewHazard()
	_, _, err = st.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err)

	refused := make(chan struct{})
	var once sync.Once
	refuse := func() { once.Do(func() { close(refused) }) }
	var inFlight, overlaps atomic.Int32
	var mu sync.Mutex
	delivered := map[int64]int{}
	consumer := relay.Consumer{Name: "audit", Handle: func(ctx context.Context, e hazard.Event) error {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inFlight.Add(-1)
		if e.Seq == 1 {
			select {
			case <-refused:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		mu.Lock()
		delivered[e.Seq]++
		mu.Unlock()
		return nil
	}}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, db := range []*pgstore.DB{dbA, dbB} {
		r, err := relay.New(db.Hazards(), refusalSpy{db.Hazards(), refuse}, relay.Config{
			Consumers: []relay.Consumer{consumer}, Batch: 7, PollInterval: 5 * time.Millisecond})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.Run(runCtx)
		}()
	}

	const appends = 200
	for range appends {
		_, err := st.Append(ctx, hazardtest.NewEvent(h, hazard.EventNote))
		require.NoError(t, err)
	}
	last, err := st.LastSeq(ctx)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		c, err := st.Cursor(ctx, "audit")
		return err == nil && c == last
	}, 30*time.Second, 10*time.Millisecond, "the consumer's cursor reaches the last event")
	stop()
	wg.Wait()

	select {
	case <-refused:
	default:
		t.Error("neither process was ever refused the consumer's lock")
	}
	assert.Zero(t, overlaps.Load(), "events handled while another was in flight")
	mu.Lock()
	defer mu.Unlock()
	for seq := int64(1); seq <= last; seq++ {
		assert.Equal(t, 1, delivered[seq], "deliveries of event %d", seq)
	}
}
