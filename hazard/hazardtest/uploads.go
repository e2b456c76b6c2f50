package hazardtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestUploads runs the conformance suite of hazard.Uploads against the
// adapters open returns, and of the hazard.OriginalPurger and
// hazard.Forgetter capabilities when they have them (their subtests skip,
// saying so, when they have not). open is called once per subtest and must return a
// fresh, empty one; it may register clean-up with t.Cleanup. An adapter's
// test is one line:
//
//	hazardtest.TestUploads(t, func(t *testing.T) hazard.Uploads { return memstore.NewUploads() })
func TestUploads(t *testing.T, open func(t *testing.T) hazard.Uploads) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.Uploads)
	}{
		{"Reserve/RoundTrip", uploadRoundTrip},
		{"Reserve/Renew", uploadRenew},
		{"Reserve/Invalid", uploadInvalid},
		{"Reserve/CapCountsPendingPerOwner", uploadCap},
		{"Reserve/ParallelExactCap", uploadCapParallel},
		{"Hold/CheckDecides", uploadHold},
		{"Release/HeldOnly", uploadRelease},
		{"Attach/EachOnce", uploadAttach},
		{"Attach/OwnersOnly", uploadAttachOwner},
		{"Attach/ParallelOnce", uploadAttachParallel},
		{"Expire/CutoffAndDrop", uploadExpire},
		{"Expire/KeepsHeldBlobs", uploadExpireShared},
		{"Expire/DropFails", uploadExpireDropFails},
		{"Expire/ExcludesReserve", uploadExpireRace},
		{"Lookup/Invalid", uploadLookupInvalid},
		{"PurgeOriginals/CutoffAndDrop", purgeCapable(purgeCutoff)},
		{"PurgeOriginals/SharedContent", purgeCapable(purgeShared)},
		{"PurgeOriginals/ReserveRenews", purgeCapable(purgeRenew)},
		{"PurgeOriginals/DropFails", purgeCapable(purgeDropFails)},
		{"PurgeOriginals/ExcludesReserve", purgeCapable(purgeRace)},
		{"ForgetUser/PseudonymAndExpiry", uploadForget},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := open(t)
			if u == nil {
				t.Fatal("open returned nil uploads")
			}
			c.fn(t, u)
		})
	}
}

// uploadT0 is the time the suite's uploads are reserved at.
var uploadT0 = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

// newUpload returns a valid upload by owner of the content numbered n,
// reserved at created; its public copy is another blob.
func newUpload(owner string, n int, created time.Time) hazard.Upload {
	return hazard.Upload{
		Owner: owner, Key: keyOf(fmt.Appendf(nil, "photo %d", n)), PublicKey: keyOf(fmt.Appendf(nil, "public %d", n)),
		ContentType: hazard.TypeJPEG, Size: int64(1000 + n), Created: created,
	}
}

func reserve(t *testing.T, us hazard.Uploads, u hazard.Upload) hazard.Upload {
	t.Helper()
	got, err := us.Reserve(t.Context(), u, hazard.MaxPendingUploads)
	require.NoError(t, err, "Reserve")
	return got
}

// states returns the owner's uploads with the keys as they are (zero for
// none), read by a Hold whose check refuses, so that nothing changes.
func states(t *testing.T, us hazard.Uploads, owner string, keys ...string) []hazard.Upload {
	t.Helper()
	var seen []hazard.Upload
	errLook := errors.New("only looking")
	_, err := us.Hold(t.Context(), owner, keys, func(found []hazard.Upload) error {
		seen = slices.Clone(found)
		return errLook
	})
	require.ErrorIs(t, err, errLook, "Hold returns its check's error")
	return seen
}

// dropper records the keys Expire drops.
type dropper struct {
	mu   sync.Mutex
	keys []string
	fail error
}

func (d *dropper) drop(_ context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return d.fail
	}
	d.keys = append(d.keys, key)
	return nil
}

func (d *dropper) dropped() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(slices.Values(d.keys))
}

func expire(t *testing.T, us hazard.Uploads, cutoff time.Time, d *dropper) []hazard.Upload {
	t.Helper()
	got, err := us.Expire(t.Context(), cutoff, d.drop)
	require.NoError(t, err, "Expire")
	return got
}

