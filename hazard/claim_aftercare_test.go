package hazard_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

var anonFrom = hazard.Origin{Address: "203.0.113.7", Device: "device-of-the-anonymous-reporter"}

// anonClosedFixed files an anonymous fire report and takes it to closed as
// fixed; it returns the report and its claim code.
func anonClosedFixed(t *testing.T, f *fixture) (hazard.Hazard, string) {
	t.Helper()
	h, code, err := f.svc.SubmitAnonymous(context.Background(), anonFrom, fireReport(), "")
	require.NoError(t, err, "SubmitAnonymous")
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	h = f.act(t, fireDept, h, "resolve", resolution("cleared"))
	h = f.act(t, reviewer, h, "approve", hazard.ActInput{})
	require.False(t, h.Open())
	return h, code
}

func TestReopenClaim(t *testing.T) {
	ctx := context.Background()
	back := []hazard.Photo{photo("back")}
	const addr = "198.51.100.9" // the holder's address, not the submitter's

	t.Run("within the window", func(t *testing.T) {
		f := newFixture(t)
		h, code := anonClosedFixed(t, f)
		v, err := f.svc.FollowClaim(ctx, addr, code)
		require.NoError(t, err)
		require.Len(t, v.Actions, 1, "the holder may reopen: %v", v.Actions)
		assert.Equal(t, hazard.ActionReopen, v.Actions[0].Name)

		_, err = f.svc.ReopenClaim(ctx, addr, h.Ref+".0000000000000000000000A", hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: back})
		require.ErrorIs(t, err, hazard.ErrNotFound, "a wrong code")
		_, err = f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了"})
		require.ErrorIs(t, err, hazard.ErrInvalid, "a reopening needs a photo, as the reporter's does")

		f.clock.Advance(hazard.DefaultReopenWindow - time.Minute)
		rv, err := f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: back})
		require.NoError(t, err)
		assert.Empty(t, rv.Actions, "the view after the reopening: nothing to reopen")
		got := rv.Hazard
		assert.Equal(t, hazard.StateDispatched, got.State)
		assert.Equal(t, "fire", got.Department, "back to the department that handled it")
		assert.Equal(t, 1, got.Aftercare.Reopens)
		evs := f.events(t, h.ID)
		last := evs[len(evs)-1]
		assert.Equal(t, hazard.ActionReopen, last.Action)
		assert.Equal(t, h.Reporter.UserID, last.Actor.ID, "the anonymous reporter reopened it")

		v, err = f.svc.FollowClaim(ctx, addr, code)
		require.NoError(t, err)
		assert.Empty(t, v.Actions, "an open report: nothing to reopen, and no withdrawal with a code")
		_, err = f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: got.Version, Note: "again", Photos: back})
		require.ErrorIs(t, err, hazard.ErrConflict, "an open report")
	})
	t.Run("after the window", func(t *testing.T) {
		f := newFixture(t)
		h, code := anonClosedFixed(t, f)
		f.clock.Advance(hazard.DefaultReopenWindow + time.Minute)
		_, err := f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: back})
		require.ErrorIs(t, err, hazard.ErrConflict)
		require.ErrorIs(t, err, hazard.ErrReopenWindowPassed)
	})
	t.Run("stale version", func(t *testing.T) {
		f := newFixture(t)
		h, code := anonClosedFixed(t, f)
		_, err := f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version - 1, Note: "又堵了", Photos: back})
		require.ErrorIs(t, err, hazard.ErrConflict)
	})
	t.Run("a signed-in report has no code", func(t *testing.T) {
		f := newFixture(t)
		h := closedFixed(t, f)
		_, err := f.svc.ReopenClaim(ctx, addr, h.Ref+".0000000000000000000000A", hazard.ReopenInput{ExpectedVersion: h.Version, Note: "x", Photos: back})
		require.ErrorIs(t, err, hazard.ErrNotFound)
	})
}

