package hazard_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// photosFixture is Photos over a service fixture, memstore uploads and a
// memblob store.
type photosFixture struct {
	*fixture
	photos  *hazard.Photos
	uploads *memstore.Uploads
	blobs   *memblob.Store
}

func newPhotos(t *testing.T, maxPending int) *photosFixture {
	t.Helper()
	f := &photosFixture{fixture: newFixture(t), uploads: memstore.NewUploads(), blobs: memblob.New()}
	p, err := hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: f.uploads, Blobs: f.blobs, MaxPending: maxPending})
	require.NoError(t, err, "NewPhotos")
	f.photos = p
	return f
}

func (f *photosFixture) upload(t *testing.T, u hazard.User, data []byte) hazard.Upload {
	t.Helper()
	up, err := f.photos.Upload(context.Background(), u, bytes.NewReader(data))
	require.NoError(t, err, "Upload")
	return up
}

func (f *photosFixture) blob(t *testing.T, key string) ([]byte, error) {
	t.Helper()
	rc, _, err := f.blobs.Open(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// wantFileError checks that err is CodeInvalid on the field "file" with
// the cause (nil for none).
func wantFileError(t *testing.T, err error, cause error, call string) {
	t.Helper()
	require.ErrorIs(t, err, hazard.ErrInvalid, call)
	var e *hazard.Error
	require.ErrorAs(t, err, &e, call)
	assert.Equal(t, "file", e.Field, "%s: field", call)
	if cause != nil {
		assert.ErrorIs(t, err, cause, "%s: cause", call)
	}
}

func TestNewPhotos(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		cfg   hazard.PhotosConfig
		field string
	}{
		{"no service", hazard.PhotosConfig{Uploads: memstore.NewUploads(), Blobs: memblob.New()}, "service"},
		{"no uploads", hazard.PhotosConfig{Service: f.svc, Blobs: memblob.New()}, "uploads"},
		{"no blobs", hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads()}, "blobs"},
		{"negative ttl", hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(), TTL: -time.Second}, "ttl"},
		{"negative cap", hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(), MaxPending: -1}, "max_pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hazard.NewPhotos(tc.cfg)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var e *hazard.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.field, e.Field)
		})
	}
}

// TestPhotosUpload: a photo is sniffed, checked and stored twice, as
// uploaded and without metadata.
func TestPhotosUpload(t *testing.T) {
	f := newPhotos(t, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name, ct string
		in       []byte
	}{
		{"jpeg", hazard.TypeJPEG, hazardtest.JPEGWithGPS()},
		{"webp", hazard.TypeWebP, hazardtest.WebPWithEXIF(true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := f.upload(t, citizen, tc.in)
			stripped, err := hazard.StripMetadata(tc.ct, tc.in)
			require.NoError(t, err)
			assert.Equal(t, hazard.Upload{Owner: citizen.ID, Key: sha(tc.in), PublicKey: sha(stripped), ContentType: tc.ct,
				Size: int64(len(tc.in)), Created: t0, State: hazard.UploadPending}, u, "Upload")
			orig, err := f.blob(t, u.Key)
			require.NoError(t, err, "the original is stored")
			assert.Equal(t, tc.in, orig)
			pub, err := f.blob(t, u.PublicKey)
			require.NoError(t, err, "the public copy is stored")
			assert.NotContains(t, string(pub), "GPS", "the public copy")
		})
	}
	t.Run("png without metadata is its own public copy", func(t *testing.T) {
		u := f.upload(t, citizen, hazardtest.PNGPhoto(1))
		assert.Equal(t, u.Key, u.PublicKey)
	})
	t.Run("refused", func(t *testing.T) {
		big := append(hazardtest.PNGPhoto(2), bytes.Repeat([]byte{0}, hazard.MaxPhotoSize)...)
		for _, tc := range []struct {
			name  string
			in    []byte
			cause error
		}{
			{"too large", big, hazard.ErrPhotoTooLarge},
			{"text", []byte("hello, this is not a photo"), hazard.ErrPhotoType},
			{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), hazard.ErrPhotoType},
			{"broken jpeg", []byte("\xFF\xD8\xFF\xE1\x00\xFFtruncated"), nil},
			{"empty", nil, nil},
		} {
			_, err := f.photos.Upload(ctx, citizen, bytes.NewReader(tc.in))
			wantFileError(t, err, tc.cause, "Upload of "+tc.name)
			if len(tc.in) > 0 {
				_, err = f.blobs.Stat(ctx, sha(tc.in[:min(len(tc.in), hazard.MaxPhotoSize)]))
				assert.ErrorIs(t, err, hazard.ErrNotFound, "%s: nothing stored", tc.name)
			}
		}
		_, err := f.photos.Upload(ctx, hazard.User{}, bytes.NewReader(hazardtest.PNGPhoto(3)))
		assert.ErrorIs(t, err, hazard.ErrUnauthenticated, "Upload by nobody")
	})
}

