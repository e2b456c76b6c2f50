package inspection_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/meminspection"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/memrisk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// BenchmarkLedgerMemory measures the ledger over the memory adapters:
// a district's units from memrisk's district index, then their hazards
// from memstore's index by unit (hazard.StatsReader), counted by
// hazard.StatsOf. units units (two districts) with one hazard each.
func BenchmarkLedgerMemory(b *testing.B) {
	for _, units := range []int{1_000, 10_000} {
		hz := memstore.New()
		reg := memrisk.New(hz)
		var ids []uuid.UUID
		for i := range units {
			u := risktest.NewUnit(i)
			if _, err := reg.CreateUnit(b.Context(), u, nil); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, u.ID)
			h := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()), hazardtest.WithSource(hazard.SourceInspection))
			if _, _, err := hz.Create(b.Context(), h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, ""); err != nil {
				b.Fatal(err)
			}
		}
		hs, _ := hazard.NewService(hazard.ServiceConfig{Store: hz})
		rs, _ := risk.New(risk.Config{Store: reg, Hazards: hz})
		svc, err := inspection.New(inspection.Config{Store: meminspection.New(hz), Units: reg, Hazards: hs, HazardStore: hz, Risk: rs,
			Clock: func() time.Time { return risktest.Epoch }})
		if err != nil {
			b.Fatal(err)
		}
		staff := hazard.User{ID: "admin-1", Role: "admin"}
		for _, c := range []struct {
			name string
			q    inspection.LedgerQuery
		}{
			{"district", inspection.LedgerQuery{District: "d1"}},
			{"unit", inspection.LedgerQuery{UnitID: ids[units/3]}},
		} {
			b.Run(fmt.Sprintf("units=%d/%s", units, c.name), func(b *testing.B) {
				var l inspection.Ledger
				for b.Loop() {
					if l, err = svc.Ledger(b.Context(), staff, c.q); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(l.Rows)), "rows")
			})
		}
	}
}
