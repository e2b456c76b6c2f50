package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// impl is one implementation under test. start prepares a new hazard (a
// looplab FSM, a stateless context) and returns its firer and context.
type impl struct {
	name  string
	start func(ctx context.Context, h *Hazard) (Firer, context.Context)
}

// impls returns the implementations, the baseline right after hazardloop
// so that the two run close together.
func impls() []impl {
	hl := Hazardloop{Def: hazard.CitizenReport().Definition()}
	sl := NewStateless()
	return []impl{
		{"hazardloop", func(ctx context.Context, _ *Hazard) (Firer, context.Context) { return hl, ctx }},
		{"switch", func(ctx context.Context, _ *Hazard) (Firer, context.Context) { return Switch{}, ctx }},
		{"stateless", func(ctx context.Context, h *Hazard) (Firer, context.Context) { return sl, WithHazard(ctx, h) }},
		{"looplab", func(ctx context.Context, h *Hazard) (Firer, context.Context) { return NewLooplab(h), ctx }},
	}
}

// cycle takes a new hazard through steps. Before each step the hazard's
// state is set to the step's From, as a request that loads the hazard's row
// finds it.
func cycle(ctx context.Context, im impl, h *Hazard, steps []Step) error {
	h.State, h.DeadlineIn, h.Deadline = steps[0].From, 0, time.Time{}
	f, ctx := im.start(ctx, h)
	for _, s := range steps {
		h.State = s.From
		if err := f.Fire(ctx, h, s); err != nil {
			return err
		}
	}
	return nil
}

// stepsOf returns Cycle(h), or Owned(Cycle(h)) when owned is set.
func stepsOf(h *Hazard, owned bool) []Step {
	if owned {
		return Owned(Cycle(h))
	}
	return Cycle(h)
}

// TestImplementationsAgree checks that every implementation does the same
// thing, with constant and owned names, sequentially and concurrently; it
// times nothing.
func TestImplementationsAgree(t *testing.T) {
	ctx := context.Background()
	for _, im := range impls() {
		for _, owned := range []bool{false, true} {
			name := im.name
			if owned {
				name += "/owned"
			}
			t.Run(name, func(t *testing.T) {
				testImplementation(t, ctx, im, owned)
			})
		}
	}
}

