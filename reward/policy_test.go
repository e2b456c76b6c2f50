package reward_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// facts returns the facts of an eligible citizen report.
func facts(sev hazard.Severity) reward.Facts {
	return reward.Facts{
		HazardID:         uuid.MustParse("01900000-0000-7000-8000-000000000001"),
		HazardRef:        "LC-20260302-000001",
		Category:         "industry_trade",
		Severity:         sev,
		Source:           hazard.SourceCitizen,
		State:            "closed_valid",
		ClosedValid:      true,
		Department:       "emergency",
		ReporterID:       "citizen-1",
		ReporterVerified: true,
	}
}

func rulesOf(d reward.Decision) []string {
	var out []string
	for _, l := range d.Lines {
		out = append(out, l.Rule)
	}
	return out
}

func TestNationalWorkedExamples(t *testing.T) {
	p := reward.National()
	require.NoError(t, p.Validate())
	for _, tc := range []struct {
		name     string
		fine     reward.Fen
		want     reward.Fen
		lastRule string
	}{
		{"fine ¥10,000: 15% is ¥1,500, raised to the ¥3,000 minimum", reward.Yuan(10_000), reward.Yuan(3_000), "national_fine_share_min"},
		{"fine ¥100,000: 15% is ¥15,000", reward.Yuan(100_000), reward.Yuan(15_000), "national_fine_share"},
		{"fine ¥5,000,000: ¥750,000, capped at ¥300,000", reward.Yuan(5_000_000), reward.Yuan(300_000), "national_fine_share_max"},
		{"fine ¥2,000,000: exactly the ¥300,000 maximum", reward.Yuan(2_000_000), reward.Yuan(300_000), "national_fine_share"},
		{"no fine: the ¥3,000 minimum", 0, reward.Yuan(3_000), "national_fine_share_min"},
		{"fine ¥33,333.33: 15% is ¥4,999.9995, half up to ¥5,000.00", 3_333_333, 500_000, "national_fine_share"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts(hazard.SeverityMajor)
			f.Fine = tc.fine
			d := p.Decide(f)
			assert.True(t, d.Pays(), "Pays() for %v", rulesOf(d))
			assert.Equal(t, tc.want, d.Amount)
			assert.Equal(t, "national", d.Policy)
			assert.Equal(t, 1, d.PolicyVersion)
			last := d.Lines[len(d.Lines)-1]
			assert.Equal(t, tc.lastRule, last.Rule)
			assert.Equal(t, tc.want, last.Total)
			var sum reward.Fen
			for _, l := range d.Lines {
				sum += l.Contribution
				assert.NotEmpty(t, l.Text.ZH, "line %s has no Chinese text", l.Rule)
				assert.NotEmpty(t, l.Text.EN, "line %s has no English text", l.Rule)
			}
			assert.Equal(t, d.Amount, sum, "contributions add up to the amount")
		})
	}
	t.Run("general hazard gets nothing", func(t *testing.T) {
		f := facts(hazard.SeverityGeneral)
		f.Fine = reward.Yuan(100_000)
		d := p.Decide(f)
		assert.False(t, d.Pays())
		assert.Equal(t, "major_only", d.Lines[len(d.Lines)-1].Rule)
	})
}

func TestShandongWorkedExamples(t *testing.T) {
	p := reward.Shandong()
	require.NoError(t, p.Validate())
	for _, tc := range []struct {
		name  string
		sev   hazard.Severity
		fine  reward.Fen
		bonus reward.Fen
		want  reward.Fen
	}{
		{"general, no bonus: ¥500", hazard.SeverityGeneral, 0, 0, reward.Yuan(500)},
		{"general, ¥1,000 bonus: ¥1,500", hazard.SeverityGeneral, 0, reward.Yuan(1_000), reward.Yuan(1_500)},
		{"general, ¥6,000 bonus: bonus bound ¥4,500, ¥5,000", hazard.SeverityGeneral, 0, reward.Yuan(6_000), reward.Yuan(5_000)},
		{"major fined ¥4,000: 50% is ¥2,000, raised to ¥5,000", hazard.SeverityMajor, reward.Yuan(4_000), 0, reward.Yuan(5_000)},
		{"major fined ¥60,000: ¥30,000", hazard.SeverityMajor, reward.Yuan(60_000), 0, reward.Yuan(30_000)},
		{"major fined ¥2,000,000: ¥1,000,000, capped at ¥500,000", hazard.SeverityMajor, reward.Yuan(2_000_000), 0, reward.Yuan(500_000)},
		{"major at the cap with a bonus: still ¥500,000", hazard.SeverityMajor, reward.Yuan(2_000_000), reward.Yuan(1_000), reward.Yuan(500_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts(tc.sev)
			f.Fine, f.Bonus = tc.fine, tc.bonus
			d := p.Decide(f)
			assert.True(t, d.Pays(), "Pays() for %v", rulesOf(d))
			assert.Equal(t, tc.want, d.Amount, "lines %v", rulesOf(d))
		})
	}
}

