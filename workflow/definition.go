package workflow

import (
	"context"
	"slices"
	"time"
)

// Role names who may take an action. Roles are plain strings that the
// processes built with this package define.
type Role string

// Label is a display name in Chinese and English.
type Label struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// StateKind tells whether a state starts, continues or ends the loop.
type StateKind string

// The kinds of state. A definition has exactly one initial state. A
// terminal state closes the subject (closed is terminal); it may still
// declare actions that leave it, which reopen the subject (a requester's "it
// is back", a failed re-verification), and the state stays terminal.
const (
	KindInitial      StateKind = "initial"
	KindIntermediate StateKind = "intermediate"
	KindTerminal     StateKind = "terminal"
)

// DeadlineFunc returns how long a subject may stay in a state, given the
// subject passed in [Input.Subject] (nil when none was passed). Zero means
// no deadline. It must be safe for concurrent use.
type DeadlineFunc func(subject any) time.Duration

// State is one state of a definition.
type State struct {
	Name     string
	Kind     StateKind
	Label    Label
	Deadline DeadlineFunc // optional
}

// InputKind names an input an action requires. Besides the kinds below, any
// other non-empty kind names a key of [Input.Fields] whose value must not be
// blank.
type InputKind string

// Inputs known to [Definition.Apply].
const (
	NeedReason     InputKind = "reason"     // Input.Reason not blank (a reason, a result, a requirement)
	NeedDepartment InputKind = "department" // Input.Department not blank
	NeedPhotos     InputKind = "photos"     // at least one entry in Input.Photos
)

// Guard decides whether a transition may happen. To refuse, it returns an
// error: its message reaches the user. A plain error becomes an [*Error]
// with code invalid wrapping it; an [*Error] keeps its code. Guards run
// after the state, role and input checks, in declaration order, and must be
// safe for concurrent use. They must not modify the request or retain it.
type Guard func(ctx context.Context, r Request) error

// Action is a named transition from one of the From states to To.
type Action struct {
	Name   string
	Label  Label
	From   []string    // states the action may start from
	To     string      // the state it leads to
	Roles  []Role      // roles allowed to take it; at least one
	Needs  []InputKind // inputs it requires
	Guards []Guard     // optional, run in order
}

// Actor is who takes an action.
type Actor struct {
	ID   string
	Role Role
}

// Input carries what an actor supplies with an action, plus the subject the
// machine is applied to (for deadlines and guards) and the current time.
type Input struct {
	Reason     string            // a reason, a result or a requirement, by action
	Department string            // a target department
	Photos     []string          // photo references (blob keys, URLs)
	Fields     map[string]string // any other input, by InputKind
	Subject    any               // the subject, passed to deadline functions and guards
	Now        time.Time         // the time of the transition; Status.Deadline counts from it
}

// Request is what a [Guard] sees. Action points into the definition and
// Input is what the caller passed (it may be nil): neither may be modified.
type Request struct {
	Definition *Definition
	From       string
	Action     *Action
	Actor      Actor
	Input      *Input
}

// Subject returns r.Input.Subject, or nil when there is no input.
func (r Request) Subject() any {
	if r.Input == nil {
		return nil
	}
	return r.Input.Subject
}

// Status is what a subject keeps of its process: its state and that
// state's deadline. Embed it in a stored record (or fill one from it) and
// advance it with [Definition.Apply].
type Status struct {
	State      string
	DeadlineIn time.Duration // the state's deadline for the subject, 0 if none
	Deadline   time.Time     // when it falls (UTC), zero if none or Input.Now was zero
}

// Spec describes a definition; [New] validates it and builds a [Definition].
type Spec struct {
	Name    string
	Version int // 1 or more
	States  []State
	Actions []Action
}

