package pgstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
)

func TestBlobStoreConformance(t *testing.T) {
	hazardtest.TestBlobStore(t, func(t *testing.T) hazard.BlobStore { return newDB(t).Blobs() })
}

// twoProcesses returns two DBs on one fresh, migrated schema, each with a
// pool of its own, as two server processes have.
func twoProcesses(t *testing.T) (*pgstore.DB, *pgstore.DB) {
	t.Helper()
	pool := newSchema(t)
	a := pgstore.New(pool)
	_, err := a.Migrate(context.Background())
	require.NoError(t, err)
	other, err := pgxpool.NewWithConfig(context.Background(), pool.Config())
	require.NoError(t, err)
	t.Cleanup(other.Close)
	return a, pgstore.New(other)
}

// TestBlobStoreSharedAcrossPools: a photo one process stores, another
// reads, and a delete by either is seen by both.
func TestBlobStoreSharedAcrossPools(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	content := []byte("\x89PNG\r\n\x1a\n a photo taken on A")
	info, err := a.Blobs().Put(ctx, bytes.NewReader(content), hazard.TypePNG)
	require.NoError(t, err, "Put on A")
	rc, got, err := b.Blobs().Open(ctx, info.Key)
	require.NoError(t, err, "Open on B")
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, content, data, "content read on B")
	assert.Equal(t, info, got, "info read on B")
	require.NoError(t, b.Blobs().Delete(ctx, info.Key), "Delete on B")
	_, err = a.Blobs().Stat(ctx, info.Key)
	require.ErrorIs(t, err, hazard.ErrNotFound, "Stat on A after Delete on B")
}

// TestBlobStoreConcurrentPutsAcrossPools: processes putting the same
// content at once all succeed with the same info (the INSERT of one waits
// for another's commit and must then read what it stored).
func TestBlobStoreConcurrentPutsAcrossPools(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	for round := range 20 {
		content := []byte(fmt.Sprintf("photo %d, put by both at once", round))
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for i := range 8 {
			bs := []*pgstore.DB{a, b}[i%2].Blobs()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := bs.Put(ctx, bytes.NewReader(content), hazard.TypePNG)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err, "round %d: Put", round)
		}
	}
}

func TestBlobSweeperConformance(t *testing.T) {
	hazardtest.TestBlobSweeper(t, func(t *testing.T) (hazardtest.SweepStore, func(time.Duration)) {
		db := newDB(t)
		return db.Blobs(), func(d time.Duration) { db.AgeBlobs(t, d) }
	})
}

func TestBlobReferences(t *testing.T) {
	hazardtest.TestBlobReferences(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazardtest.SweepStore, func(time.Duration)) {
		db := newDB(t)
		return db.Hazards(), db.Uploads(), db.Blobs(), func(d time.Duration) { db.AgeBlobs(t, d) }
	})
}

// TestOriginalRetention: originals purged after their period over
// PostgreSQL, with photos in the database or in a shared directory.
func TestOriginalRetention(t *testing.T) {
	t.Run("blobs in PostgreSQL", func(t *testing.T) {
		hazardtest.TestOriginalRetention(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore) {
			db := newDB(t)
			return db.Hazards(), db.Uploads(), db.Blobs()
		})
	})
	t.Run("fsblob", func(t *testing.T) {
		hazardtest.TestOriginalRetention(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore) {
			db := newDB(t)
			blobs, err := fsblob.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return db.Hazards(), db.Uploads(), blobs
		})
	})
}
