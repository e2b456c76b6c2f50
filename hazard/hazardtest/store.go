package hazardtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestStore runs the conformance suite of hazard.Store (with its EventLog,
// and hazard.EventsBatcher, hazard.LimitedCreator and hazard.StatsReader
// when the store has them) against the stores open returns. open is called once per
// subtest and must return a fresh, empty store; it may register clean-up
// with t.Cleanup. An adapter's test is one line:
//
//	hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
func TestStore(t *testing.T, open func(t *testing.T) hazard.Store) {
	t.Helper()
	s := &suite{open: open}
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.Store)
	}{
		{"Create/RoundTripEveryField", s.createRoundTrip},
		{"Create/RoundTripMinimal", s.createMinimal},
		{"Create/CopiesInAndOut", s.createCopies},
		{"Create/IdempotencyKey", s.createIdempotent},
		{"Create/IdempotencyKeyPerReporter", s.createKeyPerReporter},
		{"Create/EmptyKeyDoesNotDedupe", s.createEmptyKey},
		{"Create/DuplicateIDConflict", s.createDuplicateID},
		{"Create/DuplicateRefConflict", s.createDuplicateRef},
		{"Create/InvalidChangesNothing", s.createInvalid},
		{"CreateLimited/Counts", s.createLimited},
		{"CreateLimited/ParallelExact", s.createLimitedParallel},
		{"Get/NotFound", s.getNotFound},
		{"Update/RoundTrip", s.updateRoundTrip},
		{"Update/CopiesInAndOut", s.updateCopies},
		{"Update/NotFound", s.updateNotFound},
		{"Update/StaleVersionConflict", s.updateStale},
		{"Update/ImmutableFields", s.updateImmutable},
		{"Update/InvalidChangesNothing", s.updateInvalid},
		{"Update/ParallelSameVersionOneWins", s.updateParallelOneWins},
		{"Update/ParallelRetriesLoseNothing", s.updateParallelRetries},
		{"List/Empty", s.listEmpty},
		{"List/NewestFirstAcrossPages", s.listPages},
		{"List/Filters", s.listFilters},
		{"List/ByUnitAcrossPagesAndUpdates", s.listByUnit},
		{"List/LimitDefaultAndCap", s.listLimits},
		{"List/InvalidCursor", s.listInvalidCursor},
		{"List/Copies", s.listCopies},
		{"List/StableUnderConcurrentInserts", s.listStable},
		{"Nearby/Matches", s.nearbyMatches},
		{"Nearby/Limit", s.nearbyLimit},
		{"Nearby/Invalid", s.nearbyInvalid},
		{"NextSeq/PerCounter", s.nextSeq},
		{"NextSeq/UniqueUnderConcurrency", s.nextSeqConcurrent},
		{"Events/AfterAndOrder", s.eventsAfter},
		{"Events/LimitDefaultAndCap", s.eventsLimit},
		{"Events/GaplessUnderConcurrentWriters", s.eventsGapless},
		{"Events/HazardEvents", s.hazardEvents},
		{"Events/LastSeq", s.lastSeq},
		{"Events/EventsOf", s.eventsOf},
		{"Append/RoundTrip", s.appendRoundTrip},
		{"Append/UnknownHazard", s.appendUnknown},
		{"Append/Invalid", s.appendInvalid},
		{"Append/OtherSubjects", s.appendSubjects},
		{"Append/InvalidSubject", s.appendInvalidSubject},
		{"Events/SubjectEvents", s.subjectEvents},
		{"Events/SubjectEventsInvalid", s.subjectEventsInvalid},
		{"Create/EventOfOtherSubject", s.createOtherSubject},
		{"Stats/RowsMatchFilter", s.statsRows},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			if st == nil {
				t.Fatal("open returned a nil store")
			}
			c.fn(t, st)
		})
	}
}

type suite struct {
	open func(t *testing.T) hazard.Store
}

