package hazard

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// Limits of an action's input.
const (
	// MaxVerdictLen is the longest verdict, in runes.
	MaxVerdictLen = 200
	// MaxAmountFen bounds a fine or a bonus: 100 million yuan.
	MaxAmountFen = 10_000_000_000
)

// Data keys of the transition events Act writes.
const (
	DataDepartment    = "department"      // the department a dispatch assigned
	DataVerdict       = "verdict"         // the reviewer's verdict
	DataFineFen       = "fine_fen"        // the fine recorded, in fen
	DataBonusFen      = "bonus_fen"       // the bonus granted, in fen
	DataLate          = "late"            // "true" when the action came after the state's deadline
	DataPrivateNoteTo = "private_note_to" // "reporter" when the private note is addressed to the reporter
)

// actDataKeys are the data keys Act writes itself: ActInput.Fields may not
// set them, so that a field cannot pass for an assignment, a verdict, a
// late action or a note addressed to the reporter.
var actDataKeys = []string{DataDepartment, DataVerdict, DataFineFen, DataBonusFen, DataLate, DataPrivateNoteTo, DataFixed}

// ActInput is what an actor supplies with an action.
type ActInput struct {
	// ExpectedVersion is the Version of the hazard the actor saw; required.
	// Another version is CodeConflict with Error.Version set to the current.
	ExpectedVersion int64
	// Note is the action's public note and its workflow "reason" (a
	// rejection's reason, a resolution's account); it shows on the plaza.
	Note string
	// PrivateNote is seen by staff only, and by the reporter when
	// NoteToReporter is set.
	PrivateNote string
	// NoteToReporter addresses PrivateNote to the hazard's reporter, who
	// sees it in ReporterView (the public never does).
	NoteToReporter bool
	// Department is the department code an action that needs one (dispatch)
	// assigns; it must be a configured department.
	Department string
	// Photos are attached to the action's event; for an action that needs
	// photos (resolve, rectify) they become the hazard's Evidence and Note
	// its Resolution.
	Photos []Photo
	// Verdict, FineFen and BonusFen are taken by the actions that record a
	// verdict (the process's Verdicts: approve, pass, pass_major and
	// sign_off in the presets) and refused by others.
	Verdict  string
	FineFen  int64
	BonusFen int64
	// Fields carries other inputs a custom workflow action needs, by key;
	// the keys Act writes itself (DataDepartment, DataVerdict, DataFineFen,
	// DataBonusFen, DataLate, DataPrivateNoteTo, DataFixed) are CodeInvalid.
	Fields map[string]string
}

// ActionInfo describes an action a user may take now: a button.
type ActionInfo struct {
	Name  string         `json:"name"`
	Label workflow.Label `json:"label"`
	// Needs lists the inputs the action requires, named as Act takes them
	// (InputField): "note", "department", "photos" or "fields.<key>".
	Needs []string `json:"needs,omitempty"`
}

// InputField returns the name of the ActInput field that supplies the
// workflow input k, as ActionInfo.Needs lists it and as the Field of Act's
// error for a missing input names it: NeedReason is "note",
// NeedDepartment "department", NeedPhotos "photos", and any other kind a
// key of Fields, "fields.<kind>". It is the one place where the workflow's
// input kinds meet the names an API takes.
func InputField(k workflow.InputKind) string {
	switch k {
	case workflow.NeedReason:
		return "note"
	case workflow.NeedDepartment:
		return "department"
	case workflow.NeedPhotos:
		return "photos"
	}
	return "fields." + string(k)
}

