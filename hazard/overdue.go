package hazard

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Data keys of the escalation events.
const (
	DataState    = "state"    // the state the hazard was overdue in
	DataDeadline = "deadline" // the deadline it missed, RFC 3339
)

// Overdue is an open hazard past its state's deadline.
type Overdue struct {
	Hazard Hazard `json:"hazard"`
	// By is how long ago the deadline passed.
	By time.Duration `json:"by"`
}

// Overdue returns the open hazards past their state's deadline, grouped by
// department (unassigned ones under "") and oldest deadline first within
// one, and sets the hazardloop_overdue_hazards gauge from them. It reads
// every open hazard through Store.List.
func (s *Service) Overdue(ctx context.Context) ([]Overdue, error) {
	now := s.now()
	open := true
	var out []Overdue
	err := forEach(ctx, s.store, Filter{Open: &open}, func(h *Hazard) error {
		if !h.Deadline.IsZero() && now.After(h.Deadline) {
			out = append(out, Overdue{Hazard: *h, By: now.Sub(h.Deadline)})
		}
		return nil
	})
	if err != nil {
		return nil, Wrap("overdue", err)
	}
	slices.SortFunc(out, func(a, b Overdue) int {
		if c := strings.Compare(a.Hazard.Department, b.Hazard.Department); c != 0 {
			return c
		}
		return byDeadline(a.Hazard, b.Hazard)
	})
	s.metrics.setOverdue(OverdueByDepartment(out))
	return out, nil
}

// OverdueByDepartment counts overdue hazards per department code
// (NoDepartment for unassigned ones).
func OverdueByDepartment(list []Overdue) map[string]int {
	m := make(map[string]int)
	for _, o := range list {
		d := o.Hazard.Department
		if d == "" {
			d = NoDepartment
		}
		m[d]++
	}
	return m
}

// Escalate records an EventEscalated (督办), by the System actor, for every
// overdue hazard not yet escalated in its current state, marks it escalated
// in that state (Hazard.Escalated) and returns how many it escalated. A
// hazard is escalated once per state however often Escalate runs, also from
// several processes at once: the write names the version read, and a hazard
// that changed meanwhile is left to the next run. Leaving the state clears
// the mark, so an overdue new state is escalated again.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	list, err := s.Overdue(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for _, o := range list {
		h := o.Hazard
		if h.Escalated == h.State {
			continue
		}
		dept := h.Department
		h.Escalated = h.State
		h.UpdatedAt = now
		ev := Event{
			HazardID: h.ID, Type: EventEscalated, Actor: System, Time: now,
			Data: map[string]string{DataState: h.State, DataDeadline: h.Deadline.UTC().Format(time.RFC3339)},
		}
		if dept != "" {
			ev.Data[DataDepartment] = dept
		}
		if _, err := s.store.Update(ctx, h, o.Hazard.Version, []Event{ev}); err != nil {
			if errors.Is(err, ErrConflict) {
				continue // changed meanwhile; the next run looks again
			}
			return n, Wrap("escalate", err)
		}
		n++
		s.metrics.escalated()
		s.log.InfoContext(ctx, "hazard escalated as overdue (督办)", "ref", h.Ref, "state", h.State, "department", dept, "deadline", h.Deadline)
	}
	return n, nil
}

// RefreshMetrics sets the gauges of open hazards by state and of overdue
// hazards by department from one scan of the open hazards. Run it
// periodically (with Escalate, say) when metrics are wanted; it does nothing
// without Metrics.
func (s *Service) RefreshMetrics(ctx context.Context) error {
	if s.metrics == nil {
		return nil
	}
	now := s.now()
	open := true
	byState := make(map[string]int)
	overdue := make(map[string]int)
	err := forEach(ctx, s.store, Filter{Open: &open}, func(h *Hazard) error {
		byState[h.State]++
		if !h.Deadline.IsZero() && now.After(h.Deadline) {
			d := h.Department
			if d == "" {
				d = NoDepartment
			}
			overdue[d]++
		}
		return nil
	})
	if err != nil {
		return Wrap("refresh metrics", err)
	}
	s.metrics.setOpen(byState)
	s.metrics.setOverdue(overdue)
	return nil
}
