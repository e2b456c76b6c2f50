package inspection

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// ConsumerName is the name of the service's relay consumer.
const ConsumerName = "inspection-findings"

// Consumer returns the relay consumer that acts on a finished visit
// (EventFinished): it raises one hazard per non-compliant item in the
// rectification process (the visit kind's source, the unit's ID and
// location, the result's severity, notes and photos), submitted in the
// name of the inspector who finished the visit with the idempotency key
// IdempotencyKey(visit, item), so that a redelivered event, or one that
// failed after its Nth hazard, raises each hazard exactly once. Then it
// tells the risk register of an enforcement visit (RecordInspection, in the
// name of Config.System), which is idempotent too. A hazard's overdue
// escalation (hazard.EventEscalated) of a hazard found at a unit climbs its
// open supervision order, or opens one (see SweepOrders). Other events are
// passed over.
func (s *Service) Consumer() relay.Consumer {
	return relay.Consumer{Name: ConsumerName, Handle: s.handle}
}

func (s *Service) handle(ctx context.Context, e hazard.Event) error {
	if e.Type == hazard.EventEscalated && e.HazardID != uuid.Nil {
		return s.escalated(ctx, e)
	}
	if e.Type != EventFinished || e.Subject.Kind != SubjectInspection {
		return nil
	}
	id, err := uuid.Parse(e.Subject.ID)
	if err != nil {
		return nil
	}
	v, err := s.store.GetInspection(ctx, id)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.RaiseFindings(ctx, v); err != nil {
		return err
	}
	if v.Kind == KindEnforcement {
		if _, err := s.risk.RecordInspection(ctx, s.system, v.UnitID, v.FinishedAt); err != nil && !errors.Is(err, hazard.ErrNotFound) {
			return err
		}
	}
	return nil
}

// RaiseFindings raises the hazards of the finished visit v's non-compliant
// items, as Consumer does, and returns them in checklist order. Calling it
// again returns the same hazards and raises none.
func (s *Service) RaiseFindings(ctx context.Context, v Inspection) ([]hazard.Hazard, error) {
	const op = "raise findings"
	if v.Status != StatusFinished {
		return nil, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "status", Message: "the inspection is not finished"}
	}
	cl, err := s.store.GetChecklist(ctx, v.Checklist, v.ChecklistVersion)
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	var out []hazard.Hazard
	for _, r := range v.NonCompliant() {
		item, _ := cl.Item(r.Item)
		in := hazard.SubmitInput{
			Category: cl.Category, Severity: r.Severity, Description: describe(&item, &r),
			Location: v.Unit.Location, Photos: r.Photos, UnitID: v.UnitID.String(), Source: v.Kind.Source(),
		}
		h, err := s.hazards.Submit(ctx, v.FinishedBy, in, IdempotencyKey(v.ID, r.Item))
		if err != nil {
			return out, hazard.Wrap(op, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// describe is the description of the hazard a failed item raises, cut to
// hazard.MaxDescriptionLen runes.
func describe(it *Item, r *Result) string {
	d := fmt.Sprintf("[%s] %s (%s", it.Code, it.Text, it.Basis.Standard)
	if it.Basis.Article != "" {
		d += " art. " + it.Basis.Article
	}
	d += fmt.Sprintf("; rectify within %d days)", it.DeadlineDays)
	if r.Note != "" {
		d += " " + r.Note
	}
	if utf8.RuneCountInString(d) > hazard.MaxDescriptionLen {
		d = string([]rune(d)[:hazard.MaxDescriptionLen])
	}
	return d
}
