package risk

import (
	"fmt"
	"time"
)

// GradeFacts are everything a grade rule may look at, read before the
// rules run (the unit, its risk points, its open hazards), so that rules
// do no I/O and the same facts always give the same grade.
type GradeFacts struct {
	// Now is the time of the computation (the injected clock).
	Now   time.Time
	Unit  UnitFacts
	Level Level
	Size  Size
	// LastAccident and LastSham are the dates of the unit's last accident
	// and sham rectification; zero for none.
	LastAccident time.Time
	LastSham     time.Time
	// Override is the unit's grade set by hand, if any.
	Override *Override
}

// Step is one line of a grade's explanation: the rule, the grade before
// and after it, and why.
type Step struct {
	Rule string `json:"rule"`
	From Grade  `json:"from,omitempty"`
	To   Grade  `json:"to"`
	Text Text   `json:"text"`
}

// GradeResult is a unit's grade and how it was reached, one Step per rule
// action, in order.
type GradeResult struct {
	Grade Grade  `json:"grade"`
	Steps []Step `json:"steps"`
}

// Set sets the grade, recording a step.
func (r *GradeResult) Set(rule string, g Grade, t Text) {
	r.Steps = append(r.Steps, Step{Rule: rule, From: r.Grade, To: g, Text: t})
	r.Grade = g
}

// Raise raises the grade n steps (at most to red), recording a step.
func (r *GradeResult) Raise(rule string, n int, t Text) { r.Set(rule, r.Grade.Step(n), t) }

// Lower lowers the grade n steps (never below blue), recording a step.
func (r *GradeResult) Lower(rule string, n int, t Text) { r.Set(rule, r.Grade.Step(-n), t) }

// AtLeast raises the grade to g when it is lower, recording a step only
// when it changes it.
func (r *GradeResult) AtLeast(rule string, g Grade, t Text) {
	if r.Grade.Rank() < g.Rank() {
		r.Set(rule, g, t)
	}
}

// GradeRule is one step of a Grader. Apply looks at the facts and changes
// the result through its methods, each of which records a step. Apply must
// be pure and deterministic: no I/O, no clock but f.Now, no randomness.
// Integrators write their own rules by implementing it (or with
// GradeRuleFunc).
type GradeRule interface {
	Apply(f GradeFacts, r *GradeResult)
}

// GradeRuleFunc adapts a function to GradeRule.
type GradeRuleFunc func(f GradeFacts, r *GradeResult)

// Apply calls fn.
func (fn GradeRuleFunc) Apply(f GradeFacts, r *GradeResult) { fn(f, r) }

// Grader computes a unit's grade by running its rules in order, starting
// from blue. The zero Grader has no rules and grades every unit blue; see
// DefaultGrader.
type Grader struct {
	Rules []GradeRule
}

// Grade runs the rules on f and returns the grade with its explanation.
func (g Grader) Grade(f GradeFacts) GradeResult {
	r := GradeResult{Grade: Blue}
	for _, rule := range g.Rules {
		rule.Apply(f, &r)
	}
	if !r.Grade.Valid() {
		r.Set("valid", Blue, Text{ZH: "无效等级，按低风险", EN: "no valid grade: blue"})
	}
	return r
}

// DefaultGrader returns the reference's chain: HighestPoint, then
// OpenMajorHazard (at least orange), RecentAccident and ShamRectification
// (one step up each, within a year), Standardisation (standard_1 one step
// down), and ManualOverride last.
func DefaultGrader() Grader {
	return Grader{Rules: []GradeRule{
		HighestPoint(),
		OpenMajorHazard(Orange),
		RecentAccident(Year, 1),
		ShamRectification(Year, 1),
		Standardisation(map[Level]int{LevelStandard1: 1}),
		ManualOverride(),
	}}
}

// Year is the look-back of the default rules: 365 days.
const Year = 365 * 24 * time.Hour

func days(d time.Duration) string { return fmt.Sprint(int(d / (24 * time.Hour))) }
