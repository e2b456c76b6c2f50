package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

func TestInspectionStore(t *testing.T) {
	inspectiontest.TestStore(t, func(t *testing.T) inspectiontest.Harness {
		db := newDB(t)
		return inspectiontest.Harness{Store: db.Inspection(), Log: db.Hazards()}
	})
}

// TestInspectionLoop drives the whole regulators' loop over PostgreSQL:
// the hazards, the register and the inspection records in one database,
// the ledger read through the register's UnitRefs and the hazard store's
// StatsRows.
func TestInspectionLoop(t *testing.T) {
	inspectiontest.TestLoop(t, func(t *testing.T) inspectiontest.Stores {
		db := newDB(t)
		hz := db.Hazards()
		return inspectiontest.Stores{Hazards: hz, Cursors: hz, Risk: db.Risk(), Inspection: db.Inspection()}
	})
}

// TestLedgerReader checks the ledger pages InspectionStore reads from the
// units' places kept on the hazards (migration 0021) against the general
// path of inspection.Service.
func TestLedgerReader(t *testing.T) {
	inspectiontest.TestLedgerReader(t, func(t *testing.T) inspectiontest.Stores {
		db := newDB(t)
		hz := db.Hazards()
		return inspectiontest.Stores{Hazards: hz, Cursors: hz, Risk: db.Risk(), Inspection: db.Inspection()}
	})
}