// TestPhotosCapBeforeBlob: past the cap of pending uploads an upload is
// refused before anything is stored; using an upload frees its place.
func TestPhotosCapBeforeBlob(t *testing.T) {
	f := newPhotos(t, 2)
	ctx := context.Background()
	a := f.upload(t, citizen, hazardtest.PNGPhoto(1))
	f.upload(t, citizen, hazardtest.PNGPhoto(2))
	third := hazardtest.PNGPhoto(3)
	_, err := f.photos.Upload(ctx, citizen, bytes.NewReader(third))
	require.ErrorIs(t, err, hazard.ErrRateLimited, "Upload past the cap")
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "file", e.Field)
	_, err = f.blobs.Stat(ctx, sha(third))
	assert.ErrorIs(t, err, hazard.ErrNotFound, "the refused photo was not stored")
	again := f.upload(t, citizen, hazardtest.PNGPhoto(1))
	assert.Equal(t, a.Key, again.Key, "uploading a pending photo again renews it, at the cap")
	f.upload(t, otherCit, third)

	in := fireReport()
	in.Photos = nil
	_, err = f.photos.Submit(ctx, citizen, in, []string{a.Key}, "")
	require.NoError(t, err, "Submit")
	f.upload(t, citizen, third)
}

// TestPhotosSubmitAndAct: uploads are used by their owner only, while
// live; a failed use case gives them back; a used one is attached.
func TestPhotosSubmitAndAct(t *testing.T) {
	f := newPhotos(t, 0)
	ctx := context.Background()
	mine := f.upload(t, citizen, hazardtest.JPEGWithGPS())
	theirs := f.upload(t, otherCit, hazardtest.PNGPhoto(1))
	in := fireReport()
	in.Photos = nil

	fieldOf := func(err error) string {
		var e *hazard.Error
		if errors.As(err, &e) {
			return e.Field
		}
		return ""
	}
	ten := make([]string, hazard.MaxPhotos+1)
	for i := range ten {
		ten[i] = mine.Key
	}
	for _, tc := range []struct {
		name  string
		keys  []string
		field string
	}{
		{"someone else's upload", []string{mine.Key, theirs.Key}, "photos[1]"},
		{"unknown upload", []string{strings.Repeat("0", 64)}, "photos[0]"},
		{"malformed key", []string{"../etc/passwd"}, "photos[0]"},
		{"key with a NUL byte", []string{mine.Key, "\x00"}, "photos[1]"},
		{"too many", ten, "photos"},
	} {
		_, err := f.photos.Submit(ctx, citizen, in, tc.keys, "")
		require.ErrorIs(t, err, hazard.ErrInvalid, tc.name)
		assert.Equal(t, tc.field, fieldOf(err), tc.name)
	}
	bad := in
	bad.Category = "weather"
	_, err := f.photos.Submit(ctx, citizen, bad, []string{mine.Key}, "")
	require.ErrorIs(t, err, hazard.ErrInvalid, "Submit of an unknown category")

	// The upload of the refused report is still the citizen's, pending.
	h, err := f.photos.Submit(ctx, citizen, in, []string{mine.Key}, "k1")
	require.NoError(t, err, "Submit")
	assert.Equal(t, []hazard.Photo{mine.Photo()}, h.Photos, "the hazard's photos")
	again, err := f.photos.Submit(ctx, citizen, in, []string{mine.Key}, "k1")
	require.NoError(t, err, "Submit retried")
	assert.Equal(t, h.ID, again.ID, "a retried Submit returns the same hazard")
	refs, err := f.uploads.Lookup(ctx, citizen.ID, mine.Key)
	require.NoError(t, err)
	assert.Equal(t, h.ID.String(), refs.Hazards[0].String(), "attached to the hazard")
	assert.Len(t, refs.Hazards, 1, "attached once")

	// An action's photos come from the actor's uploads.
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	ev := f.upload(t, fireDept, hazardtest.PNGPhoto(2))
	_, err = f.photos.Act(ctx, fireDept, h.ID, "resolve", hazard.ActInput{ExpectedVersion: h.Version, Note: "cleared"}, []string{theirs.Key})
	require.ErrorIs(t, err, hazard.ErrInvalid, "Act with another user's upload")
	_, err = f.photos.Act(ctx, fireDept, h.ID, "resolve", hazard.ActInput{ExpectedVersion: h.Version - 1, Note: "cleared"}, []string{ev.Key})
	require.ErrorIs(t, err, hazard.ErrConflict, "Act on a stale version")
	h, err = f.photos.Act(ctx, fireDept, h.ID, "resolve", hazard.ActInput{ExpectedVersion: h.Version, Note: "cleared"}, []string{ev.Key})
	require.NoError(t, err, "Act after a failed one: the upload was released")
	assert.Equal(t, []hazard.Photo{ev.Photo()}, h.Evidence, "evidence")

	// A day later, the used uploads stay; an unused one has expired.
	late := f.upload(t, citizen, hazardtest.PNGPhoto(3))
	f.clock.Advance(hazard.DefaultUploadTTL)
	n, err := f.photos.Sweep(ctx)
	require.NoError(t, err, "Sweep")
	assert.Equal(t, 2, n, "uploads swept: theirs and the late one")
	_, err = f.photos.Submit(ctx, citizen, in, []string{late.Key}, "")
	require.ErrorIs(t, err, hazard.ErrInvalid, "Submit with a swept upload")
	for _, k := range []string{mine.Key, mine.PublicKey, ev.Key} {
		_, err := f.blobs.Stat(ctx, k)
		assert.NoError(t, err, "a used upload's blob stays")
	}
	for _, k := range []string{late.Key, theirs.Key} {
		_, err := f.blobs.Stat(ctx, k)
		assert.ErrorIs(t, err, hazard.ErrNotFound, "a swept upload's blob is deleted")
	}
}