// create stores h with a submitted event and returns the stored hazard.
func create(t *testing.T, s hazard.Store, h hazard.Hazard) hazard.Hazard {
	t.Helper()
	got, created, err := s.Create(t.Context(), h, []hazard.Event{NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err, "Create (setup)")
	require.True(t, created, "Create (setup): created")
	return got
}

func get(t *testing.T, s hazard.Store, id uuid.UUID) hazard.Hazard {
	t.Helper()
	h, err := s.Get(t.Context(), id)
	require.NoError(t, err, "Get (setup)")
	return h
}

func lastSeq(t *testing.T, s hazard.Store) int64 {
	t.Helper()
	n, err := s.LastSeq(t.Context())
	require.NoError(t, err, "LastSeq (setup)")
	return n
}

// listAll walks every page of f with the limit and returns the items.
func listAll(t *testing.T, s hazard.Store, f hazard.Filter, limit int) []hazard.Hazard {
	t.Helper()
	var out []hazard.Hazard
	p := hazard.Page{Limit: limit}
	pageMax := min(limit, hazard.MaxPageLimit)
	if limit == 0 {
		pageMax = hazard.DefaultPageLimit
	}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10000, "List: too many pages, Next never ends")
		l, err := s.List(t.Context(), f, p)
		require.NoError(t, err, "List")
		assert.LessOrEqual(t, len(l.Items), pageMax, "List: page longer than its limit")
		out = append(out, l.Items...)
		if l.Next == "" {
			return out
		}
		require.NotEmpty(t, l.Items, "List: empty page with a Next cursor")
		p.Cursor = l.Next
	}
}

func assertCode(t *testing.T, err error, want error, call string) bool {
	t.Helper()
	return assert.ErrorIs(t, err, want, "%s: got %v", call, err)
}

func (s *suite) createRoundTrip(t *testing.T, st hazard.Store) {
	h := FullHazard()
	requireAllSet(t, h)
	e1 := FullEvent(h)
	requireAllSet(t, withSeq(e1, 1), "Event.Subject") // a hazard's event has no Subject: appendSubjects covers it
	e2 := NewEvent(h, hazard.EventSubmitted)
	got, created, err := st.Create(t.Context(), h, []hazard.Event{e1, e2}, "key-1")
	require.NoError(t, err, "Create")
	assert.True(t, created, "Create: created")
	assert.Equal(t, norm(h), norm(got), "Create: returned hazard")

	g, err := st.Get(t.Context(), h.ID)
	if assert.NoError(t, err, "Get") {
		assert.Equal(t, norm(h), norm(g), "Get")
	}
	g, err = st.GetByRef(t.Context(), h.Ref)
	if assert.NoError(t, err, "GetByRef") {
		assert.Equal(t, norm(h), norm(g), "GetByRef")
	}
	evs, err := st.HazardEvents(t.Context(), h.ID)
	require.NoError(t, err, "HazardEvents")
	if assert.Len(t, evs, 2, "HazardEvents") {
		assert.Equal(t, []int64{1, 2}, seqs(evs), "HazardEvents: sequence numbers of a fresh store")
		assert.Equal(t, normEvents([]hazard.Event{withSeq(e1, 1), withSeq(e2, 2)}), normEvents(evs), "HazardEvents: events as given")
	}
	all, err := st.Events(t.Context(), 0, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, normEvents(evs), normEvents(all), "Events(0) after one Create")
}

func (s *suite) createMinimal(t *testing.T, st hazard.Store) {
	h := NewHazard(WithPoint(nil))
	got := create(t, st, h)
	assert.Equal(t, norm(h), norm(got), "Create: returned hazard")
	g := get(t, st, h.ID)
	assert.Nil(t, g.Location.Point, "Get: a hazard without a point has none")
	assert.Equal(t, norm(h), norm(g), "Get")
}