func testImplementation(t *testing.T, ctx context.Context, im impl, owned bool) {
	for _, major := range []bool{false, true} {
		h := &Hazard{major: major}
		steps := stepsOf(h, owned)
		// Each step, alone, reaches the state the next one starts from.
		want := []string{"dispatched", "accepted", "resolved", "closed_valid"}
		for i := range steps {
			if err := cycle(ctx, im, h, steps[i:i+1]); err != nil {
				t.Fatalf("step %s from %s: %v", steps[i].Action, steps[i].From, err)
			}
			if h.State != want[i] {
				t.Errorf("step %s from %s ended in %q, want %q", steps[i].Action, steps[i].From, h.State, want[i])
			}
		}
		if err := cycle(ctx, im, h, steps); err != nil {
			t.Fatalf("cycle: %v", err)
		}
		if h.State != "closed_valid" || h.DeadlineIn != 0 || !h.Deadline.IsZero() {
			t.Errorf("cycle ended in %q (%v, %v), want closed_valid with no deadline", h.State, h.DeadlineIn, h.Deadline)
		}
		// Stop before approve to check the deadline of resolved.
		if err := cycle(ctx, im, h, steps[:3]); err != nil {
			t.Fatalf("cycle[:3]: %v", err)
		}
		wantDue := steps[2].Input.Now.Add(deadline("resolved", major))
		if h.State != "resolved" || h.DeadlineIn != deadline("resolved", major) || !h.Deadline.Equal(wantDue) || h.Deadline.Location() != time.UTC {
			t.Errorf("after resolve: %q %v, want resolved %v", h.State, h.DeadlineIn, deadline("resolved", major))
		}
		if err := cycle(ctx, im, h, steps[:2]); err != nil || h.DeadlineIn != deadline("accepted", major) {
			t.Errorf("after accept: %v %v, want %v", err, h.DeadlineIn, deadline("accepted", major))
		}
	}
	h := &Hazard{Status: workflow.Status{State: "submitted"}}
	f, fctx := im.start(ctx, h)
	notAllowed := NotAllowed(h)
	if owned {
		notAllowed = Owned([]Step{notAllowed})[0]
	}
	if err := f.Fire(fctx, h, notAllowed); err == nil {
		t.Errorf("approve from submitted: no error")
	}
	wrongRole := stepsOf(h, owned)[0]
	wrongRole.Actor.Role = hazard.RoleReporter
	if err := f.Fire(fctx, h, wrongRole); err == nil {
		t.Errorf("dispatch as reporter: no error")
	}
	noDept := stepsOf(h, owned)[0]
	noDept.Input = &workflow.Input{}
	if err := f.Fire(fctx, h, noDept); err == nil {
		t.Errorf("dispatch without department: no error")
	}
	if h.State != "submitted" {
		t.Errorf("refusals changed the state to %q", h.State)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &Hazard{}
			steps := stepsOf(h, owned)
			for range 100 {
				if err := cycle(ctx, im, h, steps); err != nil || h.State != "closed_valid" {
					t.Errorf("concurrent cycle: %v, state %q", err, h.State)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCycle takes one new hazard per op through the four steps, with
// string constants for the states and actions.
func BenchmarkCycle(b *testing.B) { benchCycle(b, false) }

// BenchmarkCycleOwned is BenchmarkCycle with states and actions that own
// their bytes, as a row read from a database and a decoded request do.
func BenchmarkCycleOwned(b *testing.B) { benchCycle(b, true) }

func benchCycle(b *testing.B, owned bool) {
	ctx := context.Background()
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			h := &Hazard{}
			steps := stepsOf(h, owned)
			b.ReportAllocs()
			for b.Loop() {
				if err := cycle(ctx, im, h, steps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCycleParallel is BenchmarkCycle over many hazards from
// GOMAXPROCS goroutines sharing one definition (or machine).
func BenchmarkCycleParallel(b *testing.B) { benchCycleParallel(b, false) }

// BenchmarkCycleParallelOwned is BenchmarkCycleParallel with owned names.
func BenchmarkCycleParallelOwned(b *testing.B) { benchCycleParallel(b, true) }

func benchCycleParallel(b *testing.B, owned bool) {
	ctx := context.Background()
	const hazards = 256
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				pool := make([]*Hazard, hazards)
				steps := make([][]Step, hazards)
				for i := range pool {
					pool[i] = &Hazard{major: i%5 == 0}
					steps[i] = stepsOf(pool[i], owned)
				}
				i := 0
				for pb.Next() {
					if err := cycle(ctx, im, pool[i], steps[i]); err != nil {
						b.Error(err)
						return
					}
					i = (i + 1) % hazards
				}
			})
		})
	}
}

// BenchmarkNotAllowed fires an action not allowed in the current state
// (approve a submitted hazard) at one stored hazard.
func BenchmarkNotAllowed(b *testing.B) { benchNotAllowed(b, false) }

// BenchmarkNotAllowedOwned is BenchmarkNotAllowed with owned names.
func BenchmarkNotAllowedOwned(b *testing.B) { benchNotAllowed(b, true) }

func benchNotAllowed(b *testing.B, owned bool) {
	ctx := context.Background()
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			h := &Hazard{}
			s := NotAllowed(h)
			if owned {
				s = Owned([]Step{s})[0]
			}
			h.State = s.From
			f, fctx := im.start(ctx, h)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Fire(fctx, h, s); err == nil {
					b.Fatal("no error")
				}
			}
		})
	}
}

// BenchmarkPaired measures hazardloop against the switch in alternation:
// slices of pairedSlice cycles of one, then of the other (the order
// swapped every slice), so that on a shared machine both see the same
// load. It reports each one's ns per cycle and their ratio, x-switch
// (hazardloop's time over the switch's), which is far steadier than the
// ratio of two benchmarks run one after the other. ns/op counts a cycle of
// each.
func BenchmarkPaired(b *testing.B) {
	ctx := context.Background()
	var hl, sw impl
	for _, im := range impls() {
		switch im.name {
		case "hazardloop":
			hl = im
		case "switch":
			sw = im
		}
	}
	for _, sc := range []struct {
		name  string
		owned bool
	}{{"Cycle", false}, {"CycleOwned", true}} {
		b.Run(sc.name, func(b *testing.B) {
			const pairedSlice = 512
			h1, h2 := &Hazard{}, &Hazard{}
			s1, s2 := stepsOf(h1, sc.owned), stepsOf(h2, sc.owned)
			run := func(im impl, h *Hazard, steps []Step) time.Duration {
				start := time.Now()
				for range pairedSlice {
					if err := cycle(ctx, im, h, steps); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start)
			}
			var t1, t2 time.Duration
			b.ReportAllocs()
			for i := 0; i < b.N; i += pairedSlice {
				if i/pairedSlice%2 == 0 {
					t1 += run(hl, h1, s1)
					t2 += run(sw, h2, s2)
				} else {
					t2 += run(sw, h2, s2)
					t1 += run(hl, h1, s1)
				}
			}
			cycles := float64((b.N + pairedSlice - 1) / pairedSlice * pairedSlice)
			b.ReportMetric(float64(t1.Nanoseconds())/cycles, "hazardloop-ns/cycle")
			b.ReportMetric(float64(t2.Nanoseconds())/cycles, "switch-ns/cycle")
			b.ReportMetric(float64(t1)/float64(t2), "x-switch")
		})
	}
}
