package hazardtest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestModerationStore runs the conformance suite of hazard.ModerationStore
// against the stores open returns, which must also be ModerationStores
// (the suite fails otherwise). open is called once per subtest and returns
// a fresh, empty store. An adapter's test is one line:
//
//	hazardtest.TestModerationStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
func TestModerationStore(t *testing.T, open func(t *testing.T) hazard.Store) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.Store, hazard.ModerationStore)
	}{
		{"Moderation/NoneIsZero", modNone},
		{"SaveModeration/RoundTripWithEvents", modRoundTrip},
		{"SaveModeration/CopiesInAndOut", modCopies},
		{"SaveModeration/StaleVersionConflict", modStale},
		{"SaveModeration/MissingHazard", modMissing},
		{"SaveModeration/InvalidChangesNothing", modInvalid},
		{"SaveModeration/ParallelSameVersionOneWins", modParallel},
		{"ModerationsOf/Batch", modBatch},
		{"HeldHazards/HeldAndNotReleased", modHeld},
		{"ReferencedBlobs/RedactedCopies", modReferenced},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			ms, ok := st.(hazard.ModerationStore)
			if !ok {
				t.Fatalf("%T is not a hazard.ModerationStore", st)
			}
			c.fn(t, st, ms)
		})
	}
}

// moderated returns a moderation of h with every field set.
func moderated(h hazard.Hazard) hazard.Moderation {
	return hazard.Moderation{
		HazardID: h.ID, Hidden: true, Released: true,
		Description: "消防通道被堵（已编辑）\nedited",
		Photos: []hazard.PhotoModeration{
			{Key: h.Photos[0].SHA256, Redacted: NewPhoto("redacted-" + h.Ref).SHA256},
			{Key: NewPhoto("evidence-" + h.Ref).SHA256, Hidden: true},
		},
		UpdatedAt: Epoch.Add(time.Hour + 123456*time.Microsecond),
	}
}

func modEvent(h hazard.Hazard) hazard.Event {
	e := NewEvent(h, hazard.EventModerated)
	e.PrivateNote = "a phone number in the description"
	e.Data = map[string]string{hazard.DataModeration: string(hazard.ModEdit)}
	return e
}

func modNone(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	for _, id := range []uuid.UUID{h.ID, NewID()} {
		m, err := ms.Moderation(t.Context(), id)
		require.NoError(t, err, "Moderation")
		assert.Equal(t, hazard.Moderation{HazardID: id}, m, "Moderation of a hazard without one")
	}
}

func modRoundTrip(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	want := moderated(h)
	got, err := ms.SaveModeration(t.Context(), want, 0, []hazard.Event{modEvent(h)})
	require.NoError(t, err, "SaveModeration")
	want.Version = 1
	assert.Equal(t, want, got, "SaveModeration's answer")
	read, err := ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.True(t, want.UpdatedAt.Equal(read.UpdatedAt), "UpdatedAt: got %v, want %v", read.UpdatedAt, want.UpdatedAt)
	read.UpdatedAt = want.UpdatedAt
	assert.Equal(t, want, read, "Moderation after SaveModeration")
	evs, err := st.Events(t.Context(), seq, 0)
	require.NoError(t, err, "Events")
	require.Len(t, evs, 1, "events appended by SaveModeration")
	assert.Equal(t, seq+1, evs[0].Seq)
	assert.Equal(t, hazard.EventModerated, evs[0].Type)
	assert.Equal(t, "a phone number in the description", evs[0].PrivateNote)

	next := read
	next.Hidden, next.Photos = false, nil
	got, err = ms.SaveModeration(t.Context(), next, 1, nil)
	require.NoError(t, err, "SaveModeration of version 1")
	assert.Equal(t, int64(2), got.Version)
	read, err = ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.False(t, read.Hidden, "Hidden after the second save")
	assert.Empty(t, read.Photos, "Photos after the second save")
	assert.Equal(t, int64(2), read.Version)
}

