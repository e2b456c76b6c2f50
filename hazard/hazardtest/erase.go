package hazardtest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// TestErasure runs the conformance suite of a hazard.Store's erasure
// capabilities, hazard.Forgetter and hazard.ErasureJournal, against the
// stores open returns, which must have both. open is called once per
// subtest and must return a fresh, empty store. An adapter's test is one
// line:
//
//	hazardtest.TestErasure(t, func(t *testing.T) hazard.Store { return memstore.New() })
//
// When the store also keeps the relay's parked events (relay.Cursors), it
// checks that their copies are rewritten too.
func TestErasure(t *testing.T, open func(t *testing.T) hazard.Store) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.Store, hazard.Forgetter, hazard.ErasureJournal)
	}{
		{"ForgetUser/Hazards", forgetHazards},
		{"ForgetUser/Events", forgetEvents},
		{"ForgetUser/StaleWriterConflicts", forgetStaleWriter},
		{"ForgetUser/Idempotent", forgetIdempotent},
		{"ForgetUser/NobodyIsNoError", forgetNobody},
		{"ForgetUser/Invalid", forgetInvalid},
		{"ForgetUser/ParkedEvents", forgetParked},
		{"Journal/BeginOnce", journalBeginOnce},
		{"Journal/ParallelBeginOnePseudonym", journalParallel},
		{"Journal/ErasuresBeforeOldestFirst", journalErasures},
		{"Journal/EndOnce", journalEnd},
		{"Journal/Invalid", journalInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			if st == nil {
				t.Fatal("open returned a nil store")
			}
			f, ok := st.(hazard.Forgetter)
			j, ok2 := st.(hazard.ErasureJournal)
			if !ok || !ok2 {
				t.Fatalf("the store (%T) is not a hazard.Forgetter and a hazard.ErasureJournal", st)
			}
			c.fn(t, st, f, j)
		})
	}
}

// erasedUser is the user the erasure suite erases.
const erasedUser = "citizen-erased"

// NewErasure returns a valid erasure of userID with a fresh pseudonym,
// requested at Epoch.
func NewErasure(userID string) hazard.Erasure {
	p, err := hazard.NewPseudonym()
	if err != nil {
		panic(err)
	}
	return hazard.Erasure{UserID: userID, Pseudonym: p, RequestedAt: Epoch}
}

func forget(t *testing.T, f hazard.Forgetter, e hazard.Erasure) {
	t.Helper()
	require.NoError(t, f.ForgetUser(t.Context(), e), "ForgetUser")
}

// withContact gives the hazard's reporter a contact.
func withContact(name, phone string) Option {
	return func(h *hazard.Hazard) { h.Reporter.Contact = hazard.Contact{Name: name, Phone: phone} }
}

func forgetHazards(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	ctx := t.Context()
	mine := NewHazard(WithReporter(erasedUser), withContact("张三", "13800000001"))
	mine, _, err := st.Create(ctx, mine, []hazard.Event{NewEvent(mine, hazard.EventSubmitted)}, "key-1")
	require.NoError(t, err, "Create (setup)")
	second := create(t, st, NewHazard(WithReporter(erasedUser)))
	other := create(t, st, NewHazard(WithReporter("citizen-other"), withContact("李四", "13900000002")))
	e := NewErasure(erasedUser)
	forget(t, f, e)

	got := get(t, st, mine.ID)
	want := mine.Clone()
	want.Reporter = hazard.Reporter{UserID: e.Pseudonym, Verified: mine.Reporter.Verified}
	want.Version = mine.Version + 1
	assert.Equal(t, norm(want), norm(got), "Get: the hazard with the pseudonym, no contact, the next version")
	assert.Equal(t, e.Pseudonym, get(t, st, second.ID).Reporter.UserID, "Get: their other hazard")
	assert.Equal(t, norm(other), norm(get(t, st, other.ID)), "Get: another reporter's hazard is untouched")
	assert.Empty(t, listAll(t, st, hazard.Filter{Reporter: erasedUser}, 0), "List by the person's ID")
	assert.ElementsMatch(t, ids([]hazard.Hazard{mine, second}), ids(listAll(t, st, hazard.Filter{Reporter: e.Pseudonym}, 0)),
		"List by the pseudonym")

	// Their idempotency key is forgotten: the same key makes a new hazard,
	// for the ID and for the pseudonym alike.
	for _, reporter := range []string{erasedUser, e.Pseudonym} {
		again := NewHazard(WithReporter(reporter))
		stored, created, err := st.Create(ctx, again, []hazard.Event{NewEvent(again, hazard.EventSubmitted)}, "key-1")
		if assert.NoError(t, err, "Create with the forgotten key by %s", reporter) {
			assert.True(t, created, "Create with the forgotten key by %s: created", reporter)
			assert.Equal(t, again.ID, stored.ID, "Create with the forgotten key by %s", reporter)
		}
	}
}

