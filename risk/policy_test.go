package risk_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

func TestNextDue(t *testing.T) {
	p := risk.DefaultPolicy()
	require.NoError(t, p.Validate())
	reg := time.Date(2026, 1, 31, 15, 0, 0, 0, time.UTC)
	last := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	sized := risk.DefaultPolicy()
	sized.SizeSteps = map[risk.Size]int{risk.SizeLarge: -1, risk.SizeMicro: 1}
	for _, tt := range []struct {
		name string
		p    risk.Policy
		in   risk.DueInput
		want time.Time
	}{
		{"red monthly", p, risk.DueInput{Grade: risk.Red, LastInspected: last}, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)},
		{"orange quarterly", p, risk.DueInput{Grade: risk.Orange, LastInspected: last}, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)},
		{"yellow twice a year", p, risk.DueInput{Grade: risk.Yellow, LastInspected: last}, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
		{"blue yearly", p, risk.DueInput{Grade: risk.Blue, LastInspected: last}, time.Date(2027, 5, 20, 0, 0, 0, 0, time.UTC)},
		{"never inspected: from registration", p, risk.DueInput{Grade: risk.Yellow, Registered: reg}, time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)},
		{"standard 1 stretches", p, risk.DueInput{Grade: risk.Red, Level: risk.LevelStandard1, LastInspected: last}, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)},
		{"standard 3 does not", p, risk.DueInput{Grade: risk.Red, Level: risk.LevelStandard3, LastInspected: last}, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)},
		{"open major shortens", p, risk.DueInput{Grade: risk.Yellow, Facts: risk.UnitFacts{OpenMajorHazards: 1}, LastInspected: last}, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)},
		{"overdue shortens", p, risk.DueInput{Grade: risk.Yellow, Facts: risk.UnitFacts{OverdueHazards: 2}, LastInspected: last}, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)},
		{"both shorten, kept on the ladder", p, risk.DueInput{Grade: risk.Red, Facts: risk.UnitFacts{OpenMajorHazards: 1, OverdueHazards: 1}, LastInspected: last}, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)},
		{"stretched past blue", p, risk.DueInput{Grade: risk.Blue, Level: risk.LevelStandard2, LastInspected: last}, time.Date(2028, 5, 20, 0, 0, 0, 0, time.UTC)},
		{"large shortens when configured", sized, risk.DueInput{Grade: risk.Orange, Size: risk.SizeLarge, LastInspected: last}, time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)},
		{"micro stretches when configured", sized, risk.DueInput{Grade: risk.Orange, Size: risk.SizeMicro, LastInspected: last}, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
	} {
		assert.Equal(t, tt.want, tt.p.NextDue(tt.in), tt.name)
	}
	months, why := p.Interval(risk.DueInput{Grade: risk.Red, Level: risk.LevelStandard1, Facts: risk.UnitFacts{OpenMajorHazards: 1}})
	assert.Equal(t, 1, months)
	assert.Len(t, why, 3, "a line per adjustment: %v", why)
}

func TestPolicyValidate(t *testing.T) {
	for name, change := range map[string]func(*risk.Policy){
		"empty ladder":   func(p *risk.Policy) { p.Ladder = nil },
		"not increasing": func(p *risk.Policy) { p.Ladder = []int{3, 3} },
		"start off":      func(p *risk.Policy) { p.Start[risk.Red] = 9 },
		"no start":       func(p *risk.Policy) { delete(p.Start, risk.Blue) },
		"per mille":      func(p *risk.Policy) { p.SamplePerMille = 1001 },
		"inspectors":     func(p *risk.Policy) { p.InspectorsPerVisit = 0 },
		"sampled":        func(p *risk.Policy) { p.Sampled = []risk.Grade{"pink"} },
	} {
		p := risk.DefaultPolicy()
		change(&p)
		assert.ErrorIs(t, p.Validate(), hazard.ErrInvalid, name)
	}
}

