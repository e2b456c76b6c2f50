package hazard

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Who may see and act on which hazard is decided here, once: the views,
// Act, the queues and the photo handler of a server all ask these.

// scopeFilter returns the list filter that selects the hazards in u's
// scope, and false when u has no scope at all:
//   - a reporter: their own reports;
//   - an enterprise (a unit's safety manager): the hazards found at their
//     unit (Hazard.UnitID = User.UnitID), never by the free-text receiving
//     unit a citizen typed; no unit, no scope;
//   - a handler or an inspector: their department's; no department, no
//     scope;
//   - a dispatcher, a reviewer or an admin: every hazard;
//   - an auditor: none (the access log is theirs, not the hazards);
//   - a role the library does not know: its department's when the user has
//     one, else every hazard.
//
// Whether the role may take a given action is the workflow's decision.
func scopeFilter(u User) (Filter, bool) {
	switch u.Role {
	case "", string(RoleAuditor):
		return Filter{}, false
	case string(RoleReporter):
		return Filter{Reporter: u.ID}, u.ID != ""
	case string(RoleEnterprise):
		return Filter{UnitID: u.UnitID}, u.UnitID != ""
	case string(RoleHandler), string(RoleInspector):
		return Filter{Department: u.Department}, u.Department != ""
	case string(RoleDispatcher), string(RoleReviewer), string(RoleAdmin):
		return Filter{}, true
	}
	return Filter{Department: u.Department}, true
}

// inScope reports whether u may see and act on h (see scopeFilter).
func inScope(u User, h *Hazard) bool {
	f, ok := scopeFilter(u)
	return ok && f.Matches(h)
}

// getToChange reads the hazard id for user to change it: CodeNotFound when
// it is missing or not in user's scope (the same answer: errNoHazard), and
// CodeConflict (with Error.Version the current version) when its version
// is not expectedVersion.
func (s *Service) getToChange(ctx context.Context, op string, user User, id uuid.UUID, expectedVersion int64) (Hazard, error) {
	h, err := s.visibleHazard(ctx, op, user, id, inScope)
	if err != nil {
		return Hazard{}, err
	}
	if h.Version != expectedVersion {
		return Hazard{}, &Error{Code: CodeConflict, Op: op, Field: "expected_version", Message: "the hazard changed: reload it", Version: h.Version}
	}
	return h, nil
}

// staffOnly returns nil for a signed-in staff user (User.Staff),
// CodeUnauthenticated for no user and CodeForbidden for anyone else.
func staffOnly(op string, u User) error {
	if err := authenticated(op, u); err != nil {
		return err
	}
	if !u.Staff() {
		return &Error{Code: CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

// workOnly returns nil for a signed-in user who works on hazards: staff or
// an enterprise; CodeUnauthenticated for no user and CodeForbidden for a
// reporter.
func workOnly(op string, u User) error {
	if err := authenticated(op, u); err != nil {
		return err
	}
	if !u.Staff() && u.Role != string(RoleEnterprise) {
		return &Error{Code: CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

// seesReporter reports whether u, with h in scope, may see who reported h:
// the reporter and staff may; an enterprise never does.
func seesReporter(u User) bool { return u.Role != string(RoleEnterprise) }

// ForUnit returns what a unit's safety manager sees of h: everything but
// its reporter (identity and contact are zeroed).
func (h Hazard) ForUnit() Hazard {
	h = h.Clone()
	h.Reporter = Reporter{}
	return h
}

// EventsForUnit returns what a unit's safety manager sees of a hazard's
// events: no reward event (they concern the reporter), no private note, no
// reporter's identity (a reporter's actor keeps its role alone), and no
// data but the keys the library writes about the process (department,
// verdict, fine, bonus, late, state, deadline).
func EventsForUnit(events []Event) []Event {
	out := make([]Event, 0, len(events))
	for _, e := range events {
		switch e.Type {
		case EventRewardIssued, EventRewardClaimed, EventRewardExpired:
			continue
		}
		e = e.Clone()
		if e.Actor.Role == string(RoleReporter) {
			e.Actor = Actor{Role: e.Actor.Role}
		}
		e.PrivateNote = ""
		var data map[string]string
		for k, v := range e.Data {
			switch k {
			case DataDepartment, DataVerdict, DataFineFen, DataBonusFen, DataLate, DataState, DataDeadline:
				if data == nil {
					data = map[string]string{}
				}
				data[k] = v
			}
		}
		e.Data = data
		out = append(out, e)
	}
	return out
}

// NoSuchHazard is the message of the one answer about a hazard that is
// missing or that the user may not see.
const NoSuchHazard = "no such hazard"

// errNoHazard is the answer about a hazard that is missing or that the
// user may not see: CodeNotFound with the same message in both cases, so
// that no answer tells whether a hazard the caller may not see exists.
func errNoHazard(op string) *Error {
	return &Error{Code: CodeNotFound, Op: op, Message: NoSuchHazard}
}

// visibleHazard loads the hazard id when sees(user, h) says the user may
// see it; a missing hazard and a hidden one are both errNoHazard.
func (s *Service) visibleHazard(ctx context.Context, op string, user User, id uuid.UUID, sees func(User, *Hazard) bool) (Hazard, error) {
	h, err := s.store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Hazard{}, errNoHazard(op)
	case err != nil:
		return Hazard{}, Wrap(op, err)
	case !sees(user, &h):
		return Hazard{}, errNoHazard(op)
	}
	return h, nil
}

// ownReport reports whether u reported h.
func ownReport(u User, h *Hazard) bool { return h.Reporter.UserID == u.ID }