func uploadRoundTrip(t *testing.T, us hazard.Uploads) {
	in := newUpload("alice", 1, uploadT0.In(time.FixedZone("CST", 8*3600)))
	got, err := us.Reserve(t.Context(), in, 5)
	require.NoError(t, err, "Reserve")
	want := in
	want.Created, want.State = uploadT0, hazard.UploadPending
	assert.Equal(t, want, got, "Reserve: the stored upload, pending, created in UTC")
	assert.Equal(t, []hazard.Upload{want}, states(t, us, "alice", in.Key), "Hold sees the stored upload")

	refs, err := us.Lookup(t.Context(), "alice", in.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, hazard.UploadRefs{Owned: true, PublicKey: in.PublicKey}, normRefs(refs), "Lookup by the owner")
	for _, other := range []string{"bob", ""} {
		refs, err := us.Lookup(t.Context(), other, in.Key)
		if assert.NoError(t, err, "Lookup by %q", other) {
			assert.Equal(t, hazard.UploadRefs{PublicKey: in.PublicKey}, normRefs(refs), "Lookup by %q: not owned", other)
		}
	}
	_, err = us.Lookup(t.Context(), "alice", in.PublicKey)
	assertCode(t, err, hazard.ErrNotFound, "Lookup of a public copy's key, no upload's Key")
	assert.Equal(t, []hazard.Upload{{}}, states(t, us, "bob", in.Key), "Hold by another owner finds nothing")
}

// normRefs turns an empty Hazards into nil, so that adapters may return
// either.
func normRefs(r hazard.UploadRefs) hazard.UploadRefs {
	if len(r.Hazards) == 0 {
		r.Hazards = nil
	}
	return r
}

