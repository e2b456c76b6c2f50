package hazardtest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func (s *suite) cursors(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	n, err := st.Cursor(ctx, "notify")
	require.NoError(t, err, "Cursor of a new consumer")
	assert.Zero(t, n, "Cursor of a new consumer")
	steps := []struct {
		consumer string
		seq      int64
		want     error
		after    int64
	}{
		{"notify", 5, nil, 5},
		{"notify", 7, nil, 7},
		{"notify", 7, nil, 7},                // saving the same position again is fine
		{"notify", 3, hazard.ErrConflict, 7}, // never back
		{"reward", 2, nil, 2},                // independent of other consumers
		{"notify", 1 << 40, nil, 1 << 40},    // large positions
		{"reward", 1, hazard.ErrConflict, 2}, // never back
		{"reward-v2_x", 9, nil, 9},           // names with '-' and '_'
		{strings.Repeat("a", hazard.MaxConsumerNameLen), 1, nil, 1},
	}
	for _, c := range steps {
		err := st.SaveCursor(ctx, c.consumer, c.seq)
		if c.want == nil {
			assert.NoError(t, err, "SaveCursor(%q, %d)", c.consumer, c.seq)
		} else {
			assert.ErrorIs(t, err, c.want, "SaveCursor(%q, %d)", c.consumer, c.seq)
		}
		n, err := st.Cursor(ctx, c.consumer)
		if assert.NoError(t, err, "Cursor(%q)", c.consumer) {
			assert.Equal(t, c.after, n, "Cursor(%q) after SaveCursor(%d)", c.consumer, c.seq)
		}
	}
}

func (s *suite) cursorsInvalid(t *testing.T, st hazard.Store) {
	for _, name := range []string{"", strings.Repeat("a", hazard.MaxConsumerNameLen+1)} {
		err := st.SaveCursor(t.Context(), name, 1)
		assertCode(t, err, hazard.ErrInvalid, "SaveCursor with a consumer name of "+strconv.Itoa(len(name))+" bytes")
	}
	err := st.SaveCursor(t.Context(), "notify", -1)
	assertCode(t, err, hazard.ErrInvalid, "SaveCursor(-1)")
}

func parkedKeys(ps []hazard.ParkedEvent) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Consumer + "/" + strconv.Itoa(int(p.Event.Seq))
	}
	return out
}

func (s *suite) parked(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	h := create(t, st, NewHazard())
	ev := func(seq int64) hazard.Event {
		e := FullEvent(h)
		e.Seq = seq
		return e
	}
	p5 := hazard.ParkedEvent{Consumer: "notify", Event: ev(5), Attempts: 3, Error: "smtp: timeout", ParkedAt: Epoch}
	requireAllSet(t, p5)
	for _, p := range []hazard.ParkedEvent{
		p5,
		{Consumer: "notify", Event: ev(3), Attempts: 5, Error: "boom", ParkedAt: Epoch.Add(time.Second)},
		{Consumer: "reward", Event: ev(4), Attempts: 1, Error: "budget", ParkedAt: Epoch.Add(2 * time.Second)},
	} {
		require.NoError(t, st.Park(ctx, p), "Park (setup)")
	}
	got, err := st.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"notify/3", "notify/5"}, parkedKeys(got), "Parked(notify): in Seq order")
	if len(got) == 2 {
		assert.Equal(t, p5.Event.Data, got[1].Event.Data, "Parked: event data")
		g := got[1]
		g.Event = normEvent(g.Event)
		want := p5
		want.Event = normEvent(want.Event)
		assert.Equal(t, want, g, "Parked: round trip")
		got[1].Event.Data["department"] = "x" // copies out
	}
	all, err := st.Parked(ctx, "")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"notify/3", "reward/4", "notify/5"}, parkedKeys(all), "Parked(\"\"): every consumer, in Seq order")
	none, err := st.Parked(ctx, "relay")
	require.NoError(t, err, "Parked")
	assert.Empty(t, none, "Parked of a consumer that parked nothing")

	again := p5
	again.Attempts, again.Error = 9, "still failing"
	require.NoError(t, st.Park(ctx, again), "Park again")
	got, err = st.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	if assert.Len(t, got, 2, "Parked after parking the same seq again: replaced, not added") {
		assert.Equal(t, 9, got[1].Attempts, "Parked after parking again: Attempts")
		assert.Equal(t, "still failing", got[1].Error, "Parked after parking again: Error")
		assert.Equal(t, "gas", got[1].Event.Data["department"], "Parked after mutating an earlier result")
	}

	assert.NoError(t, st.Unpark(ctx, "notify", 3), "Unpark")
	assertCode(t, st.Unpark(ctx, "notify", 3), hazard.ErrNotFound, "Unpark twice")
	assertCode(t, st.Unpark(ctx, "reward", 5), hazard.ErrNotFound, "Unpark of another consumer's seq")
	assertCode(t, st.Unpark(ctx, "relay", 1), hazard.ErrNotFound, "Unpark of an unknown consumer")
	all, err = st.Parked(ctx, "")
	require.NoError(t, err, "Parked")
	assert.Equal(t, []string{"reward/4", "notify/5"}, parkedKeys(all), "Parked after Unpark")
}