func modCopies(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	m := moderated(h)
	key := m.Photos[0].Key
	got, err := ms.SaveModeration(t.Context(), m, 0, nil)
	require.NoError(t, err, "SaveModeration")
	m.Photos[0].Key = "changed after save"
	got.Photos[0].Key = "changed the answer"
	read, err := ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.Equal(t, key, read.Photos[0].Key, "the stored moderation shares memory with a caller")
	read.Photos[0].Key = "changed a read"
	again, err := ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.Equal(t, key, again.Photos[0].Key, "the stored moderation shares memory with a reader")
}

func modStale(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	_, err := ms.SaveModeration(t.Context(), moderated(h), 0, nil)
	require.NoError(t, err, "SaveModeration")
	seq := lastSeq(t, st)
	for _, expected := range []int64{0, 2, 7} {
		m := moderated(h)
		m.Description = "lost update"
		_, err := ms.SaveModeration(t.Context(), m, expected, []hazard.Event{modEvent(h)})
		require.ErrorIs(t, err, hazard.ErrConflict, "SaveModeration expecting version %d of version 1", expected)
		var e *hazard.Error
		if assert.True(t, errors.As(err, &e)) {
			assert.Equal(t, int64(1), e.Version, "Error.Version of the conflict")
		}
	}
	read, err := ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.NotEqual(t, "lost update", read.Description, "a stale save changed the moderation")
	assert.Equal(t, seq, lastSeq(t, st), "a stale save appended events")
}

func modMissing(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := NewHazard() // never created
	seq := lastSeq(t, st)
	_, err := ms.SaveModeration(t.Context(), moderated(h), 0, []hazard.Event{modEvent(h)})
	require.ErrorIs(t, err, hazard.ErrNotFound, "SaveModeration of a missing hazard")
	assert.Equal(t, seq, lastSeq(t, st), "events appended for a missing hazard")
}

func modInvalid(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	seq := lastSeq(t, st)
	badKey := moderated(h)
	badKey.Photos[0].Key = "not a key"
	badEvent := modEvent(h)
	badEvent.Actor = hazard.Actor{}
	otherHazard := modEvent(NewHazard())
	tooMany := moderated(h)
	tooMany.Photos = nil
	for i := range hazard.MaxModeratedPhotos + 1 {
		tooMany.Photos = append(tooMany.Photos, hazard.PhotoModeration{Key: NewPhoto(fmt.Sprint("many-", i)).SHA256, Hidden: true})
	}
	for name, c := range map[string]struct {
		m  hazard.Moderation
		ev hazard.Event
	}{
		"bad photo key":        {badKey, modEvent(h)},
		"no hazard ID":         {hazard.Moderation{}, modEvent(h)},
		"invalid event":        {moderated(h), badEvent},
		"event of another one": {moderated(h), otherHazard},
		"too many photos":      {tooMany, modEvent(h)},
	} {
		_, err := ms.SaveModeration(t.Context(), c.m, 0, []hazard.Event{c.ev})
		assert.ErrorIs(t, err, hazard.ErrInvalid, "SaveModeration with %s", name)
	}
	m, err := ms.Moderation(t.Context(), h.ID)
	require.NoError(t, err, "Moderation")
	assert.Zero(t, m.Version, "an invalid save stored a moderation")
	assert.Equal(t, seq, lastSeq(t, st), "an invalid save appended events")
}

func modParallel(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	h := create(t, st, NewHazard())
	var wins, conflicts, others atomic.Int64
	Together(parallel, func(i int) {
		m := moderated(h)
		m.Description = "edit " + string(rune('a'+i))
		_, err := ms.SaveModeration(t.Context(), m, 0, []hazard.Event{modEvent(h)})
		switch {
		case err == nil:
			wins.Add(1)
		case errors.Is(err, hazard.ErrConflict):
			conflicts.Add(1)
		default:
			others.Add(1)
			t.Errorf("SaveModeration: %v", err)
		}
	})
	assert.Equal(t, int64(1), wins.Load(), "of %d parallel first saves, the number that succeeded", parallel)
	assert.Equal(t, int64(parallel-1), conflicts.Load(), "parallel first saves that conflicted")
	evs, err := st.HazardEvents(t.Context(), h.ID)
	require.NoError(t, err, "HazardEvents")
	n := 0
	for _, e := range evs {
		if e.Type == hazard.EventModerated {
			n++
		}
	}
	assert.Equal(t, 1, n, "moderation events after parallel saves")
}