func uploadRenew(t *testing.T, us hazard.Uploads) {
	u := newUpload("alice", 1, uploadT0)
	_, err := us.Reserve(t.Context(), u, 1)
	require.NoError(t, err, "Reserve")
	again := u
	again.Created = uploadT0.Add(time.Hour)
	got, err := us.Reserve(t.Context(), again, 1)
	require.NoError(t, err, "Reserve of the same key at the cap")
	assert.Equal(t, again.Created, got.Created, "Reserve again: a pending upload is renewed")
	assert.Equal(t, hazard.UploadPending, got.State, "Reserve again: state")

	_, err = us.Hold(t.Context(), "alice", []string{u.Key}, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	later := u
	later.Created = uploadT0.Add(2 * time.Hour)
	got, err = us.Reserve(t.Context(), later, 1)
	require.NoError(t, err, "Reserve of a held upload's key")
	assert.Equal(t, hazard.UploadHeld, got.State, "Reserve of a held upload: still held")
	assert.Equal(t, again.Created, got.Created, "Reserve of a held upload: not renewed")

	legacy := newUpload("bob", 2, uploadT0)
	legacy.PublicKey = ""
	got, err = us.Reserve(t.Context(), legacy, 1)
	require.NoError(t, err, "Reserve without a public key")
	assert.Empty(t, got.PublicKey, "Reserve without a public key")
	withCopy := newUpload("bob", 2, uploadT0)
	got, err = us.Reserve(t.Context(), withCopy, 1)
	require.NoError(t, err, "Reserve again with a public key")
	assert.Equal(t, withCopy.PublicKey, got.PublicKey, "Reserve again: the public key is set")
}

func uploadInvalid(t *testing.T, us hazard.Uploads) {
	for _, tc := range []struct {
		name string
		edit func(*hazard.Upload)
	}{
		{"no owner", func(u *hazard.Upload) { u.Owner = "" }},
		{"malformed key", func(u *hazard.Upload) { u.Key = "../etc/passwd" }},
		{"key with a NUL byte", func(u *hazard.Upload) { u.Key = u.Key[:63] + "\x00" }},
		{"malformed public key", func(u *hazard.Upload) { u.PublicKey = "abc" }},
		{"content type", func(u *hazard.Upload) { u.ContentType = "image/gif" }},
		{"size 0", func(u *hazard.Upload) { u.Size = 0 }},
		{"size too large", func(u *hazard.Upload) { u.Size = hazard.MaxPhotoSize + 1 }},
		{"no time", func(u *hazard.Upload) { u.Created = time.Time{} }},
	} {
		u := newUpload("alice", 1, uploadT0)
		tc.edit(&u)
		_, err := us.Reserve(t.Context(), u, 5)
		assertCode(t, err, hazard.ErrInvalid, "Reserve with "+tc.name)
	}
	u := newUpload("alice", 1, uploadT0)
	_, err := us.Reserve(t.Context(), u, 0)
	assertCode(t, err, hazard.ErrInvalid, "Reserve with maxPending 0")
	_, err = us.Lookup(t.Context(), "alice", u.Key)
	assertCode(t, err, hazard.ErrNotFound, "Lookup after refused Reserves: nothing stored")
}

func uploadCap(t *testing.T, us hazard.Uploads) {
	const max = 3
	var keys []string
	for i := range max {
		u, err := us.Reserve(t.Context(), newUpload("alice", i, uploadT0), max)
		require.NoError(t, err, "Reserve %d of %d", i+1, max)
		keys = append(keys, u.Key)
	}
	_, err := us.Reserve(t.Context(), newUpload("alice", 10, uploadT0), max)
	assertCode(t, err, hazard.ErrRateLimited, "Reserve past the cap")
	_, err = us.Lookup(t.Context(), "alice", newUpload("alice", 10, uploadT0).Key)
	assertCode(t, err, hazard.ErrNotFound, "Lookup of the refused upload")
	_, err = us.Reserve(t.Context(), newUpload("bob", 10, uploadT0), max)
	assert.NoError(t, err, "Reserve by another owner")

	// Held and attached uploads do not count.
	_, err = us.Hold(t.Context(), "alice", keys[:1], func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	_, err = us.Reserve(t.Context(), newUpload("alice", 11, uploadT0), max)
	assert.NoError(t, err, "Reserve once one upload is held")
	require.NoError(t, us.Attach(t.Context(), "alice", uuid.New(), keys[1:2]), "Attach")
	_, err = us.Reserve(t.Context(), newUpload("alice", 12, uploadT0), max)
	assert.NoError(t, err, "Reserve once one upload is attached")
	_, err = us.Reserve(t.Context(), newUpload("alice", 13, uploadT0), max)
	assertCode(t, err, hazard.ErrRateLimited, "Reserve past the cap again")
	// A release makes the upload pending again: it counts.
	require.NoError(t, us.Release(t.Context(), "alice", keys[:1], uploadT0))
	_, err = us.Hold(t.Context(), "alice", []string{newUpload("alice", 11, uploadT0).Key}, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	_, err = us.Reserve(t.Context(), newUpload("alice", 13, uploadT0), max)
	assertCode(t, err, hazard.ErrRateLimited, "Reserve after a release took the freed place")
}

func uploadCapParallel(t *testing.T, us hazard.Uploads) {
	const max = 5
	var ok, limited, others atomic.Int64
	Together(parallel, func(i int) {
		_, err := us.Reserve(t.Context(), newUpload("alice", i, uploadT0), max)
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, hazard.ErrRateLimited):
			limited.Add(1)
		default:
			others.Add(1)
		}
	})
	assert.Equal(t, int64(max), ok.Load(), "of %d racing Reserves against a cap of %d, the number that succeeded", parallel, max)
	assert.Equal(t, int64(parallel-max), limited.Load(), "racing Reserves refused with rate_limited")
	assert.Zero(t, others.Load(), "racing Reserves that failed otherwise")
	var keys []string
	for i := range parallel {
		keys = append(keys, newUpload("alice", i, uploadT0).Key)
	}
	stored := 0
	for _, u := range states(t, us, "alice", keys...) {
		if u.Key != "" {
			stored++
		}
	}
	assert.Equal(t, max, stored, "uploads stored after racing Reserves")
}

func uploadHold(t *testing.T, us hazard.Uploads) {
	pending := reserve(t, us, newUpload("alice", 1, uploadT0))
	attached := reserve(t, us, newUpload("alice", 2, uploadT0))
	require.NoError(t, us.Attach(t.Context(), "alice", uuid.New(), []string{attached.Key}), "Attach")
	attached.State = hazard.UploadAttached
	theirs := reserve(t, us, newUpload("bob", 3, uploadT0.Add(2*time.Hour)))

	keys := []string{pending.Key, theirs.Key, attached.Key, pending.Key}
	seen := states(t, us, "alice", keys...)
	assert.Equal(t, []hazard.Upload{pending, {}, attached, pending}, seen, "Hold: found, in the order of the keys")
	assert.Equal(t, []hazard.Upload{pending}, states(t, us, "alice", pending.Key), "Hold whose check fails changes nothing")

	got, err := us.Hold(t.Context(), "alice", keys, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	held := pending
	held.State = hazard.UploadHeld
	assert.Equal(t, []hazard.Upload{held, {}, attached, held}, got, "Hold: pending uploads become held")
	d := &dropper{}
	assert.Empty(t, expire(t, us, uploadT0.Add(time.Hour), d), "Expire of alice's held and attached uploads")
	assert.Empty(t, d.dropped(), "Expire: blobs dropped")

	called := false
	_, err = us.Hold(t.Context(), "alice", []string{"../x"}, func([]hazard.Upload) error { called = true; return nil })
	assertCode(t, err, hazard.ErrInvalid, "Hold of a malformed key")
	assert.False(t, called, "Hold of a malformed key calls check")
	got, err = us.Hold(t.Context(), "alice", nil, func(f []hazard.Upload) error { return nil })
	assert.NoError(t, err, "Hold of no keys")
	assert.Empty(t, got, "Hold of no keys")
}

func uploadRelease(t *testing.T, us hazard.Uploads) {
	a := reserve(t, us, newUpload("alice", 1, uploadT0))
	b := reserve(t, us, newUpload("alice", 2, uploadT0))
	c := reserve(t, us, newUpload("alice", 3, uploadT0))
	_, err := us.Hold(t.Context(), "alice", []string{a.Key, b.Key}, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	require.NoError(t, us.Attach(t.Context(), "alice", uuid.New(), []string{b.Key}), "Attach")
	now := uploadT0.Add(3 * time.Hour)
	require.NoError(t, us.Release(t.Context(), "bob", []string{a.Key}, now), "Release by another owner")
	unknown := newUpload("alice", 9, uploadT0).Key
	require.NoError(t, us.Release(t.Context(), "alice", []string{a.Key, b.Key, c.Key, unknown}, now), "Release")
	got := states(t, us, "alice", a.Key, b.Key, c.Key)
	wantA := a
	wantA.Created = now
	wantB := b
	wantB.State = hazard.UploadAttached
	assert.Equal(t, []hazard.Upload{wantA, wantB, c}, got, "after Release: held is pending from now, attached and pending unchanged")
}

func uploadAttach(t *testing.T, us hazard.Uploads) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	v := reserve(t, us, newUpload("alice", 2, uploadT0))
	ids := []uuid.UUID{uuid.MustParse("00000000-0000-7000-8000-000000000002"), uuid.MustParse("00000000-0000-7000-8000-000000000001")}
	require.NoError(t, us.Attach(t.Context(), "alice", ids[0], []string{u.Key, u.Key, v.Key}), "Attach")
	require.NoError(t, us.Attach(t.Context(), "alice", ids[0], []string{u.Key}), "Attach again")
	require.NoError(t, us.Attach(t.Context(), "alice", ids[1], []string{u.Key}), "Attach to a second hazard")
	require.NoError(t, us.Attach(t.Context(), "alice", ids[1], nil), "Attach of no keys")
	refs, err := us.Lookup(t.Context(), "", u.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, []uuid.UUID{ids[1], ids[0]}, refs.Hazards, "Lookup: each hazard once, ascending")
	refs.Hazards[0] = uuid.Nil
	again, err := us.Lookup(t.Context(), "", u.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, []uuid.UUID{ids[1], ids[0]}, again.Hazards, "Lookup after changing a returned slice")
	refs, err = us.Lookup(t.Context(), "", v.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, []uuid.UUID{ids[0]}, refs.Hazards, "Lookup of the other upload")
	for _, s := range states(t, us, "alice", u.Key, v.Key) {
		assert.Equal(t, hazard.UploadAttached, s.State, "state after Attach")
	}
	d := &dropper{}
	assert.Empty(t, expire(t, us, uploadT0.Add(48*time.Hour), d), "Expire of attached uploads")
}

func uploadAttachOwner(t *testing.T, us hazard.Uploads) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	id := uuid.New()
	assertCode(t, us.Attach(t.Context(), "bob", id, []string{u.Key}), hazard.ErrNotFound, "Attach of another owner's upload")
	unknown := newUpload("alice", 2, uploadT0).Key
	assertCode(t, us.Attach(t.Context(), "alice", id, []string{u.Key, unknown}), hazard.ErrNotFound, "Attach with an unknown key")
	assertCode(t, us.Attach(t.Context(), "alice", uuid.Nil, []string{u.Key}), hazard.ErrInvalid, "Attach to the nil ID")
	assertCode(t, us.Attach(t.Context(), "alice", id, []string{u.Key, "\x00"}), hazard.ErrInvalid, "Attach of a malformed key")
	refs, err := us.Lookup(t.Context(), "alice", u.Key)
	require.NoError(t, err, "Lookup")
	assert.Empty(t, refs.Hazards, "hazards after refused Attaches")
	assert.Equal(t, []hazard.Upload{u}, states(t, us, "alice", u.Key), "upload after refused Attaches")
}

func uploadAttachParallel(t *testing.T, us hazard.Uploads) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	_, err := us.Hold(t.Context(), "alice", []string{u.Key}, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold")
	id := uuid.New()
	var failures atomic.Int64
	Together(parallel, func(int) {
		if err := us.Attach(t.Context(), "alice", id, []string{u.Key}); err != nil {
			failures.Add(1)
		}
	})
	assert.Zero(t, failures.Load(), "racing Attaches of one upload to one hazard that failed")
	refs, err := us.Lookup(t.Context(), "alice", u.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, []uuid.UUID{id}, refs.Hazards, "after racing Attaches: the hazard once")
	assert.Equal(t, hazard.UploadAttached, states(t, us, "alice", u.Key)[0].State, "after racing Attaches: state")
}

func uploadExpire(t *testing.T, us hazard.Uploads) {
	old := reserve(t, us, newUpload("bob", 1, uploadT0))
	old2 := reserve(t, us, newUpload("alice", 2, uploadT0.Add(-time.Hour)))
	young := reserve(t, us, newUpload("alice", 3, uploadT0.Add(time.Nanosecond)))
	d := &dropper{}
	got := expire(t, us, uploadT0, d)
	want := []hazard.Upload{old, old2}
	slices.SortFunc(want, func(a, b hazard.Upload) int {
		if a.Key != b.Key {
			return cmp.Compare(a.Key, b.Key)
		}
		return cmp.Compare(a.Owner, b.Owner)
	})
	assert.Equal(t, want, got, "Expire: the pending uploads reserved at or before the cutoff, by key")
	assert.Equal(t, slices.Sorted(slices.Values([]string{old.Key, old.PublicKey, old2.Key, old2.PublicKey})), d.dropped(), "Expire: blobs dropped")
	for _, u := range want {
		_, err := us.Lookup(t.Context(), "", u.Key)
		assertCode(t, err, hazard.ErrNotFound, "Lookup of an expired upload")
	}
	_, err := us.Lookup(t.Context(), "alice", young.Key)
	assert.NoError(t, err, "Lookup of an upload reserved after the cutoff")
	d2 := &dropper{}
	assert.Empty(t, expire(t, us, uploadT0, d2), "Expire again")
	assert.Empty(t, d2.dropped(), "Expire again: blobs dropped")
	// The expired upload's place under the cap is free again.
	_, err = us.Reserve(t.Context(), newUpload("bob", 4, uploadT0), 1)
	assert.NoError(t, err, "Reserve after Expire at a cap of 1")
}

func uploadExpireShared(t *testing.T, us hazard.Uploads) {
	late := uploadT0.Add(time.Hour)
	// The same content uploaded by two owners: one upload expires.
	reserve(t, us, newUpload("alice", 1, uploadT0))
	reserve(t, us, newUpload("bob", 1, late))
	// A clean photo whose content is another upload's public copy.
	gone := reserve(t, us, newUpload("carol", 2, uploadT0))
	clean := newUpload("dave", 0, late)
	clean.Key, clean.PublicKey = gone.PublicKey, gone.PublicKey
	reserve(t, us, clean)
	// The same content attached by one owner, pending with another.
	att := reserve(t, us, newUpload("erin", 3, late))
	require.NoError(t, us.Attach(t.Context(), "erin", uuid.New(), []string{att.Key}), "Attach")
	reserve(t, us, newUpload("frank", 3, uploadT0))

	d := &dropper{}
	got := expire(t, us, uploadT0, d)
	owners := []string{}
	for _, u := range got {
		owners = append(owners, u.Owner)
	}
	slices.Sort(owners)
	assert.Equal(t, []string{"alice", "carol", "frank"}, owners, "Expire: the old pending uploads")
	assert.Equal(t, []string{gone.Key}, d.dropped(), "Expire: only the blob nothing else holds")
	refs, err := us.Lookup(t.Context(), "bob", newUpload("bob", 1, late).Key)
	if assert.NoError(t, err, "Lookup of a blob another owner still holds") {
		assert.True(t, refs.Owned, "Lookup: owned by bob")
	}
}

func uploadExpireDropFails(t *testing.T, us hazard.Uploads) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	errDisk := errors.New("disk on fire")
	_, err := us.Expire(t.Context(), uploadT0, (&dropper{fail: errDisk}).drop)
	assert.ErrorIs(t, err, errDisk, "Expire whose drop fails")
	_, err = us.Lookup(t.Context(), "alice", u.Key)
	assert.NoError(t, err, "Lookup after a failed drop: the upload stays")
	d := &dropper{}
	assert.Equal(t, []hazard.Upload{u}, expire(t, us, uploadT0, d), "Expire after a failed drop")
	assert.Equal(t, slices.Sorted(slices.Values([]string{u.Key, u.PublicKey})), d.dropped(), "Expire after a failed drop: dropped")
}

