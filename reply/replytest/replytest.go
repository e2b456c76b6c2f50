// Package replytest is the conformance suite of reply.Store: any adapter
// runs it with one call and proves that it keeps the promises of the
// port's doc comments.
package replytest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reply"
)

// Epoch is when the templates of the suite are made.
var Epoch = time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC)

// Open returns a fresh, empty store and the event log its events go to.
type Open func(t *testing.T) (reply.Store, hazard.EventLog)

// TestStore runs the conformance suite of reply.Store against the stores
// open returns; open is called once per subtest. An adapter's test is one
// line:
//
//	replytest.TestStore(t, func(t *testing.T) (reply.Store, hazard.EventLog) { log := memstore.New(); return memreply.New(log), log })
func TestStore(t *testing.T, open Open) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, reply.Store, hazard.EventLog)
	}{
		{"Save/RoundTripWithEvents", saveRoundTrip},
		{"Save/VersionsKept", saveVersions},
		{"Save/StaleVersionConflict", saveStale},
		{"Save/InvalidChangesNothing", saveInvalid},
		{"Save/ParallelSameVersionOneWins", saveParallel},
		{"Save/Caps", saveCaps},
		{"Get/NotFound", getNotFound},
		{"List/LatestNotDeletedByID", listLatest},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, log := open(t)
			c.fn(t, st, log)
		})
	}
}

// NewTemplate returns a valid version 1 template with the ID.
func NewTemplate(id string) reply.Template {
	return reply.Template{ID: id, Version: 1, Action: "dispatch", State: "submitted", Category: "fire",
		Title: "转办 " + id, TextZH: "您的报告 {ref} 已转至{department}。", TextEN: "Report {ref} went to {department}.",
		UpdatedAt: Epoch.Add(123456 * time.Microsecond), UpdatedBy: "admin-1"}
}

func event(id string, v int64) hazard.Event {
	return hazard.Event{Subject: reply.Subject(id), Type: reply.EventSaved, Actor: hazard.Actor{ID: "admin-1", Role: "admin"},
		Data: map[string]string{reply.DataVersion: fmt.Sprint(v)}, Time: Epoch}
}

func save(t *testing.T, st reply.Store, tp reply.Template, expected int64) reply.Template {
	t.Helper()
	got, err := st.Save(t.Context(), tp, expected, []hazard.Event{event(tp.ID, expected+1)})
	require.NoError(t, err, "Save %s expecting %d", tp.ID, expected)
	return got
}

func lastSeq(t *testing.T, log hazard.EventLog) int64 {
	t.Helper()
	n, err := log.LastSeq(t.Context())
	require.NoError(t, err, "LastSeq")
	return n
}

func same(t *testing.T, want, got reply.Template, msg string) {
	t.Helper()
	assert.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "%s: UpdatedAt got %v, want %v", msg, got.UpdatedAt, want.UpdatedAt)
	got.UpdatedAt = want.UpdatedAt
	assert.Equal(t, want, got, msg)
}

func saveRoundTrip(t *testing.T, st reply.Store, log hazard.EventLog) {
	seq := lastSeq(t, log)
	want := NewTemplate("dispatched")
	got := save(t, st, want, 0)
	same(t, want, got, "Save's answer")
	read, err := st.Get(t.Context(), want.ID)
	require.NoError(t, err, "Get")
	same(t, want, read, "Get after Save")
	evs, err := log.Events(t.Context(), seq, 0)
	require.NoError(t, err, "Events")
	require.Len(t, evs, 1, "events appended by Save")
	assert.Equal(t, reply.Subject(want.ID), evs[0].Subject)
}

func saveVersions(t *testing.T, st reply.Store, _ hazard.EventLog) {
	v1 := save(t, st, NewTemplate("a"), 0)
	next := v1
	next.TextZH = "第二版 {ref}"
	v2 := save(t, st, next, 1)
	assert.Equal(t, int64(2), v2.Version, "Save sets the version")
	del := v2
	del.Deleted = true
	save(t, st, del, 2)
	vs, err := st.Versions(t.Context(), "a")
	require.NoError(t, err, "Versions")
	require.Len(t, vs, 3)
	assert.Equal(t, []int64{1, 2, 3}, []int64{vs[0].Version, vs[1].Version, vs[2].Version}, "versions, oldest first")
	assert.Equal(t, v1.TextZH, vs[0].TextZH, "the first version kept")
	got, err := st.Get(t.Context(), "a")
	require.NoError(t, err, "Get")
	assert.True(t, got.Deleted, "Get returns the latest version, deleted or not")
	_, err = st.Versions(t.Context(), "none")
	assert.ErrorIs(t, err, hazard.ErrNotFound, "Versions of an unknown ID")
}

