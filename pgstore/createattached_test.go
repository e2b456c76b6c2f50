package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/stretchr/testify/assert"
)

// TestCreateAttached runs hazardtest.TestAttachingCreator: a submission's
// hazard and the attachment of its uploads are one transaction.
func TestCreateAttached(t *testing.T) {
	t.Parallel()
	hazardtest.TestAttachingCreator(t, func(t *testing.T) (hazard.AttachingCreator, hazard.Uploads) {
		db := newDB(t)
		return db.Hazards(), db.Uploads()
	})
	assert.False(t, newDB(t).Hazards().KeepsUploads(memstore.NewUploads()), "memory uploads")
}
