package hazard

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// Defaults of the aftercare of a report closed as fixed.
const (
	// DefaultReopenWindow is how long after a closure as fixed the
	// reporter may reopen a citizen report (CitizenDeadlines.ReopenWindow).
	DefaultReopenWindow = 30 * Day
	// DefaultFixedCheckAfter is how long after a closure as fixed the
	// reporter is asked "is it fixed?" (ServiceConfig.FixedCheckAfter).
	DefaultFixedCheckAfter = 14 * Day
)

// Event types of the aftercare.
const (
	// EventFixedCheck records that the reporter was asked "is it fixed?";
	// processes declare a notice on it (the citizen report tells the
	// reporter, template TemplateFixedCheck).
	EventFixedCheck EventType = "fixed_check"
	// EventFixedAnswer records the reporter's "yes, it is fixed". A "no"
	// reopens the hazard: it is the reopening's transition, whose Data
	// carries DataFixed "no".
	EventFixedAnswer EventType = "fixed_answer"
)

// DataFixed is the data key of the reporter's answer to "is it fixed?":
// FixedYes on an EventFixedAnswer, FixedNo on the reopening transition.
// ActInput.Fields may not set it.
const DataFixed = "fixed"

// The answers to "is it fixed?".
const (
	FixedYes = "yes"
	FixedNo  = "no"
)

// ErrReopenWindowPassed is the cause of the CodeConflict error a reporter
// gets when reopening a report closed as fixed longer ago than the reopen
// window (CitizenDeadlines.ReopenWindow); match it with errors.Is.
var ErrReopenWindowPassed = errors.New("the time to reopen this report has passed")

// Aftercare is what followed a hazard's closures as valid (fixed): how
// often it was reopened, and the "is it fixed?" check of its latest
// closure. Figures count it against the hazard's department.
type Aftercare struct {
	// Reopens counts the reopenings of the hazard from a state that
	// closed it as valid, by its reporter or by staff.
	Reopens int `json:"reopens,omitempty"`
	// AskedAt is when the reporter was asked "is it fixed?" about the
	// latest closure; zero when not asked (a reopening clears it).
	AskedAt time.Time `json:"asked_at,omitzero"`
	// AnsweredAt is when the reporter answered that question; zero when
	// not answered.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	// FixedYes and FixedNo count the reporter's answers over the hazard's
	// life (a "no" also reopened it).
	FixedYes int `json:"fixed_yes,omitempty"`
	FixedNo  int `json:"fixed_no,omitempty"`
}

// Awaiting reports whether the reporter was asked "is it fixed?" about the
// latest closure and has not answered yet.
func (a Aftercare) Awaiting() bool { return !a.AskedAt.IsZero() && a.AnsweredAt.IsZero() }

// reopened records a reopening from a state that closed the hazard with
// outcome o: only a closure as valid counts, and its check is over.
func (a *Aftercare) reopened(o Outcome) {
	if o != OutcomeValid {
		return
	}
	a.Reopens++
	a.AskedAt, a.AnsweredAt = time.Time{}, time.Time{}
}

// answered records the reporter's answer at now.
func (a *Aftercare) answered(answer string, now time.Time) {
	a.AnsweredAt = now
	if answer == FixedYes {
		a.FixedYes++
	} else {
		a.FixedNo++
	}
}

// reporterReopen is the guard of the citizen report's reopen action: a
// reporter needs a photo showing the hazard is back, and may reopen only
// within window of the closure (0 means DefaultReopenWindow, negative no
// limit); staff reopen at any time, without a photo.
func reporterReopen(window time.Duration) workflow.Guard {
	if window == 0 {
		window = DefaultReopenWindow
	}
	return func(_ context.Context, r workflow.Request) error {
		if r.Actor.Role != RoleReporter {
			return nil
		}
		if r.Input == nil || len(r.Input.Photos) == 0 {
			return &workflow.Error{Code: workflow.CodeInvalid, Action: r.Action.Name, Field: string(workflow.NeedPhotos),
				Message: "add a photo showing that the hazard is back"}
		}
		h, ok := r.Subject().(*Hazard)
		if !ok || window < 0 || h.ClosedAt.IsZero() {
			return nil
		}
		if r.Input.Now.Sub(h.ClosedAt) > window {
			return &workflow.Error{Code: workflow.CodeConflict, Action: r.Action.Name,
				Message: ErrReopenWindowPassed.Error(), Err: ErrReopenWindowPassed}
		}
		return nil
	}
}