func TestAnswerFixedClaim(t *testing.T) {
	ctx := context.Background()
	const addr = "198.51.100.9"
	f := newFixture(t)
	h, code := anonClosedFixed(t, f)

	_, err := f.svc.AnswerFixedClaim(ctx, addr, code, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
	require.ErrorIs(t, err, hazard.ErrConflict, "before the question")

	f.clock.Advance(hazard.DefaultFixedCheckAfter)
	n, err := f.svc.AskFixed(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "an anonymous report is asked too")
	v, err := f.svc.FollowClaim(ctx, addr, code)
	require.NoError(t, err)
	require.True(t, v.Hazard.Aftercare.Awaiting(), "the holder sees the question")

	_, err = f.svc.AnswerFixedClaim(ctx, addr, code, hazard.FixedAnswerInput{ExpectedVersion: v.Hazard.Version, Note: "没修好"})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a no needs a photo")
	v, err = f.svc.AnswerFixedClaim(ctx, addr, code, hazard.FixedAnswerInput{ExpectedVersion: v.Hazard.Version, Note: "没修好", Photos: []hazard.Photo{photo("n")}})
	require.NoError(t, err)
	got := v.Hazard
	assert.Equal(t, hazard.StateDispatched, got.State, "a no reopens it")
	assert.Equal(t, hazard.Aftercare{Reopens: 1, FixedNo: 1}, got.Aftercare)

	// Closed again and asked again: a yes.
	got = f.act(t, fireDept, got, "accept", hazard.ActInput{})
	got = f.act(t, fireDept, got, "resolve", resolution("again"))
	got = f.act(t, reviewer, got, "approve", hazard.ActInput{})
	f.clock.Advance(hazard.DefaultFixedCheckAfter)
	_, err = f.svc.AskFixed(ctx)
	require.NoError(t, err)
	got, err = f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	v, err = f.svc.AnswerFixedClaim(ctx, addr, code, hazard.FixedAnswerInput{ExpectedVersion: got.Version, Fixed: true})
	require.NoError(t, err)
	got = v.Hazard
	assert.False(t, got.Open())
	assert.Equal(t, 1, got.Aftercare.FixedYes)
	_, err = f.svc.AnswerFixedClaim(ctx, addr, code, hazard.FixedAnswerInput{ExpectedVersion: got.Version, Fixed: true})
	require.ErrorIs(t, err, hazard.ErrConflict, "one answer per closure")

	st, err := f.svc.Stats(ctx, t0.Add(-time.Hour), f.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, hazard.AftercareFigures{Reopened: 1, Reopens: 1, Asked: 1, FixedYes: 1, FixedNo: 1}, st.Aftercare["fire"])
}

// TestClaimAftercareAttempts: every use of a code counts against the claim
// attempt limits, so that wrong codes cannot be tried without end.
func TestClaimAftercareAttempts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h, code := anonClosedFixed(t, f)
	const addr = "198.51.100.10"
	limit := hazard.DefaultAnonymousLimits().ClaimAttemptsPerAddress
	wrong := h.Ref + ".0000000000000000000000A"
	for i := range limit.Max {
		var err error
		if i%2 == 0 {
			_, err = f.svc.ReopenClaim(ctx, addr, wrong, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "x", Photos: []hazard.Photo{photo("x")}})
		} else {
			_, err = f.svc.AnswerFixedClaim(ctx, addr, wrong, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
		}
		require.ErrorIs(t, err, hazard.ErrNotFound, "attempt %d", i+1)
	}
	_, err := f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "x", Photos: []hazard.Photo{photo("x")}})
	require.ErrorIs(t, err, hazard.ErrRateLimited, "past the address's attempts, even the right code waits")
	f.clock.Advance(limit.Per)
	_, err = f.svc.ReopenClaim(ctx, addr, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "x", Photos: []hazard.Photo{photo("x")}})
	require.NoError(t, err, "after the window")
}

// TestPhotosReopenClaim: the holder reopens from another device with a
// photo uploaded anonymously from it; the photo is attached to the report
// and a wrong code releases it.
func TestPhotosReopenClaim(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ups := memstore.NewUploads()
	ph, err := hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: ups, Blobs: memblob.New()})
	require.NoError(t, err)
	h, code := anonClosedFixed(t, f)
	phone := hazard.Origin{Address: "198.51.100.11", Device: "the-holders-other-phone-0001"}
	up, err := ph.UploadAnonymous(ctx, phone, bytes.NewReader(hazardtest.PNGPhoto(31)))
	require.NoError(t, err)

	_, err = ph.ReopenClaim(ctx, hazard.User{}, phone.Address, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了"}, []string{up.Key})
	require.ErrorIs(t, err, hazard.ErrInvalid, "nobody's uploads")
	_, err = ph.ReopenClaim(ctx, hazard.AnonymousUser(phone), phone.Address, h.Ref+".0000000000000000000000A", hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了"}, []string{up.Key})
	require.ErrorIs(t, err, hazard.ErrNotFound)

	got, err := ph.ReopenClaim(ctx, hazard.AnonymousUser(phone), phone.Address, code, hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了"}, []string{up.Key})
	require.NoError(t, err, "the upload released after the wrong code is used again")
	assert.True(t, got.Hazard.Open())
	refs, err := ups.Lookup(ctx, "", up.Key)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{h.ID}, refs.Hazards, "the photo is attached to the report")
	evs := f.events(t, h.ID)
	assert.Equal(t, up.Key, evs[len(evs)-1].Attachments[0].SHA256, "the reopening carries the photo")
}
