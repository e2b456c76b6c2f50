package memrisk_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

func TestStore(t *testing.T) {
	risktest.TestStore(t, func(t *testing.T) (risk.Store, hazard.EventLog) {
		log := memstore.New()
		return memrisk.New(log), log
	})
}