func forgetEvents(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	ctx := t.Context()
	e := NewErasure(erasedUser)
	mine := create(t, st, NewHazard(WithReporter(erasedUser))) // their submitted event names them
	reward := NewEvent(mine, hazard.EventRewardIssued)
	reward.Actor = hazard.System
	reward.Data = map[string]string{hazard.DataReporterID: erasedUser, hazard.DataAmountFen: "5000"}
	note := NewEvent(mine, hazard.EventNote)
	note.PrivateNote = "the person wrote " + erasedUser

	others := create(t, st, NewHazard(WithReporter("citizen-other")))
	meToo := NewEvent(others, hazard.EventMeToo)
	meToo.Actor = hazard.Actor{ID: erasedUser, Role: "reporter"}
	untouched := NewEvent(others, hazard.EventNote)

	anon := create(t, st, NewHazard(WithReporter(hazard.AnonymousPrefix+"0123456789abcdef")))
	bound := NewEvent(anon, hazard.EventClaimBound)
	bound.Actor = hazard.Actor{ID: erasedUser, Role: "reporter"}
	bound.Data = map[string]string{hazard.DataReporterID: erasedUser, hazard.DataBoundVerified: "true"}
	anonReward := NewEvent(anon, hazard.EventRewardIssued)
	anonReward.Actor = hazard.System
	anonReward.Data = map[string]string{hazard.DataReporterID: erasedUser}

	theirAccount := hazard.Subject{Kind: "account", ID: erasedUser}
	accountEvent := NewSubjectEvent(theirAccount, "verified")
	download := NewSubjectEvent(hazard.AccessLogSubject, "exported")
	download.Actor = hazard.Actor{ID: erasedUser, Role: "reporter"}
	otherAccount := NewSubjectEvent(hazard.Subject{Kind: "account", ID: "citizen-other"}, "verified")
	_, err := st.Append(ctx, reward, note, meToo, untouched, bound, anonReward, accountEvent, download, otherAccount)
	require.NoError(t, err, "Append (setup)")
	before, err := st.Events(ctx, 0, 0)
	require.NoError(t, err, "Events (setup)")

	forget(t, f, e)
	after, err := st.Events(ctx, 0, 0)
	require.NoError(t, err, "Events")
	require.Len(t, after, len(before), "Events: the log keeps every event")
	for i := range before {
		want := normEvent(before[i])
		e.ForgetEvent(&want)
		assert.Equal(t, want, normEvent(after[i]), "event %d (%s) after ForgetUser", before[i].Seq, before[i].Type)
	}
	for _, ev := range after {
		assert.NotEqual(t, erasedUser, ev.Actor.ID, "event %d: actor", ev.Seq)
		assert.NotEqual(t, erasedUser, ev.Subject.ID, "event %d: subject", ev.Seq)
		for k, v := range ev.Data {
			assert.NotEqual(t, erasedUser, v, "event %d: data %s", ev.Seq, k)
		}
	}
	for _, ev := range after {
		if ev.Type == hazard.EventNote && ev.HazardID == mine.ID {
			assert.Equal(t, note.PrivateNote, ev.PrivateNote, "notes stay as written")
		}
	}
	gone, err := st.SubjectEvents(ctx, theirAccount, 0, 0)
	require.NoError(t, err, "SubjectEvents")
	assert.Empty(t, gone, "SubjectEvents of the person's ID")
	moved, err := st.SubjectEvents(ctx, hazard.Subject{Kind: "account", ID: e.Pseudonym}, 0, 0)
	require.NoError(t, err, "SubjectEvents")
	if assert.Len(t, moved, 1, "SubjectEvents of the pseudonym") {
		assert.Equal(t, accountEvent.Type, moved[0].Type)
	}
	theirs, err := st.HazardEvents(ctx, anon.ID)
	require.NoError(t, err, "HazardEvents")
	for _, ev := range theirs {
		if v, ok := ev.Data[hazard.DataReporterID]; ok {
			assert.Equal(t, e.Pseudonym, v, "the bound report's %s event names the pseudonym", ev.Type)
		}
	}
}

