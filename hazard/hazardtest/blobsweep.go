package hazardtest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// SweepStore is a blob store with the hazard.BlobSweeper capability.
type SweepStore interface {
	hazard.BlobStore
	hazard.BlobSweeper
}

// TestBlobSweeper runs the conformance suite of hazard.BlobSweeper. open
// is called once per subtest and returns a fresh, empty store and a
// function that makes every blob stored so far look put d earlier (moving
// a test clock back, or the recorded times of the blobs). For memblob:
//
//	hazardtest.TestBlobSweeper(t, func(t *testing.T) (hazardtest.SweepStore, func(time.Duration)) {
//		clock := hazardtest.NewClock(time.Now())
//		return memblob.NewWithClock(clock.Now), clock.Advance
//	})
func TestBlobSweeper(t *testing.T, open func(t *testing.T) (SweepStore, func(d time.Duration))) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, SweepStore, func(time.Duration))
	}{
		{"YoungBlobsStay", sweepYoung},
		{"OldBlobsInKeyOrder", sweepOrder},
		{"PutRenews", sweepPutRenews},
		{"DeleteOld", sweepDelete},
		{"Invalid", sweepInvalid},
		{"ConcurrentPutAndDeleteOld", sweepConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) {
			bs, older := open(t)
			if bs == nil || older == nil {
				t.Fatal("open returned a nil store or function")
			}
			c.fn(t, bs, older)
		})
	}
}

// putBlobs stores n distinct blobs and returns their keys in order.
func putBlobs(t *testing.T, bs SweepStore, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		info, err := bs.Put(t.Context(), bytes.NewReader([]byte(fmt.Sprintf("blob %d", i))), hazard.TypePNG)
		require.NoError(t, err, "Put")
		keys[i] = info.Key
	}
	slices.Sort(keys)
	return keys
}

func sweepYoung(t *testing.T, bs SweepStore, _ func(time.Duration)) {
	keys := putBlobs(t, bs, 2)
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(1h) of blobs just put")
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.False(t, ok, "DeleteOld(1h) of a blob just put")
	_, err = bs.Stat(t.Context(), keys[0])
	assert.NoError(t, err, "Stat after a refused DeleteOld")
}

func sweepOrder(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 3)
	older(2 * time.Hour)
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Equal(t, keys, got, "OldBlobs(1h), all")
	got, err = bs.OldBlobs(t.Context(), time.Hour, "", 2)
	require.NoError(t, err)
	assert.Equal(t, keys[:2], got, "OldBlobs limit 2")
	got, err = bs.OldBlobs(t.Context(), time.Hour, keys[1], 10)
	require.NoError(t, err)
	assert.Equal(t, keys[2:], got, "OldBlobs after the second")
	got, err = bs.OldBlobs(t.Context(), 3*time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(3h) of blobs 2h old")
}

func sweepPutRenews(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 1)
	older(2 * time.Hour)
	putBlobs(t, bs, 1) // the same content again
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(1h) after the content was put again")
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.False(t, ok, "DeleteOld of a renewed blob")
}

func sweepDelete(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 2)
	older(2 * time.Hour)
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.True(t, ok, "DeleteOld of an old blob")
	_, err = bs.Stat(t.Context(), keys[0])
	assert.ErrorIs(t, err, hazard.ErrNotFound, "Stat after DeleteOld")
	_, err = bs.Stat(t.Context(), keys[1])
	assert.NoError(t, err, "the other blob stays")
	ok, err = bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err, "DeleteOld of a missing blob")
	assert.False(t, ok, "DeleteOld of a missing blob")
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Equal(t, keys[1:], got, "OldBlobs after DeleteOld")
}

func sweepInvalid(t *testing.T, bs SweepStore, _ func(time.Duration)) {
	_, err := bs.DeleteOld(t.Context(), "../etc/passwd", time.Hour)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "DeleteOld of a malformed key")
	_, err = bs.OldBlobs(t.Context(), time.Hour, "", 0)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "OldBlobs with limit 0")
	_, err = bs.OldBlobs(t.Context(), -time.Hour, "", 1)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "OldBlobs with a negative age")
}

// sweepConcurrent: a Put of an old blob's content racing DeleteOld leaves
// the blob stored, whichever comes first.
func sweepConcurrent(t *testing.T, bs SweepStore, older func(time.Duration)) {
	for round := range 10 {
		content := []byte(fmt.Sprintf("raced blob %d", round))
		info, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
		require.NoError(t, err)
		older(2 * time.Hour)
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
			assert.NoError(t, err, "Put")
		}()
		go func() {
			defer wg.Done()
			<-start
			_, err := bs.DeleteOld(t.Context(), info.Key, time.Hour)
			assert.NoError(t, err, "DeleteOld")
		}()
		close(start)
		wg.Wait()
		_, err = bs.Stat(t.Context(), info.Key)
		require.NoError(t, err, "round %d: the blob a Put stored is gone", round)
	}
}