func TestCityProgrammeTable(t *testing.T) {
	p := reward.CityProgramme()
	require.NoError(t, p.Validate())
	g, m := hazard.SeverityGeneral, hazard.SeverityMajor
	for _, tc := range []struct {
		name     string
		category string
		sev      hazard.Severity
		bonus    reward.Fen
		want     reward.Fen
	}{
		{"general industry and trade: ¥20", "industry_trade", g, 0, reward.Yuan(20)},
		{"general other: ¥10", "other", g, 0, reward.Yuan(10)},
		{"general gas: ¥50", "gas", g, 0, reward.Yuan(50)},
		{"major road traffic: ¥200", "road_traffic", m, 0, reward.Yuan(200)},
		{"major fire: ¥500", "fire", m, 0, reward.Yuan(500)},
		{"general with a ¥30 bonus: ¥50", "construction", g, reward.Yuan(30), reward.Yuan(50)},
		{"general with a ¥300 bonus: bonus bound ¥100, ¥120", "construction", g, reward.Yuan(300), reward.Yuan(120)},
		{"major fire with a bonus: capped at ¥500", "fire", m, reward.Yuan(100), reward.Yuan(500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts(tc.sev)
			f.Category, f.Bonus = tc.category, tc.bonus
			d := p.Decide(f)
			assert.True(t, d.Pays(), "Pays() for %v", rulesOf(d))
			assert.Equal(t, tc.want, d.Amount, "lines %v", rulesOf(d))
		})
	}
}

func TestEligibility(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *reward.Facts)
		rule   string // the rule that denies; "" when eligible
	}{
		{"eligible", func(f *reward.Facts) {}, ""},
		{"closed invalid", func(f *reward.Facts) { f.ClosedValid, f.State = false, "closed_invalid" }, "closed_valid"},
		{"withdrawn", func(f *reward.Facts) { f.ClosedValid, f.State = false, "withdrawn" }, "closed_valid"},
		{"not a citizen report", func(f *reward.Facts) { f.Source = hazard.SourceInspection }, "citizen_report"},
		{"not verified", func(f *reward.Facts) { f.ReporterVerified = false }, "real_name"},
		{"duplicate: not the first reporter", func(f *reward.Facts) { f.DuplicateOf = uuid.MustParse("01900000-0000-7000-8000-0000000000aa") }, "first_reporter"},
		{"staff of the handling department", func(f *reward.Facts) { f.ReporterDepartments = []string{"fire", "emergency"} }, "not_own_department"},
		{"staff of another department", func(f *reward.Facts) { f.ReporterDepartments = []string{"fire"} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts(hazard.SeverityGeneral)
			tc.change(&f)
			p := reward.CityProgramme()
			d := p.Decide(f)
			if tc.rule == "" {
				assert.True(t, d.Pays(), "Pays() for %v", rulesOf(d))
				return
			}
			assert.False(t, d.Pays())
			assert.True(t, d.Denied())
			assert.Equal(t, reward.Fen(0), d.Amount)
			last := d.Lines[len(d.Lines)-1]
			assert.Equal(t, tc.rule, last.Rule)
			assert.True(t, last.Denied)
		})
	}
}

func TestFirstReporterOnlyAmongDuplicates(t *testing.T) {
	// Two citizens report one hazard; the service flags the second as a
	// duplicate of the first. Both are closed valid: only the first earns.
	p := reward.National()
	first := facts(hazard.SeverityMajor)
	first.Fine = reward.Yuan(100_000)
	second := first
	second.HazardID = uuid.MustParse("01900000-0000-7000-8000-000000000002")
	second.ReporterID = "citizen-2"
	second.DuplicateOf = first.HazardID
	assert.Equal(t, reward.Yuan(15_000), p.Decide(first).Amount)
	d := p.Decide(second)
	assert.False(t, d.Pays())
	assert.Equal(t, "first_reporter", d.Lines[len(d.Lines)-1].Rule)
}

