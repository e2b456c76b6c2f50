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

func impls() []impl {
	hl := Hazardloop{Def: hazard.CitizenReport().Definition()}
	sl := NewStateless()
	return []impl{
		{"hazardloop", func(ctx context.Context, _ *Hazard) (Firer, context.Context) { return hl, ctx }},
		{"hazardloop_fire", func(ctx context.Context, _ *Hazard) (Firer, context.Context) { return HazardloopFire(hl), ctx }},
		{"stateless", func(ctx context.Context, h *Hazard) (Firer, context.Context) { return sl, WithHazard(ctx, h) }},
		{"looplab", func(ctx context.Context, h *Hazard) (Firer, context.Context) { return NewLooplab(h), ctx }},
		{"switch", func(ctx context.Context, _ *Hazard) (Firer, context.Context) { return Switch{}, ctx }},
	}
}

// cycle takes a new hazard through the four steps.
func cycle(ctx context.Context, im impl, h *Hazard, steps []Step) error {
	h.State, h.DeadlineIn, h.Deadline = "submitted", 0, time.Time{}
	f, ctx := im.start(ctx, h)
	for _, s := range steps {
		if err := f.Fire(ctx, h, s); err != nil {
			return err
		}
	}
	return nil
}

// TestImplementationsAgree checks that every implementation does the same
// thing, sequentially and concurrently; it times nothing.
func TestImplementationsAgree(t *testing.T) {
	ctx := context.Background()
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			for _, major := range []bool{false, true} {
				h := &Hazard{major: major}
				steps := Cycle(h)
				if err := cycle(ctx, im, h, steps); err != nil {
					t.Fatalf("cycle: %v", err)
				}
				if h.State != "closed_valid" {
					t.Errorf("cycle ended in %q, want closed_valid", h.State)
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
			if err := f.Fire(fctx, h, NotAllowed(h)); err == nil {
				t.Errorf("approve from submitted: no error")
			}
			wrongRole := Cycle(h)[0]
			wrongRole.Actor.Role = hazard.RoleReporter
			if err := f.Fire(fctx, h, wrongRole); err == nil {
				t.Errorf("dispatch as reporter: no error")
			}
			noDept := Cycle(h)[0]
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
					steps := Cycle(h)
					for range 100 {
						if err := cycle(ctx, im, h, steps); err != nil || h.State != "closed_valid" {
							t.Errorf("concurrent cycle: %v, state %q", err, h.State)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// BenchmarkCycle takes one new hazard per op through the four steps.
func BenchmarkCycle(b *testing.B) {
	ctx := context.Background()
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			h := &Hazard{}
			steps := Cycle(h)
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
func BenchmarkCycleParallel(b *testing.B) {
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
					steps[i] = Cycle(pool[i])
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
func BenchmarkNotAllowed(b *testing.B) {
	ctx := context.Background()
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			h := &Hazard{Status: workflow.Status{State: "submitted"}}
			f, fctx := im.start(ctx, h)
			s := NotAllowed(h)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Fire(fctx, h, s); err == nil {
					b.Fatal("no error")
				}
			}
		})
	}
}

// refuseLikeFire has Fire's signature and refuses at once, without looking
// anything up.
//
//go:noinline
func refuseLikeFire(_ context.Context, _, _ string, _ workflow.Actor, _ *workflow.Input) (workflow.Transition, error) {
	return workflow.Transition{}, errConflict
}

// refuseLikeApply has Apply's signature and refuses at once.
//
//go:noinline
func refuseLikeApply(_ context.Context, _ *workflow.Status, _ string, _ workflow.Actor, _ *workflow.Input) error {
	return errConflict
}

type fireFloor struct{}

func (fireFloor) Fire(ctx context.Context, h *Hazard, s Step) error {
	t, err := refuseLikeFire(ctx, h.State, s.Action, s.Actor, s.Input)
	if err != nil {
		return err
	}
	h.State, h.DeadlineIn, h.Deadline = t.To, t.DeadlineIn, t.Deadline
	return nil
}

type applyFloor struct{}

func (applyFloor) Fire(ctx context.Context, h *Hazard, s Step) error {
	return refuseLikeApply(ctx, &h.Status, s.Action, s.Actor, s.Input)
}

// BenchmarkCallFloor is NotAllowed with functions of Fire's and Apply's
// signatures that refuse at once, called through the same adapters: the
// cost of the call alone, which no implementation behind that signature
// can go below. Fire's result, a Transition of 14 words, is passed in
// memory; Apply's, an error, in registers.
func BenchmarkCallFloor(b *testing.B) {
	ctx := context.Background()
	for _, f := range []struct {
		name string
		f    Firer
	}{{"fire_signature", fireFloor{}}, {"apply_signature", applyFloor{}}, {"switch", Switch{}}} {
		b.Run(f.name, func(b *testing.B) {
			h := &Hazard{Status: workflow.Status{State: "submitted"}}
			s := NotAllowed(h)
			b.ReportAllocs()
			for b.Loop() {
				if err := f.f.Fire(ctx, h, s); err == nil {
					b.Fatal("no error")
				}
			}
		})
	}
}
