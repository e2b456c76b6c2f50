package pgstore_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEventsGaplessForReaders runs writers that create and update hazards
// and append notes, while a reader follows the log: every batch it reads
// must continue exactly where the previous one ended, so a reader never sees
// a later sequence number before an earlier one is visible.
func TestEventsGaplessForReaders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newDB(t).Hazards()
	const writers, hazardsEach, updatesEach = 16, 8, 3

	var done atomic.Bool
	var readErr error
	var seen int64
	var wgReader sync.WaitGroup
	wgReader.Add(1)
	go func() {
		defer wgReader.Done()
		var after int64
		for {
			finished := done.Load()
			evs, err := st.Events(ctx, after, 50)
			if err != nil {
				readErr = err
				return
			}
			for _, e := range evs {
				if e.Seq != after+1 {
					t.Errorf("Events after %d: got seq %d, want %d (a gap)", after, e.Seq, after+1)
					return
				}
				after = e.Seq
			}
			if finished && len(evs) == 0 {
				seen = after
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range hazardsEach {
				h := hazardtest.NewHazard()
				cur, _, err := st.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
				if !assert.NoError(t, err, "Create") {
					return
				}
				for range updatesEach {
					next := cur
					next.Description += "+"
					cur, err = st.Update(ctx, next, cur.Version, []hazard.Event{
						hazardtest.NewEvent(cur, hazard.EventTransition), hazardtest.NewEvent(cur, hazard.EventNote)})
					if !assert.NoError(t, err, "Update") {
						return
					}
				}
				_, err = st.Append(ctx, hazardtest.NewEvent(cur, hazard.EventNote))
				if !assert.NoError(t, err, "Append") {
					return
				}
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	wgReader.Wait()
	require.NoError(t, readErr, "Events")
	const want = writers * hazardsEach * (1 + 2*updatesEach + 1)
	assert.Equal(t, int64(want), seen, "events the reader saw")
	last, err := st.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(want), last, "LastSeq")
}
