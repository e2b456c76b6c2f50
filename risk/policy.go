package risk

import (
	"fmt"
	"slices"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Policy is a city's graded supervision policy (分级分类监管), as data: how
// often a unit is inspected by its grade, stretched or shortened by its
// management level, size and open hazards, and which grades are inspected
// by random sampling (双随机) rather than on a schedule.
//
// Intervals are steps on a ladder of months: a grade starts at a step,
// each adjustment moves it (positive: longer, negative: shorter), and the
// result is kept on the ladder.
type Policy struct {
	// Ladder is the intervals in months, shortest first.
	Ladder []int `json:"ladder"`
	// Start is each grade's step on the ladder (an index).
	Start map[Grade]int `json:"start"`
	// LevelSteps and SizeSteps move the step by management level and size.
	LevelSteps map[Level]int `json:"level_steps,omitempty"`
	SizeSteps  map[Size]int  `json:"size_steps,omitempty"`
	// OpenMajorSteps moves the step of a unit with an open major hazard,
	// OverdueSteps that of a unit with a hazard past its deadline.
	OpenMajorSteps int `json:"open_major_steps"`
	OverdueSteps   int `json:"overdue_steps"`
	// Sampled are the grades inspected by random sampling: the planner
	// draws them (Plan.Drawn) instead of listing them as due.
	Sampled []Grade `json:"sampled"`
	// SamplePerMille is the share of the sampled units eligible in a period
	// (due by its end) that a plan draws, in thousandths, rounded up.
	SamplePerMille int `json:"sample_per_mille"`
	// InspectorsPerVisit is how many inspectors a visit takes.
	InspectorsPerVisit int `json:"inspectors_per_visit"`
}

// Limits of a policy.
const (
	MaxLadder          = 12
	MaxIntervalMonths  = 120
	MaxInspectorsVisit = 10
)

// DefaultPolicy returns the reference's defaults: red monthly, orange
// quarterly, yellow twice a year, blue yearly by random sampling (a tenth
// of the eligible blue units drawn per plan); a standardisation grade 1 or
// 2 stretches the interval one step, an open major hazard or an overdue
// rectification shortens it one step each; size changes nothing by default
// (SizeSteps is for a city to fill); two inspectors a visit.
func DefaultPolicy() Policy {
	return Policy{
		Ladder:             []int{1, 3, 6, 12, 24},
		Start:              map[Grade]int{Red: 0, Orange: 1, Yellow: 2, Blue: 3},
		LevelSteps:         map[Level]int{LevelStandard1: 1, LevelStandard2: 1},
		OpenMajorSteps:     -1,
		OverdueSteps:       -1,
		Sampled:            []Grade{Blue},
		SamplePerMille:     100,
		InspectorsPerVisit: 2,
	}
}

// Validate reports every problem with p.
func (p *Policy) Validate() error {
	var pr hazard.Problems
	if n := len(p.Ladder); n == 0 || n > MaxLadder {
		pr.Add("ladder", "must have 1 to %d intervals", MaxLadder)
	}
	for i, m := range p.Ladder {
		if m < 1 || m > MaxIntervalMonths || i > 0 && m <= p.Ladder[i-1] {
			pr.Add("ladder", "must be increasing months from 1 to %d", MaxIntervalMonths)
			break
		}
	}
	for _, g := range Grades {
		if s, ok := p.Start[g]; !ok || s < 0 || s >= len(p.Ladder) {
			pr.Add("start."+string(g), "must be a step of the ladder")
		}
	}
	for _, g := range p.Sampled {
		if !g.Valid() {
			pr.Add("sampled", "must list grades")
		}
	}
	if p.SamplePerMille < 0 || p.SamplePerMille > 1000 {
		pr.Add("sample_per_mille", "must be 0 to 1000")
	}
	if p.InspectorsPerVisit < 1 || p.InspectorsPerVisit > MaxInspectorsVisit {
		pr.Add("inspectors_per_visit", "must be 1 to %d", MaxInspectorsVisit)
	}
	return pr.Err("policy")
}

// DueInput is what a unit's next due date depends on.
type DueInput struct {
	Grade Grade
	Level Level
	Size  Size
	Facts UnitFacts
	// LastInspected is the date of the last inspection; zero for never,
	// when the interval runs from Registered.
	LastInspected time.Time
	Registered    time.Time
}

// Interval returns the months between inspections for in, and the steps
// that led there (a line per adjustment).
func (p *Policy) Interval(in DueInput) (int, []string) {
	step := p.Start[in.Grade]
	why := []string{fmt.Sprintf("%s starts at %d months", in.Grade, p.Ladder[min(max(step, 0), len(p.Ladder)-1)])}
	move := func(n int, what string) {
		if n != 0 {
			step += n
			why = append(why, fmt.Sprintf("%s: %+d step(s)", what, n))
		}
	}
	move(p.LevelSteps[in.Level], "management level "+string(in.Level))
	move(p.SizeSteps[in.Size], "size "+string(in.Size))
	if in.Facts.OpenMajorHazards > 0 {
		move(p.OpenMajorSteps, "open major hazard")
	}
	if in.Facts.OverdueHazards > 0 {
		move(p.OverdueSteps, "overdue rectification")
	}
	step = min(max(step, 0), len(p.Ladder)-1)
	return p.Ladder[step], why
}

// NextDue returns when the unit's next inspection is due: the interval
// (Interval) after its last inspection, or after its registration when it
// was never inspected, at UTC midnight. It is a pure function of in and p.
func (p *Policy) NextDue(in DueInput) time.Time {
	months, _ := p.Interval(in)
	base := in.LastInspected
	if base.IsZero() {
		base = in.Registered
	}
	return Day(base).AddDate(0, months, 0)
}

// sampled reports whether units of grade g are drawn rather than
// scheduled.
func (p *Policy) sampled(g Grade) bool { return slices.Contains(p.Sampled, g) }

// Day returns UTC midnight of t's UTC day.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
