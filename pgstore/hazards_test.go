package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestHazardStoreConformance(t *testing.T) {
	testURL(t)
	hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return newDB(t).Hazards() })
}
