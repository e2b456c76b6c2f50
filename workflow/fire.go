package workflow

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Fire applies action to a subject in state current, on behalf of actor,
// and returns the transition. It does not change d and keeps no state: the
// caller saves t.To (and t.Deadline) with the subject.
//
// Checks run in this order, and the first that fails decides the error:
//   - current must be a state of d and action must leave it: otherwise an
//     [*Error] with code conflict (also for an unknown state or action);
//   - actor.Role must be one of the action's roles: otherwise forbidden;
//   - every input in the action's Needs must be present: otherwise invalid,
//     with Field set to the missing [InputKind];
//   - every guard must accept: otherwise the guard's error (see [Guard]).
//
// in may be nil when the action needs no input. On success Fire computes
// the target state's deadline from in.Subject and in.Now, then calls the
// hooks. Fire takes no lock, and allocates nothing on success unless a
// guard or a hook does.
func (d *Definition) Fire(ctx context.Context, current, action string, actor Actor, in *Input) (Transition, error) {
	e, err := d.find(current, action)
	if err != nil {
		return Transition{}, err
	}
	if !slices.Contains(e.roles, actor.Role) {
		return Transition{}, e.forbidden
	}
	for i, k := range e.needs {
		if !has(in, k) {
			return Transition{}, e.missing[i]
		}
	}
	if len(e.guards) > 0 {
		if err := d.guard(ctx, e, actor, in); err != nil {
			return Transition{}, err
		}
	}
	t := Transition{From: e.from, To: e.to, Action: e.name, Actor: actor}
	if e.deadline != nil {
		t.DeadlineIn, t.Deadline = deadline(e.deadline, in)
	}
	if d.hooks.OnLeave != nil || d.hooks.OnEnter != nil || d.hooks.After != nil {
		d.runHooks(ctx, &t)
	}
	return t, nil
}

// find returns the edge leaving state current under action, or the
// conflict to return. It is apart from Fire so that the refusal path stays
// short.
func (d *Definition) find(current, action string) (*edge, error) {
	s := d.stateIndex(current)
	if s < 0 {
		return nil, unknownState(current, action)
	}
	a := d.nameIdx.lookup(action)
	if a < 0 {
		return nil, d.unknownAction(s, action)
	}
	sl := d.table[s*len(d.names)+a]
	if sl.edge == nil {
		return nil, sl.conflict
	}
	return sl.edge, nil
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

// runHooks calls the hooks in order, each with its own copy of *t.
func (d *Definition) runHooks(ctx context.Context, t *Transition) {
	if h := d.hooks.OnLeave; h != nil {
		h(ctx, *t)
	}
	if h := d.hooks.OnEnter; h != nil {
		h(ctx, *t)
	}
	if h := d.hooks.After; h != nil {
		h(ctx, *t)
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

// has reports whether in carries input k.
func has(in *Input, k InputKind) bool {
	if in == nil {
		return false
	}
	switch k {
	case NeedReason:
		return strings.TrimSpace(in.Reason) != ""
	case NeedDepartment:
		return strings.TrimSpace(in.Department) != ""
	case NeedPhotos:
		return len(in.Photos) > 0
	}
	return strings.TrimSpace(in.Fields[string(k)]) != ""
}

// Available returns copies of the actions that role may take from state, in
// declaration order: the buttons a UI shows. It checks states and roles
// only; inputs and guards are checked when the action is fired. It returns
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
	a := d.nameIdx.lookup(action)
	if a < 0 {
		return false
	}
	e := d.table[s*len(d.names)+a].edge
	return e != nil && slices.Contains(e.roles, role)
}

// Requires reports whether action, taken from state, requires input k (k
// is in the action's Needs). It reports false for an unknown state or
// action, or one that does not leave state. Unlike [Definition.Available]
// it allocates nothing.
func (d *Definition) Requires(state, action string, k InputKind) bool {
	s := d.stateIndex(state)
	a := d.nameIdx.lookup(action)
	if s < 0 || a < 0 {
		return false
	}
	e := d.table[s*len(d.names)+a].edge
	return e != nil && slices.Contains(e.needs, k)
}