func forgetStaleWriter(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	h := create(t, st, NewHazard(WithReporter(erasedUser)))
	forget(t, f, NewErasure(erasedUser))
	next := h.Clone()
	next.State = "dispatched"
	_, err := st.Update(t.Context(), next, h.Version, []hazard.Event{NewEvent(h, hazard.EventTransition)})
	assertCode(t, err, hazard.ErrConflict, "Update with the version read before ForgetUser")
	assert.NotEqual(t, erasedUser, get(t, st, h.ID).Reporter.UserID, "the person is not written back")
}

func forgetIdempotent(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	ctx := t.Context()
	h := create(t, st, NewHazard(WithReporter(erasedUser)))
	_, err := st.Append(ctx, NewSubjectEvent(hazard.Subject{Kind: "account", ID: erasedUser}, "verified"))
	require.NoError(t, err, "Append (setup)")
	e := NewErasure(erasedUser)
	forget(t, f, e)
	first := get(t, st, h.ID)
	events, err := st.Events(ctx, 0, 0)
	require.NoError(t, err)
	forget(t, f, e)
	assert.Equal(t, norm(first), norm(get(t, st, h.ID)), "the hazard after ForgetUser twice")
	again, err := st.Events(ctx, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, normEvents(events), normEvents(again), "the events after ForgetUser twice")
}

func forgetNobody(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	h := create(t, st, NewHazard())
	assert.NoError(t, f.ForgetUser(t.Context(), NewErasure("nobody-here")), "ForgetUser of a person the store has nothing of")
	assert.Equal(t, norm(h), norm(get(t, st, h.ID)), "another person's hazard")
}

func forgetInvalid(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	h := create(t, st, NewHazard(WithReporter(erasedUser)))
	good := NewErasure(erasedUser)
	for _, c := range []struct {
		name string
		edit func(*hazard.Erasure)
	}{
		{"no user", func(e *hazard.Erasure) { e.UserID = "" }},
		{"a pseudonym", func(e *hazard.Erasure) { e.UserID = good.Pseudonym }},
		{"an anonymous reporter", func(e *hazard.Erasure) { e.UserID = hazard.AnonymousPrefix + "abc" }},
		{"no pseudonym", func(e *hazard.Erasure) { e.Pseudonym = "" }},
		{"a guessable pseudonym", func(e *hazard.Erasure) { e.Pseudonym = "citizen-2" }},
		{"no time", func(e *hazard.Erasure) { e.RequestedAt = time.Time{} }},
	} {
		e := good
		c.edit(&e)
		assertCode(t, f.ForgetUser(t.Context(), e), hazard.ErrInvalid, "ForgetUser with "+c.name)
	}
	assert.Equal(t, erasedUser, get(t, st, h.ID).Reporter.UserID, "nothing changed")
}

