package hazard

import (
	"context"
	"slices"

	"github.com/hazardloop/hazardloop/workflow"
)

// MaxQueueLimit is the most hazards Queue returns.
const MaxQueueLimit = MaxPageLimit

// Queue returns what user has to do now, oldest deadline first (hazards
// without a deadline last, then oldest first): the open hazards in the
// user's scope in a state from which the user's role may take an action of
// the hazard's workflow. So a dispatcher sees submitted reports, a handler
// the dispatched and accepted hazards of their department, a reviewer the
// resolved ones and those awaiting sign-off, a reporter their own reports
// they may still withdraw.
//
// limit is 0 for DefaultPageLimit and is capped at MaxQueueLimit. Queue reads
// every open hazard in those states (in pages, through Store.List, filtered
// by department for department-scoped roles) to sort them by deadline: its
// cost grows with the open hazards in the user's scope, not with the store.
func (s *Service) Queue(ctx context.Context, user User, limit int) ([]Hazard, error) {
	const op = "queue"
	if err := authenticated(op, user); err != nil {
		return nil, err
	}
	switch {
	case limit < 0:
		return nil, &Error{Code: CodeInvalid, Op: op, Field: "limit", Message: "must not be negative"}
	case limit == 0:
		limit = DefaultPageLimit
	case limit > MaxQueueLimit:
		limit = MaxQueueLimit
	}
	role := workflow.Role(user.Role)
	var states []string
	for _, pr := range s.processes.all {
		d := pr.Definition()
		for _, st := range d.States() {
			if st.Kind != workflow.KindTerminal && len(d.Available(st.Name, role)) > 0 && !slices.Contains(states, st.Name) {
				states = append(states, st.Name)
			}
		}
	}
	if len(states) == 0 {
		return []Hazard{}, nil
	}
	f, ok := scopeFilter(user)
	if !ok {
		return []Hazard{}, nil
	}
	open := true
	f.States, f.Open = states, &open
	var out []Hazard
	err := forEach(ctx, s.store, f, func(h *Hazard) error {
		if !inScope(user, h) {
			return nil
		}
		pr, err := s.process(h)
		if err != nil {
			return err
		}
		if len(pr.Definition().Available(h.State, role)) > 0 {
			if !seesReporter(user) {
				*h = h.ForUnit()
			}
			out = append(out, *h)
		}
		return nil
	})
	if err != nil {
		return nil, Wrap(op, err)
	}
	slices.SortFunc(out, byDeadline)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// byDeadline orders hazards by deadline, those without one last, then by
// creation.
func byDeadline(a, b Hazard) int {
	switch {
	case a.Deadline.IsZero() != b.Deadline.IsZero():
		if a.Deadline.IsZero() {
			return 1
		}
		return -1
	case !a.Deadline.Equal(b.Deadline):
		return a.Deadline.Compare(b.Deadline)
	}
	return a.CreatedAt.Compare(b.CreatedAt)
}