// Act takes action on the hazard id on behalf of user and returns the
// updated hazard.
//
// The user must be in the hazard's scope (a handler acts on their
// department's hazards only, a reporter on their own reports only):
// otherwise CodeForbidden. The hazard's own workflow definition (the name
// and version it started with) decides whether the user's role may take the
// action from the current state (CodeConflict when the action does not
// leave it, CodeForbidden for the role, CodeInvalid for a missing input or
// a guard's refusal, with the workflow's field and message).
//
// The action's effects: one that needs a department assigns in.Department;
// one that needs photos records in.Note as the Resolution and in.Photos as
// the Evidence; a verdict action records the Verdict, FineFen and BonusFen;
// a terminal state sets ClosedAt, and an action leaving a terminal state
// reopens the hazard (ClosedAt is cleared; the next closure is the one that
// counts). The hazard takes the new state's deadline;
// a change of state clears Escalated. The hazard and one EventTransition
// are saved in one atomic step with in.ExpectedVersion: of concurrent
// actions on one hazard exactly one wins and the others get CodeConflict
// with Error.Version set to the current version.
func (s *Service) Act(ctx context.Context, user User, id uuid.UUID, action string, in ActInput) (Hazard, error) {
	return s.act(ctx, user, id, action, in, "")
}

// act is Act; a non-empty fixed records the reporter's answer to "is it
// fixed?" (FixedNo) on the transition and counts it in Aftercare.
func (s *Service) act(ctx context.Context, user User, id uuid.UUID, action string, in ActInput, fixed string) (Hazard, error) {
	const op = "act"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	in.Note = NormalizeText(in.Note)
	in.PrivateNote = NormalizeText(in.PrivateNote)
	in.Verdict = NormalizeText(in.Verdict)
	in.Department = NormalizeText(in.Department)
	if err := s.checkActInput(action, &in); err != nil {
		return Hazard{}, err
	}
	h, err := s.getToChange(ctx, op, user, id, in.ExpectedVersion)
	if err != nil {
		return Hazard{}, err
	}
	pr, err := s.process(&h)
	if err != nil {
		return Hazard{}, err
	}
	if (in.Verdict != "" || in.FineFen != 0 || in.BonusFen != 0) && !pr.RecordsVerdict(action) {
		return Hazard{}, &Error{Code: CodeInvalid, Op: op, Field: "verdict", Message: "is taken only by an action that records a verdict"}
	}
	def := pr.Definition()
	now := s.now()
	wi := workflow.Input{
		Reason: in.Note, Department: in.Department, Photos: keys(in.Photos),
		Fields: in.Fields, Subject: &h, Now: now,
	}
	from, next := h.State, workflow.Status{State: h.State}
	if err := def.Apply(ctx, &next, action, workflow.Actor{ID: user.ID, Role: workflow.Role(user.Role)}, &wi); err != nil {
		return Hazard{}, fromWorkflow(op, err)
	}

	ev := Event{
		HazardID: h.ID, Type: EventTransition, Actor: user.Actor(),
		Action: action, From: from, To: next.State,
		PublicNote: in.Note, PrivateNote: in.PrivateNote,
		Attachments: in.Photos, Time: now, // the store copies what it keeps
	}
	var data map[string]string // made on the first key
	set := func(k, v string) {
		if data == nil {
			data = make(map[string]string, len(in.Fields)+4)
		}
		data[k] = v
	}
	for k, v := range in.Fields {
		set(k, v)
	}
	if in.Department != "" {
		if !def.Requires(from, action, workflow.NeedDepartment) {
			return Hazard{}, &Error{Code: CodeInvalid, Op: op, Field: "department", Message: "this action assigns no department"}
		}
		h.Department = in.Department
		set(DataDepartment, in.Department)
	}
	if def.Requires(from, action, workflow.NeedPhotos) {
		h.Resolution = in.Note
		h.Evidence = in.Photos // the store copies it
	}
	if pr.RecordsVerdict(action) {
		h.Verdict, h.FineFen, h.BonusFen = in.Verdict, in.FineFen, in.BonusFen
		if in.Verdict != "" {
			set(DataVerdict, in.Verdict)
		}
		if in.FineFen > 0 {
			set(DataFineFen, strconv.FormatInt(in.FineFen, 10))
		}
		if in.BonusFen > 0 {
			set(DataBonusFen, strconv.FormatInt(in.BonusFen, 10))
		}
	}
	if !h.Deadline.IsZero() && now.After(h.Deadline) {
		set(DataLate, "true")
	}
	if in.NoteToReporter && in.PrivateNote != "" {
		set(DataPrivateNoteTo, "reporter")
	}
	if fixed != "" {
		set(DataFixed, fixed)
		h.Aftercare.answered(fixed, now)
	}
	ev.Data = data
	if next.State != h.State {
		h.Escalated = ""
	}
	h.State = next.State
	h.Deadline = next.Deadline
	h.UpdatedAt = now
	switch {
	case def.IsTerminal(next.State) && h.ClosedAt.IsZero():
		h.ClosedAt = now
	case !def.IsTerminal(next.State) && pr.Reopens(from):
		h.ClosedAt = time.Time{} // reopened: a later closure counts
		h.Aftercare.reopened(pr.Outcome(from))
	}
	stored, err := s.store.Update(ctx, h, in.ExpectedVersion, []Event{ev})
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	s.metrics.transitioned(action, next.State)
	if !stored.ClosedAt.IsZero() && from != next.State && def.IsTerminal(next.State) {
		s.metrics.closed(stored.ClosedAt.Sub(stored.CreatedAt))
	}
	return stored, nil
}