func (s *suite) createCopies(t *testing.T, st hazard.Store) {
	h := FullHazard()
	want := h.Clone()
	e := FullEvent(h)
	events := []hazard.Event{e}
	got, _, err := st.Create(t.Context(), h, events, "")
	require.NoError(t, err, "Create")

	// Mutate what went in and what came out.
	h.Photos[0].Size = 1
	h.Evidence[0].Size = 1
	h.Location.Point.Lat = 1
	events[0].Data["department"] = "changed"
	events[0].Attachments[0].Size = 1
	got.Photos[0].ContentType = "changed"
	got.Evidence[0].ContentType = "changed"
	got.Location.Point.Lng = 2

	g1 := get(t, st, want.ID)
	assert.Equal(t, norm(want), norm(g1), "Get after mutating Create's argument and result")
	g1.Photos[0].SHA256 = "changed"
	g1.Location.Point.Lat = 3
	g2 := get(t, st, want.ID)
	assert.Equal(t, norm(want), norm(g2), "Get after mutating an earlier Get's result")

	evs, err := st.HazardEvents(t.Context(), want.ID)
	require.NoError(t, err, "HazardEvents")
	require.Len(t, evs, 1, "HazardEvents")
	assert.Equal(t, "gas", evs[0].Data["department"], "HazardEvents: Data after mutating Create's events")
	assert.Equal(t, e.Attachments[0].SHA256, evs[0].Attachments[0].SHA256)
	assert.NotEqual(t, int64(1), evs[0].Attachments[0].Size, "HazardEvents: Attachments after mutating Create's events")
	evs[0].Data["department"] = "again"
	evs[0].Attachments[0].Size = 1
	evs2, err := st.Events(t.Context(), 0, 0)
	require.NoError(t, err, "Events")
	require.Len(t, evs2, 1, "Events")
	assert.Equal(t, "gas", evs2[0].Data["department"], "Events after mutating HazardEvents' result")
	assert.NotEqual(t, int64(1), evs2[0].Attachments[0].Size, "Events after mutating HazardEvents' result")
}

func (s *suite) createIdempotent(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	h1 := NewHazard(WithReporter("alice"))
	first, created, err := st.Create(ctx, h1, []hazard.Event{NewEvent(h1, hazard.EventSubmitted)}, "retry-key")
	require.NoError(t, err, "Create")
	require.True(t, created, "Create: created")
	seq := lastSeq(t, st)

	h2 := NewHazard(WithReporter("alice")) // a retry: new ID and ref, same key
	again, created, err := st.Create(ctx, h2, []hazard.Event{NewEvent(h2, hazard.EventSubmitted)}, "retry-key")
	if assert.NoError(t, err, "Create with a used key") {
		assert.False(t, created, "Create with a used key: created")
		assert.Equal(t, norm(first), norm(again), "Create with a used key returns the first hazard")
	}
	_, err = st.Get(ctx, h2.ID)
	assertCode(t, err, hazard.ErrNotFound, "Get of the retried hazard's ID")
	_, err = st.GetByRef(ctx, h2.Ref)
	assertCode(t, err, hazard.ErrNotFound, "GetByRef of the retried hazard's ref")
	assert.Equal(t, seq, lastSeq(t, st), "LastSeq after an idempotent Create: no event appended")

	// After an update, the key still names the same hazard, as it stands.
	u := first
	u.State = "dispatched"
	updated, err := st.Update(ctx, u, 1, nil)
	require.NoError(t, err, "Update (setup)")
	h3 := NewHazard(WithReporter("alice"))
	again, created, err = st.Create(ctx, h3, nil, "retry-key")
	if assert.NoError(t, err, "Create with a used key after Update") {
		assert.False(t, created, "Create with a used key after Update: created")
		assert.Equal(t, norm(updated), norm(again), "Create with a used key after Update returns the stored hazard")
	}
}

func (s *suite) createKeyPerReporter(t *testing.T, st hazard.Store) {
	ctx := t.Context()
	a := NewHazard(WithReporter("alice"))
	b := NewHazard(WithReporter("bob"))
	_, created, err := st.Create(ctx, a, nil, "same-key")
	require.NoError(t, err, "Create alice")
	require.True(t, created)
	got, created, err := st.Create(ctx, b, nil, "same-key")
	if assert.NoError(t, err, "Create bob with alice's key") {
		assert.True(t, created, "Create bob with alice's key: created")
		assert.Equal(t, b.ID, got.ID, "Create bob with alice's key: a separate hazard")
	}
	_, err = st.Get(ctx, b.ID)
	assert.NoError(t, err, "Get bob's hazard")
	_, err = st.Get(ctx, a.ID)
	assert.NoError(t, err, "Get alice's hazard")
}

func (s *suite) createEmptyKey(t *testing.T, st hazard.Store) {
	a, b := NewHazard(), NewHazard()
	for _, h := range []hazard.Hazard{a, b} {
		_, created, err := st.Create(t.Context(), h, nil, "")
		require.NoError(t, err, "Create without a key")
		assert.True(t, created, "Create without a key: created")
	}
	all := listAll(t, st, hazard.Filter{}, 0)
	assert.Len(t, all, 2, "List after two Creates without a key")
}