func forgetParked(t *testing.T, st hazard.Store, f hazard.Forgetter, _ hazard.ErasureJournal) {
	cur, ok := st.(relay.Cursors)
	if !ok {
		t.Skipf("the store (%T) keeps no parked events (it is no relay.Cursors)", st)
	}
	ctx := t.Context()
	h := create(t, st, NewHazard(WithReporter(erasedUser)))
	evs, err := st.HazardEvents(ctx, h.ID)
	require.NoError(t, err)
	require.NoError(t, cur.Park(ctx, relay.ParkedEvent{Consumer: "notify", Event: evs[0], Attempts: 5, Error: "boom", ParkedAt: Epoch}))
	e := NewErasure(erasedUser)
	forget(t, f, e)
	parked, err := cur.Parked(ctx, "notify")
	require.NoError(t, err, "Parked")
	if assert.Len(t, parked, 1, "Parked") {
		assert.Equal(t, e.Pseudonym, parked[0].Event.Actor.ID, "the parked copy's actor")
		assert.Equal(t, 5, parked[0].Attempts, "the parked event's attempts")
	}
}

// erasureEvent is an event of the access log naming the pseudonym.
func erasureEvent(e hazard.Erasure, typ hazard.EventType) hazard.Event {
	return hazard.Event{Subject: hazard.AccessLogSubject, Type: typ, Actor: hazard.Actor{ID: e.Pseudonym, Role: "reporter"},
		Data: map[string]string{hazard.DataPseudonym: e.Pseudonym}, Time: e.RequestedAt}
}

// accessLog returns the events of the access log.
func accessLog(t *testing.T, st hazard.Store) []hazard.Event {
	t.Helper()
	evs, err := st.SubjectEvents(t.Context(), hazard.AccessLogSubject, 0, 0)
	require.NoError(t, err, "SubjectEvents of the access log")
	return evs
}

func journalBeginOnce(t *testing.T, st hazard.Store, _ hazard.Forgetter, j hazard.ErasureJournal) {
	ctx := t.Context()
	e := NewErasure(erasedUser)
	got, begun, err := j.BeginErasure(ctx, e, []hazard.Event{erasureEvent(e, hazard.EventErasureBegun)})
	require.NoError(t, err, "BeginErasure")
	assert.True(t, begun, "BeginErasure: begun")
	assert.Equal(t, e, got, "BeginErasure: the erasure")
	if log := accessLog(t, st); assert.Len(t, log, 1, "the access log after BeginErasure") {
		assert.Equal(t, hazard.EventErasureBegun, log[0].Type)
	}

	again := NewErasure(erasedUser)
	again.RequestedAt = Epoch.Add(time.Hour)
	got, begun, err = j.BeginErasure(ctx, again, []hazard.Event{erasureEvent(again, hazard.EventErasureBegun)})
	require.NoError(t, err, "BeginErasure again")
	assert.False(t, begun, "BeginErasure again: begun")
	assert.Equal(t, e, got, "BeginErasure again: the erasure under way, with its pseudonym and time")
	assert.Len(t, accessLog(t, st), 1, "BeginErasure again appends nothing")
}

func journalParallel(t *testing.T, st hazard.Store, _ hazard.Forgetter, j hazard.ErasureJournal) {
	const n = 20
	var begun atomic.Int32
	got := make([]string, n)
	errs := make([]error, n)
	Together(n, func(i int) {
		e := NewErasure(erasedUser)
		stored, ok, err := j.BeginErasure(t.Context(), e, []hazard.Event{erasureEvent(e, hazard.EventErasureBegun)})
		got[i], errs[i] = stored.Pseudonym, err
		if ok {
			begun.Add(1)
		}
	})
	for i, err := range errs {
		require.NoError(t, err, "BeginErasure %d", i)
	}
	assert.Equal(t, int32(1), begun.Load(), "erasures begun of %d at once", n)
	for i := range got {
		assert.Equal(t, got[0], got[i], "pseudonym of BeginErasure %d", i)
	}
	assert.Len(t, accessLog(t, st), 1, "events appended")
}