// Definition is a validated, immutable process definition. It keeps no
// per-subject state: callers store the current state of each subject and pass
// it to [Definition.Apply]. It is safe for concurrent use and fires without
// taking a lock.
type Definition struct {
	name    string
	version int
	states  []State
	actions []Action
	initial int

	stateNames []string  // state names, by index
	stateIdx   nameIndex // state name -> index
	// byState[s] has one slot per distinct action name: first the actions
	// leaving state s in declaration order, then the others with their
	// prepared conflict.
	byState [][]slot
	// exits[s] is the head of byState[s] that leaves state s: Apply looks
	// an action up there first, since a state has few ways out.
	exits   [][]slot
	names   []string  // distinct action names, in declaration order
	nameIdx nameIndex // action name -> index in names
	// table[s*width+a] is what action name a does in state s, so that an
	// action that does not leave the state finds its prepared refusal with
	// two name lookups; width is len(names).
	table []cell
	width int
}

// cell is one entry of Definition.table: the edge, or the conflict when
// the action does not leave the state.
type cell struct {
	edge     *edge
	conflict *Error
}

// slot is an action name as seen from one state: the edge leaving the state
// under that name, or the conflict to return.
type slot struct {
	name     string
	edge     *edge
	conflict *Error
}

// edge is an action leaving one state, with what Apply needs copied in, so
// that firing reads one compact record, and its refusals prepared.
type edge struct {
	name      string
	from      string
	action    *Action
	to        string
	deadline  DeadlineFunc // of the target state
	roles     []Role
	needs     []InputKind
	checks    []need // parallel to needs: how Apply checks each
	guards    []Guard
	forbidden *Error
	missing   []*Error // parallel to needs
}

// MustNew is like [New] but panics on error. It suits definitions written in
// code, such as package-level variables.
func MustNew(spec Spec) *Definition {
	d, err := New(spec)
	if err != nil {
		panic(err)
	}
	return d
}

// New validates spec and builds a definition. It returns either a
// definition and a nil error, or, when spec has defects, a nil definition
// and a [*DefinitionError] listing every defect; it fails in no other way.
// The spec's slices are copied: changing them later does not change the
// definition.
func New(spec Spec) (*Definition, error) {
	if defects := validate(spec); len(defects) > 0 {
		return nil, &DefinitionError{Name: spec.Name, Version: spec.Version, Defects: defects}
	}
	d := &Definition{
		name:    spec.Name,
		version: spec.Version,
		states:  slices.Clone(spec.States),
		actions: make([]Action, len(spec.Actions)),
	}
	for i, a := range spec.Actions {
		d.actions[i] = cloneAction(a)
	}
	index := make(map[string]int, len(d.states))
	d.stateNames = make([]string, len(d.states))
	for i, s := range d.states {
		d.stateNames[i] = s.Name
		index[s.Name] = i
		if s.Kind == KindInitial {
			d.initial = i
		}
	}
	d.stateIdx = newNameIndex(d.stateNames)
	nameIdx := map[string]int{}
	for _, a := range d.actions {
		if _, ok := nameIdx[a.Name]; !ok {
			nameIdx[a.Name] = len(d.names)
			d.names = append(d.names, a.Name)
		}
	}
	d.nameIdx = newNameIndex(d.names)
	d.width = len(d.names)
	edges := make([][]*edge, len(d.states))
	for ai := range d.actions {
		a := &d.actions[ai]
		for _, src := range a.From {
			from, to := d.stateNames[index[src]], d.stateNames[index[a.To]]
			e := &edge{
				name: d.names[nameIdx[a.Name]], from: from, action: a, to: to, deadline: d.states[index[a.To]].Deadline,
				roles: a.Roles, needs: a.Needs, guards: a.Guards,
			}
			e.forbidden = &Error{
				Code: CodeForbidden, Action: a.Name, State: from,
				Message: "your role may not " + quote(a.Name) + " in state " + quote(from),
			}
			for _, k := range a.Needs {
				e.checks = append(e.checks, needOf(k))
				e.missing = append(e.missing, &Error{
					Code: CodeInvalid, Action: a.Name, State: from, Field: string(k),
					Message: quote(a.Name) + " needs " + needText(k),
				})
			}
			edges[index[from]] = append(edges[index[from]], e)
		}
	}
	d.byState = make([][]slot, len(d.states))
	d.exits = make([][]slot, 0, len(d.states))
	for s, st := range d.states {
		slots := make([]slot, 0, len(d.names))
		leaving := map[string]bool{}
		for _, e := range edges[s] {
			slots = append(slots, slot{name: e.name, edge: e})
			leaving[e.name] = true
		}
		for _, name := range d.names {
			if !leaving[name] {
				slots = append(slots, slot{name: name, conflict: &Error{
					Code: CodeConflict, Action: name, State: st.Name,
					Message: quote(name) + " is not allowed in state " + quote(st.Name),
				}})
			}
		}
		d.byState[s] = slots
		d.exits = append(d.exits, slots[:len(edges[s])])
	}
	d.table = make([]cell, len(d.states)*d.width)
	for s, slots := range d.byState {
		for _, sl := range slots {
			d.table[s*d.width+nameIdx[sl.name]] = cell{edge: sl.edge, conflict: sl.conflict}
		}
	}
	return d, nil
}