func modBatch(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	a, b, c := create(t, st, NewHazard()), create(t, st, NewHazard()), create(t, st, NewHazard())
	for _, h := range []hazard.Hazard{a, b} {
		_, err := ms.SaveModeration(t.Context(), moderated(h), 0, nil)
		require.NoError(t, err, "SaveModeration")
	}
	got, err := ms.ModerationsOf(t.Context(), []uuid.UUID{a.ID, c.ID, b.ID, a.ID, NewID()})
	require.NoError(t, err, "ModerationsOf")
	assert.Len(t, got, 2, "ModerationsOf: only the hazards with a moderation")
	assert.Equal(t, a.ID, got[a.ID].HazardID)
	assert.Equal(t, int64(1), got[b.ID].Version)
	empty, err := ms.ModerationsOf(t.Context(), nil)
	require.NoError(t, err, "ModerationsOf of no IDs")
	assert.Empty(t, empty)
	many := make([]uuid.UUID, hazard.MaxEventsBatch+1)
	for i := range many {
		many[i] = NewID()
	}
	_, err = ms.ModerationsOf(t.Context(), many)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "ModerationsOf of %d IDs", len(many))
}

func modHeld(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	held := func(h hazard.Hazard) hazard.Hazard {
		t.Helper()
		ev := NewEvent(h, hazard.EventHeld)
		ev.Actor = hazard.System
		stored, _, err := st.Create(t.Context(), h, []hazard.Event{NewEvent(h, hazard.EventSubmitted), ev}, "")
		require.NoError(t, err, "Create")
		return stored
	}
	older := held(NewHazard(WithCreatedAt(Epoch.Add(-time.Hour))))
	released := held(NewHazard())
	newer := held(NewHazard(WithCreatedAt(Epoch.Add(time.Hour))))
	create(t, st, NewHazard()) // never held
	m := moderated(released)
	m.Hidden = false
	_, err := ms.SaveModeration(t.Context(), m, 0, nil)
	require.NoError(t, err, "SaveModeration")
	hidden := moderated(newer) // hidden but not released: still held
	hidden.Released = false
	_, err = ms.SaveModeration(t.Context(), hidden, 0, nil)
	require.NoError(t, err, "SaveModeration")

	got, err := ms.HeldHazards(t.Context(), hazard.MaxHeldQueue)
	require.NoError(t, err, "HeldHazards")
	assert.Equal(t, []uuid.UUID{older.ID, newer.ID}, ids(got), "HeldHazards: held and not released, oldest first")
	got, err = ms.HeldHazards(t.Context(), 1)
	require.NoError(t, err, "HeldHazards(1)")
	assert.Equal(t, []uuid.UUID{older.ID}, ids(got), "HeldHazards(1)")
	for _, limit := range []int{0, -1, hazard.MaxHeldQueue + 1} {
		_, err := ms.HeldHazards(t.Context(), limit)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "HeldHazards(%d)", limit)
	}
}

func modReferenced(t *testing.T, st hazard.Store, ms hazard.ModerationStore) {
	br, ok := st.(hazard.BlobReferrer)
	if !ok {
		t.Fatalf("%T is a ModerationStore but no hazard.BlobReferrer: a sweep could delete a redacted copy", st)
	}
	h := create(t, st, NewHazard())
	m := moderated(h)
	_, err := ms.SaveModeration(t.Context(), m, 0, nil)
	require.NoError(t, err, "SaveModeration")
	redacted, stray := m.Photos[0].Redacted, NewPhoto("stray").SHA256
	got, err := br.ReferencedBlobs(t.Context(), []string{redacted, stray})
	require.NoError(t, err, "ReferencedBlobs")
	assert.Equal(t, map[string]bool{redacted: true}, got, "ReferencedBlobs of a redacted copy and a stray key")
}