func TestGrader(t *testing.T) {
	g := risk.DefaultGrader()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		f     risk.GradeFacts
		want  risk.Grade
		rules []string
	}{
		{"no points", risk.GradeFacts{}, risk.Blue, []string{"highest_point"}},
		{"highest point", risk.GradeFacts{Unit: risk.UnitFacts{Points: 3, PointGrade: risk.Yellow}}, risk.Yellow, []string{"highest_point"}},
		{"open major raises to orange", risk.GradeFacts{Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Blue, OpenMajorHazards: 1}}, risk.Orange, []string{"highest_point", "open_major_hazard"}},
		{"open major leaves red", risk.GradeFacts{Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Red, OpenMajorHazards: 1}}, risk.Red, []string{"highest_point"}},
		{"accident within a year", risk.GradeFacts{Now: now, LastAccident: now.AddDate(0, 0, -365), Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Blue}}, risk.Yellow, []string{"highest_point", "recent_accident"}},
		{"accident a year and a day ago", risk.GradeFacts{Now: now, LastAccident: now.AddDate(0, 0, -366), Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Blue}}, risk.Blue, []string{"highest_point"}},
		{"sham", risk.GradeFacts{Now: now, LastSham: now, Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Orange}}, risk.Red, []string{"highest_point", "sham_rectification"}},
		{"standard 1 lowers, never below blue", risk.GradeFacts{Level: risk.LevelStandard1}, risk.Blue, []string{"highest_point", "standardisation"}},
		{"standard 2 does not lower", risk.GradeFacts{Level: risk.LevelStandard2, Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Red}}, risk.Red, []string{"highest_point"}},
		{"override last", risk.GradeFacts{Override: &risk.Override{Grade: risk.Orange, Reason: "x"}, Unit: risk.UnitFacts{Points: 1, PointGrade: risk.Red}}, risk.Orange, []string{"highest_point", "manual_override"}},
	} {
		r := g.Grade(tt.f)
		assert.Equal(t, tt.want, r.Grade, tt.name)
		var rules []string
		for _, s := range r.Steps {
			rules = append(rules, s.Rule)
			assert.NotEmpty(t, s.Text.ZH, tt.name)
			assert.NotEmpty(t, s.Text.EN, tt.name)
		}
		assert.Equal(t, tt.rules, rules, tt.name)
	}
	// A city's own rule joins the chain.
	custom := risk.Grader{Rules: []risk.GradeRule{risk.HighestPoint(), risk.GradeRuleFunc(func(f risk.GradeFacts, r *risk.GradeResult) {
		if f.Size == risk.SizeLarge {
			r.AtLeast("large", risk.Yellow, risk.Text{ZH: "大型企业", EN: "a large unit"})
		}
	})}}
	assert.Equal(t, risk.Yellow, custom.Grade(risk.GradeFacts{Size: risk.SizeLarge}).Grade)
	assert.Equal(t, risk.Blue, risk.Grader{}.Grade(risk.GradeFacts{}).Grade, "no rules: blue")
}

func TestDraw(t *testing.T) {
	var pop []risk.DueEntry
	for range 50 {
		pop = append(pop, risk.DueEntry{UnitID: uuid.Must(uuid.NewV7()), Grade: risk.Blue, DueAt: epoch})
	}
	ins := []risk.Inspector{{ID: "a"}, {ID: "b"}, {ID: "c", Conflicts: []uuid.UUID{pop[0].UnitID, pop[1].UnitID}}, {ID: "d"}}
	one, err := risk.Draw(pop, 10, 42, ins, 2)
	require.NoError(t, err)
	require.Len(t, one, 10)
	// Reproducible, whatever the order of the population.
	rev := append([]risk.DueEntry(nil), pop...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	two, err := risk.Draw(rev, 10, 42, ins, 2)
	require.NoError(t, err)
	assert.Equal(t, one, two)
	other, err := risk.Draw(pop, 10, 43, ins, 2)
	require.NoError(t, err)
	assert.NotEqual(t, one, other, "another seed, another draw")
	// Never a conflicted inspector: draw everyone, many seeds.
	for seed := range uint64(50) {
		all, err := risk.Draw(pop, 50, seed, ins, 3)
		require.NoError(t, err)
		for _, it := range all {
			assert.Len(t, it.Inspectors, 3)
			if it.UnitID == pop[0].UnitID || it.UnitID == pop[1].UnitID {
				assert.NotContains(t, it.Inspectors, "c", "seed %d", seed)
			}
		}
	}
	_, err = risk.Draw(pop, 50, 1, ins, 4)
	require.ErrorIs(t, err, hazard.ErrInvalid, "too few free inspectors for the conflicted units")
	assert.Equal(t, "inspectors", fieldOf(t, err))
	none, err := risk.Draw(pop, 100, 1, nil, 2)
	require.NoError(t, err)
	assert.Len(t, none, 50, "at most the population")
	assert.Empty(t, none[0].Inspectors)
}