// TestBlobReferences checks, over a hazard store, its uploads and a blob
// store that sweeps, that hazard.Photos.SweepBlobs deletes exactly the
// blobs nothing refers to once they are older than the grace period: not
// a pending upload's original or public copy, not a photo attached to a
// report through an upload, not a hazard's photo or evidence nor an
// event's attachment stored without an upload, not a moderator's redacted
// copy of a photo (when the store is a hazard.ModerationStore), and not a
// blob put within the grace period. open is called once and returns empty stores and a
// function that makes every blob stored so far look put d earlier.
func TestBlobReferences(t *testing.T, open func(t *testing.T) (hazard.Store, hazard.Uploads, SweepStore, func(time.Duration))) {
	t.Helper()
	ctx := t.Context()
	st, ups, blobs, older := open(t)
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: st, Refs: hazard.RefFormat{Prefix: "KT"}})
	require.NoError(t, err, "NewService")
	const grace = time.Hour
	ph, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: ups, Blobs: blobs, BlobGrace: grace})
	require.NoError(t, err, "NewPhotos")
	citizen := hazard.User{ID: "kit-citizen", Role: string(hazard.RoleReporter)}
	dispatcher := hazard.User{ID: "kit-dispatcher", Role: string(hazard.RoleDispatcher)}
	handler := hazard.User{ID: "kit-handler", Role: string(hazard.RoleHandler), Department: "fire"}
	put := func(seed int) hazard.Photo {
		t.Helper()
		info, err := blobs.Put(ctx, bytes.NewReader(PNGPhoto(seed)), hazard.TypePNG)
		require.NoError(t, err, "Put")
		return hazard.Photo{SHA256: info.Key, ContentType: info.ContentType, Size: info.Size}
	}
	report := func(photos []hazard.Photo) hazard.SubmitInput {
		return hazard.SubmitInput{Category: "fire", Description: "blocked exit", Photos: photos,
			Location: hazard.Location{Address: "1 Test Road"}}
	}

	attached, err := ph.Upload(ctx, citizen, bytes.NewReader(JPEGWithGPS())) // a public copy too
	require.NoError(t, err, "Upload")
	_, err = ph.Submit(ctx, citizen, report(nil), []string{attached.Key}, "")
	require.NoError(t, err, "Photos.Submit")
	pending, err := ph.Upload(ctx, citizen, bytes.NewReader(PNGPhoto(9001)))
	require.NoError(t, err, "Upload")
	direct := put(9002) // a report's photo stored without an upload
	h, err := svc.Submit(ctx, citizen, report([]hazard.Photo{direct}), "")
	require.NoError(t, err, "Submit")
	h, err = svc.Act(ctx, dispatcher, h.ID, hazard.ActionDispatch, hazard.ActInput{ExpectedVersion: h.Version, Department: "fire"})
	require.NoError(t, err, "dispatch")
	h, err = svc.Act(ctx, handler, h.ID, hazard.ActionAccept, hazard.ActInput{ExpectedVersion: h.Version})
	require.NoError(t, err, "accept")
	evidence := put(9003)
	_, err = svc.Act(ctx, handler, h.ID, hazard.ActionResolve, hazard.ActInput{ExpectedVersion: h.Version, Note: "cleared", Photos: []hazard.Photo{evidence}})
	require.NoError(t, err, "resolve")
	redacted := ""
	if _, ok := st.(hazard.ModerationStore); ok { // a moderator's redacted copy
		admin := hazard.User{ID: "kit-admin", Role: string(hazard.RoleAdmin)}
		v, err := ph.Redact(ctx, admin, h.ID, hazard.RedactInput{Photo: direct.SHA256,
			Region: hazard.Region{W: 500, H: 500}, Style: hazard.RedactBlack, Reason: "a face"})
		require.NoError(t, err, "Redact")
		pm, _ := v.Moderation.Photo(direct.SHA256)
		require.NotEmpty(t, pm.Redacted, "the redacted copy's key")
		redacted = pm.Redacted
	}
	orphan := put(9004) // fetched, say, for a report that then failed
	older(2 * grace)
	young := put(9005)

	n, err := ph.SweepBlobs(ctx)
	require.NoError(t, err, "SweepBlobs")
	assert.Equal(t, 1, n, "SweepBlobs deleted")
	_, err = blobs.Stat(ctx, orphan.SHA256)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "the old blob nothing refers to")
	for name, key := range map[string]string{
		"attached original": attached.Key, "attached public copy": attached.PublicKey,
		"pending original": pending.Key, "hazard photo": direct.SHA256, "evidence": evidence.SHA256,
		"young orphan": young.SHA256, "redacted copy": redacted,
	} {
		if key == "" {
			continue // the store keeps no moderations
		}
		_, err := blobs.Stat(ctx, key)
		assert.NoError(t, err, "%s was swept", name)
	}
	n, err = ph.SweepBlobs(ctx)
	require.NoError(t, err, "SweepBlobs again")
	assert.Zero(t, n, "SweepBlobs again deleted")
}
