package pgstore_test

import (
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// TestAnonymousConformance runs the anonymous reports' kit on PostgreSQL:
// the claim code attempts are limited across the two services by the
// shared limiter table.
func TestAnonymousConformance(t *testing.T) {
	testURL(t)
	hazardtest.TestAnonymous(t, func(t *testing.T, now func() time.Time) (hazard.Store, hazard.Limiter) {
		db := newDB(t)
		return db.Hazards(), db.Limiter(now)
	})
}
