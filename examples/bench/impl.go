package bench

import (
	"context"

	"github.com/looplab/fsm"
	"github.com/qmuntal/stateless"

	"github.com/hazardloop/hazardloop/workflow"
)

// Hazardloop advances the hazard's status in place with the citizen
// preset's Apply, the call hazard.Service makes.
type Hazardloop struct{ Def *workflow.Definition }

// Fire implements Firer.
func (w Hazardloop) Fire(ctx context.Context, h *Hazard, s Step) error {
	return w.Def.Apply(ctx, &h.Status, s.Action, s.Actor, s.Input)
}

// Switch is the hand-written baseline.
type Switch struct{}

// Fire implements Firer.
func (Switch) Fire(_ context.Context, h *Hazard, s Step) error {
	var to string
	switch h.State {
	case "submitted":
		switch s.Action {
		case "dispatch":
			to = "dispatched"
		case "reject":
			to = "closed_invalid"
		case "withdraw":
			to = "withdrawn"
		}
	case "dispatched":
		switch s.Action {
		case "accept":
			to = "accepted"
		case "send_back":
			to = "submitted"
		}
	case "accepted":
		if s.Action == "resolve" {
			to = "resolved"
		}
	case "resolved":
		switch s.Action {
		case "approve":
			to = "closed_valid"
		case "return":
			to = "accepted"
		}
	}
	if to == "" {
		return errConflict
	}
	if !roleOK(s.Action, s.Actor) {
		return errForbidden
	}
	if !inputsOK(s.Action, s.Input) {
		return errInvalid
	}
	h.State = to
	setDeadline(h, s.Input)
	return nil
}

// citizenEvents are the citizen preset's transitions, for the peers.
var citizenEvents = []struct {
	name string
	src  []string
	dst  string
}{
	{"dispatch", []string{"submitted"}, "dispatched"},
	{"reject", []string{"submitted"}, "closed_invalid"},
	{"withdraw", []string{"submitted"}, "withdrawn"},
	{"accept", []string{"dispatched"}, "accepted"},
	{"send_back", []string{"dispatched"}, "submitted"},
	{"resolve", []string{"accepted"}, "resolved"},
	{"approve", []string{"resolved"}, "closed_valid"},
	{"return", []string{"resolved"}, "accepted"},
}

type hazardKey struct{}

// Stateless is one shared stateless machine with external storage.
type Stateless struct{ sm *stateless.StateMachine }

// NewStateless builds the shared machine.
func NewStateless() Stateless {
	sm := stateless.NewStateMachineWithExternalStorage(
		func(ctx context.Context) (stateless.State, error) {
			return ctx.Value(hazardKey{}).(*Hazard).State, nil
		},
		func(ctx context.Context, s stateless.State) error {
			ctx.Value(hazardKey{}).(*Hazard).State = s.(string)
			return nil
		},
		stateless.FiringImmediate)
	for _, e := range citizenEvents {
		action := e.name
		guard := func(_ context.Context, args ...any) bool {
			return roleOK(action, args[0].(workflow.Actor)) && inputsOK(action, args[1].(*workflow.Input))
		}
		for _, src := range e.src {
			sm.Configure(src).Permit(action, e.dst, guard)
		}
	}
	return Stateless{sm}
}

// WithHazard returns ctx carrying h, for the machine's state accessor. A
// request handler does this once per request; the benchmark once per
// hazard.
func WithHazard(ctx context.Context, h *Hazard) context.Context {
	return context.WithValue(ctx, hazardKey{}, h)
}

// Fire implements Firer; ctx must come from WithHazard.
func (s Stateless) Fire(ctx context.Context, h *Hazard, st Step) error {
	if err := s.sm.FireCtx(ctx, st.Action, st.Actor, st.Input); err != nil {
		return err
	}
	setDeadline(h, st.Input)
	return nil
}

// Looplab wraps one looplab FSM per hazard.
type Looplab struct{ fsm *fsm.FSM }

// NewLooplab builds the FSM of one hazard, in its current state.
func NewLooplab(h *Hazard) Looplab {
	events := make(fsm.Events, 0, len(citizenEvents))
	for _, e := range citizenEvents {
		events = append(events, fsm.EventDesc{Name: e.name, Src: e.src, Dst: e.dst})
	}
	f := fsm.NewFSM(h.State, events, fsm.Callbacks{
		"before_event": func(_ context.Context, e *fsm.Event) {
			if !roleOK(e.Event, e.Args[0].(workflow.Actor)) {
				e.Cancel(errForbidden)
				return
			}
			if !inputsOK(e.Event, e.Args[1].(*workflow.Input)) {
				e.Cancel(errInvalid)
			}
		},
	})
	return Looplab{f}
}

// Fire implements Firer. The FSM first takes the hazard's state, since a
// hazard's row may have changed (or been loaded again) since the FSM was
// made.
func (l Looplab) Fire(ctx context.Context, h *Hazard, s Step) error {
	l.fsm.SetState(h.State)
	if err := l.fsm.Event(ctx, s.Action, s.Actor, s.Input); err != nil {
		return err
	}
	h.State = l.fsm.Current()
	setDeadline(h, s.Input)
	return nil
}