// uploadExpireRace races Expire of an expired upload against a Reserve of
// the same content by another owner: a drop of the blob must never happen
// after that Reserve returned (its caller stores the blob after Reserve).
func uploadExpireRace(t *testing.T, us hazard.Uploads) {
	for round := range parallel {
		old := reserve(t, us, newUpload("alice", round, uploadT0))
		var reserved atomic.Bool
		var late atomic.Int64
		drop := func(_ context.Context, key string) error {
			if key == old.Key && reserved.Load() {
				late.Add(1)
			}
			return nil
		}
		var expErr, resErr error
		Together(2, func(i int) {
			if i == 0 {
				_, expErr = us.Expire(t.Context(), uploadT0, drop)
				return
			}
			_, resErr = us.Reserve(t.Context(), newUpload("bob", round, uploadT0.Add(time.Hour)), hazard.MaxPendingUploads)
			reserved.Store(true)
		})
		require.NoError(t, expErr, "Expire")
		require.NoError(t, resErr, "Reserve")
		assert.Zero(t, late.Load(), "round %d: a blob dropped after a Reserve of it returned", round)
	}
}

func uploadLookupInvalid(t *testing.T, us hazard.Uploads) {
	_, err := us.Lookup(t.Context(), "alice", "../etc/passwd")
	assertCode(t, err, hazard.ErrInvalid, "Lookup of a malformed key")
	_, err = us.Lookup(t.Context(), "alice", keyOf([]byte("never")))
	assertCode(t, err, hazard.ErrNotFound, "Lookup of an unknown key")
}

