package hazardtest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func (s *suite) nextSeq(t *testing.T, st hazard.Store) {
	for _, c := range []struct {
		counter string
		want    int64
	}{
		{"a", 1}, {"a", 2}, {"b", 1}, {"a", 3}, {"ref:LC:20261128", 1}, {"b", 2},
	} {
		n, err := st.NextSeq(t.Context(), c.counter)
		if assert.NoError(t, err, "NextSeq(%q)", c.counter) {
			assert.Equal(t, c.want, n, "NextSeq(%q)", c.counter)
		}
	}
}

func (s *suite) eventsAfter(t *testing.T, st hazard.Store) {
	a := create(t, st, NewHazard())
	b := create(t, st, NewHazard())
	_, err := st.Append(t.Context(), NewEvent(a, hazard.EventNote), NewEvent(b, hazard.EventNote))
	require.NoError(t, err, "Append (setup)")
	all, err := st.Events(t.Context(), 0, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, []int64{1, 2, 3, 4}, seqs(all), "Events(0, 0)")
	for _, c := range []struct {
		after int64
		limit int
		want  []int64
	}{
		{0, 2, []int64{1, 2}},
		{2, 0, []int64{3, 4}},
		{2, 1, []int64{3}},
		{3, 10, []int64{4}},
		{4, 0, nil},
		{100, 0, nil},
		{0, -5, []int64{1, 2, 3, 4}},
	} {
		evs, err := st.Events(t.Context(), c.after, c.limit)
		if assert.NoError(t, err, "Events(%d, %d)", c.after, c.limit) {
			assert.Equal(t, c.want, nilIfEmpty(seqs(evs)), "Events(%d, %d)", c.after, c.limit)
		}
	}
	assert.Equal(t, a.ID, all[0].HazardID)
	assert.Equal(t, b.ID, all[1].HazardID)
	assert.Equal(t, a.ID, all[2].HazardID)
	assert.Equal(t, b.ID, all[3].HazardID)
}

