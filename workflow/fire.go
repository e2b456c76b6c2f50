package workflow

import (
	"context"
	"errors"
	"slices"
	"strings"
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
	s := d.stateIndex(current)
	if s < 0 {
		return Transition{}, &Error{
			Code: CodeConflict, Action: action, State: current,
			Message: "unknown state " + quote(current),
		}
	}
	edges := d.byState[s]
	ei := -1
	for i := range edges {
		if d.actions[edges[i].action].Name == action {
			ei = i
			break
		}
	}
	if ei < 0 {
		return Transition{}, d.notAllowed(s, action)
	}
	e := &edges[ei]
	a := &d.actions[e.action]
	if !slices.Contains(a.Roles, actor.Role) {
		return Transition{}, e.forbidden
	}
	for i, k := range a.Needs {
		if !has(in, k) {
			return Transition{}, e.missing[i]
		}
	}
	if len(a.Guards) > 0 {
		r := Request{Definition: d, From: current, Action: a, Actor: actor, Input: in}
		for _, g := range a.Guards {
			if err := g(ctx, r); err != nil {
				return Transition{}, refusal(a.Name, current, err)
			}
		}
	}
	t := Transition{From: d.states[s].Name, To: a.To, Action: a.Name, Actor: actor}
	if dl := d.states[d.toIdx[e.action]].Deadline; dl != nil {
		var subject any
		if in != nil {
			subject = in.Subject
		}
		t.DeadlineIn = dl(subject)
		if t.DeadlineIn > 0 && in != nil && !in.Now.IsZero() {
			t.Deadline = in.Now.UTC().Add(t.DeadlineIn)
		}
	}
	if h := d.hooks.OnLeave; h != nil {
		h(ctx, t)
	}
	if h := d.hooks.OnEnter; h != nil {
		h(ctx, t)
	}
	if h := d.hooks.After; h != nil {
		h(ctx, t)
	}
	return t, nil
}

// notAllowed returns the conflict for an action that does not leave state s.
func (d *Definition) notAllowed(s int, action string) error {
	for n, name := range d.names {
		if name == action {
			return d.conflicts[s*len(d.names)+n]
		}
	}
	return &Error{
		Code: CodeConflict, Action: action, State: d.states[s].Name,
		Message: "unknown action " + quote(action),
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
	for _, e := range d.byState[s] {
		a := &d.actions[e.action]
		if slices.Contains(a.Roles, role) {
			out = append(out, cloneAction(*a))
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
	for _, e := range d.byState[s] {
		a := &d.actions[e.action]
		if a.Name == action {
			return slices.Contains(a.Roles, role)
		}
	}
	return false
}
