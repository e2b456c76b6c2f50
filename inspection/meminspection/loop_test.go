package meminspection_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
	"github.com/hazardloop/hazardloop/risk/memrisk"
)

// The whole regulators' loop over the memory adapters.
func TestLoop(t *testing.T) {
	inspectiontest.TestLoop(t, func(t *testing.T) inspectiontest.Stores {
		hz := memstore.New()
		return inspectiontest.Stores{Hazards: hz, Cursors: hz, Risk: memrisk.New(hz), Inspection: meminspection.New(hz)}
	})
}

// The memory store has no LedgerReader capability: the kit says so.
func TestLedgerReader(t *testing.T) {
	inspectiontest.TestLedgerReader(t, func(t *testing.T) inspectiontest.Stores {
		hz := memstore.New()
		return inspectiontest.Stores{Hazards: hz, Cursors: hz, Risk: memrisk.New(hz), Inspection: meminspection.New(hz)}
	})
}
