package pgstore_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

// envLedgerBenchUnits overrides the number of units (and hazards)
// BenchmarkLedgerPostgres loads (default 200,000).
const envLedgerBenchUnits = "HAZARDLOOP_LEDGER_BENCH_UNITS"

// BenchmarkLedgerPostgres loads n units in 100 districts and n hazards
// found at them (HAZARDLOOP_LEDGER_BENCH_UNITS, default 200,000) and
// measures the reconciliation ledger of one district and of one unit
// through inspection.Service: the whole ledger (the register's UnitRefs,
// then one hazard.StatsQuery over the units, HazardStore.StatsRows), and
// a page of it with its counts (LedgerPage, InspectionStore.ReadLedger).
// It first checks the plans of those statements at that size
// (requireLedgerPlans). It is skipped by -short.
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
	b.Logf("loading %d units and hazards", n)
	loadLedgerRows(b, db, n, n)
	svc := ledgerService(b, db)
	requireLedgerPlans(b, db, n)
	var err error
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
		// A page of the same ledger with its counts (Service.LedgerPage,
		// through InspectionStore's LedgerReader).
		b.Run(c.name+"_page", func(b *testing.B) {
			var pg inspection.LedgerPage
			for b.Loop() {
				if pg, err = svc.LedgerPage(ctx, staff, c.q, hazard.Page{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(pg.Rows)), "rows")
			b.ReportMetric(float64(pg.Counts.Found), "found")
		})
	}
}
