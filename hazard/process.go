package hazard

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/hazardloop/hazardloop/workflow"
)

// Outcome is how a closing (terminal) state closes a hazard. Rewards and
// figures read it, never a state's name.
type Outcome string

// The outcomes.
const (
	// OutcomeValid closes a hazard as verified and fixed: it may earn a
	// reward and counts as rectified.
	OutcomeValid Outcome = "valid"
	// OutcomeInvalid closes a hazard without a fix: not accepted,
	// dismissed, withdrawn.
	OutcomeInvalid Outcome = "invalid"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == OutcomeValid || o == OutcomeInvalid }

// Open311Status is a status of mySociety's servicerequestupdates extension
// of Open311 GeoReport v2 (FixMyStreet), finer than GeoReport's open and
// closed; a state declares its own so that an Open311 adapter needs no
// table of state names.
type Open311Status string

// The Open311 update statuses a state may declare. FixMyStreet treats
// FIXED, CLOSED, DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION
// and INTERNAL_REFERRAL as closing a report.
const (
	Open311Open                      Open311Status = "OPEN"
	Open311ActionScheduled           Open311Status = "ACTION_SCHEDULED"
	Open311InProgress                Open311Status = "IN_PROGRESS"
	Open311Investigating             Open311Status = "INVESTIGATING"
	Open311Fixed                     Open311Status = "FIXED"
	Open311Closed                    Open311Status = "CLOSED"
	Open311Duplicate                 Open311Status = "DUPLICATE"
	Open311NotCouncilsResponsibility Open311Status = "NOT_COUNCILS_RESPONSIBILITY"
	Open311NoFurtherAction           Open311Status = "NO_FURTHER_ACTION"
	Open311InternalReferral          Open311Status = "INTERNAL_REFERRAL"
)

// Closes reports whether FixMyStreet treats s as closing a report.
func (s Open311Status) Closes() bool {
	switch s {
	case Open311Fixed, Open311Closed, Open311Duplicate, Open311NotCouncilsResponsibility,
		Open311NoFurtherAction, Open311InternalReferral:
		return true
	}
	return false
}

func (s Open311Status) valid() bool {
	return s.Closes() || s == Open311Open || s == Open311ActionScheduled || s == Open311InProgress || s == Open311Investigating
}

// StateMeaning is what one state of a process means outside the workflow:
// how it closes a hazard, and what the public and Open311 are shown.
type StateMeaning struct {
	// Closes is the outcome of a terminal state; required for terminal
	// states and empty for the others.
	Closes Outcome
	// Public is the status the report plaza shows ("received", "fixed");
	// empty means the state's own label.
	Public workflow.Label
	// Next tells the public what happens next in the state (Open311's
	// service_notice); empty for nothing to say.
	Next workflow.Label
	// Open311 is the state's Open311 update status. Empty means OPEN for a
	// state that is not terminal, FIXED for a terminal state closing as
	// valid and NO_FURTHER_ACTION for one closing as invalid. Open311's
	// GeoReport status is "closed" exactly for terminal states.
	Open311 Open311Status
	// Stage is the stage of reconciliation (对账销号) a hazard in the state
	// has reached; empty for none (not yet ordered, or not a rectification
	// at all). Figures count a hazard in its stage and every earlier one.
	Stage Stage
}

// ActionMeaning is what an action means to the public.
type ActionMeaning struct {
	// Step names the kind of public step the action makes; actions that
	// mean the same to the public share one (the presets' resolve and
	// rectify are both "handled"). Empty means the action's name.
	Step string
	// Public describes the step on a public timeline when it carries no
	// public note; empty means the action's label.
	Public workflow.Label
}

// Scope says which users of a role an [Audience] reaches.
type Scope string

// The scopes.
const (
	// ScopeReporter is the hazard's reporter alone (the role is ignored).
	ScopeReporter Scope = "reporter"
	// ScopeDepartment is the users of the role in the department the event
	// concerns: the department an action assigned, else the acting user's,
	// else the hazard's.
	ScopeDepartment Scope = "department"
	// ScopeUnit is the users of the role at the unit the hazard was found
	// at (Hazard.UnitID); nobody when it has none.
	ScopeUnit Scope = "unit"
	// ScopeAll is every user of the role.
	ScopeAll Scope = "all"
)

// Audience is who is told of a step: users of a role, in a scope.
type Audience struct {
	Role  workflow.Role `json:"role,omitempty"`
	Scope Scope         `json:"scope"`
}