// need is how Apply checks an InputKind, decided once by New.
type need uint8

const (
	needField need = iota // a key of Input.Fields
	needReason
	needDepartment
	needPhotos
)

func needOf(k InputKind) need {
	switch k {
	case NeedReason:
		return needReason
	case NeedDepartment:
		return needDepartment
	case NeedPhotos:
		return needPhotos
	}
	return needField
}

func needText(k InputKind) string {
	switch k {
	case NeedReason:
		return "a reason"
	case NeedDepartment:
		return "a department"
	case NeedPhotos:
		return "at least one photo"
	}
	return quote(string(k))
}

func quote(s string) string { return `"` + s + `"` }

func cloneAction(a Action) Action {
	a.From = slices.Clone(a.From)
	a.Roles = slices.Clone(a.Roles)
	a.Needs = slices.Clone(a.Needs)
	a.Guards = slices.Clone(a.Guards)
	return a
}

// Name returns the definition's name.
func (d *Definition) Name() string { return d.name }

// Version returns the definition's version.
func (d *Definition) Version() int { return d.version }

// Initial returns the name of the initial state.
func (d *Definition) Initial() string { return d.states[d.initial].Name }

// States returns a copy of the states, in declaration order.
func (d *Definition) States() []State { return slices.Clone(d.states) }

// Actions returns a copy of the actions, in declaration order.
func (d *Definition) Actions() []Action {
	out := make([]Action, len(d.actions))
	for i, a := range d.actions {
		out[i] = cloneAction(a)
	}
	return out
}

// State returns the state with that name, and whether it exists.
func (d *Definition) State(name string) (State, bool) {
	i := d.stateIndex(name)
	if i < 0 {
		return State{}, false
	}
	return d.states[i], true
}

// IsTerminal reports whether state is a terminal state of d. It reports
// false for an unknown state.
func (d *Definition) IsTerminal(state string) bool {
	i := d.stateIndex(state)
	return i >= 0 && d.states[i].Kind == KindTerminal
}

// Deadline returns how long subject may stay in state: 0 when the state has
// no deadline or is unknown.
func (d *Definition) Deadline(state string, subject any) time.Duration {
	i := d.stateIndex(state)
	if i < 0 || d.states[i].Deadline == nil {
		return 0
	}
	return d.states[i].Deadline(subject)
}

// stateIndex returns the position of the state named name, or -1.
func (d *Definition) stateIndex(name string) int { return d.stateIdx.lookup(name) }

// nameIndex returns the position of the action name in d.names, or -1.
func (d *Definition) nameIndex(name string) int { return d.nameIdx.lookup(name) }