// checkActInput validates what does not depend on the hazard, reporting
// every problem at once.
func (s *Service) checkActInput(action string, in *ActInput) error {
	var p Problems
	if action == "" {
		p.Add("action", "is required")
	}
	if in.ExpectedVersion < 1 {
		p.Add("expected_version", "is required")
	}
	CheckText(&p, "note", in.Note, 0, MaxNoteLen)
	CheckText(&p, "private_note", in.PrivateNote, 0, MaxNoteLen)
	CheckText(&p, "verdict", in.Verdict, 0, MaxVerdictLen)
	if in.Department != "" {
		if _, ok := s.deptByCode[in.Department]; !ok {
			p.Add("department", "is not a known department")
		}
	}
	validatePhotos(&p, "photos", in.Photos, 0)
	if in.FineFen < 0 || in.FineFen > MaxAmountFen {
		p.Add("fine_fen", "must be 0 to %d fen", int64(MaxAmountFen))
	}
	if in.BonusFen < 0 || in.BonusFen > MaxAmountFen {
		p.Add("bonus_fen", "must be 0 to %d fen", int64(MaxAmountFen))
	}
	if len(in.Fields) > MaxEventDataKeys-8 {
		p.Add("fields", "takes at most %d keys", MaxEventDataKeys-8)
	}
	for k, v := range in.Fields {
		switch {
		case !codePattern.MatchString(k) || len(k) > MaxCategoryCodeLen:
			p.Add("fields", "key %q must be lower_snake_case", k)
		case slices.Contains(actDataKeys, k):
			p.Add("fields", "key %q is set by the action itself", k)
		}
		CheckText(&p, "fields."+k, v, 0, MaxEventDataLen)
	}
	return p.Err("act")
}

// Actions returns the actions user may take on the hazard id now, in the
// workflow's order: those of the hazard's current state that the user's
// role may take. A hazard that is missing or not in the user's scope is
// CodeNotFound, the same answer in both cases (NoSuchHazard): its actions
// are not listed and its existence is not told.
func (s *Service) Actions(ctx context.Context, user User, id uuid.UUID) ([]ActionInfo, error) {
	if err := authenticated("actions", user); err != nil {
		return nil, err
	}
	h, err := s.visibleHazard(ctx, "actions", user, id, inScope)
	if err != nil {
		return nil, err
	}
	return s.actionsFor(user, &h)
}

func (s *Service) actionsFor(user User, h *Hazard) ([]ActionInfo, error) {
	if !inScope(user, h) {
		return nil, nil
	}
	pr, err := s.process(h)
	if err != nil {
		return nil, err
	}
	acts := pr.Definition().Available(h.State, workflow.Role(user.Role))
	out := make([]ActionInfo, 0, len(acts))
	for _, a := range acts {
		info := ActionInfo{Name: a.Name, Label: a.Label}
		for _, n := range a.Needs {
			info.Needs = append(info.Needs, InputField(n))
		}
		out = append(out, info)
	}
	return out, nil
}