// TestPhotosExpiredUpload: an upload unused for the time to live cannot be
// used, even before a sweep.
func TestPhotosExpiredUpload(t *testing.T) {
	f := newPhotos(t, 0)
	u := f.upload(t, citizen, hazardtest.PNGPhoto(1))
	f.clock.Advance(hazard.DefaultUploadTTL)
	in := fireReport()
	in.Photos = nil
	_, err := f.photos.Submit(context.Background(), citizen, in, []string{u.Key}, "")
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "photos[0]", e.Field)
}

// TestPhotosOpen: the original for its uploader and those who see the
// hazard in full, the public copy for the public once a hazard refers to
// it, nothing for anyone else.
func TestPhotosOpen(t *testing.T) {
	f := newPhotos(t, 0)
	ctx := context.Background()
	orig := hazardtest.JPEGWithGPS()
	u := f.upload(t, citizen, orig)
	read := func(user hazard.User, key string) ([]byte, hazard.PhotoCopy, error) {
		rc, pc, err := f.photos.Open(ctx, user, key)
		if err != nil {
			return nil, pc, err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, pc.Size, int64(len(b)), "PhotoCopy.Size")
		return b, pc, nil
	}
	b, pc, err := read(citizen, u.Key)
	require.NoError(t, err, "Open by the uploader")
	assert.Equal(t, orig, b)
	assert.Equal(t, hazard.PhotoCopy{ContentType: hazard.TypeJPEG, Size: int64(len(orig)), Original: true}, pc)
	for _, who := range []hazard.User{{}, otherCit, dispatcher} {
		_, _, err := read(who, u.Key)
		assert.ErrorIs(t, err, hazard.ErrNotFound, "Open of an unused upload by %q", who.ID)
	}
	in := fireReport()
	in.Photos = nil
	h, err := f.photos.Submit(ctx, citizen, in, []string{u.Key}, "")
	require.NoError(t, err)
	_, _, err = read(otherCit, u.Key)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "the public before the report is published")
	f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	for _, who := range []hazard.User{{}, otherCit} {
		b, pc, err := read(who, u.Key)
		require.NoError(t, err, "Open by %q", who.ID)
		assert.False(t, pc.Original, "Open by %q: the public copy", who.ID)
		assert.NotContains(t, string(b), "GPS", "Open by %q", who.ID)
	}
	_, pc, err = read(dispatcher, u.Key)
	require.NoError(t, err, "Open by staff")
	assert.True(t, pc.Original, "staff see the original")
	for _, key := range []string{"../etc/passwd", sha([]byte("never"))} {
		_, _, err := read(citizen, key)
		assert.ErrorIs(t, err, hazard.ErrNotFound, "Open of %q", key)
	}
}

// TestPhotosOpenWithoutPublicCopy: an upload recorded before public copies
// were kept gets one stripped when the public reads it.
func TestPhotosOpenWithoutPublicCopy(t *testing.T) {
	f := newPhotos(t, 0)
	ctx := context.Background()
	orig := hazardtest.JPEGWithGPS()
	info, err := f.blobs.Put(ctx, bytes.NewReader(orig), hazard.TypeJPEG)
	require.NoError(t, err)
	_, err = f.uploads.Reserve(ctx, hazard.Upload{Owner: citizen.ID, Key: info.Key, ContentType: info.ContentType, Size: info.Size, Created: t0}, 1)
	require.NoError(t, err)
	in := fireReport()
	in.Photos = nil
	h, err := f.photos.Submit(ctx, citizen, in, []string{info.Key}, "")
	require.NoError(t, err)
	f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	rc, pc, err := f.photos.Open(ctx, hazard.User{}, info.Key)
	require.NoError(t, err, "Open by the public")
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.False(t, pc.Original)
	assert.NotContains(t, string(b), "GPS")
	assert.Equal(t, pc.Size, int64(len(b)))
}