func (s *suite) createDuplicateID(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	dup := NewHazard()
	dup.ID = first.ID
	_, _, err := st.Create(t.Context(), dup, []hazard.Event{NewEvent(dup, hazard.EventSubmitted)}, "")
	assertCode(t, err, hazard.ErrConflict, "Create with a taken ID")
	assert.Equal(t, norm(first), norm(get(t, st, first.ID)), "Get after a conflicting Create")
	_, err = st.GetByRef(t.Context(), dup.Ref)
	assertCode(t, err, hazard.ErrNotFound, "GetByRef of the refused hazard")
	assert.Equal(t, seq, lastSeq(t, st), "LastSeq after a conflicting Create")
}

func (s *suite) createDuplicateRef(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	dup := NewHazard()
	dup.Ref = first.Ref
	_, _, err := st.Create(t.Context(), dup, []hazard.Event{NewEvent(dup, hazard.EventSubmitted)}, "k")
	assertCode(t, err, hazard.ErrConflict, "Create with a taken Ref")
	_, err = st.Get(t.Context(), dup.ID)
	assertCode(t, err, hazard.ErrNotFound, "Get of the refused hazard")
	g, err := st.GetByRef(t.Context(), first.Ref)
	if assert.NoError(t, err, "GetByRef") {
		assert.Equal(t, first.ID, g.ID, "GetByRef after a conflicting Create")
	}
	assert.Equal(t, seq, lastSeq(t, st), "LastSeq after a conflicting Create")
	// The refused create did not consume its idempotency key.
	_, created, err := st.Create(t.Context(), NewHazard(WithReporter(dup.Reporter.UserID)), nil, "k")
	if assert.NoError(t, err, "Create with the key of a refused Create") {
		assert.True(t, created, "Create with the key of a refused Create: created")
	}
}

func (s *suite) createInvalid(t *testing.T, st hazard.Store) {
	for _, c := range []struct {
		name  string
		h     func() hazard.Hazard
		event func(h hazard.Hazard) hazard.Event
		key   string
	}{
		{name: "empty description", h: func() hazard.Hazard { return NewHazard(func(h *hazard.Hazard) { h.Description = "" }) }},
		{name: "no photos", h: func() hazard.Hazard { return NewHazard(func(h *hazard.Hazard) { h.Photos = nil }) }},
		{name: "nil ID", h: func() hazard.Hazard { return NewHazard(func(h *hazard.Hazard) { h.ID = uuid.Nil }) }},
		{name: "version 0", h: func() hazard.Hazard { return NewHazard(func(h *hazard.Hazard) { h.Version = 0 }) }},
		{name: "version 2", h: func() hazard.Hazard { return NewHazard(func(h *hazard.Hazard) { h.Version = 2 }) }},
		{name: "event without actor", h: func() hazard.Hazard { return NewHazard() }, event: func(h hazard.Hazard) hazard.Event {
			e := NewEvent(h, hazard.EventSubmitted)
			e.Actor = hazard.Actor{}
			return e
		}},
		{name: "event without time", h: func() hazard.Hazard { return NewHazard() }, event: func(h hazard.Hazard) hazard.Event {
			e := NewEvent(h, hazard.EventSubmitted)
			e.Time = time.Time{}
			return e
		}},
		{name: "idempotency key too long", h: func() hazard.Hazard { return NewHazard() }, key: strings.Repeat("k", hazard.MaxIdempotencyKeyLen+1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.h()
			events := []hazard.Event{NewEvent(h, hazard.EventSubmitted)}
			if c.event != nil {
				events = append(events, c.event(h))
			}
			_, _, err := st.Create(t.Context(), h, events, c.key)
			assertCode(t, err, hazard.ErrInvalid, "Create")
			if h.ID != uuid.Nil {
				_, err = st.Get(t.Context(), h.ID)
				assertCode(t, err, hazard.ErrNotFound, "Get after an invalid Create")
			}
			_, err = st.GetByRef(t.Context(), h.Ref)
			assertCode(t, err, hazard.ErrNotFound, "GetByRef after an invalid Create")
			assert.Zero(t, lastSeq(t, st), "LastSeq after an invalid Create")
			assert.Empty(t, listAll(t, st, hazard.Filter{}, 0), "List after an invalid Create")
		})
	}
	// A valid key of the longest length is accepted.
	_, _, err := st.Create(t.Context(), NewHazard(), nil, strings.Repeat("k", hazard.MaxIdempotencyKeyLen))
	assert.NoError(t, err, "Create with a key of MaxIdempotencyKeyLen bytes")
}