// reopenAction returns the action that role may take from state to reopen
// a hazard of pr (the first available action leaving the terminal state),
// or "" when there is none.
func reopenAction(pr *Process, state string, role workflow.Role) string {
	if !pr.Reopens(state) {
		return ""
	}
	for _, a := range pr.Definition().Available(state, role) {
		if !pr.Definition().IsTerminal(a.To) {
			return a.Name
		}
	}
	return ""
}

// fixedCheckStates returns the states, of every process, that close a
// hazard as valid and from which its reporter may reopen it: the hazards
// in them are asked "is it fixed?".
func (s *Service) fixedCheckStates() []string {
	var out []string
	for _, pr := range s.processes.All() {
		for _, st := range pr.Definition().States() {
			if pr.Outcome(st.Name) == OutcomeValid && reopenAction(pr, st.Name, RoleReporter) != "" && !slices.Contains(out, st.Name) {
				out = append(out, st.Name)
			}
		}
	}
	return out
}

// AskFixed asks the reporters of the hazards closed as fixed
// ServiceConfig.FixedCheckAfter ago "is it fixed?": for each hazard in a
// state that closes it as valid and from which its reporter may reopen it,
// closed at least FixedCheckAfter and less than twice that long ago, and
// not yet asked about this closure, it records an EventFixedCheck (by the
// System actor; the process's notices tell the reporter) and marks the
// hazard asked (Aftercare.AskedAt). It returns how many it asked.
//
// A hazard is asked once per closure however often AskFixed runs, also
// from several processes at once: the write names the version read, and a
// hazard that changed meanwhile is left to the next run. A closure older
// than twice FixedCheckAfter is never asked about (a sweep that did not
// run for a while does not ask about old closures). It reads the hazards
// in those states through Store.List; run it with Escalate, say daily.
// With FixedCheckAfter negative it does nothing.
func (s *Service) AskFixed(ctx context.Context) (int, error) {
	const op = "ask fixed"
	if s.fixedAfter < 0 {
		return 0, nil
	}
	states := s.fixedCheckStates()
	if len(states) == 0 {
		return 0, nil
	}
	now := s.now()
	closed := false
	var due []Hazard
	err := forEach(ctx, s.store, Filter{States: states, Open: &closed}, func(h *Hazard) error {
		age := now.Sub(h.ClosedAt)
		if !h.Aftercare.AskedAt.IsZero() || age < s.fixedAfter || age >= 2*s.fixedAfter {
			return nil
		}
		if pr, err := s.process(h); err != nil || reopenAction(pr, h.State, RoleReporter) == "" {
			return nil
		}
		due = append(due, *h)
		return nil
	})
	if err != nil {
		return 0, Wrap(op, err)
	}
	n := 0
	for _, h := range due {
		version := h.Version
		h.Aftercare.AskedAt = now
		h.UpdatedAt = now
		ev := Event{HazardID: h.ID, Type: EventFixedCheck, Actor: System, Time: now,
			Data: map[string]string{DataState: h.State}}
		if _, err := s.store.Update(ctx, h, version, []Event{ev}); err != nil {
			if errors.Is(err, ErrConflict) {
				continue // changed meanwhile; the next run looks again
			}
			return n, Wrap(op, err)
		}
		n++
	}
	return n, nil
}

