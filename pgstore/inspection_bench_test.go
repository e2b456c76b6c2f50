package pgstore_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// envLedgerBenchUnits overrides the number of units (and hazards)
// BenchmarkLedgerPostgres loads (default 200,000).
const envLedgerBenchUnits = "HAZARDLOOP_LEDGER_BENCH_UNITS"

// BenchmarkLedgerPostgres loads n units in 100 districts and n hazards
// found at them (HAZARDLOOP_LEDGER_BENCH_UNITS, default 200,000) and
// measures the reconciliation ledger of one district and of one unit
// through inspection.Service, which reads InspectionStore's LedgerReader.
// It is skipped by -short.
func BenchmarkLedgerPostgres(b *testing.B) {
	if testing.Short() {
		b.Skip("loads a province: skipped by -short")
	}
	n := 200_000
	if v := os.Getenv(envLedgerBenchUnits); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	db := newDB(b)
	loadLedgerRows(b, db, n, n)
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	hz, err := hazard.NewService(hazard.ServiceConfig{Store: db.Hazards(), Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	rs, err := risk.New(risk.Config{Store: db.Risk(), Hazards: db.Hazards(), Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := inspection.New(inspection.Config{Store: db.Inspection(), Units: db.Risk(), Hazards: hz, HazardStore: db.Hazards(), Risk: rs, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	staff := hazard.User{ID: "admin-1", Role: "admin"}
	for _, c := range []struct {
		name string
		q    inspection.LedgerQuery
	}{
		{"district", inspection.LedgerQuery{District: "d42"}},
		{"unit", inspection.LedgerQuery{UnitID: riskUnitID(n / 3)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var l inspection.Ledger
			for b.Loop() {
				if l, err = svc.Ledger(ctx, staff, c.q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(l.Rows)), "rows")
		})
	}
}
