package pgstore_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateSameKeyConcurrently retries one submission (one reporter, one
// idempotency key, a fresh ID and reference each time, as hazard.Service
// does) from many goroutines at once: exactly one hazard is created, every
// call returns it, and only its events are in the log.
func TestCreateSameKeyConcurrently(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newDB(t).Hazards()
	const callers = 20
	got := make([]hazard.Hazard, callers)
	created := make([]bool, callers)
	errs := make([]error, callers)
	hazardtest.Together(callers, func(i int) {
		h := hazardtest.NewHazard(hazardtest.WithReporter("citizen-retry"))
		got[i], created[i], errs[i] = st.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "submit-42")
	})
	n := 0
	var id uuid.UUID
	for i := range callers {
		require.NoError(t, errs[i], "Create #%d", i)
		if created[i] {
			n++
			id = got[i].ID
		}
	}
	require.Equal(t, 1, n, "Creates that created")
	for i := range callers {
		assert.Equal(t, id, got[i].ID, "Create #%d returned another hazard", i)
	}
	last, err := st.LastSeq(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), last, "LastSeq: only the created hazard's event")
}
