package memstore_test

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

// fixtureID returns the i-th of a run of UUIDv7 values, one per
// millisecond from the epoch: increasing, as real ones mostly are.
func fixtureID(i int) uuid.UUID {
	var u uuid.UUID
	ms := uint64(hazardtest.Epoch.UnixMilli()) + uint64(i)
	binary.BigEndian.PutUint64(u[0:8], ms<<16|0x7000|uint64(i)&0x0fff)
	binary.BigEndian.PutUint64(u[8:16], 0x8000000000000000|uint64(i)*0x9e3779b97f4a7c15>>2)
	return u
}

var (
	benchStates     = []string{"submitted", "dispatched", "handling", "reviewing", "rejected", "closed"}
	benchCategories = []string{"fire", "special_equipment", "gas", "road_traffic", "electric_power", "construction", "hazardous_chemicals", "industry_trade", "other"}
	benchDepts      = []string{"fire", "market", "gas", "transport", "power", "housing", "emergency"}
	benchSources    = []hazard.Source{hazard.SourceCitizen, hazard.SourceSelfCheck, hazard.SourceInspection, hazard.SourceSupervision}
)

// fixture builds n varied hazards in a tight loop: no validation, no
// events, one shared photo slice (the store never writes into it).
func fixture(n int) []hazard.Hazard {
	base := hazardtest.NewHazard()
	hs := make([]hazard.Hazard, n)
	pts := make([]hazard.Point, n)
	for i := range hs {
		h := base
		h.ID = fixtureID(i)
		h.Ref = fmt.Sprintf("HZ-20261128-%07d", i)
		h.State = benchStates[i%len(benchStates)]
		h.Category = benchCategories[i%len(benchCategories)]
		h.Department = benchDepts[i%len(benchDepts)]
		h.Reporter.UserID = fmt.Sprintf("u%d", i%100000)
		h.Source = benchSources[i%len(benchSources)]
		pts[i] = hazard.Point{Lat: 39.8 + float64(i%1000)*0.0003, Lng: 116.2 + float64(i/1000%1000)*0.0004, System: hazard.WGS84}
		h.Location.Point = &pts[i]
		h.CreatedAt = hazardtest.Epoch.Add(time.Duration(i) * time.Millisecond)
		h.UpdatedAt = h.CreatedAt
		if h.State == "closed" {
			h.ClosedAt = h.CreatedAt.Add(time.Hour)
		}
		hs[i] = h
	}
	return hs
}

var (
	fixtures   = map[int]*memstore.Store{}
	fixturesMu sync.Mutex
)

// loaded returns a store of n hazards, built once per process.
func loaded(b *testing.B, n int) *memstore.Store {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if s, ok := fixtures[n]; ok {
		return s
	}
	start := time.Now()
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no GC while building
	s := memstore.New()
	s.Load(fixture(n))
	fixtures[n] = s
	b.Logf("built a store of %d hazards in %v", n, time.Since(start))
	return s
}

func BenchmarkCreate(b *testing.B) {
	s := memstore.New()
	hs := make([]hazard.Hazard, b.N)
	evs := make([]hazard.Event, b.N)
	for i := range hs {
		hs[i] = hazardtest.NewHazard()
		evs[i] = hazardtest.NewEvent(hs[i], hazard.EventSubmitted)
	}
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := s.Create(ctx, hs[i], evs[i:i+1], ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s := loaded(b, 10_000)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Get(ctx, fixtureID(i*7919%10_000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	s := memstore.New()
	ctx := b.Context()
	h, _, err := s.Create(ctx, hazardtest.NewHazard(), nil, "")
	if err != nil {
		b.Fatal(err)
	}
	states := []string{"dispatched", "handling"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		h.State = states[i%2]
		e := hazardtest.NewEvent(h, hazard.EventTransition)
		if h, err = s.Update(ctx, h, h.Version, []hazard.Event{e}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListPage lists a page of 20 from the middle of the store (the
// cursor names the hazard at n/2), without a filter and with filters, at
// 10k and at 1M stored hazards. The 10k runs come first, before the 1M
// store exists, so that their figures do not include collecting its heap.
func BenchmarkListPage(b *testing.B) {
	open := true
	for _, n := range []int{10_000, 1_000_000} {
		for _, c := range []struct {
			name string
			f    hazard.Filter
		}{
			{"all", hazard.Filter{}},
			{"state", hazard.Filter{States: []string{"handling"}}},
			{"category", hazard.Filter{Category: "gas"}},
			{"department+open", hazard.Filter{Department: "fire", Open: &open}},
		} {
			b.Run(fmt.Sprintf("%s/%s", size(n), c.name), func(b *testing.B) {
				s := loaded(b, n)
				ctx := b.Context()
				p := hazard.Page{Limit: hazard.DefaultPageLimit, Cursor: memstore.CursorBelow(fixtureID(n / 2))}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					l, err := s.List(ctx, c.f, p)
					if err != nil || len(l.Items) != hazard.DefaultPageLimit {
						b.Fatal(len(l.Items), err)
					}
				}
			})
		}
	}
}

func size(n int) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	return fmt.Sprintf("%dk", n/1_000)
}