// FixedAnswerInput is the reporter's answer to "is it fixed?".
type FixedAnswerInput struct {
	// ExpectedVersion is the Version of the hazard the reporter saw.
	ExpectedVersion int64
	// Fixed is the answer: true for "yes, it is fixed".
	Fixed bool
	// Note and Photos are what a "no" reopens the hazard with: the reason
	// and a photo showing the hazard is back, as the reopen action needs.
	Note   string
	Photos []Photo
}

// AnswerFixed records user's answer to "is it fixed?" about the hazard id,
// which user reported and which AskFixed asked about since its latest
// closure (otherwise CodeConflict naming "fixed"; a hazard that is missing
// or not user's own is CodeNotFound, as for Act; another user than its
// reporter is CodeForbidden). A "yes" is an EventFixedAnswer (counted in
// Aftercare.FixedYes); a "no" reopens the hazard exactly as its reporter's
// reopen action does (with in.Note and in.Photos, the same guard and
// window, back to the department that handled it), its transition event
// carrying DataFixed "no" (counted in Aftercare.FixedNo). Either is saved
// with in.ExpectedVersion; a hazard answered already is CodeConflict.
func (s *Service) AnswerFixed(ctx context.Context, user User, id uuid.UUID, in FixedAnswerInput) (Hazard, error) {
	const op = "answer fixed"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	h, err := s.getToChange(ctx, op, user, id, in.ExpectedVersion)
	if err != nil {
		return Hazard{}, err
	}
	if !ownReport(user, &h) || user.Role != string(RoleReporter) {
		return Hazard{}, &Error{Code: CodeForbidden, Op: op, Message: "only the reporter answers whether it is fixed"}
	}
	if h.Open() || !h.Aftercare.Awaiting() {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Field: "fixed", Message: "the report awaits no answer"}
	}
	if !in.Fixed {
		pr, err := s.process(&h)
		if err != nil {
			return Hazard{}, err
		}
		action := reopenAction(pr, h.State, workflow.Role(user.Role))
		if action == "" {
			return Hazard{}, &Error{Code: CodeConflict, Op: op, Field: "fixed", Message: "the report cannot be reopened"}
		}
		return s.act(ctx, user, id, action, ActInput{ExpectedVersion: in.ExpectedVersion, Note: in.Note, Photos: in.Photos}, FixedNo)
	}
	now := s.now()
	h.Aftercare.answered(FixedYes, now)
	h.UpdatedAt = now
	ev := Event{HazardID: h.ID, Type: EventFixedAnswer, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataFixed: FixedYes}}
	stored, err := s.store.Update(ctx, h, in.ExpectedVersion, []Event{ev})
	if err != nil {
		return Hazard{}, Wrap(op, err)
	}
	return stored, nil
}

// AftercareFigures are a department's figures of the aftercare of the
// hazards closed as fixed: how many were reopened (and how often), and the
// reporters' answers to "is it fixed?".
type AftercareFigures struct {
	// Reopened counts the hazards reopened at least once; Reopens the
	// reopenings.
	Reopened int `json:"reopened"`
	Reopens  int `json:"reopens"`
	// Asked counts the hazards whose reporter is awaiting or gave an
	// answer about the latest closure; FixedYes and FixedNo count the
	// answers.
	Asked    int `json:"asked"`
	FixedYes int `json:"fixed_yes"`
	FixedNo  int `json:"fixed_no"`
}

// add counts h's aftercare.
func (f *AftercareFigures) add(a *Aftercare) {
	if a.Reopens > 0 {
		f.Reopened++
	}
	f.Reopens += a.Reopens
	if !a.AskedAt.IsZero() {
		f.Asked++
	}
	f.FixedYes += a.FixedYes
	f.FixedNo += a.FixedNo
}

// AnswerFixed is Service.AnswerFixed with photos from user's uploads (for
// a "no"), held while it runs and attached to the hazard after.
func (p *Photos) AnswerFixed(ctx context.Context, user User, id uuid.UUID, in FixedAnswerInput, uploads []string) (Hazard, error) {
	const op = "answer fixed"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	return p.withUploads(ctx, op, user, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		return p.svc.AnswerFixed(ctx, user, id, in)
	})
}