// purgeCapable runs fn with the uploads' OriginalPurger capability, or
// skips when they have none.
func purgeCapable(fn func(*testing.T, hazard.Uploads, hazard.OriginalPurger)) func(*testing.T, hazard.Uploads) {
	return func(t *testing.T, us hazard.Uploads) {
		p, ok := us.(hazard.OriginalPurger)
		if !ok {
			t.Skip("the uploads have no OriginalPurger capability")
		}
		fn(t, us, p)
	}
}

func purge(t *testing.T, p hazard.OriginalPurger, cutoff time.Time, d *dropper) int {
	t.Helper()
	n, err := p.PurgeOriginals(t.Context(), cutoff, d.drop)
	require.NoError(t, err, "PurgeOriginals")
	return n
}

// purged reports whether the owner's upload of key has its original
// purged.
func purged(t *testing.T, us hazard.Uploads, owner, key string) bool {
	t.Helper()
	return states(t, us, owner, key)[0].OriginalPurged
}

func purgeCutoff(t *testing.T, us hazard.Uploads, p hazard.OriginalPurger) {
	old := reserve(t, us, newUpload("alice", 1, uploadT0))
	young := reserve(t, us, newUpload("alice", 2, uploadT0.Add(time.Nanosecond)))
	attached := reserve(t, us, newUpload("bob", 3, uploadT0.Add(-time.Hour)))
	require.NoError(t, us.Attach(t.Context(), "bob", uuid.New(), []string{attached.Key}), "Attach")
	clean := newUpload("carol", 4, uploadT0) // no metadata: its own public copy
	clean.PublicKey = clean.Key
	reserve(t, us, clean)
	legacy := newUpload("dave", 5, uploadT0) // recorded before public copies were kept
	legacy.PublicKey = ""
	reserve(t, us, legacy)
	// An original whose content is another upload's public copy.
	copyOwner := reserve(t, us, newUpload("erin", 6, uploadT0))
	other := newUpload("frank", 7, uploadT0)
	other.Key = copyOwner.PublicKey
	reserve(t, us, other)

	d := &dropper{}
	assert.Equal(t, 3, purge(t, p, uploadT0, d), "PurgeOriginals: the old originals with a public copy of their own")
	want := slices.Sorted(slices.Values([]string{old.Key, attached.Key, copyOwner.Key}))
	assert.Equal(t, want, d.dropped(), "PurgeOriginals: blobs dropped")
	assert.True(t, purged(t, us, "alice", old.Key), "an old pending upload's original")
	assert.True(t, purged(t, us, "bob", attached.Key), "an old attached upload's original")
	assert.False(t, purged(t, us, "alice", young.Key), "an upload reserved after the cutoff")
	assert.False(t, purged(t, us, "carol", clean.Key), "an original without metadata")
	assert.False(t, purged(t, us, "dave", legacy.Key), "an upload without a public copy")
	assert.False(t, purged(t, us, "frank", other.Key), "an original that is another upload's public copy")
	refs, err := us.Lookup(t.Context(), "bob", attached.Key)
	if assert.NoError(t, err, "Lookup of a purged original") {
		assert.Equal(t, attached.PublicKey, refs.PublicKey, "Lookup of a purged original: its public copy")
		assert.Len(t, refs.Hazards, 1, "Lookup of a purged original: its hazard")
	}
	d2 := &dropper{}
	assert.Zero(t, purge(t, p, uploadT0, d2), "PurgeOriginals again")
	assert.Empty(t, d2.dropped(), "PurgeOriginals again: dropped")
}

