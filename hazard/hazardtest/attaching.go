package hazardtest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestAttachingCreator runs the conformance suite of a
// hazard.AttachingCreator against the store and its uploads that open
// returns (fresh and empty, from one database; open is called twice, and
// the two calls' stores must not keep each other's uploads). An adapter's
// test is one line:
//
//	hazardtest.TestAttachingCreator(t, func(t *testing.T) (hazard.AttachingCreator, hazard.Uploads) {
//		db := newDB(t)
//		return db.Hazards(), db.Uploads()
//	})
//
// It checks that the hazard and the attachment of its uploads are one
// step: a failed check, an idempotent repeat, a refused limit or a key the
// owner lacks leave every upload as it was and store nothing new; a
// created hazard has its uploads attached.
func TestAttachingCreator(t *testing.T, open func(t *testing.T) (hazard.AttachingCreator, hazard.Uploads)) {
	t.Helper()
	ctx := t.Context()
	st, ups := open(t)
	_, other := open(t)
	assert.True(t, st.KeepsUploads(ups), "KeepsUploads of its own uploads")
	assert.False(t, st.KeepsUploads(other), "KeepsUploads of another database's uploads")

	h := NewHazard()
	owner := h.Reporter.UserID
	now := time.Now().UTC()
	reserve := func(owner, name string) string {
		k := uploadKey(name)
		_, err := ups.Reserve(ctx, hazard.Upload{Owner: owner, Key: k, PublicKey: k, ContentType: "image/png", Size: 10, Created: now}, 10)
		require.NoError(t, err)
		return k
	}
	k1, k2 := reserve(owner, "one"), reserve(owner, "two")
	theirs := reserve("someone-else", "three")
	state := func(k string) hazard.UploadState {
		found, err := st.FindUploads(ctx, owner, []string{k})
		require.NoError(t, err)
		return found[0].State
	}
	events := func(h hazard.Hazard) []hazard.Event {
		return []hazard.Event{NewEvent(h, hazard.EventSubmitted)}
	}

	// A failed check: its error as is, nothing stored or changed.
	stop := errors.New("stop")
	var seen []hazard.Upload
	_, _, err := st.CreateAttached(ctx, h, events(h), "key-1", time.Time{}, 0, hazard.Attachment{Owner: owner, Keys: []string{k1, theirs},
		Check: func(found []hazard.Upload) error { seen = found; return stop }})
	require.ErrorIs(t, err, stop)
	require.Len(t, seen, 2)
	assert.Equal(t, k1, seen[0].Key)
	assert.Empty(t, seen[1].Key, "another owner's upload is not found")
	_, err = st.Get(ctx, h.ID)
	assert.Equal(t, hazard.CodeNotFound, hazard.ErrorCode(err))
	assert.Equal(t, hazard.UploadPending, state(k1))

	// A key the owner lacks: nothing stored.
	_, _, err = st.CreateAttached(ctx, h, events(h), "key-1", time.Time{}, 0, hazard.Attachment{Owner: owner, Keys: []string{k1, theirs}})
	assert.Equal(t, hazard.CodeNotFound, hazard.ErrorCode(err))
	_, err = st.Get(ctx, h.ID)
	assert.Equal(t, hazard.CodeNotFound, hazard.ErrorCode(err))
	assert.Equal(t, hazard.UploadPending, state(k1))

	// Created: attached in the same step.
	got, created, err := st.CreateAttached(ctx, h, events(h), "key-1", time.Time{}, 0, hazard.Attachment{Owner: owner, Keys: []string{k1}})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, h.ID, got.ID)
	assert.Equal(t, hazard.UploadAttached, state(k1))
	refs, err := ups.Lookup(ctx, owner, k1)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{h.ID}, refs.Hazards)

	// The same idempotency key again: the first hazard, k2 untouched.
	h2 := NewHazard(func(x *hazard.Hazard) { x.Reporter = h.Reporter })
	got, created, err = st.CreateAttached(ctx, h2, events(h2), "key-1", time.Time{}, 0, hazard.Attachment{Owner: owner, Keys: []string{k2}})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, h.ID, got.ID)
	assert.Equal(t, hazard.UploadPending, state(k2))

	// Over the limit (one hazard since then, limit 1): refused, k2 untouched.
	_, _, err = st.CreateAttached(ctx, h2, events(h2), "key-2", h.CreatedAt.Add(-time.Second), 1, hazard.Attachment{Owner: owner, Keys: []string{k2}})
	assert.Equal(t, hazard.CodeRateLimited, hazard.ErrorCode(err))
	assert.Equal(t, hazard.UploadPending, state(k2))
	_, err = st.Get(ctx, h2.ID)
	assert.Equal(t, hazard.CodeNotFound, hazard.ErrorCode(err))

	// Within the limit: created and attached.
	_, created, err = st.CreateAttached(ctx, h2, events(h2), "key-2", h.CreatedAt.Add(-time.Second), 2, hazard.Attachment{Owner: owner, Keys: []string{k2}})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, hazard.UploadAttached, state(k2))

	// Malformed keys and a negative limit are invalid.
	_, _, err = st.CreateAttached(ctx, h2, events(h2), "", time.Time{}, 0, hazard.Attachment{Owner: owner, Keys: []string{"nope"}})
	assert.Equal(t, hazard.CodeInvalid, hazard.ErrorCode(err))
	_, _, err = st.CreateAttached(ctx, h2, events(h2), "", time.Time{}, -1, hazard.Attachment{Owner: owner, Keys: []string{k2}})
	assert.Equal(t, hazard.CodeInvalid, hazard.ErrorCode(err))
	_, err = st.FindUploads(ctx, owner, []string{"nope"})
	assert.Equal(t, hazard.CodeInvalid, hazard.ErrorCode(err))
}

func uploadKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