// The audiences of the presets. Supervisors are the administrators today:
// they get escalations and listings for supervision (挂牌督办).
var (
	AudienceReporter    = Audience{Scope: ScopeReporter}
	AudienceHandlers    = Audience{Role: RoleHandler, Scope: ScopeDepartment}
	AudienceInspectors  = Audience{Role: RoleInspector, Scope: ScopeDepartment}
	AudienceDispatchers = Audience{Role: RoleDispatcher, Scope: ScopeAll}
	AudienceReviewers   = Audience{Role: RoleReviewer, Scope: ScopeAll}
	AudienceEnterprise  = Audience{Role: RoleEnterprise, Scope: ScopeUnit}
	AudienceSupervisors = Audience{Role: RoleAdmin, Scope: ScopeAll}
)

// String returns "reporter", or "<role>@<scope>".
func (a Audience) String() string {
	if a.Scope == ScopeReporter {
		return string(ScopeReporter)
	}
	return string(a.Role) + "@" + string(a.Scope)
}

// Notice declares that an audience is told of a step of a process with a
// message template. A step is an event of the hazard: its submission, a
// transition or an escalation (overdue, 督办).
type Notice struct {
	// On is the event type: EventSubmitted, EventTransition (the default
	// when empty), EventEscalated or EventFixedCheck.
	On EventType
	// Action and To narrow a transition to an action and to a target state;
	// empty matches any. At least one is set for a transition.
	Action string
	To     string
	// Major keeps the notice to major hazards.
	Major bool
	// Audience is who is told; Template the message template's key.
	Audience Audience
	Template string
}

// Limits of a process's declarations.
const (
	// MaxNotices is the most notices a process declares.
	MaxNotices = 256
	// MaxTemplateKeyLen is the longest template key, in bytes.
	MaxTemplateKeyLen = 64
)

// ProcessSpec declares what the steps of a workflow definition mean to the
// hazard loop; [NewProcess] validates it. The definition knows states,
// actions, roles, inputs, guards and deadlines; the spec adds, as data,
// what the packages that react to a process read: outcomes (rewards and
// figures), verdict actions, notices (package notify), and the public and
// Open311 status of each state. An integrator's own process gets rewards,
// notices and figures from its spec alone.
type ProcessSpec struct {
	// Definition is the workflow; required.
	Definition *workflow.Definition
	// States gives each state's meaning by name. Every terminal state needs
	// one with its outcome; other states may be left out.
	States map[string]StateMeaning
	// Actions gives actions' public meaning by name; others keep their
	// name and label.
	Actions map[string]ActionMeaning
	// Verdicts are the actions that record a reviewer's verdict, fine and
	// bonus (the ones that sign a hazard off as fixed).
	Verdicts []string
	// Notices say who is told of which step.
	Notices []Notice
}

// Process is a workflow definition with the meaning of its steps: an
// immutable, validated value, safe for concurrent use.
//
// An action that leaves a terminal state reopens the hazard: its closure
// ends (Hazard.ClosedAt is cleared) and a later closure is the one that
// counts. A hazard closed as valid once keeps the reward it earned and
// never earns a second one.
type Process struct {
	def      *workflow.Definition
	states   map[string]StateMeaning // every state, defaults filled in
	labels   map[string]workflow.Label
	actions  map[string]workflow.Label
	steps    map[string]ActionMeaning // every action, defaults filled in
	verdicts []string
	notices  []Notice
}

