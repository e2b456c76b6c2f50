package hazardtest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// parallel is how many goroutines contend in the concurrency tests.
const parallel = 20

// Together runs fn(i) for i in [0, n) in n goroutines released at once,
// and returns when all have returned: the start of a race test.
func Together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func (s *suite) updateParallelOneWins(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	var wins, conflicts, others atomic.Int64
	var winner atomic.Int64
	Together(parallel, func(i int) {
		u := first.Clone()
		u.BonusFen = int64(i + 1)
		_, err := st.Update(t.Context(), u, 1, []hazard.Event{NewEvent(u, hazard.EventNote)})
		switch {
		case err == nil:
			wins.Add(1)
			winner.Store(int64(i + 1))
		case errors.Is(err, hazard.ErrConflict):
			conflicts.Add(1)
			var e *hazard.Error
			if !errors.As(err, &e) || e.Version != 2 {
				others.Add(1)
			}
		default:
			others.Add(1)
		}
	})
	assert.Equal(t, int64(1), wins.Load(), "of %d parallel Updates of version 1, the number that succeeded", parallel)
	assert.Equal(t, int64(parallel-1), conflicts.Load(), "parallel Updates that failed with conflict")
	assert.Zero(t, others.Load(), "parallel Updates that failed otherwise, or conflicted without Error.Version 2")
	g := get(t, st, first.ID)
	assert.Equal(t, int64(2), g.Version, "Get after parallel Updates: Version")
	assert.Equal(t, winner.Load(), g.BonusFen, "Get after parallel Updates: the winner's change")
	assert.Equal(t, seq+1, lastSeq(t, st), "LastSeq after parallel Updates: only the winner's event")
}

func (s *suite) updateParallelRetries(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	var failures atomic.Int64
	Together(parallel, func(int) {
		for attempt := 0; attempt < 100*parallel; attempt++ {
			h, err := st.Get(t.Context(), first.ID)
			if err != nil {
				failures.Add(1)
				return
			}
			h.BonusFen++
			_, err = st.Update(t.Context(), h, h.Version, []hazard.Event{NewEvent(h, hazard.EventNote)})
			if err == nil {
				return
			}
			if !errors.Is(err, hazard.ErrConflict) {
				failures.Add(1)
				return
			}
		}
		failures.Add(1)
	})
	require.Zero(t, failures.Load(), "Get/Update retry loops that failed")
	g := get(t, st, first.ID)
	assert.Equal(t, int64(parallel), g.BonusFen, "counter after %d retried increments", parallel)
	assert.Equal(t, int64(parallel+1), g.Version, "Version after %d updates", parallel)
	evs, err := st.HazardEvents(t.Context(), first.ID)
	require.NoError(t, err, "HazardEvents")
	assert.Len(t, evs, parallel+1, "HazardEvents: the submitted event and one per successful update")
}

func (s *suite) eventsGapless(t *testing.T, st hazard.Store) {
	const writers, rounds = 8, 5
	const perRound = 4 // create, update, append of two events
	done := make(chan struct{})
	var readerErr atomic.Value
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() { // a reader must never see a gap, even while writers commit
		defer rwg.Done()
		var last int64
		for {
			select {
			case <-done:
				return
			default:
			}
			evs, err := st.Events(t.Context(), last, 50)
			if err != nil {
				readerErr.Store(err.Error())
				return
			}
			for _, e := range evs {
				if e.Seq != last+1 {
					readerErr.Store("reader saw a gap or disorder")
					return
				}
				last = e.Seq
			}
		}
	}()
	var failures atomic.Int64
	Together(writers, func(int) {
		for range rounds {
			h := NewHazard()
			stored, _, err := st.Create(t.Context(), h, []hazard.Event{NewEvent(h, hazard.EventSubmitted)}, "")
			if err != nil {
				failures.Add(1)
				return
			}
			stored.State = "dispatched"
			if _, err := st.Update(t.Context(), stored, 1, []hazard.Event{NewEvent(stored, hazard.EventTransition)}); err != nil {
				failures.Add(1)
				return
			}
			if _, err := st.Append(t.Context(), NewEvent(h, hazard.EventNote), NewEvent(h, hazard.EventRewardIssued)); err != nil {
				failures.Add(1)
				return
			}
		}
	})
	close(done)
	rwg.Wait()
	require.Zero(t, failures.Load(), "concurrent writes that failed")
	if v := readerErr.Load(); v != nil {
		t.Errorf("Events read during concurrent writes: %v", v)
	}
	const n = writers * rounds * perRound
	var got []int64
	var after int64
	for {
		evs, err := st.Events(t.Context(), after, 7)
		require.NoError(t, err, "Events")
		if len(evs) == 0 {
			break
		}
		got = append(got, seqs(evs)...)
		after = evs[len(evs)-1].Seq
	}
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, got, "Events read back after concurrent writers: 1..%d", n)
	assert.Equal(t, int64(n), lastSeq(t, st), "LastSeq after concurrent writers")
}

func (s *suite) nextSeqConcurrent(t *testing.T, st hazard.Store) {
	const per = 10
	var mu sync.Mutex
	got := make(map[int64]int)
	var failures atomic.Int64
	Together(parallel, func(int) {
		for range per {
			n, err := st.NextSeq(t.Context(), "concurrent")
			if err != nil {
				failures.Add(1)
				return
			}
			mu.Lock()
			got[n]++
			mu.Unlock()
		}
	})
	require.Zero(t, failures.Load(), "NextSeq calls that failed")
	for i := int64(1); i <= parallel*per; i++ {
		assert.Equal(t, 1, got[i], "NextSeq under concurrency: times %d was returned", i)
	}
	assert.Len(t, got, parallel*per, "NextSeq under concurrency: distinct numbers")
}
