package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/follow/followtest"
)

func TestFollowStoreConformance(t *testing.T) {
	testURL(t)
	followtest.TestStore(t, func(t *testing.T) followtest.Harness {
		db := newDB(t)
		return followtest.Harness{Store: db.Follows(), Hazards: db.Hazards()}
	})
}
