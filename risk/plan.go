package risk

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of a plan.
const (
	// MaxPlanDays is the longest period a plan covers.
	MaxPlanDays = 366
	// MaxInspectors is the most inspectors a plan assigns.
	MaxInspectors = 1000
	// MaxConflicts is the most units one inspector may be conflicted with.
	MaxConflicts = 10_000
)

// Inspector is an inspector the draw may assign, with the units they must
// never inspect (a relative works there, they advised it...).
type Inspector struct {
	ID        string      `json:"id"`
	Conflicts []uuid.UUID `json:"conflicts,omitempty"`
}

// PlanQuery asks for one department's inspection plan for a period.
type PlanQuery struct {
	Department string `json:"department"`
	// From and To bound the period: From <= due < To, at most MaxPlanDays.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Seed makes the draw reproducible: the same seed and the same units
	// give the same draw and the same inspectors.
	Seed uint64 `json:"seed"`
	// Sample is how many sampled units to draw; 0 means the policy's
	// SamplePerMille of the eligible ones.
	Sample int `json:"sample"`
	// Inspectors are those the draw assigns to drawn units,
	// Policy.InspectorsPerVisit each, never to a unit they are conflicted
	// with; with none, drawn units get no inspectors.
	Inspectors []Inspector `json:"inspectors,omitempty"`
}

// PlanItem is one unit of a plan.
type PlanItem struct {
	UnitID uuid.UUID `json:"unit_id"`
	Grade  Grade     `json:"grade"`
	DueAt  time.Time `json:"due_at"`
	// Inspectors are the inspectors drawn for a drawn unit.
	Inspectors []string `json:"inspectors,omitempty"`
}

// Plan is a department's inspection plan for a period: the scheduled
// units due in it, those already overdue at its start, and the sampled
// units drawn, with the visits (家次) they make.
type Plan struct {
	Department string     `json:"department"`
	From       time.Time  `json:"from"`
	To         time.Time  `json:"to"`
	Due        []PlanItem `json:"due"`
	Overdue    []PlanItem `json:"overdue"`
	Drawn      []PlanItem `json:"drawn"`
	// Eligible is how many sampled units the draw chose from.
	Eligible int `json:"eligible"`
	// Visits is len(Due)+len(Overdue)+len(Drawn); InspectorVisits is
	// Visits times Policy.InspectorsPerVisit.
	Visits          int `json:"visits"`
	InspectorVisits int `json:"inspector_visits"`
}

// Validate reports every problem with q.
func (q *PlanQuery) Validate() error {
	var p hazard.Problems
	if q.Department == "" {
		p.Add("department", "is required")
	}
	switch {
	case q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To):
		p.Add("to", "must be after from")
	case q.To.Sub(q.From) > MaxPlanDays*24*time.Hour:
		p.Add("to", "must be at most %d days after from", MaxPlanDays)
	}
	if q.Sample < 0 {
		p.Add("sample", "must not be negative")
	}
	if len(q.Inspectors) > MaxInspectors {
		p.Add("inspectors", "takes at most %d inspectors", MaxInspectors)
	}
	seen := make(map[string]bool, len(q.Inspectors))
	for i, in := range q.Inspectors {
		f := "inspectors[" + strconv.Itoa(i) + "]"
		switch {
		case in.ID == "":
			p.Add(f+".id", "is required")
		case seen[in.ID]:
			p.Add(f+".id", "is listed twice")
		}
		seen[in.ID] = true
		if len(in.Conflicts) > MaxConflicts {
			p.Add(f+".conflicts", "takes at most %d units", MaxConflicts)
		}
	}
	return p.Err("plan")
}