func (s *suite) getNotFound(t *testing.T, st hazard.Store) {
	create(t, st, NewHazard())
	_, err := st.Get(t.Context(), NewID())
	assertCode(t, err, hazard.ErrNotFound, "Get of an unknown ID")
	_, err = st.GetByRef(t.Context(), NewRef())
	assertCode(t, err, hazard.ErrNotFound, "GetByRef of an unknown ref")
	_, err = st.GetByRef(t.Context(), "")
	assertCode(t, err, hazard.ErrNotFound, "GetByRef of the empty ref")
}

// changed returns h with every mutable field changed.
func changed(h hazard.Hazard) hazard.Hazard {
	h = h.Clone()
	h.Category = "gas"
	h.Severity = hazard.SeverityMajor
	h.Description = "updated 已更新"
	h.Photos = append(h.Photos, NewPhoto("update-"+h.Ref))
	h.Location = hazard.Location{Address: "上海市黄浦区中山东一路", Point: &hazard.Point{Lat: 31.2304, Lng: 121.4737, System: hazard.GCJ02}, District: "310101"}
	h.Unit = "unit"
	h.Department = "gas"
	h.Source = hazard.SourceSupervision
	h.State = "closed"
	h.Workflow = "supervision"
	h.WorkflowVersion = 2
	h.Deadline = Epoch.Add(48 * time.Hour)
	h.Escalated = "handling"
	h.Resolution = "fixed"
	h.Evidence = []hazard.Photo{NewPhoto("evidence-" + h.Ref)}
	h.Verdict = "valid"
	h.FineFen = 100
	h.BonusFen = 200
	h.DuplicateOf = NewID()
	h.UpdatedAt = Epoch.Add(2 * time.Hour)
	h.ClosedAt = Epoch.Add(2 * time.Hour)
	return h
}

func (s *suite) updateRoundTrip(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	u := changed(first)
	e := FullEvent(u)
	got, err := st.Update(t.Context(), u, 1, []hazard.Event{e})
	require.NoError(t, err, "Update")
	want := u.Clone()
	want.Version = 2
	assert.Equal(t, norm(want), norm(got), "Update: returned hazard")
	assert.Equal(t, norm(want), norm(get(t, st, u.ID)), "Get after Update")

	evs, err := st.Events(t.Context(), seq, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, normEvents([]hazard.Event{withSeq(e, seq+1)}), normEvents(evs), "Events after Update")

	// The version given in h is ignored: the store sets expectedVersion+1.
	u2 := got
	u2.Version = 99
	u2.Verdict = "again"
	got2, err := st.Update(t.Context(), u2, 2, nil)
	if assert.NoError(t, err, "Update without events") {
		assert.Equal(t, int64(3), got2.Version, "Update: Version is expectedVersion+1")
		assert.Equal(t, int64(3), get(t, st, u.ID).Version, "Get after Update: Version")
	}
	assert.Equal(t, seq+1, lastSeq(t, st), "LastSeq after an Update without events")
}

func (s *suite) updateCopies(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	u := changed(first)
	want := u.Clone()
	want.Version = 2
	e := FullEvent(u)
	events := []hazard.Event{e}
	got, err := st.Update(t.Context(), u, 1, events)
	require.NoError(t, err, "Update")
	u.Photos[0].Size = 1
	u.Evidence[0].Size = 1
	u.Location.Point.Lat = 1
	got.Photos[1].Size = 1
	got.Location.Point.Lng = 1
	events[0].Data["department"] = "changed"
	assert.Equal(t, norm(want), norm(get(t, st, u.ID)), "Get after mutating Update's argument and result")
	evs, err := st.HazardEvents(t.Context(), u.ID)
	require.NoError(t, err, "HazardEvents")
	require.Len(t, evs, 2, "HazardEvents")
	assert.Equal(t, "gas", evs[1].Data["department"], "HazardEvents after mutating Update's events")
}