func nilIfEmpty(s []int64) []int64 {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (s *suite) eventsLimit(t *testing.T, st hazard.Store) {
	h := create(t, st, NewHazard())
	batch := make([]hazard.Event, hazard.MaxEventBatch)
	for i := range batch {
		batch[i] = NewEvent(h, hazard.EventNote)
	}
	_, err := st.Append(t.Context(), batch...)
	require.NoError(t, err, "Append (setup)")
	for _, c := range []struct {
		limit, want int
	}{
		{0, hazard.MaxEventBatch},
		{-1, hazard.MaxEventBatch},
		{hazard.MaxEventBatch + 1, hazard.MaxEventBatch},
		{10, 10},
	} {
		evs, err := st.Events(t.Context(), 0, c.limit)
		if assert.NoError(t, err, "Events(0, %d)", c.limit) {
			assert.Len(t, evs, c.want, "Events(0, %d)", c.limit)
		}
	}
	evs, err := st.Events(t.Context(), hazard.MaxEventBatch, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, []int64{hazard.MaxEventBatch + 1}, seqs(evs), "Events after MaxEventBatch")
}

func (s *suite) hazardEvents(t *testing.T, st hazard.Store) {
	a := create(t, st, NewHazard())
	b := create(t, st, NewHazard())
	_, err := st.Append(t.Context(), NewEvent(b, hazard.EventNote), NewEvent(a, hazard.EventNote))
	require.NoError(t, err, "Append (setup)")
	a.State = "dispatched"
	_, err = st.Update(t.Context(), a, 1, []hazard.Event{NewEvent(a, hazard.EventTransition)})
	require.NoError(t, err, "Update (setup)")
	evs, err := st.HazardEvents(t.Context(), a.ID)
	require.NoError(t, err, "HazardEvents")
	assert.Equal(t, []int64{1, 4, 5}, seqs(evs), "HazardEvents of a: its events in Seq order")
	for _, e := range evs {
		assert.Equal(t, a.ID, e.HazardID, "HazardEvents of a: HazardID")
	}
	assert.Equal(t, []hazard.EventType{hazard.EventSubmitted, hazard.EventNote, hazard.EventTransition},
		[]hazard.EventType{evs[0].Type, evs[1].Type, evs[2].Type}, "HazardEvents of a: types")
	evs, err = st.HazardEvents(t.Context(), b.ID)
	require.NoError(t, err, "HazardEvents")
	assert.Equal(t, []int64{2, 3}, seqs(evs), "HazardEvents of b")
}

func (s *suite) eventsOf(t *testing.T, st hazard.Store) {
	b, ok := st.(hazard.EventsBatcher)
	if !ok {
		t.Skip("the store is not a hazard.EventsBatcher")
	}
	a := create(t, st, NewHazard())
	c := create(t, st, NewHazard())
	quiet := create(t, st, NewHazard()) // only its submitted event
	_, err := st.Append(t.Context(), NewEvent(c, hazard.EventNote), NewEvent(a, hazard.EventNote), NewEvent(c, hazard.EventNote))
	require.NoError(t, err, "Append (setup)")
	unknown := uuid.New()

	got, err := b.EventsOf(t.Context(), []uuid.UUID{c.ID, unknown, a.ID, c.ID, quiet.ID})
	require.NoError(t, err, "EventsOf")
	require.Len(t, got, 3, "EventsOf: one entry per hazard with events, none for an unknown ID")
	for _, h := range []hazard.Hazard{a, c, quiet} {
		want, err := st.HazardEvents(t.Context(), h.ID)
		require.NoError(t, err, "HazardEvents")
		assert.Equal(t, want, got[h.ID], "EventsOf: what HazardEvents returns, in Seq order")
	}
	assert.NotContains(t, got, unknown, "EventsOf: an unknown ID")

	got, err = b.EventsOf(t.Context(), nil)
	require.NoError(t, err, "EventsOf(nil)")
	assert.Empty(t, got, "EventsOf(nil)")

	ids := make([]uuid.UUID, hazard.MaxEventsBatch)
	for i := range ids {
		ids[i] = uuid.New()
	}
	ids[0] = a.ID
	got, err = b.EventsOf(t.Context(), ids)
	require.NoError(t, err, "EventsOf with MaxEventsBatch IDs")
	assert.Len(t, got, 1, "EventsOf with MaxEventsBatch IDs")
	_, err = b.EventsOf(t.Context(), append(ids, uuid.New()))
	require.ErrorIs(t, err, hazard.ErrInvalid, "EventsOf with more than MaxEventsBatch IDs")
}

func (s *suite) lastSeq(t *testing.T, st hazard.Store) {
	assert.Zero(t, lastSeq(t, st), "LastSeq of an empty log")
	h := create(t, st, NewHazard())
	assert.Equal(t, int64(1), lastSeq(t, st), "LastSeq after one event")
	evs, err := st.Append(t.Context(), NewEvent(h, hazard.EventNote), NewEvent(h, hazard.EventNote))
	require.NoError(t, err, "Append")
	assert.Equal(t, int64(3), lastSeq(t, st), "LastSeq after Append")
	assert.Equal(t, []int64{2, 3}, seqs(evs), "Append: sequence numbers")
}

func (s *suite) appendRoundTrip(t *testing.T, st hazard.Store) {
	h := create(t, st, NewHazard())
	e := FullEvent(h)
	e.Type = hazard.EventRewardIssued
	in := []hazard.Event{e, NewEvent(h, hazard.EventNote)}
	got, err := st.Append(t.Context(), in...)
	require.NoError(t, err, "Append")
	want := []hazard.Event{withSeq(in[0], 2), withSeq(in[1], 3)}
	assert.Equal(t, normEvents(want), normEvents(got), "Append: returned events")
	stored, err := st.Events(t.Context(), 1, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, normEvents(want), normEvents(stored), "Events after Append")

	// Copies: mutating what went in or came out changes nothing stored.
	in[0].Data["department"] = "x"
	got[0].Data["amount_fen"] = "x"
	got[0].Attachments[0].Size = 1
	stored, err = st.Events(t.Context(), 1, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, normEvents(want), normEvents(stored), "Events after mutating Append's argument and result")

	none, err := st.Append(t.Context())
	assert.NoError(t, err, "Append of no events")
	assert.Empty(t, none, "Append of no events")
	assert.Equal(t, int64(3), lastSeq(t, st), "LastSeq after Append of no events")
}

func (s *suite) appendUnknown(t *testing.T, st hazard.Store) {
	h := create(t, st, NewHazard())
	ghost := NewHazard()
	_, err := st.Append(t.Context(), NewEvent(h, hazard.EventNote), NewEvent(ghost, hazard.EventNote))
	assertCode(t, err, hazard.ErrNotFound, "Append with an unknown hazard")
	assert.Equal(t, int64(1), lastSeq(t, st), "LastSeq after a failed Append: nothing appended")
}

func (s *suite) appendInvalid(t *testing.T, st hazard.Store) {
	h := create(t, st, NewHazard())
	for _, c := range []struct {
		name   string
		change func(e *hazard.Event)
	}{
		{"no type", func(e *hazard.Event) { e.Type = "" }},
		{"no actor", func(e *hazard.Event) { e.Actor.ID = "" }},
		{"no time", func(e *hazard.Event) { e.Time = time.Time{} }},
		{"note too long", func(e *hazard.Event) { e.PublicNote = strings.Repeat("长", hazard.MaxNoteLen+1) }},
		{"control character", func(e *hazard.Event) { e.PrivateNote = "a\x00b" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := NewEvent(h, hazard.EventNote)
			c.change(&bad)
			_, err := st.Append(t.Context(), NewEvent(h, hazard.EventNote), bad)
			assertCode(t, err, hazard.ErrInvalid, "Append")
			assert.Equal(t, int64(1), lastSeq(t, st), "LastSeq after an invalid Append")
		})
	}
}
