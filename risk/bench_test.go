package risk_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// envBenchUnits overrides the number of units the benchmarks load: a
// province, 1,000,000 (with two risk points each), unless -short (10,000).
const envBenchUnits = "HAZARDLOOP_RISK_BENCH_UNITS"

// province is a memory store loaded once per size for the benchmarks.
type province struct {
	svc     *risk.Service
	hazards *memstore.Store
	store   *memrisk.Store
	units   int
}

var (
	provincesMu sync.Mutex
	provinces   = map[int]*province{}
)

func benchUnits(b *testing.B) int {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	if v := os.Getenv(envBenchUnits); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("%s: %v", envBenchUnits, err)
		}
	}
	return n
}

// loadProvince returns a store of n units in 20 departments (half of them
// in a second one), of a province's grades (10% red, 10% orange, 20%
// yellow, 60% blue), due over two years from 2026-01-01, with two risk
// points each.
func loadProvince(b *testing.B, n int) *province {
	provincesMu.Lock()
	defer provincesMu.Unlock()
	if p := provinces[n]; p != nil {
		return p
	}
	start := time.Now()
	hazards := memstore.New()
	st := memrisk.New(hazards)
	grades := []risk.Grade{risk.Red, risk.Orange, risk.Yellow, risk.Yellow, risk.Blue, risk.Blue, risk.Blue, risk.Blue, risk.Blue, risk.Blue}
	day0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		u := risktest.NewUnit(i)
		u.Departments = []string{fmt.Sprintf("dept%d", i%20)}
		if i%2 == 0 {
			u.Departments = append(u.Departments, fmt.Sprintf("dept%d", (i+7)%20))
		}
		u.Contacts = nil
		u.Grade = grades[i%10]
		u.DueAt = day0.AddDate(0, 0, i*7919%730)
		if _, err := st.CreateUnit(ctx, u, nil); err != nil {
			b.Fatal(err)
		}
		for range 2 {
			p, a := risktest.NewPoint(u.ID, u.Grade)
			if _, err := st.CreatePoint(ctx, p, a); err != nil {
				b.Fatal(err)
			}
		}
	}
	svc, err := risk.New(risk.Config{Store: st, Hazards: hazards, Clock: func() time.Time { return day0.AddDate(0, 6, 0) }})
	if err != nil {
		b.Fatal(err)
	}
	p := &province{svc: svc, hazards: hazards, store: st, units: n}
	provinces[n] = p
	b.Logf("loaded %d units and %d risk points in %v", n, 2*n, time.Since(start))
	return p
}

// BenchmarkPlanMonth draws up one department's plan for a month in a
// province: the due-date index of the department, not every unit.
func BenchmarkPlanMonth(b *testing.B) {
	p := loadProvince(b, benchUnits(b))
	q := risk.PlanQuery{Department: "dept7", From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Seed: 1,
		Inspectors: []risk.Inspector{{ID: "i1"}, {ID: "i2"}, {ID: "i3"}, {ID: "i4"}}}
	var plan risk.Plan
	for b.Loop() {
		var err error
		if plan, err = p.svc.Plan(ctx, staff, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(plan.Due)), "due")
	b.ReportMetric(float64(len(plan.Overdue)), "overdue")
	b.ReportMetric(float64(len(plan.Drawn)), "drawn")
}

// BenchmarkRecompute regrades one unit with k risk points and k open
// hazards, in a store of a province and in one of a thousand units: the
// cost follows k, not the size of the store.
func BenchmarkRecompute(b *testing.B) {
	for _, n := range []int{1000, benchUnits(b)} {
		p := loadProvince(b, n)
		for _, k := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("units=%d/points=%d", n, k), func(b *testing.B) {
				id := benchUnitWith(b, p, k)
				for b.Loop() {
					if _, err := p.svc.Recompute(ctx, id); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchUnitWith registers a unit with k risk points and k open hazards.
func benchUnitWith(b *testing.B, p *province, k int) uuid.UUID {
	b.Helper()
	u, err := p.svc.RegisterUnit(ctx, staff, unitInput(9_000_000+k*10+p.units%7))
	if err != nil {
		b.Fatal(err)
	}
	for range k {
		if _, err := p.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "p", Kind: risk.KindPlace, Assess: lecInput(10, 10, 10)}); err != nil {
			b.Fatal(err)
		}
		h := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()))
		if _, _, err := p.hazards.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, ""); err != nil {
			b.Fatal(err)
		}
	}
	return u.ID
}