func saveStale(t *testing.T, st reply.Store, log hazard.EventLog) {
	save(t, st, NewTemplate("a"), 0)
	seq := lastSeq(t, log)
	for _, expected := range []int64{0, 2, 5} {
		tp := NewTemplate("a")
		tp.TextZH = "lost"
		_, err := st.Save(t.Context(), tp, expected, []hazard.Event{event("a", expected+1)})
		require.ErrorIs(t, err, hazard.ErrConflict, "Save expecting %d of version 1", expected)
		var e *hazard.Error
		if assert.True(t, errors.As(err, &e)) {
			assert.Equal(t, int64(1), e.Version, "Error.Version")
		}
	}
	got, err := st.Get(t.Context(), "a")
	require.NoError(t, err)
	assert.NotEqual(t, "lost", got.TextZH, "a stale save changed the template")
	assert.Equal(t, seq, lastSeq(t, log), "a stale save appended events")
}

func saveInvalid(t *testing.T, st reply.Store, log hazard.EventLog) {
	seq := lastSeq(t, log)
	bad := NewTemplate("Bad ID")
	unknown := NewTemplate("a")
	unknown.TextZH = "{phone}"
	badEvent := event("a", 1)
	badEvent.Actor = hazard.Actor{}
	for name, c := range map[string]struct {
		tp reply.Template
		ev hazard.Event
	}{
		"bad id":              {bad, event("Bad ID", 1)},
		"unknown placeholder": {unknown, event("a", 1)},
		"invalid event":       {NewTemplate("a"), badEvent},
		"another's event":     {NewTemplate("a"), event("b", 1)},
	} {
		_, err := st.Save(t.Context(), c.tp, 0, []hazard.Event{c.ev})
		assert.ErrorIs(t, err, hazard.ErrInvalid, "Save with %s", name)
	}
	_, err := st.Get(t.Context(), "a")
	assert.ErrorIs(t, err, hazard.ErrNotFound, "an invalid save stored a template")
	assert.Equal(t, seq, lastSeq(t, log), "an invalid save appended events")
}

func saveParallel(t *testing.T, st reply.Store, _ hazard.EventLog) {
	const n = 20
	var wins, conflicts atomic.Int64
	start := make(chan struct{})
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			tp := NewTemplate("race")
			tp.TextZH = fmt.Sprintf("第%d版", i)
			_, err := st.Save(t.Context(), tp, 0, []hazard.Event{event("race", 1)})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, hazard.ErrConflict):
				conflicts.Add(1)
			default:
				t.Errorf("Save: %v", err)
			}
		}()
	}
	close(start)
	for range n {
		<-done
	}
	assert.Equal(t, int64(1), wins.Load(), "of %d parallel first saves, the number that succeeded", n)
	assert.Equal(t, int64(n-1), conflicts.Load(), "parallel first saves that conflicted")
	vs, err := st.Versions(t.Context(), "race")
	require.NoError(t, err)
	assert.Len(t, vs, 1)
}

func getNotFound(t *testing.T, st reply.Store, _ hazard.EventLog) {
	_, err := st.Get(t.Context(), "missing")
	assert.ErrorIs(t, err, hazard.ErrNotFound)
}

func listLatest(t *testing.T, st reply.Store, _ hazard.EventLog) {
	empty, err := st.List(t.Context())
	require.NoError(t, err)
	assert.Empty(t, empty)
	save(t, st, NewTemplate("c"), 0)
	b := save(t, st, NewTemplate("b"), 0)
	b.TextZH = "新 {ref}"
	save(t, st, b, 1)
	gone := save(t, st, NewTemplate("a"), 0)
	gone.Deleted = true
	save(t, st, gone, 1)
	got, err := st.List(t.Context())
	require.NoError(t, err)
	require.Len(t, got, 2, "List: the templates not deleted")
	assert.Equal(t, "b", got[0].ID)
	assert.Equal(t, "新 {ref}", got[0].TextZH, "List: the latest version")
	assert.Equal(t, "c", got[1].ID)
}

func saveCaps(t *testing.T, st reply.Store, _ hazard.EventLog) {
	for i := range reply.MaxTemplates {
		save(t, st, NewTemplate(fmt.Sprintf("t%d", i)), 0)
	}
	_, err := st.Save(t.Context(), NewTemplate("one_more"), 0, nil)
	assert.ErrorIs(t, err, hazard.ErrRateLimited, "a template past MaxTemplates")
	gone := NewTemplate("t0")
	gone.Deleted = true
	save(t, st, gone, 1)
	save(t, st, NewTemplate("one_more"), 0) // a deleted one makes room

	tp := NewTemplate("t1")
	for v := int64(1); v < reply.MaxVersions; v++ {
		save(t, st, tp, v)
	}
	_, err = st.Save(t.Context(), tp, reply.MaxVersions, nil)
	assert.ErrorIs(t, err, hazard.ErrRateLimited, "a version past MaxVersions")
}
