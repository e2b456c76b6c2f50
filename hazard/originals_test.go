package hazard_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// plainUploads hides the OriginalPurger capability of memstore's uploads.
type plainUploads struct{ hazard.Uploads }

func TestPurgeOriginalsNeedsTheCapability(t *testing.T) {
	f := newFixture(t)
	ph, err := hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: plainUploads{memstore.NewUploads()}, Blobs: memblob.New()})
	require.NoError(t, err)
	_, err = ph.PurgeOriginals(t.Context())
	require.ErrorIs(t, err, hazard.ErrInternal)
	require.ErrorIs(t, err, hazard.ErrNoOriginalPurge, "uploads that cannot purge are refused, not passed over")
}

func TestPhotosConfigOriginalRetention(t *testing.T) {
	f := newFixture(t)
	_, err := hazard.NewPhotos(hazard.PhotosConfig{Service: f.svc, Uploads: memstore.NewUploads(), Blobs: memblob.New(), OriginalRetention: -1})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var he *hazard.Error
	require.ErrorAs(t, err, &he)
	require.Equal(t, "original_retention", he.Fields[0].Field)
}
