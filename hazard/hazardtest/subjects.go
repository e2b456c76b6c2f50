package hazardtest

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// Subjects of other kinds than hazards, for the suite.
var (
	unitA   = hazard.Subject{Kind: "unit", ID: "0192f1c2-unit-a"}
	unitB   = hazard.Subject{Kind: "unit", ID: "0192f1c2-unit-b"}
	account = hazard.Subject{Kind: "account", ID: "citizen-1"} // same ID space as a reporter, another kind
)

// appendSubjects pins that events of other subjects append without any
// hazard, round-trip every field, and share one gapless sequence with the
// hazards' events, interleaved in commit order.
func (s *suite) appendSubjects(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	h := create(t, st, NewHazard()) // 1
	full := FullSubjectEvent(unitA)
	requireAllSet(t, withSeq(full, 1), "Event.HazardID") // an event of another subject has no hazard
	in := []hazard.Event{
		full,                          // 2
		NewEvent(h, hazard.EventNote), // 3
		NewSubjectEvent(account, "login_granted"), // 4
	}
	got, err := st.Append(ctx, in...)
	require.NoError(t, err, "Append of events of several subjects")
	want := []hazard.Event{withSeq(in[0], 2), withSeq(in[1], 3), withSeq(in[2], 4)}
	assert.Equal(t, normEvents(want), normEvents(got), "Append: returned events")

	b := create(t, st, NewHazard())                                                                   // 5
	more, err := st.Append(ctx, NewSubjectEvent(unitB, "unit_graded"), NewEvent(b, hazard.EventNote)) // 6, 7
	require.NoError(t, err, "Append")
	want = append(want, withSeq(more[0], 6), withSeq(more[1], 7))

	all, err := st.Events(ctx, 0, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7}, seqs(all), "Events: one gapless sequence for every subject")
	if assert.Len(t, all, 7, "Events") {
		stored := []hazard.Event{all[1], all[2], all[3], all[5], all[6]}
		assert.Equal(t, normEvents(want), normEvents(stored), "Events: events of every subject read back as appended")
		for i, e := range all {
			if e.HazardID != uuid.Nil {
				assert.True(t, e.Subject.IsZero(), "Events[%d]: a hazard's event keeps a zero Subject", i)
			}
		}
	}
	assert.Equal(t, int64(7), lastSeq(t, st), "LastSeq")

	// Copies: mutating what went in or came out changes nothing stored.
	in[0].Data["grade"] = "x"
	got[0].Attachments[0].Size = 1
	stored, err := st.Events(ctx, 1, 1)
	require.NoError(t, err, "Events")
	assert.Equal(t, normEvents(want[:1]), normEvents(stored), "Events after mutating Append's argument and result")
}

func (s *suite) appendInvalidSubject(t *testing.T, st hazard.Store) {
	h := create(t, st, NewHazard())
	for _, c := range []struct {
		name  string
		event hazard.Event
	}{
		{"no hazard and no subject", NewSubjectEvent(hazard.Subject{}, hazard.EventNote)},
		{"both a hazard and a subject", func() hazard.Event { e := NewEvent(h, hazard.EventNote); e.Subject = unitA; return e }()},
		{"hazard kind without hazard_id", NewSubjectEvent(hazard.HazardSubject(h.ID), hazard.EventNote)},
		{"no kind", NewSubjectEvent(hazard.Subject{ID: "u1"}, hazard.EventNote)},
		{"no ID", NewSubjectEvent(hazard.Subject{Kind: "unit"}, hazard.EventNote)},
		{"upper-case kind", NewSubjectEvent(hazard.Subject{Kind: "Unit", ID: "u1"}, hazard.EventNote)},
		{"kind too long", NewSubjectEvent(hazard.Subject{Kind: hazard.SubjectKind(strings.Repeat("k", hazard.MaxSubjectKindLen+1)), ID: "u1"}, hazard.EventNote)},
		{"ID too long", NewSubjectEvent(hazard.Subject{Kind: "unit", ID: strings.Repeat("i", hazard.MaxSubjectIDLen+1)}, hazard.EventNote)},
		{"ID with a control character", NewSubjectEvent(hazard.Subject{Kind: "unit", ID: "u\x001"}, hazard.EventNote)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.Append(t.Context(), NewSubjectEvent(unitA, hazard.EventNote), c.event)
			assertCode(t, err, hazard.ErrInvalid, "Append")
			assert.Equal(t, int64(1), lastSeq(t, st), "LastSeq after an invalid Append: nothing appended")
		})
	}
	longest := NewSubjectEvent(hazard.Subject{
		Kind: hazard.SubjectKind(strings.Repeat("k", hazard.MaxSubjectKindLen)),
		ID:   strings.Repeat("i", hazard.MaxSubjectIDLen),
	}, hazard.EventNote)
	_, err := st.Append(t.Context(), longest)
	assert.NoError(t, err, "Append with the longest kind and ID")
}