// NewProcess validates spec and returns its process, or a CodeInvalid
// *Error listing every problem: an unknown state or action, a terminal
// state without an outcome or a non-terminal one with an outcome, an
// unknown Open311 status, a notice that matches nothing or lacks a
// template or an audience.
func NewProcess(spec ProcessSpec) (*Process, error) {
	var p Problems
	def := spec.Definition
	if def == nil {
		p.Add("definition", "is required")
		return nil, p.Err("new process")
	}
	pr := &Process{
		def:      def,
		states:   make(map[string]StateMeaning),
		labels:   make(map[string]workflow.Label),
		actions:  make(map[string]workflow.Label),
		steps:    make(map[string]ActionMeaning),
		verdicts: slices.Clone(spec.Verdicts),
		notices:  slices.Clone(spec.Notices),
	}
	for name := range spec.States {
		if _, ok := def.State(name); !ok {
			p.Add("states", "%q is not a state of %s", name, def.Name())
		}
	}
	for _, st := range def.States() {
		m := spec.States[st.Name]
		f := "states." + st.Name
		terminal := st.Kind == workflow.KindTerminal
		switch {
		case terminal && !m.Closes.Valid():
			p.Add(f+".closes", "a terminal state needs the outcome %q or %q", OutcomeValid, OutcomeInvalid)
		case !terminal && m.Closes != "":
			p.Add(f+".closes", "only a terminal state closes a hazard")
		}
		if m.Public.ZH == "" && m.Public.EN == "" {
			m.Public = st.Label
		}
		switch {
		case m.Open311 == "" && !terminal:
			m.Open311 = Open311Open
		case m.Open311 == "" && m.Closes == OutcomeValid:
			m.Open311 = Open311Fixed
		case m.Open311 == "":
			m.Open311 = Open311NoFurtherAction
		case !m.Open311.valid():
			p.Add(f+".open311", "%q is not an Open311 update status", m.Open311)
		case m.Open311.Closes() != terminal:
			p.Add(f+".open311", "%q must close exactly when the state is terminal", m.Open311)
		}
		if m.Stage != "" && !m.Stage.Valid() {
			p.Add(f+".stage", "%q is not a stage", m.Stage)
		}
		pr.states[st.Name] = m
		pr.labels[st.Name] = st.Label
	}
	for _, a := range def.Actions() {
		pr.actions[a.Name] = a.Label
		m := spec.Actions[a.Name]
		if m.Step == "" {
			m.Step = a.Name
		}
		if m.Public.ZH == "" && m.Public.EN == "" {
			m.Public = a.Label
		}
		pr.steps[a.Name] = m
	}
	for name, m := range spec.Actions {
		if _, ok := pr.actions[name]; !ok {
			p.Add("actions", "%q is not an action of %s", name, def.Name())
		} else if m.Step != "" && !codePattern.MatchString(m.Step) {
			p.Add("actions."+name+".step", "must be lower_snake_case")
		}
	}
	for i, v := range spec.Verdicts {
		if _, ok := pr.actions[v]; !ok {
			p.Add("verdicts["+strconv.Itoa(i)+"]", "%q is not an action of %s", v, def.Name())
		}
	}
	if len(spec.Notices) > MaxNotices {
		p.Add("notices", "takes at most %d notices", MaxNotices)
	}
	for i := range pr.notices {
		n := &pr.notices[i]
		f := fmt.Sprintf("notices[%d]", i)
		if n.On == "" {
			n.On = EventTransition
		}
		switch n.On {
		case EventTransition:
			if n.Action == "" && n.To == "" {
				p.Add(f, "a transition notice names an action, a target state or both")
			}
		case EventSubmitted, EventEscalated, EventFixedCheck:
			if n.Action != "" || n.To != "" {
				p.Add(f, "only a transition notice names an action or a state")
			}
		default:
			p.Add(f+".on", "must be %q, %q, %q or %q", EventSubmitted, EventTransition, EventEscalated, EventFixedCheck)
		}
		if _, ok := pr.actions[n.Action]; n.Action != "" && !ok {
			p.Add(f+".action", "%q is not an action of %s", n.Action, def.Name())
		}
		if _, ok := pr.labels[n.To]; n.To != "" && !ok {
			p.Add(f+".to", "%q is not a state of %s", n.To, def.Name())
		}
		if n.Template == "" || len(n.Template) > MaxTemplateKeyLen || !codePattern.MatchString(n.Template) {
			p.Add(f+".template", "must be a lower_snake_case key of at most %d bytes", MaxTemplateKeyLen)
		}
		switch n.Audience.Scope {
		case ScopeReporter:
		case ScopeDepartment, ScopeUnit, ScopeAll:
			if n.Audience.Role == "" {
				p.Add(f+".audience", "names a role")
			}
		default:
			p.Add(f+".audience", "has an unknown scope %q", n.Audience.Scope)
		}
	}
	if err := p.Err("new process"); err != nil {
		return nil, err
	}
	return pr, nil
}

// MustProcess is NewProcess that panics on error, for processes written in
// code.
func MustProcess(spec ProcessSpec) *Process {
	p, err := NewProcess(spec)
	if err != nil {
		panic(err)
	}
	return p
}

// Definition returns the process's workflow definition.
func (p *Process) Definition() *workflow.Definition { return p.def }

// Name returns the definition's name.
func (p *Process) Name() string { return p.def.Name() }

// Version returns the definition's version.
func (p *Process) Version() int { return p.def.Version() }

// Meaning returns the meaning of a state, with its defaults filled in, and
// whether the state exists.
func (p *Process) Meaning(state string) (StateMeaning, bool) {
	m, ok := p.states[state]
	return m, ok
}

// Outcome returns how state closes a hazard: "" for a state that is not
// terminal or unknown.
func (p *Process) Outcome(state string) Outcome { return p.states[state].Closes }

// Stage returns the stage of reconciliation a hazard in state has reached:
// "" for none or an unknown state.
func (p *Process) Stage(state string) Stage { return p.states[state].Stage }

// StateLabel returns the label of a state; an unknown state's label is its
// name in both languages.
func (p *Process) StateLabel(state string) workflow.Label {
	if l, ok := p.labels[state]; ok {
		return l
	}
	return workflow.Label{ZH: state, EN: state}
}

