package reward

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Period is the length of a budget period.
type Period string

// The budget periods, in the policy's zone.
const (
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// Caps are a policy's limits: per reporter per day and per month, by count
// and by amount, and the programme's budget per period. Zero values do not
// limit. The policy checks them against the totals in Facts; the ledger
// checks them again, atomically, when it issues (see Policy.Limits).
type Caps struct {
	DayCount    int
	DayAmount   Fen
	MonthCount  int
	MonthAmount Fen
	// Budget is what the programme may issue in each period.
	Budget       Fen
	BudgetPeriod Period
	// Location is the zone of days and months; nil means ChinaTime.
	Location *time.Location
}

// Policy is a named, versioned list of rules, the claim window and the
// caps of a reward programme. A policy never changes once rewards were
// issued under its version: change it under a new version.
type Policy struct {
	// Name identifies the programme, e.g. "national"; a hazard gets at most
	// one reward per name. Lower-case letters, digits and '_', at most
	// MaxRuleNameLen bytes.
	Name    string
	Version int
	Title   Text
	// Source says where the rules come from (a regulation, a notice).
	Source string
	Rules  []Rule
	Window ClaimWindow
	Caps   Caps
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// MaxRules is the most rules a policy may have.
const MaxRules = 32

// Validate reports every problem with p.
func (p *Policy) Validate() error {
	var pr hazard.Problems
	if len(p.Name) > MaxRuleNameLen || !namePattern.MatchString(p.Name) {
		pr.Add("name", "must be 1 to %d bytes of lower-case letters, digits and _", MaxRuleNameLen)
	}
	if p.Version < 1 {
		pr.Add("version", "must be at least 1")
	}
	if len(p.Rules) == 0 || len(p.Rules) > MaxRules {
		pr.Add("rules", "must be 1 to %d rules", MaxRules)
	}
	for i, r := range p.Rules {
		if r == nil {
			pr.Add(fmt.Sprintf("rules[%d]", i), "is nil")
		}
	}
	pr.Merge("", p.Window.Validate())
	c := p.Caps
	if c.DayCount < 0 || c.MonthCount < 0 || c.DayAmount < 0 || c.MonthAmount < 0 || c.Budget < 0 {
		pr.Add("caps", "must not be negative")
	}
	if c.Budget > 0 {
		switch c.BudgetPeriod {
		case PeriodMonth, PeriodQuarter, PeriodYear:
		default:
			pr.Add("caps.budget_period", "must be month, quarter or year")
		}
	}
	return pr.Err("reward.Policy")
}

// Decide applies the rules in order to f and then the caps, and returns the
// decision. A rule that denies stops the evaluation. The caps deny a reward
// that would take the reporter over a cap or the programme over its budget
// (they never shorten it). Decide is pure: the same facts and policy
// version always give the same decision.
func (p *Policy) Decide(f Facts) Decision {
	d := Decision{Policy: p.Name, PolicyVersion: p.Version, Eligible: true}
	for _, r := range p.Rules {
		r.Apply(f, &d)
		if !d.Eligible {
			return d
		}
	}
	if d.Amount <= 0 {
		return d
	}
	c := p.Caps
	switch {
	case c.DayCount > 0 && f.Day.Count+1 > c.DayCount:
		d.Deny("day_count_cap", Text{
			ZH: fmt.Sprintf("今日已获 %d 次奖励，达到每日 %d 次上限", f.Day.Count, c.DayCount),
			EN: fmt.Sprintf("%d rewards today reach the daily limit of %d", f.Day.Count, c.DayCount)})
	case c.DayAmount > 0 && f.Day.Amount+d.Amount > c.DayAmount:
		d.Deny("day_amount_cap", Text{
			ZH: fmt.Sprintf("今日奖励将超过每日 %s 上限", c.DayAmount),
			EN: fmt.Sprintf("the reward would exceed the daily limit of %s", c.DayAmount)})
	case c.MonthCount > 0 && f.Month.Count+1 > c.MonthCount:
		d.Deny("month_count_cap", Text{
			ZH: fmt.Sprintf("本月已获 %d 次奖励，达到每月 %d 次上限", f.Month.Count, c.MonthCount),
			EN: fmt.Sprintf("%d rewards this month reach the monthly limit of %d", f.Month.Count, c.MonthCount)})
	case c.MonthAmount > 0 && f.Month.Amount+d.Amount > c.MonthAmount:
		d.Deny("month_amount_cap", Text{
			ZH: fmt.Sprintf("本月奖励将超过每月 %s 上限", c.MonthAmount),
			EN: fmt.Sprintf("the reward would exceed the monthly limit of %s", c.MonthAmount)})
	case c.Budget > 0 && f.Spent.Amount+d.Amount > c.Budget:
		d.Deny("budget", Text{
			ZH: "本期奖励资金已用完",
			EN: "the programme's reward budget for the period is spent"})
	}
	return d
}

func (c Caps) loc() *time.Location {
	if c.Location == nil {
		return ChinaTime
	}
	return c.Location
}

// Windows returns the day, the month and the budget period that contain
// now, each as [since, until) in UTC.
func (c Caps) Windows(now time.Time) (day, month, budget [2]time.Time) {
	loc := c.loc()
	l := now.In(loc)
	y, m, dd := l.Date()
	d0 := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	day = [2]time.Time{d0.UTC(), d0.AddDate(0, 0, 1).UTC()}
	m0 := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	month = [2]time.Time{m0.UTC(), m0.AddDate(0, 1, 0).UTC()}
	switch c.BudgetPeriod {
	case PeriodQuarter:
		q0 := time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, loc)
		budget = [2]time.Time{q0.UTC(), q0.AddDate(0, 3, 0).UTC()}
	case PeriodYear:
		y0 := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		budget = [2]time.Time{y0.UTC(), y0.AddDate(1, 0, 0).UTC()}
	default:
		budget = month
	}
	return day, month, budget
}

// Limits returns the caps as the ledger checks them for a reward issued at
// now.
func (c Caps) Limits(now time.Time) Limits {
	day, month, budget := c.Windows(now)
	var l Limits
	if c.DayCount > 0 || c.DayAmount > 0 {
		l.Reporter = append(l.Reporter, Cap{Since: day[0], Until: day[1], MaxCount: c.DayCount, MaxAmount: c.DayAmount})
	}
	if c.MonthCount > 0 || c.MonthAmount > 0 {
		l.Reporter = append(l.Reporter, Cap{Since: month[0], Until: month[1], MaxCount: c.MonthCount, MaxAmount: c.MonthAmount})
	}
	if c.Budget > 0 {
		l.Budget = Budget{Since: budget[0], Until: budget[1], Amount: c.Budget}
	}
	return l
}