func purgeShared(t *testing.T, us hazard.Uploads, p hazard.OriginalPurger) {
	late := uploadT0.Add(time.Hour)
	a := reserve(t, us, newUpload("alice", 1, uploadT0))
	reserve(t, us, newUpload("bob", 1, late)) // the same content, later
	d := &dropper{}
	assert.Zero(t, purge(t, p, uploadT0, d), "PurgeOriginals while another upload of the content is young")
	assert.False(t, purged(t, us, "alice", a.Key), "the old upload of content uploaded again since")
	assert.Equal(t, 1, purge(t, p, late, d), "PurgeOriginals once every upload is old")
	assert.Equal(t, []string{a.Key}, d.dropped(), "the blob is dropped once")
	assert.True(t, purged(t, us, "alice", a.Key), "alice's upload")
	assert.True(t, purged(t, us, "bob", a.Key), "bob's upload of the same content")
}

func purgeRenew(t *testing.T, us hazard.Uploads, p hazard.OriginalPurger) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	require.NoError(t, us.Attach(t.Context(), "alice", uuid.New(), []string{u.Key}), "Attach")
	d := &dropper{}
	require.Equal(t, 1, purge(t, p, uploadT0, d), "PurgeOriginals")
	again := newUpload("alice", 1, uploadT0.Add(2*time.Hour))
	got := reserve(t, us, again)
	assert.False(t, got.OriginalPurged, "Reserve of a purged original: it is stored again")
	assert.Equal(t, again.Created, got.Created, "Reserve of a purged original: its period starts again")
	assert.Equal(t, hazard.UploadAttached, got.State, "Reserve of a purged original: still attached")
	assert.Zero(t, purge(t, p, uploadT0.Add(time.Hour), d), "PurgeOriginals before the new period ends")
	assert.Equal(t, 1, purge(t, p, again.Created, d), "PurgeOriginals after it")
	assert.Equal(t, []string{u.Key, u.Key}, d.dropped(), "dropped at each purge")
}

