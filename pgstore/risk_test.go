package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

func TestRiskStore(t *testing.T) {
	risktest.TestStore(t, func(t *testing.T) (risk.Store, hazard.EventLog) {
		db := newDB(t)
		return db.Risk(), db.Hazards()
	})
}
