package memstore_test

import (
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestUploads(t *testing.T) {
	hazardtest.TestUploads(t, func(*testing.T) hazard.Uploads { return memstore.NewUploads() })
}

func TestBlobReferences(t *testing.T) {
	hazardtest.TestBlobReferences(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazardtest.SweepStore, func(time.Duration)) {
		clock := hazardtest.NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		return memstore.New(), memstore.NewUploads(), memblob.NewWithClock(clock.Now), clock.Advance
	})
}

func TestOriginalRetention(t *testing.T) {
	t.Run("memblob", func(t *testing.T) {
		hazardtest.TestOriginalRetention(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore) {
			return memstore.New(), memstore.NewUploads(), memblob.New()
		})
	})
	t.Run("fsblob", func(t *testing.T) {
		hazardtest.TestOriginalRetention(t, func(t *testing.T) (hazard.Store, hazard.Uploads, hazard.BlobStore) {
			blobs, err := fsblob.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return memstore.New(), memstore.NewUploads(), blobs
		})
	})
}