func purgeDropFails(t *testing.T, us hazard.Uploads, p hazard.OriginalPurger) {
	u := reserve(t, us, newUpload("alice", 1, uploadT0))
	errDisk := errors.New("disk on fire")
	_, err := p.PurgeOriginals(t.Context(), uploadT0, (&dropper{fail: errDisk}).drop)
	assert.ErrorIs(t, err, errDisk, "PurgeOriginals whose drop fails")
	assert.False(t, purged(t, us, "alice", u.Key), "a failed drop leaves the original unpurged")
	d := &dropper{}
	assert.Equal(t, 1, purge(t, p, uploadT0, d), "PurgeOriginals after a failed drop")
	assert.Equal(t, []string{u.Key}, d.dropped(), "PurgeOriginals after a failed drop: dropped")
}

// purgeRace races PurgeOriginals of an old original against a Reserve of
// the same content by another owner: a drop of the blob must never happen
// after that Reserve returned (its caller stores the blob after Reserve).
func purgeRace(t *testing.T, us hazard.Uploads, p hazard.OriginalPurger) {
	for round := range parallel {
		old := reserve(t, us, newUpload("alice", round, uploadT0))
		var reserved atomic.Bool
		var late atomic.Int64
		drop := func(_ context.Context, key string) error {
			if key == old.Key && reserved.Load() {
				late.Add(1)
			}
			return nil
		}
		var purgeErr, resErr error
		Together(2, func(i int) {
			if i == 0 {
				_, purgeErr = p.PurgeOriginals(t.Context(), uploadT0, drop)
				return
			}
			_, resErr = us.Reserve(t.Context(), newUpload("bob", round, uploadT0.Add(time.Hour)), hazard.MaxPendingUploads)
			reserved.Store(true)
		})
		require.NoError(t, purgeErr, "PurgeOriginals")
		require.NoError(t, resErr, "Reserve")
		assert.Zero(t, late.Load(), "round %d: an original dropped after a Reserve of it returned", round)
	}
}

