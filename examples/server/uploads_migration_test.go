package server_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
)

// TestUploadsOfAnOlderServer: the rows an older server wrote in its own
// tables (server_uploads, server_photo_refs) are moved into pgstore's and
// honoured: a used upload's photo is served (its public copy stripped when
// read, since none was kept), an unused one is still its owner's to use.
func TestUploadsOfAnOlderServer(t *testing.T) {
	dbURL := testSchema(t)
	ctx := context.Background()
	db, err := pgstore.Open(ctx, dbURL)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Migrate(ctx)
	require.NoError(t, err, "pgstore.Migrate")
	require.NoError(t, server.MigrateServerUpTo(ctx, db, 1), "the older server's schema")

	// What the older server stored: two uploads of citizen-1, one used in
	// a report.
	now := time.Now().UTC()
	used, err := db.Blobs().Put(ctx, bytes.NewReader(jpegWithGPS()), hazard.TypeJPEG)
	require.NoError(t, err)
	unused, err := db.Blobs().Put(ctx, bytes.NewReader(pngPhoto(t, 7)), hazard.TypePNG)
	require.NoError(t, err)
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: db.Hazards()})
	require.NoError(t, err)
	h, err := svc.Submit(ctx, hazard.User{ID: "citizen-1", Role: "reporter", Verified: true}, hazard.SubmitInput{
		Category: "fire", Description: "旧版本上传的照片", Location: hazard.Location{Address: "迁移测试路1号"},
		Photos: []hazard.Photo{{SHA256: used.Key, ContentType: used.ContentType, Size: used.Size}},
	}, "")
	require.NoError(t, err)
	for _, u := range []struct {
		info hazard.BlobInfo
		used bool
	}{{used, true}, {unused, false}} {
		_, err = db.Pool().Exec(ctx, `INSERT INTO server_uploads (owner, key, content_type, size, created_ns, used) VALUES ($1, $2, $3, $4, $5, $6)`,
			"citizen-1", u.info.Key, u.info.ContentType, u.info.Size, now.UnixNano(), u.used)
		require.NoError(t, err)
	}
	_, err = db.Pool().Exec(ctx, `INSERT INTO server_photo_refs (key, hazard_id) VALUES ($1, $2)`, used.Key, h.ID)
	require.NoError(t, err)

	// Reports public from their submission: the older upload's report was
	// never forwarded, and its public photo is what this test reads.
	s := startServer(t, func(c *server.Config) {
		c.DatabaseURL, c.PhotoDir = dbURL, ""
		c.Moderation.Publish = hazard.PublishOnSubmit
	})
	r := s.do("GET", "/photos/"+used.Key, "", nil)
	require.Equal(t, http.StatusOK, r.status, "public photo of an older upload: %s", r.body)
	assert.NotContains(t, string(r.body), "GPS", "the public copy is stripped")
	assert.Contains(t, r.header.Get("Cache-Control"), "public")
	citizen := s.login("citizen-1")
	r = s.do("GET", "/photos/"+used.Key, citizen, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "GPSLatitude", "the uploader's original")
	r = s.do("GET", "/photos/"+unused.Key, "", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "an unused upload is not public")
	v := s.submit(citizen, []string{unused.Key})
	assert.NotEmpty(t, v["id"], "an older pending upload used in a report")

	var n int
	require.NoError(t, db.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name IN ('server_uploads', 'server_photo_refs')`).Scan(&n))
	assert.Zero(t, n, "the older tables are dropped")
}
