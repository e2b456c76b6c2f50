package hazard_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// benchBase is the report the benchmarks submit, made once so that the
// harness (hashing a photo) stays out of the measurement. Submit copies
// what it keeps, so sharing its photos between reports is safe.
var benchBase = fireReport()

// benchReport returns a report at a point of its own (no duplicates).
func benchReport(i int64) hazard.SubmitInput {
	in := benchBase
	p := here
	p.Lat += float64(i%1000) * 0.001
	p.Lng += float64(i/1000%1000) * 0.001
	in.Location.Point = &p
	return in
}

func benchUser(i int64) hazard.User {
	return hazard.User{ID: "bench-" + strconv.FormatInt(i, 10), Role: "reporter"}
}

func BenchmarkSubmit(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i++
		if _, err := f.svc.Submit(ctx, benchUser(i%500), benchReport(i), ""); err != nil && hazard.ErrorCode(err) != hazard.CodeRateLimited {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubmitParallel(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := f.svc.Submit(ctx, benchUser(i%500), benchReport(i), ""); err != nil && hazard.ErrorCode(err) != hazard.CodeRateLimited {
				b.Error(err)
				return
			}
		}
	})
}

// benchHazards submits n hazards for Act benchmarks.
func benchHazards(b *testing.B, f *fixture, n int) []hazard.Hazard {
	b.Helper()
	out := make([]hazard.Hazard, n)
	for i := range out {
		h, err := f.svc.Submit(context.Background(), dispatcher, benchReport(int64(i)), "")
		if err != nil {
			b.Fatal(err)
		}
		out[i] = h
	}
	return out
}

func BenchmarkAct(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	hs := benchHazards(b, f, b.N)
	in := hazard.ActInput{Department: "fire", ExpectedVersion: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.svc.Act(ctx, dispatcher, hs[i].ID, "dispatch", in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkActParallel(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	hs := benchHazards(b, f, b.N)
	in := hazard.ActInput{Department: "fire", ExpectedVersion: 1}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1) - 1
			if _, err := f.svc.Act(ctx, dispatcher, hs[i].ID, "dispatch", in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkFullLoop drives one hazard through the citizen loop (submit,
// dispatch, accept, resolve, return, resolve, approve) and delivers its
// seven events to a consumer through the relay.
func BenchmarkFullLoop(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, func(c *hazard.ServiceConfig) { c.SubmitsPerDay = -1 })
	var delivered atomic.Int64
	r, err := relay.New(f.store, f.store, relay.Config{Consumers: []relay.Consumer{{Name: "count", Handle: func(context.Context, hazard.Event) error {
		delivered.Add(1)
		return nil
	}}}})
	if err != nil {
		b.Fatal(err)
	}
	evidence := []hazard.Photo{photo("after")}
	steps := []struct {
		u      hazard.User
		action string
		in     hazard.ActInput
	}{
		{dispatcher, "dispatch", hazard.ActInput{Department: "fire"}},
		{fireDept, "accept", hazard.ActInput{}},
		{fireDept, "resolve", hazard.ActInput{Note: "fixed", Photos: evidence}},
		{reviewer, "return", hazard.ActInput{Note: "unclear"}},
		{fireDept, "resolve", hazard.ActInput{Note: "fixed", Photos: evidence}},
		{reviewer, "approve", hazard.ActInput{}},
	}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		i++
		h, err := f.svc.Submit(ctx, citizen, benchReport(i), "")
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range steps { // s is a copy: the table stays as written
			s.in.ExpectedVersion = h.Version
			if h, err = f.svc.Act(ctx, s.u, h.ID, s.action, s.in); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.Drain(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if want := 7 * i; delivered.Load() != want {
		b.Fatalf("delivered %d events, want %d", delivered.Load(), want)
	}
}
