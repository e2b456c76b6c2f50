package workflow

import (
	"fmt"
	"strings"
)

// DefectKind is a stable code for one kind of defect in a [Spec].
type DefectKind string

// The defects [New] reports.
const (
	DefectEmptyName       DefectKind = "empty_name"       // the spec, a state or an action has no name
	DefectBadVersion      DefectKind = "bad_version"      // the version is below 1
	DefectUnknownKind     DefectKind = "unknown_kind"     // a state's kind is not initial, intermediate or terminal
	DefectDuplicateState  DefectKind = "duplicate_state"  // two states share a name
	DefectInitialCount    DefectKind = "initial_count"    // not exactly one initial state
	DefectUnknownState    DefectKind = "unknown_state"    // an action starts from or leads to an undeclared state
	DefectNoSource        DefectKind = "no_source"        // an action has no From state
	DefectNoRoles         DefectKind = "no_roles"         // an action has no role, or an empty one
	DefectEmptyInput      DefectKind = "empty_input"      // an action needs an input with an empty kind
	DefectNilGuard        DefectKind = "nil_guard"        // an action has a nil guard
	DefectDuplicateAction DefectKind = "duplicate_action" // two actions of the same name leave one state
	DefectUnreachable     DefectKind = "unreachable"      // a state cannot be reached from the initial state
	DefectDeadEnd         DefectKind = "dead_end"         // a non-terminal state has no way out
	DefectNoTerminalPath  DefectKind = "no_terminal_path" // a state with a way out from which no terminal state can be reached
	DefectTooMany         DefectKind = "too_many"         // more than MaxStates states or MaxActions actions
)

// Limits on the size of a definition, checked by [New] before anything
// else: a spec over a limit is reported with DefectTooMany (and any name or
// version defect) only. They bound what New prepares so that
// [Definition.Apply] neither scans nor allocates: a table with one entry
// and one prepared refusal per state and action name (about 12 MB at both
// limits), and the time New takes to build it (about 30 ms there); a real
// closed-loop process has a few dozen states at most.
const (
	MaxStates  = 256 // states in a definition
	MaxActions = 256 // actions in a definition, counting each declared Action
)

// Defect is one problem found in a [Spec]. State and Action name the state
// and action at fault, where they apply.
type Defect struct {
	Kind    DefectKind
	State   string
	Action  string
	Message string
}

// DefinitionError is returned by [New] for a spec with defects; it lists
// every defect found, in a deterministic order. errors.Is(err, ErrInvalid)
// reports true for it.
type DefinitionError struct {
	Name    string
	Version int
	Defects []Defect
}

// Error lists the defects.
func (e *DefinitionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow: definition %q v%d has %d defect(s): ", e.Name, e.Version, len(e.Defects))
	for i, d := range e.Defects {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.Message)
	}
	return b.String()
}

// Is reports whether target is [ErrInvalid].
func (e *DefinitionError) Is(target error) bool { return target == ErrInvalid }

// Has reports whether the error lists a defect of kind k.
func (e *DefinitionError) Has(k DefectKind) bool {
	for _, d := range e.Defects {
		if d.Kind == k {
			return true
		}
	}
	return false
}

// knownNonTerminal reports whether k is initial or intermediate. Graph
// checks give a state of unknown kind the benefit of the doubt (it counts
// as an end), so that its one defect does not cascade.
func knownNonTerminal(k StateKind) bool { return k == KindInitial || k == KindIntermediate }