func journalErasures(t *testing.T, _ hazard.Store, _ hazard.Forgetter, j hazard.ErasureJournal) {
	ctx := t.Context()
	var want []hazard.Erasure
	for i, user := range []string{"citizen-c", "citizen-a", "citizen-b"} {
		e := NewErasure(user)
		e.RequestedAt = Epoch.Add(time.Duration(2-i) * time.Minute) // c latest, b first
		_, _, err := j.BeginErasure(ctx, e, nil)
		require.NoError(t, err, "BeginErasure (setup)")
		want = append([]hazard.Erasure{e}, want...)
	}
	all, err := j.Erasures(ctx, Epoch.Add(time.Hour), 0)
	require.NoError(t, err, "Erasures")
	assert.Equal(t, want, all, "Erasures: oldest first")
	some, err := j.Erasures(ctx, Epoch.Add(time.Minute), 0)
	require.NoError(t, err, "Erasures")
	assert.Equal(t, want[:2], some, "Erasures begun at or before a time")
	one, err := j.Erasures(ctx, Epoch.Add(time.Hour), 1)
	require.NoError(t, err, "Erasures")
	assert.Equal(t, want[:1], one, "Erasures with a limit")
	none, err := j.Erasures(ctx, Epoch.Add(-time.Second), 0)
	require.NoError(t, err, "Erasures")
	assert.Empty(t, none, "Erasures before any")
}

func journalEnd(t *testing.T, st hazard.Store, _ hazard.Forgetter, j hazard.ErasureJournal) {
	ctx := t.Context()
	e := NewErasure(erasedUser)
	_, _, err := j.BeginErasure(ctx, e, nil)
	require.NoError(t, err, "BeginErasure (setup)")
	ended, err := j.EndErasure(ctx, erasedUser, []hazard.Event{erasureEvent(e, hazard.EventErased)})
	require.NoError(t, err, "EndErasure")
	assert.True(t, ended, "EndErasure: ended")
	ended, err = j.EndErasure(ctx, erasedUser, []hazard.Event{erasureEvent(e, hazard.EventErased)})
	require.NoError(t, err, "EndErasure again")
	assert.False(t, ended, "EndErasure again: ended")
	if log := accessLog(t, st); assert.Len(t, log, 1, "events of EndErasure twice") {
		assert.Equal(t, hazard.EventErased, log[0].Type)
	}
	left, err := j.Erasures(ctx, Epoch.Add(time.Hour), 0)
	require.NoError(t, err, "Erasures")
	assert.Empty(t, left, "Erasures after EndErasure")

	// The person may be erased again (an account made later with the same
	// ID): a new erasure begins.
	next := NewErasure(erasedUser)
	got, begun, err := j.BeginErasure(ctx, next, nil)
	require.NoError(t, err, "BeginErasure after EndErasure")
	assert.True(t, begun, "BeginErasure after EndErasure: begun")
	assert.Equal(t, next.Pseudonym, got.Pseudonym, "BeginErasure after EndErasure: a new pseudonym")
}

func journalInvalid(t *testing.T, st hazard.Store, _ hazard.Forgetter, j hazard.ErasureJournal) {
	ctx := t.Context()
	bad := NewErasure(erasedUser)
	bad.Pseudonym = "erased-short"
	_, _, err := j.BeginErasure(ctx, bad, nil)
	assertCode(t, err, hazard.ErrInvalid, "BeginErasure of an invalid erasure")
	good := NewErasure(erasedUser)
	badEvent := erasureEvent(good, hazard.EventErasureBegun)
	badEvent.Type = ""
	_, _, err = j.BeginErasure(ctx, good, []hazard.Event{badEvent})
	assertCode(t, err, hazard.ErrInvalid, "BeginErasure with an invalid event")
	left, err := j.Erasures(ctx, Epoch.Add(time.Hour), 0)
	require.NoError(t, err, "Erasures")
	assert.Empty(t, left, "nothing recorded")
	assert.Empty(t, accessLog(t, st), "nothing appended")

	_, _, err = j.BeginErasure(ctx, good, nil)
	require.NoError(t, err, "BeginErasure (setup)")
	_, err = j.EndErasure(ctx, erasedUser, []hazard.Event{badEvent})
	assertCode(t, err, hazard.ErrInvalid, "EndErasure with an invalid event")
	left, err = j.Erasures(ctx, Epoch.Add(time.Hour), 0)
	require.NoError(t, err, "Erasures")
	assert.Len(t, left, 1, "the erasure stays")
}
