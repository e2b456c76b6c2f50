package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestErasureConformance(t *testing.T) {
	t.Parallel()
	hazardtest.TestErasure(t, func(t *testing.T) hazard.Store { return newDB(t).Hazards() })
}
