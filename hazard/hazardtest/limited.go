package hazardtest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// limited returns st as a hazard.LimitedCreator, or skips the test.
func limited(t *testing.T, st hazard.Store) hazard.LimitedCreator {
	t.Helper()
	lc, ok := st.(hazard.LimitedCreator)
	if !ok {
		t.Skip("the store is not a hazard.LimitedCreator")
	}
	return lc
}

// createLimited checks CreateLimited one call at a time: the count of the
// reporter's hazards since the time decides, older ones and other
// reporters' do not count, a refused hazard leaves no trace, and a key
// already used returns its hazard whatever the count.
func (s *suite) createLimited(t *testing.T, st hazard.Store) {
	lc := limited(t, st)
	ctx := t.Context()
	since := Epoch.Add(time.Hour)
	create(t, st, NewHazard(WithReporter("alice"), WithCreatedAt(Epoch))) // before since: not counted
	create(t, st, NewHazard(WithReporter("bob"), WithCreatedAt(since)))   // another reporter
	keyed := NewHazard(WithReporter("alice"), WithCreatedAt(since))
	_, created, err := lc.CreateLimited(ctx, keyed, []hazard.Event{NewEvent(keyed, hazard.EventSubmitted)}, "k1", since, 2)
	require.NoError(t, err, "CreateLimited, first of 2")
	require.True(t, created, "CreateLimited, first of 2: created")
	second := NewHazard(WithReporter("alice"), WithCreatedAt(since.Add(time.Minute)))
	_, created, err = lc.CreateLimited(ctx, second, []hazard.Event{NewEvent(second, hazard.EventSubmitted)}, "", since, 2)
	require.NoError(t, err, "CreateLimited, second of 2")
	require.True(t, created, "CreateLimited, second of 2: created")

	seq := lastSeq(t, st)
	third := NewHazard(WithReporter("alice"), WithCreatedAt(since.Add(2*time.Minute)))
	_, _, err = lc.CreateLimited(ctx, third, []hazard.Event{NewEvent(third, hazard.EventSubmitted)}, "k3", since, 2)
	require.ErrorIs(t, err, hazard.ErrRateLimited, "CreateLimited past the limit")
	_, err = st.Get(ctx, third.ID)
	require.ErrorIs(t, err, hazard.ErrNotFound, "a refused hazard is not stored")
	assert.Equal(t, seq, lastSeq(t, st), "a refused hazard appends no event")

	retry := NewHazard(WithReporter("alice"), WithCreatedAt(since.Add(3*time.Minute)))
	got, created, err := lc.CreateLimited(ctx, retry, []hazard.Event{NewEvent(retry, hazard.EventSubmitted)}, "k1", since, 2)
	require.NoError(t, err, "CreateLimited with a key already used, at the limit")
	assert.False(t, created, "CreateLimited with a key already used: not created")
	assert.Equal(t, keyed.ID, got.ID, "CreateLimited with a key already used: the first hazard")

	other := NewHazard(WithReporter("bob"), WithCreatedAt(since.Add(time.Minute)))
	_, created, err = lc.CreateLimited(ctx, other, []hazard.Event{NewEvent(other, hazard.EventSubmitted)}, "", since, 2)
	require.NoError(t, err, "CreateLimited for another reporter")
	assert.True(t, created, "CreateLimited for another reporter: created")

	later := since.Add(2 * time.Minute)
	fourth := NewHazard(WithReporter("alice"), WithCreatedAt(later))
	_, created, err = lc.CreateLimited(ctx, fourth, []hazard.Event{NewEvent(fourth, hazard.EventSubmitted)}, "", since.Add(30*time.Second), 2)
	require.NoError(t, err, "CreateLimited once the window has moved past the first")
	assert.True(t, created, "CreateLimited once the window has moved: created")

	_, _, err = lc.CreateLimited(ctx, NewHazard(), nil, "", since, 0)
	require.ErrorIs(t, err, hazard.ErrInvalid, "CreateLimited with limit 0")
}

// createLimitedParallel fires many CreateLimited calls of one reporter at
// once: exactly the limit pass.
func (s *suite) createLimitedParallel(t *testing.T, st hazard.Store) {
	lc := limited(t, st)
	const limit = 5
	var ok, refused, others atomic.Int64
	Together(parallel, func(int) {
		h := NewHazard(WithReporter("carol"))
		_, created, err := lc.CreateLimited(t.Context(), h, []hazard.Event{NewEvent(h, hazard.EventSubmitted)}, "", Epoch, limit)
		switch {
		case err == nil && created:
			ok.Add(1)
		case hazard.ErrorCode(err) == hazard.CodeRateLimited:
			refused.Add(1)
		default:
			others.Add(1)
			t.Errorf("CreateLimited: %v (created %v)", err, created)
		}
	})
	assert.Equal(t, int64(limit), ok.Load(), "CreateLimited in parallel: exactly the limit pass")
	assert.Equal(t, int64(parallel-limit), refused.Load(), "CreateLimited in parallel: the rest are rate-limited")
	assert.Len(t, listAll(t, st, hazard.Filter{Reporter: "carol"}, hazard.MaxPageLimit), limit, "stored hazards of the reporter")
}
