package hazardtest

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// OriginalRetention is the retention period of originals TestOriginalRetention
// configures.
const OriginalRetention = 30 * hazard.Day

// TestOriginalRetention checks hazard.Photos.PurgeOriginals over a hazard
// store, its uploads (with the hazard.OriginalPurger capability) and a blob
// store, all empty, on a test clock: a photo uploaded with its metadata
// (EXIF with a GPS position) keeps its original until OriginalRetention
// after its upload and not a moment less; then the sweep deletes the
// original and nothing else, the report still shows its photo, and staff
// and the uploader get the copy without metadata (PhotoCopy.Purged) while
// the public sees what it saw. A photo without metadata (its own public
// copy) is kept. An adapter runs it with one line per combination of
// stores:
//
//	hazardtest.TestOriginalRetention(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore) {
//		return memstore.New(), memstore.NewUploads(), memblob.New()
//	})
func TestOriginalRetention(t *testing.T, open func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore)) {
	t.Helper()
	ctx := t.Context()
	st, ups, blobs := open(t)
	clock := NewClock(Epoch)
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: st, Clock: clock.Now, Refs: hazard.RefFormat{Prefix: "OR"}})
	require.NoError(t, err, "NewService")
	ph, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: ups, Blobs: blobs, OriginalRetention: OriginalRetention})
	require.NoError(t, err, "NewPhotos")
	citizen := hazard.User{ID: "retention-citizen", Role: string(hazard.RoleReporter)}
	dispatcher := hazard.User{ID: "retention-dispatcher", Role: string(hazard.RoleDispatcher)}
	read := func(who string, u hazard.User, key string) ([]byte, hazard.PhotoCopy) {
		t.Helper()
		rc, pc, err := ph.Open(ctx, u, key)
		require.NoError(t, err, "Open by %s", who)
		defer rc.Close()
		b, err := io.ReadAll(rc)
		require.NoError(t, err, "reading the photo for %s", who)
		return b, pc
	}

	original := JPEGWithGPS()
	stripped, err := hazard.StripMetadata(hazard.TypeJPEG, original)
	require.NoError(t, err, "StripMetadata")
	withGPS, err := ph.Upload(ctx, citizen, bytes.NewReader(original))
	require.NoError(t, err, "Upload of a photo with GPS")
	require.NotEqual(t, withGPS.Key, withGPS.PublicKey, "a photo with metadata has a public copy of its own")
	clean, err := ph.Upload(ctx, citizen, bytes.NewReader(PNGPhoto(4242)))
	require.NoError(t, err, "Upload of a photo without metadata")
	h, err := ph.Submit(ctx, citizen, hazard.SubmitInput{Category: "fire", Description: "blocked fire exit",
		Location: hazard.Location{Address: "1 Test Road"}}, []string{withGPS.Key, clean.Key}, "")
	require.NoError(t, err, "Photos.Submit")
	_, err = svc.Act(ctx, dispatcher, h.ID, hazard.ActionDispatch, hazard.ActInput{ExpectedVersion: h.Version, Department: "fire"})
	require.NoError(t, err, "dispatch (the report is public from then on)")

	clock.Set(Epoch.Add(OriginalRetention - time.Nanosecond))
	n, err := ph.PurgeOriginals(ctx)
	require.NoError(t, err, "PurgeOriginals before the period ends")
	assert.Zero(t, n, "PurgeOriginals before the period ends")
	got, pc := read("staff", dispatcher, withGPS.Key)
	assert.True(t, pc.Original, "staff get the original within the period")
	assert.Equal(t, original, got, "staff get the original within the period")

	clock.Set(Epoch.Add(OriginalRetention))
	n, err = ph.PurgeOriginals(ctx)
	require.NoError(t, err, "PurgeOriginals")
	assert.Equal(t, 1, n, "PurgeOriginals once the period ended: the original with metadata")
	_, err = blobs.Stat(ctx, withGPS.Key)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "the original's bytes are gone")
	for name, key := range map[string]string{"the public copy": withGPS.PublicKey, "a photo without metadata": clean.Key} {
		_, err := blobs.Stat(ctx, key)
		assert.NoError(t, err, "%s stays", name)
	}
	for name, u := range map[string]hazard.User{"staff": dispatcher, "the uploader": citizen} {
		got, pc := read(name, u, withGPS.Key)
		assert.Equal(t, stripped, got, "%s get the public copy once the original is purged", name)
		assert.Equal(t, hazard.PhotoCopy{ContentType: hazard.TypeJPEG, Size: int64(len(stripped)), Purged: true}, pc, "%s: the copy", name)
	}
	got, pc = read("the public", hazard.User{}, withGPS.Key)
	assert.Equal(t, stripped, got, "the public sees the public copy")
	assert.False(t, pc.Purged || pc.Original, "the public's copy is the public one")
	stored, err := st.Get(ctx, h.ID)
	require.NoError(t, err, "Get")
	assert.Len(t, stored.Photos, 2, "the report keeps its photos")
	n, err = ph.PurgeOriginals(ctx)
	require.NoError(t, err, "PurgeOriginals again")
	assert.Zero(t, n, "PurgeOriginals again")
}