// uploadForget pins what an Uploads that is a hazard.Forgetter does: the
// person's uploads pass to the pseudonym, held and attached ones as they
// were, pending ones expired at once; another owner's are untouched.
func uploadForget(t *testing.T, us hazard.Uploads) {
	f, ok := us.(hazard.Forgetter)
	if !ok {
		t.Skipf("the uploads (%T) are no hazard.Forgetter", us)
	}
	ctx := t.Context()
	pending := reserve(t, us, newUpload(erasedUser, 1, uploadT0))
	held := reserve(t, us, newUpload(erasedUser, 2, uploadT0))
	attached := reserve(t, us, newUpload(erasedUser, 3, uploadT0))
	others := reserve(t, us, newUpload("bob", 4, uploadT0))
	_, err := us.Hold(ctx, erasedUser, []string{held.Key}, func([]hazard.Upload) error { return nil })
	require.NoError(t, err, "Hold (setup)")
	id := uuid.MustParse("00000000-0000-7000-8000-0000000000e1")
	require.NoError(t, us.Attach(ctx, erasedUser, id, []string{attached.Key}), "Attach (setup)")

	e := NewErasure(erasedUser)
	require.NoError(t, f.ForgetUser(ctx, e), "ForgetUser")
	require.NoError(t, f.ForgetUser(ctx, e), "ForgetUser again")
	assert.Equal(t, []hazard.Upload{{}, {}, {}}, states(t, us, erasedUser, pending.Key, held.Key, attached.Key), "the person's uploads")
	got := states(t, us, e.Pseudonym, held.Key, attached.Key)
	wantHeld, wantAttached := held, attached
	wantHeld.Owner, wantHeld.State = e.Pseudonym, hazard.UploadHeld
	wantAttached.Owner, wantAttached.State = e.Pseudonym, hazard.UploadAttached
	assert.Equal(t, []hazard.Upload{wantHeld, wantAttached}, got, "the pseudonym's held and attached uploads")
	refs, err := us.Lookup(ctx, e.Pseudonym, attached.Key)
	require.NoError(t, err, "Lookup")
	assert.Equal(t, hazard.UploadRefs{Owned: true, PublicKey: attached.PublicKey, Hazards: []uuid.UUID{id}}, refs, "Lookup of the attached upload")
	refs, err = us.Lookup(ctx, erasedUser, attached.Key)
	require.NoError(t, err, "Lookup")
	assert.False(t, refs.Owned, "Lookup by the person's ID: not owned")

	// The pending upload expires at any cutoff; the others stay.
	d := &dropper{}
	gone := expire(t, us, uploadT0.Add(-time.Hour), d)
	if assert.Len(t, gone, 1, "Expire after ForgetUser") {
		assert.Equal(t, pending.Key, gone[0].Key)
		assert.Equal(t, e.Pseudonym, gone[0].Owner)
	}
	assert.ElementsMatch(t, []string{pending.Key, pending.PublicKey}, d.dropped(), "the pending upload's blobs are dropped")
	assert.Equal(t, []hazard.Upload{others}, states(t, us, "bob", others.Key), "another owner's upload")
	assertCode(t, f.ForgetUser(ctx, hazard.Erasure{UserID: erasedUser}), hazard.ErrInvalid, "ForgetUser of an invalid erasure")
}
