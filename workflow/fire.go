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
//
// A subject that keeps a [Status] can use [Definition.Apply] instead, which
// does the same and updates the status in place.
func (d *Definition) Fire(ctx context.Context, current, action string, actor Actor, in *Input) (Transition, error) {
	// The fast path: both names are d's own strings, found by address (see
	// nameIndex) with no call. Any other string takes fireSlow, which finds
	// them by their bytes.
	ss, as := d.stateIdx.ownSlot(current), d.nameIdx.ownSlot(action)
	if !ours(ss.name, current) || !ours(as.name, action) {
		return d.fireSlow(ctx, current, action, actor, in)
	}
	e, err := d.table[ss.at+as.at].take(actor.Role)
	if err != nil {
		return Transition{}, err
	}
	dl, due, err := d.finish(ctx, e, actor, in)
	if err != nil {
		return Transition{}, err
	}
	// No Transition variable: one whose address is taken is zeroed on every
	// call, refusals included.
	return Transition{From: e.from, To: e.to, Action: e.name, Actor: actor, DeadlineIn: dl, Deadline: due}, nil
}

// Apply is [Definition.Fire] for a subject that keeps a [Status] (embedded
// in the caller's record, say): it fires action at the subject in state
// s.State and, when the transition is allowed, sets *s to the new state and
// its deadline. On error *s is unchanged. It makes the same checks in the
// same order, returns the same errors and runs the same hooks as Fire. It is
// the quicker of the two, a refusal most of all: it returns only an error,
// where Fire returns a 112-byte Transition that Go passes in memory.
func (d *Definition) Apply(ctx context.Context, s *Status, action string, actor Actor, in *Input) error {
	// The fast path, as in Fire.
	ss, as := d.stateIdx.ownSlot(s.State), d.nameIdx.ownSlot(action)
	if !ours(ss.name, s.State) || !ours(as.name, action) {
		return d.applySlow(ctx, s, action, actor, in)
	}
	e, err := d.table[ss.at+as.at].take(actor.Role)
	if err != nil {
		return err
	}
	dl, due, err := d.finish(ctx, e, actor, in)
	if err != nil {
		return err
	}
	*s = Status{State: e.to, DeadlineIn: dl, Deadline: due}
	return nil
}

// take returns the edge c leads along for role, or the prepared conflict
// or forbidden error.
func (c *cell) take(role Role) (*edge, error) {
	e := c.edge
	if e == nil {
		return nil, c.conflict
	}
	for _, r := range e.roles {
		if r == role {
			return e, nil
		}
	}
	return nil, e.forbidden
}

// finish is the rest of a transition along e once the state and role
// checks passed: it checks the inputs and guards, computes the target
// state's deadline and runs the hooks.
func (d *Definition) finish(ctx context.Context, e *edge, actor Actor, in *Input) (time.Duration, time.Time, error) {
	for i, k := range e.checks {
		if !has(in, k, e.needs[i]) {
			return 0, time.Time{}, e.missing[i]
		}
	}
	if len(e.guards) > 0 {
		if err := d.guard(ctx, e, actor, in); err != nil {
			return 0, time.Time{}, err
		}
	}
	var dl time.Duration
	var due time.Time
	if e.deadline != nil {
		dl, due = deadline(e.deadline, in)
	}
	if d.hooks.OnLeave != nil || d.hooks.OnEnter != nil || d.hooks.After != nil {
		d.runHooks(ctx, e, actor, dl, due)
	}
	return dl, due, nil
}

// cellOf returns the cell of action in state current, finding both names
// by their bytes, or the conflict for a state or action d does not declare.
func (d *Definition) cellOf(current, action string) (*cell, error) {
	s := d.stateIdx.find(current)
	if s < 0 {
		return nil, unknownState(current, action)
	}
	a := d.nameIdx.find(action)
	if a < 0 {
		return nil, d.unknownAction(s, action)
	}
	return &d.table[s*d.width+a], nil
}

// through takes the cell c for actor and finishes the transition: take and
// finish, for the slow paths (Fire and Apply write them out).
func (d *Definition) through(ctx context.Context, c *cell, actor Actor, in *Input) (*edge, time.Duration, time.Time, error) {
	e, err := c.take(actor.Role)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	dl, due, err := d.finish(ctx, e, actor, in)
	return e, dl, due, err
}

// fireSlow is Fire for names that are not d's own strings (read from a
// database, say): the same steps with the names found by their bytes.
//
//go:noinline
func (d *Definition) fireSlow(ctx context.Context, current, action string, actor Actor, in *Input) (Transition, error) {
	c, err := d.cellOf(current, action)
	if err != nil {
		return Transition{}, err
	}
	e, dl, due, err := d.through(ctx, c, actor, in)
	if err != nil {
		return Transition{}, err
	}
	return Transition{From: e.from, To: e.to, Action: e.name, Actor: actor, DeadlineIn: dl, Deadline: due}, nil
}

// applySlow is Apply for names that are not d's own strings, as fireSlow.
//
//go:noinline
func (d *Definition) applySlow(ctx context.Context, s *Status, action string, actor Actor, in *Input) error {
	c, err := d.cellOf(s.State, action)
	if err != nil {
		return err
	}
	e, dl, due, err := d.through(ctx, c, actor, in)
	if err != nil {
		return err
	}
	*s = Status{State: e.to, DeadlineIn: dl, Deadline: due}
	return nil
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

// runHooks calls the hooks in order with the transition along e.
func (d *Definition) runHooks(ctx context.Context, e *edge, actor Actor, dl time.Duration, due time.Time) {
	t := Transition{From: e.from, To: e.to, Action: e.name, Actor: actor, DeadlineIn: dl, Deadline: due}
	if h := d.hooks.OnLeave; h != nil {
		h(ctx, t)
	}
	if h := d.hooks.OnEnter; h != nil {
		h(ctx, t)
	}
	if h := d.hooks.After; h != nil {
		h(ctx, t)
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
	e := d.table[s*d.width+a].edge
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
	e := d.table[s*d.width+a].edge
	return e != nil && slices.Contains(e.needs, k)
}