func TestCaps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *reward.Facts)
		rule   string
	}{
		{"under every cap", func(f *reward.Facts) { f.Day = reward.Total{Count: 2, Amount: reward.Yuan(980)} }, ""},
		{"daily count", func(f *reward.Facts) { f.Day = reward.Total{Count: 3, Amount: reward.Yuan(60)} }, "day_count_cap"},
		{"daily amount", func(f *reward.Facts) { f.Day = reward.Total{Count: 1, Amount: reward.Yuan(990)} }, "day_amount_cap"},
		{"monthly count", func(f *reward.Facts) { f.Month = reward.Total{Count: 10, Amount: reward.Yuan(200)} }, "month_count_cap"},
		{"monthly amount", func(f *reward.Facts) { f.Month = reward.Total{Count: 5, Amount: reward.Yuan(2_990)} }, "month_amount_cap"},
		{"budget", func(f *reward.Facts) { f.Spent = reward.Total{Count: 5000, Amount: reward.Yuan(99_990)} }, "budget"},
		{"budget exactly met", func(f *reward.Facts) { f.Spent = reward.Total{Count: 5000, Amount: reward.Yuan(99_980)} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts(hazard.SeverityGeneral) // ¥20
			tc.change(&f)
			p := reward.CityProgramme()
			d := p.Decide(f)
			if tc.rule == "" {
				assert.Equal(t, reward.Yuan(20), d.Amount)
				return
			}
			assert.False(t, d.Pays())
			assert.Equal(t, tc.rule, d.Lines[len(d.Lines)-1].Rule)
		})
	}
}

func TestCapsLimits(t *testing.T) {
	c := reward.CityProgramme().Caps
	// 2026-03-31 20:00 UTC is 2026-04-01 04:00 in China.
	now := time.Date(2026, 3, 31, 20, 0, 0, 0, time.UTC)
	l := c.Limits(now)
	require.Len(t, l.Reporter, 2)
	day, month := l.Reporter[0], l.Reporter[1]
	assert.Equal(t, time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC), day.Since)
	assert.Equal(t, time.Date(2026, 4, 1, 16, 0, 0, 0, time.UTC), day.Until)
	assert.Equal(t, 3, day.MaxCount)
	assert.Equal(t, reward.Yuan(1_000), day.MaxAmount)
	assert.Equal(t, time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC), month.Since)
	assert.Equal(t, time.Date(2026, 4, 30, 16, 0, 0, 0, time.UTC), month.Until)
	assert.Equal(t, month.Since, l.Budget.Since)
	assert.Equal(t, reward.Yuan(100_000), l.Budget.Amount)

	c.BudgetPeriod = reward.PeriodQuarter
	_, _, q := c.Windows(time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC), q[0])
	assert.Equal(t, time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC), q[1])
	c.BudgetPeriod = reward.PeriodYear
	_, _, y := c.Windows(time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), y[0])

	assert.Empty(t, reward.National().Caps.Limits(now).Reporter, "the national rule has no caps")
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *reward.Policy)
	}{
		{"bad name", func(p *reward.Policy) { p.Name = "City Programme" }},
		{"version 0", func(p *reward.Policy) { p.Version = 0 }},
		{"no rules", func(p *reward.Policy) { p.Rules = nil }},
		{"nil rule", func(p *reward.Policy) { p.Rules = append(p.Rules, nil) }},
		{"no window", func(p *reward.Policy) { p.Window = reward.ClaimWindow{} }},
		{"negative cap", func(p *reward.Policy) { p.Caps.DayCount = -1 }},
		{"budget without a period", func(p *reward.Policy) { p.Caps.BudgetPeriod = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := reward.CityProgramme()
			tc.change(&p)
			assert.ErrorIs(t, p.Validate(), hazard.ErrInvalid)
		})
	}
}

func TestDecideIsDeterministic(t *testing.T) {
	p := reward.Shandong()
	f := facts(hazard.SeverityMajor)
	f.Fine = reward.Yuan(123_456)
	first := p.Decide(f)
	for range 100 {
		assert.Equal(t, first, p.Decide(f))
	}
}