// subjectEvents pins SubjectEvents: one subject's events in Seq order,
// after a position and up to a limit, and a hazard subject's events as
// HazardEvents returns them.
func (s *suite) subjectEvents(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	h := create(t, st, NewHazard()) // 1
	_, err := st.Append(ctx,
		NewSubjectEvent(unitA, "a1"),      // 2
		NewSubjectEvent(unitB, "b1"),      // 3
		NewEvent(h, hazard.EventNote),     // 4
		NewSubjectEvent(unitA, "a2"),      // 5
		NewSubjectEvent(account, "login"), // 6
		NewSubjectEvent(unitA, "a3"),      // 7
	)
	require.NoError(t, err, "Append (setup)")
	for _, c := range []struct {
		name  string
		sub   hazard.Subject
		after int64
		limit int
		want  []int64
	}{
		{"unit A", unitA, 0, 0, []int64{2, 5, 7}},
		{"unit B", unitB, 0, 0, []int64{3}},
		{"account", account, 0, 0, []int64{6}},
		{"after a position", unitA, 2, 0, []int64{5, 7}},
		{"after a position between events", unitA, 3, 0, []int64{5, 7}},
		{"with a limit", unitA, 0, 2, []int64{2, 5}},
		{"after and limit", unitA, 2, 1, []int64{5}},
		{"negative limit", unitA, 0, -1, []int64{2, 5, 7}},
		{"after the last", unitA, 7, 0, nil},
		{"same ID, another kind", hazard.Subject{Kind: "inspection", ID: unitA.ID}, 0, 0, nil},
		{"unknown", hazard.Subject{Kind: "unit", ID: "nobody"}, 0, 0, nil},
		{"a hazard", hazard.HazardSubject(h.ID), 0, 0, []int64{1, 4}},
		{"a hazard after a position", hazard.HazardSubject(h.ID), 1, 0, []int64{4}},
		{"an unknown hazard", hazard.HazardSubject(NewID()), 0, 0, nil},
	} {
		evs, err := st.SubjectEvents(ctx, c.sub, c.after, c.limit)
		if assert.NoError(t, err, "SubjectEvents(%v, %d, %d): %s", c.sub, c.after, c.limit, c.name) {
			assert.Equal(t, c.want, nilIfEmpty(seqs(evs)), "SubjectEvents(%v, %d, %d): %s", c.sub, c.after, c.limit, c.name)
			for _, e := range evs {
				assert.Equal(t, c.sub, e.SubjectOf(), "SubjectEvents(%v): SubjectOf of event %d", c.sub, e.Seq)
			}
		}
	}
	byHazard, err := st.HazardEvents(ctx, h.ID)
	require.NoError(t, err, "HazardEvents")
	bySubject, err := st.SubjectEvents(ctx, hazard.HazardSubject(h.ID), 0, 0)
	require.NoError(t, err, "SubjectEvents")
	assert.Equal(t, byHazard, bySubject, "SubjectEvents of a hazard subject: what HazardEvents returns")

	// Copies out.
	evs, err := st.SubjectEvents(ctx, unitA, 0, 1)
	require.NoError(t, err, "SubjectEvents")
	evs[0].Subject.ID = "changed"
	again, err := st.SubjectEvents(ctx, unitA, 0, 1)
	require.NoError(t, err, "SubjectEvents")
	assert.Equal(t, unitA, again[0].Subject, "SubjectEvents after mutating an earlier result")
}

func (s *suite) subjectEventsInvalid(t *testing.T, st hazard.Store) {
	for _, sub := range []hazard.Subject{
		{},
		{Kind: "unit"},
		{ID: "u1"},
		{Kind: "Unit", ID: "u1"},
		{Kind: "unit", ID: strings.Repeat("i", hazard.MaxSubjectIDLen+1)},
		{Kind: hazard.SubjectHazard, ID: "not-a-uuid"},
		{Kind: hazard.SubjectHazard, ID: uuid.Nil.String()},
		{Kind: hazard.SubjectHazard, ID: strings.ToUpper(NewID().String())}, // not canonical
	} {
		_, err := st.SubjectEvents(t.Context(), sub, 0, 0)
		assertCode(t, err, hazard.ErrInvalid, "SubjectEvents("+sub.String()+")")
	}
}

// createOtherSubject pins that Create and Update take only the hazard's
// own events: an event of another subject goes through Append.
func (s *suite) createOtherSubject(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	h := NewHazard()
	_, _, err := st.Create(ctx, h, []hazard.Event{NewEvent(h, hazard.EventSubmitted), NewSubjectEvent(unitA, hazard.EventNote)}, "")
	assertCode(t, err, hazard.ErrInvalid, "Create with an event of another subject")
	assert.Zero(t, lastSeq(t, st), "LastSeq after an invalid Create")
	h = create(t, st, h)
	next := h.Clone()
	next.State = "dispatched"
	_, err = st.Update(ctx, next, 1, []hazard.Event{NewSubjectEvent(unitA, hazard.EventNote)})
	assertCode(t, err, hazard.ErrInvalid, "Update with an event of another subject")
	assert.Equal(t, int64(1), lastSeq(t, st), "LastSeq after an invalid Update")
	got := get(t, st, h.ID)
	assert.Equal(t, int64(1), got.Version, "Version after an invalid Update")
}