// Plan draws up q.Department's plan for the period: staff only. It reads
// the due-date index (Store.Due) for the department's units due before
// q.To, never every unit: the scheduled grades become Due (due in the
// period) or Overdue (due before it), and the sampled grades (Policy.
// Sampled) are the population of a seeded draw (Draw).
func (s *Service) Plan(ctx context.Context, user hazard.User, q PlanQuery) (Plan, error) {
	const op = "plan"
	if err := staffOnly(op, user); err != nil {
		return Plan{}, err
	}
	if err := q.Validate(); err != nil {
		return Plan{}, err
	}
	start := time.Now()
	var scheduled, sampled []Grade
	for _, g := range Grades {
		if s.policy.sampled(g) {
			sampled = append(sampled, g)
		} else {
			scheduled = append(scheduled, g)
		}
	}
	p := Plan{Department: q.Department, From: q.From.UTC(), To: q.To.UTC(), Due: []PlanItem{}, Overdue: []PlanItem{}, Drawn: []PlanItem{}}
	if len(scheduled) > 0 {
		err := s.walkDue(ctx, DueQuery{Department: q.Department, Before: q.To, Grades: scheduled}, func(e DueEntry) {
			item := PlanItem{UnitID: e.UnitID, Grade: e.Grade, DueAt: e.DueAt}
			if e.DueAt.Before(q.From) {
				p.Overdue = append(p.Overdue, item)
			} else {
				p.Due = append(p.Due, item)
			}
		})
		if err != nil {
			return Plan{}, hazard.Wrap(op, err)
		}
	}
	if len(sampled) > 0 {
		var pop []DueEntry
		err := s.walkDue(ctx, DueQuery{Department: q.Department, Before: q.To, Grades: sampled}, func(e DueEntry) { pop = append(pop, e) })
		if err != nil {
			return Plan{}, hazard.Wrap(op, err)
		}
		n := q.Sample
		if n == 0 {
			n = (len(pop)*s.policy.SamplePerMille + 999) / 1000
		}
		p.Eligible = len(pop)
		p.Drawn, err = Draw(pop, n, q.Seed, q.Inspectors, s.policy.InspectorsPerVisit)
		if err != nil {
			return Plan{}, hazard.Wrap(op, err)
		}
	}
	p.Visits = len(p.Due) + len(p.Overdue) + len(p.Drawn)
	p.InspectorVisits = p.Visits * s.policy.InspectorsPerVisit
	s.metrics.plan(&p, time.Since(start).Seconds())
	return p, nil
}

func (s *Service) walkDue(ctx context.Context, q DueQuery, each func(DueEntry)) error {
	q.Limit = MaxDueLimit
	for {
		l, err := s.store.Due(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range l.Items {
			each(e)
		}
		if l.Next == "" {
			return nil
		}
		q.Cursor = l.Next
	}
}

// Draw draws n units of pop (all of them when n >= len(pop)) with a
// generator seeded by seed, and assigns each perVisit inspectors drawn
// from those not conflicted with it; with no inspectors, none. It is pure:
// the same arguments give the same draw, whatever the order of pop. Too
// few inspectors free of conflict for a unit is CodeInvalid on
// "inspectors". The result is in unit ID order.
func Draw(pop []DueEntry, n int, seed uint64, inspectors []Inspector, perVisit int) ([]PlanItem, error) {
	pop = slices.Clone(pop)
	slices.SortFunc(pop, func(a, b DueEntry) int { return bytes.Compare(a.UnitID[:], b.UnitID[:]) })
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	n = min(max(n, 0), len(pop))
	for i := 0; i < n; i++ {
		j := i + rng.IntN(len(pop)-i)
		pop[i], pop[j] = pop[j], pop[i]
	}
	conflicted := make([]map[uuid.UUID]bool, len(inspectors))
	for i, in := range inspectors {
		conflicted[i] = make(map[uuid.UUID]bool, len(in.Conflicts))
		for _, u := range in.Conflicts {
			conflicted[i][u] = true
		}
	}
	out := make([]PlanItem, n)
	free := make([]int, 0, len(inspectors))
	for k, e := range pop[:n] {
		out[k] = PlanItem{UnitID: e.UnitID, Grade: e.Grade, DueAt: e.DueAt}
		if len(inspectors) == 0 {
			continue
		}
		free = free[:0]
		for i := range inspectors {
			if !conflicted[i][e.UnitID] {
				free = append(free, i)
			}
		}
		if len(free) < perVisit {
			return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "draw", Field: "inspectors",
				Message: "too few inspectors free of conflict with unit " + e.UnitID.String()}
		}
		names := make([]string, perVisit)
		for i := 0; i < perVisit; i++ {
			j := i + rng.IntN(len(free)-i)
			free[i], free[j] = free[j], free[i]
			names[i] = inspectors[free[i]].ID
		}
		slices.Sort(names)
		out[k].Inspectors = names
	}
	slices.SortFunc(out, func(a, b PlanItem) int { return bytes.Compare(a.UnitID[:], b.UnitID[:]) })
	return out, nil
}
