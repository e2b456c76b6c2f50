package pgstore_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// envRiskBenchUnits overrides the number of units BenchmarkRiskPostgres
// loads (default 1,000,000, with 2,000,000 risk points).
const envRiskBenchUnits = "HAZARDLOOP_RISK_BENCH_UNITS"

// BenchmarkRiskPostgres loads a province into PostgreSQL (1,000,000 units
// in 20 departments, 2,000,000 risk points; HAZARDLOOP_RISK_BENCH_UNITS
// overrides the count) and measures one department's plan for a month and
// the regrading of one unit with k risk points and k open hazards. It is
// skipped by -short.
func BenchmarkRiskPostgres(b *testing.B) {
	if testing.Short() {
		b.Skip("loads a province: skipped by -short")
	}
	n := 1_000_000
	if v := os.Getenv(envRiskBenchUnits); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	db := newDB(b)
	loadRiskRows(b, db, n)
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	svc, err := risk.New(risk.Config{Store: db.Risk(), Hazards: db.Hazards(), Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	staff := hazard.User{ID: "admin-1", Role: "admin"}

	b.Run("plan a month", func(b *testing.B) {
		q := risk.PlanQuery{Department: "dept3", From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
			Seed: 1, Inspectors: []risk.Inspector{{ID: "i1"}, {ID: "i2"}, {ID: "i3"}}}
		var plan risk.Plan
		for b.Loop() {
			if plan, err = svc.Plan(ctx, staff, q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(plan.Due)), "due")
		b.ReportMetric(float64(len(plan.Overdue)), "overdue")
		b.ReportMetric(float64(len(plan.Drawn)), "drawn")
	})
	for _, k := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("recompute/points=%d", k), func(b *testing.B) {
			id := pgUnitWith(b, svc, db, staff, k)
			for b.Loop() {
				if _, err := svc.Recompute(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// pgUnitWith registers a unit with k risk points and k open hazards.
func pgUnitWith(b *testing.B, svc *risk.Service, db *pgstore.DB, staff hazard.User, k int) uuid.UUID {
	b.Helper()
	ctx := b.Context()
	u, err := svc.RegisterUnit(ctx, staff, risk.UnitInput{CreditCode: risktest.CreditCode(9_000_000 + k), Name: "bench", Industry: "chemicals",
		Size: risk.SizeSmall, Location: hazard.Location{Address: "1 Bench Road"}, Departments: []string{"dept3"}})
	if err != nil {
		b.Fatal(err)
	}
	for range k {
		in := risk.PointInput{Name: "p", Kind: risk.KindPlace,
			Assess: risk.AssessInput{Method: risk.MethodLS, Values: map[string]risk.Tenths{"l": 10, "s": 10}}}
		if _, err := svc.AddPoint(ctx, staff, u.ID, in); err != nil {
			b.Fatal(err)
		}
		h := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()))
		if _, _, err := db.Hazards().Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, ""); err != nil {
			b.Fatal(err)
		}
	}
	return u.ID
}