// ActionLabel returns the label of an action; an unknown action's label is
// its name in both languages.
func (p *Process) ActionLabel(action string) workflow.Label {
	if l, ok := p.actions[action]; ok {
		return l
	}
	return workflow.Label{ZH: action, EN: action}
}

// Step returns the public meaning of an action, with its defaults filled
// in: an unknown action's step is its name and its description its name in
// both languages.
func (p *Process) Step(action string) ActionMeaning {
	if m, ok := p.steps[action]; ok {
		return m
	}
	return ActionMeaning{Step: action, Public: workflow.Label{ZH: action, EN: action}}
}

// RecordsVerdict reports whether action records a verdict, a fine and a
// bonus.
func (p *Process) RecordsVerdict(action string) bool { return slices.Contains(p.verdicts, action) }

// Reopens reports whether taking an action from state reopens a closed
// hazard: whether state is terminal.
func (p *Process) Reopens(from string) bool { return p.def.IsTerminal(from) }

// Notices returns the notices a hazard event calls for, in declaration
// order: those declared for its type that match its action and target
// state (transitions), and for a major hazard also those kept to major
// hazards.
func (p *Process) Notices(e *Event, major bool) []Notice {
	var out []Notice
	for _, n := range p.notices {
		if n.On != e.Type || n.Major && !major {
			continue
		}
		if e.Type == EventTransition && (n.Action != "" && n.Action != e.Action || n.To != "" && n.To != e.To) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// Templates returns the distinct template keys the process's notices use,
// in declaration order, so that a notifier can check at start-up that it
// has a text for each.
func (p *Process) Templates() []string {
	var out []string
	for _, n := range p.notices {
		if !slices.Contains(out, n.Template) {
			out = append(out, n.Template)
		}
	}
	return out
}

// Processes is the set of processes a service runs, by name and version: a
// hazard keeps the name and version it started with for its whole life, so
// a changed process (a new version) applies to new hazards only. It is
// immutable and safe for concurrent use.
type Processes struct {
	all    []*Process
	byKey  map[processKey]*Process
	latest map[string]*Process
}

type processKey struct {
	name    string
	version int
}

// NewProcesses returns the set of ps. A nil process or two with the same
// name and version are CodeInvalid.
func NewProcesses(ps ...*Process) (*Processes, error) {
	var p Problems
	set := &Processes{byKey: make(map[processKey]*Process, len(ps)), latest: make(map[string]*Process)}
	for i, pr := range ps {
		if pr == nil {
			p.Add("processes["+strconv.Itoa(i)+"]", "is nil")
			continue
		}
		k := processKey{pr.Name(), pr.Version()}
		if set.byKey[k] != nil {
			p.Add("processes["+strconv.Itoa(i)+"]", "%s v%d is given twice", k.name, k.version)
			continue
		}
		set.byKey[k] = pr
		set.all = append(set.all, pr)
		if l := set.latest[k.name]; l == nil || l.Version() < k.version {
			set.latest[k.name] = pr
		}
	}
	if err := p.Err("new processes"); err != nil {
		return nil, err
	}
	return set, nil
}

// Get returns the process name at version, or CodeNotFound.
func (s *Processes) Get(name string, version int) (*Process, error) {
	if pr := s.byKey[processKey{name, version}]; pr != nil {
		return pr, nil
	}
	return nil, &Error{Code: CodeNotFound, Op: "process", Message: fmt.Sprintf("no process %q v%d", name, version)}
}

// Of returns the process h runs (its Workflow and WorkflowVersion), or
// CodeNotFound.
func (s *Processes) Of(h *Hazard) (*Process, error) { return s.Get(h.Workflow, h.WorkflowVersion) }

// Latest returns the highest version of the process name, or CodeNotFound.
func (s *Processes) Latest(name string) (*Process, error) {
	if pr := s.latest[name]; pr != nil {
		return pr, nil
	}
	return nil, &Error{Code: CodeNotFound, Op: "process", Message: fmt.Sprintf("no process %q", name)}
}

// MayClose reports whether some process of s declares a state named state
// that closes a hazard with outcome o: a cheap filter for consumers, which
// then check the hazard's own process.
func (s *Processes) MayClose(state string, o Outcome) bool {
	for _, pr := range s.all {
		if pr.Outcome(state) == o {
			return true
		}
	}
	return false
}

// All returns the processes in the order given to NewProcesses.
func (s *Processes) All() []*Process { return slices.Clone(s.all) }

// States returns the distinct state names of every process, in order: the
// choices of a state filter.
func (s *Processes) States() []string {
	var out []string
	for _, pr := range s.all {
		for _, st := range pr.def.States() {
			if !slices.Contains(out, st.Name) {
				out = append(out, st.Name)
			}
		}
	}
	return out
}
