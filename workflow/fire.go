package workflow

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Apply fires action at a subject in state s.State, on behalf of actor:
// when the transition is allowed, it sets *s to the target state and that
// state's deadline; on error *s is unchanged. It does not change d and keeps
// no state: the caller saves *s with the subject (and the events, with the
// expected version, atomically).
//
// Checks run in this order, and the first that fails decides the error:
//   - s.State must be a state of d and action must leave it: otherwise an
//     [*Error] with code conflict (also for an unknown state or action);
//   - actor.Role must be one of the action's roles: otherwise forbidden;
//   - every input in the action's Needs must be present: otherwise invalid,
//     with Field set to the missing [InputKind];
//   - every guard must accept: otherwise the guard's error (see [Guard]).
//
// in may be nil when the action needs no input. On success Apply computes
// the target state's deadline from in.Subject and in.Now: s.DeadlineIn is
// 0 and s.Deadline zero when the target state has none, and s.Deadline is
// also zero when in.Now is. s.State is set to d's own copy of the name.
// Names are found by their bytes, so a state read back from storage and a
// string constant cost the same. Apply takes no lock, and allocates nothing
// on success, nor on a refusal for a declared state and action, unless a
// guard or a deadline function does.
func (d *Definition) Apply(ctx context.Context, s *Status, action string, actor Actor, in *Input) error {
	e, err := d.edgeOf(s.State, action)
	if err != nil {
		return err
	}
	if !slices.Contains(e.roles, actor.Role) {
		return e.forbidden
	}
	for i, k := range e.checks {
		if !has(in, k, e.needs[i]) {
			return e.missing[i]
		}
	}
	if len(e.guards) > 0 {
		if err := d.guard(ctx, e, actor, in); err != nil {
			return err
		}
	}
	if e.deadline == nil {
		*s = Status{State: e.to}
		return nil
	}
	dl, due := deadline(e.deadline, in)
	*s = Status{State: e.to, DeadlineIn: dl, Deadline: due}
	return nil
}

// edgeOf returns the edge along which action leaves state current, found
// by their bytes, or the conflict: prepared for a state and an action d
// declares, made for one it does not.
func (d *Definition) edgeOf(current, action string) (*edge, error) {
	s := d.stateIdx.lookup(current)
	if s < 0 {
		return nil, unknownState(current, action)
	}
	if exits := d.exits[s]; len(exits) <= scanMax {
		for i := range exits {
			if exits[i].name == action {
				return exits[i].edge, nil
			}
		}
	}
	a := d.nameIdx.lookup(action)
	if a < 0 {
		return nil, d.unknownAction(s, action)
	}
	c := &d.table[s*d.width+a]
	if c.edge == nil {
		return nil, c.conflict
	}
	return c.edge, nil
}

// guard runs e's guards in order and returns the first refusal.
func (d *Definition) guard(ctx context.Context, e *edge, actor Actor, in *Input) error {
	r := Request{Definition: d, From: e.from, Action: e.action, Actor: actor, Input: in}
	for _, g := range e.guards {
		if err := g(ctx, r); err != nil {
			return refusal(e.name, e.from, err)
		}
	}
	return nil
}

// deadline returns the target state's deadline for in's subject, and when
// it falls (UTC) if in has a time.
func deadline(f DeadlineFunc, in *Input) (time.Duration, time.Time) {
	if in == nil {
		return f(nil), time.Time{}
	}
	dl := f(in.Subject)
	if dl <= 0 || in.Now.IsZero() {
		return dl, time.Time{}
	}
	return dl, in.Now.UTC().Add(dl)
}

// unknownAction returns the conflict for an action name d does not declare.
func (d *Definition) unknownAction(s int, action string) error {
	return &Error{
		Code: CodeConflict, Action: action, State: d.stateNames[s],
		Message: "unknown action " + quote(action),
	}
}

// unknownState returns the conflict for a state d does not declare.
func unknownState(current, action string) error {
	return &Error{
		Code: CodeConflict, Action: action, State: current,
		Message: "unknown state " + quote(current),
	}
}

// refusal turns a guard's error into an [*Error]: an *Error keeps its code,
// anything else becomes invalid. The message is the guard's.
func refusal(action, state string, err error) error {
	var we *Error
	if errors.As(err, &we) {
		c := *we
		if c.Action == "" {
			c.Action = action
		}
		if c.State == "" {
			c.State = state
		}
		if c.Message == "" {
			c.Message = string(c.Code)
		}
		c.Err = err
		return &c
	}
	return &Error{Code: CodeInvalid, Action: action, State: state, Message: err.Error(), Err: err}
}

// has reports whether in carries the input kind, checked as k.
func has(in *Input, k need, kind InputKind) bool {
	if in == nil {
		return false
	}
	switch k {
	case needReason:
		return !blank(in.Reason)
	case needDepartment:
		return !blank(in.Department)
	case needPhotos:
		return len(in.Photos) > 0
	}
	return !blank(in.Fields[string(kind)])
}

// blank reports whether s is empty or only white space, without a call
// for the usual case of a first byte that is printable ASCII.
func blank(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; c > ' ' && c < 0x7f {
		return false
	}
	return strings.TrimSpace(s) == ""
}

// Available returns copies of the actions that role may take from state, in
// declaration order: the buttons a UI shows. It checks states and roles
// only; inputs and guards are checked by [Definition.Apply]. It returns
// nil for an unknown state or when there are none.
func (d *Definition) Available(state string, role Role) []Action {
	s := d.stateIndex(state)
	if s < 0 {
		return nil
	}
	var out []Action
	for _, sl := range d.byState[s] {
		if sl.edge != nil && slices.Contains(sl.edge.roles, role) {
			out = append(out, cloneAction(*sl.edge.action))
		}
	}
	return out
}

// Can reports whether role may take action from state, checking states and
// roles only, like [Definition.Available].
func (d *Definition) Can(state, action string, role Role) bool {
	s := d.stateIndex(state)
	if s < 0 {
		return false
	}
	a := d.nameIndex(action)
	if a < 0 {
		return false
	}
	e := d.table[s*d.width+a].edge
	return e != nil && slices.Contains(e.roles, role)
}

// Requires reports whether action, taken from state, requires input k (k
// is in the action's Needs). It reports false for an unknown state or
// action, or one that does not leave state. Unlike [Definition.Available]
// it allocates nothing.
func (d *Definition) Requires(state, action string, k InputKind) bool {
	s := d.stateIndex(state)
	a := d.nameIndex(action)
	if s < 0 || a < 0 {
		return false
	}
	e := d.table[s*d.width+a].edge
	return e != nil && slices.Contains(e.needs, k)
}