func (s *suite) updateNotFound(t *testing.T, st hazard.Store) {
	h := NewHazard()
	_, err := st.Update(t.Context(), h, 1, []hazard.Event{NewEvent(h, hazard.EventNote)})
	assertCode(t, err, hazard.ErrNotFound, "Update of an unknown hazard")
	assert.Zero(t, lastSeq(t, st), "LastSeq after a failed Update")
	_, err = st.Get(t.Context(), h.ID)
	assertCode(t, err, hazard.ErrNotFound, "Get after a failed Update")
}

func (s *suite) updateStale(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	u := first
	u.State = "dispatched"
	v2, err := st.Update(t.Context(), u, 1, nil)
	require.NoError(t, err, "Update (setup)")
	seq := lastSeq(t, st)
	for _, expected := range []int64{1, 3, 0} {
		stale := changed(first)
		_, err := st.Update(t.Context(), stale, expected, []hazard.Event{NewEvent(stale, hazard.EventNote)})
		if assertCode(t, err, hazard.ErrConflict, "Update with a stale version") {
			var e *hazard.Error
			if assert.True(t, errors.As(err, &e), "Update: error is a *hazard.Error") {
				assert.Equal(t, int64(2), e.Version, "Update with expected version %d: Error.Version", expected)
			}
		}
	}
	assert.Equal(t, norm(v2), norm(get(t, st, first.ID)), "Get after stale Updates")
	assert.Equal(t, seq, lastSeq(t, st), "LastSeq after stale Updates")
}

func (s *suite) updateImmutable(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard(WithReporter("alice")))
	seq := lastSeq(t, st)
	for _, c := range []struct {
		name   string
		change func(h *hazard.Hazard)
	}{
		{"Ref", func(h *hazard.Hazard) { h.Ref = NewRef() }},
		{"Reporter.UserID", func(h *hazard.Hazard) { h.Reporter.UserID = "mallory" }},
		{"Reporter.Verified", func(h *hazard.Hazard) { h.Reporter.Verified = !h.Reporter.Verified }},
		{"Reporter.Contact", func(h *hazard.Hazard) { h.Reporter.Contact.Phone = "13900000000" }},
		{"CreatedAt", func(h *hazard.Hazard) { h.CreatedAt = h.CreatedAt.Add(time.Second) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := first.Clone()
			c.change(&u)
			_, err := st.Update(t.Context(), u, 1, []hazard.Event{NewEvent(u, hazard.EventNote)})
			assertCode(t, err, hazard.ErrInvalid, "Update changing "+c.name)
			assert.Equal(t, norm(first), norm(get(t, st, first.ID)), "Get after a refused Update")
			assert.Equal(t, seq, lastSeq(t, st), "LastSeq after a refused Update")
		})
	}
}

func (s *suite) updateInvalid(t *testing.T, st hazard.Store) {
	first := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	for _, c := range []struct {
		name   string
		change func(h *hazard.Hazard)
		event  func(e *hazard.Event)
	}{
		{name: "empty description", change: func(h *hazard.Hazard) { h.Description = "" }},
		{name: "bad severity", change: func(h *hazard.Hazard) { h.Severity = "grave" }},
		{name: "ten photos", change: func(h *hazard.Hazard) {
			h.Photos = nil
			for i := range hazard.MaxPhotos + 1 {
				h.Photos = append(h.Photos, NewPhoto(strings.Repeat("p", i+1)))
			}
		}},
		{name: "event without type", event: func(e *hazard.Event) { e.Type = "" }},
		{name: "event without actor", event: func(e *hazard.Event) { e.Actor = hazard.Actor{} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := first.Clone()
			u.State = "dispatched"
			if c.change != nil {
				c.change(&u)
			}
			e := NewEvent(u, hazard.EventTransition)
			if c.event != nil {
				c.event(&e)
			}
			_, err := st.Update(t.Context(), u, 1, []hazard.Event{NewEvent(u, hazard.EventNote), e})
			assertCode(t, err, hazard.ErrInvalid, "Update")
			assert.Equal(t, norm(first), norm(get(t, st, first.ID)), "Get after an invalid Update")
			assert.Equal(t, seq, lastSeq(t, st), "LastSeq after an invalid Update")
		})
	}
}