// validate returns every defect of spec. Graph checks (reachability, ways
// out) run only over declared states and known targets, so one mistake does
// not cascade into many reports.
func validate(spec Spec) []Defect {
	var out []Defect
	add := func(k DefectKind, state, action, format string, args ...any) {
		out = append(out, Defect{Kind: k, State: state, Action: action, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(spec.Name) == "" {
		add(DefectEmptyName, "", "", "the definition has no name")
	}
	if spec.Version < 1 {
		add(DefectBadVersion, "", "", "version %d is below 1", spec.Version)
	}
	if len(spec.States) > MaxStates {
		add(DefectTooMany, "", "", "%d states, more than the %d allowed", len(spec.States), MaxStates)
	}
	if len(spec.Actions) > MaxActions {
		add(DefectTooMany, "", "", "%d actions, more than the %d allowed", len(spec.Actions), MaxActions)
	}
	if len(spec.States) > MaxStates || len(spec.Actions) > MaxActions {
		return out // the other checks could take long on an outsize spec
	}

	index := map[string]int{}
	initials := 0
	for i, s := range spec.States {
		if strings.TrimSpace(s.Name) == "" {
			add(DefectEmptyName, "", "", "state #%d has no name", i+1)
			continue
		}
		if _, dup := index[s.Name]; dup {
			add(DefectDuplicateState, s.Name, "", "state %q is declared twice", s.Name)
			continue
		}
		index[s.Name] = i
		switch s.Kind {
		case KindInitial:
			initials++
		case KindIntermediate, KindTerminal:
		default:
			add(DefectUnknownKind, s.Name, "", "state %q has unknown kind %q", s.Name, s.Kind)
		}
	}
	if initials != 1 {
		add(DefectInitialCount, "", "", "there are %d initial states, want exactly 1", initials)
	}

	next := make([][]int, len(spec.States)) // edges between declared states
	hasExit := make([]bool, len(spec.States))
	type key struct{ state, action string }
	seen := map[key]bool{}
	for i, a := range spec.Actions {
		name := a.Name
		if strings.TrimSpace(name) == "" {
			add(DefectEmptyName, "", "", "action #%d has no name", i+1)
			name = fmt.Sprintf("#%d", i+1)
		}
		if len(a.From) == 0 {
			add(DefectNoSource, "", name, "action %q has no From state", name)
		}
		to, toOK := index[a.To]
		if !toOK {
			add(DefectUnknownState, a.To, name, "action %q leads to unknown state %q", name, a.To)
		}
		if len(a.Roles) == 0 {
			add(DefectNoRoles, "", name, "action %q has no role", name)
		}
		for _, r := range a.Roles {
			if strings.TrimSpace(string(r)) == "" {
				add(DefectNoRoles, "", name, "action %q has an empty role", name)
				break
			}
		}
		for _, k := range a.Needs {
			if strings.TrimSpace(string(k)) == "" {
				add(DefectEmptyInput, "", name, "action %q needs an input with no kind", name)
				break
			}
		}
		for _, g := range a.Guards {
			if g == nil {
				add(DefectNilGuard, "", name, "action %q has a nil guard", name)
				break
			}
		}
		for _, from := range a.From {
			f, ok := index[from]
			if !ok {
				add(DefectUnknownState, from, name, "action %q starts from unknown state %q", name, from)
				continue
			}
			k := key{from, a.Name}
			if seen[k] {
				add(DefectDuplicateAction, from, name, "action %q leaves state %q twice", name, from)
			}
			seen[k] = true
			// An action leaving a terminal state reopens the subject: it is
			// allowed, and checked like any other.
			hasExit[f] = true
			if toOK {
				next[f] = append(next[f], to)
			}
		}
	}

	// Graph checks over declared, uniquely named states.
	declared := func(i int) bool {
		s := spec.States[i]
		j, ok := index[s.Name]
		return ok && j == i
	}
	if initials == 1 {
		start := -1
		for i, s := range spec.States {
			if s.Kind == KindInitial && declared(i) {
				start = i
			}
		}
		reached := make([]bool, len(spec.States))
		stack := []int{start}
		reached[start] = true
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, m := range next[n] {
				if !reached[m] {
					reached[m] = true
					stack = append(stack, m)
				}
			}
		}
		for i, s := range spec.States {
			if declared(i) && !reached[i] {
				add(DefectUnreachable, s.Name, "", "state %q cannot be reached from initial state %q", s.Name, spec.States[start].Name)
			}
		}
	}
	// Which states can reach a terminal state: iterate to a fixed point.
	canEnd := make([]bool, len(spec.States))
	for i, s := range spec.States {
		canEnd[i] = declared(i) && !knownNonTerminal(s.Kind)
	}
	for changed := true; changed; {
		changed = false
		for i := range spec.States {
			if canEnd[i] {
				continue
			}
			for _, m := range next[i] {
				if canEnd[m] {
					canEnd[i], changed = true, true
					break
				}
			}
		}
	}
	for i, s := range spec.States {
		if !declared(i) || !knownNonTerminal(s.Kind) {
			continue
		}
		switch {
		case !hasExit[i]:
			add(DefectDeadEnd, s.Name, "", "non-terminal state %q has no way out", s.Name)
		case !canEnd[i]:
			add(DefectNoTerminalPath, s.Name, "", "no terminal state can be reached from state %q", s.Name)
		}
	}
	return out
}
