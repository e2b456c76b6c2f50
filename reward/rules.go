package reward

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// check is an eligibility rule named name: it denies the reward with
// denied when ok is false for the facts, and otherwise records passed, if
// any, as a note.
func check(name string, ok func(f Facts) bool, denied, passed Text) Rule {
	return RuleFunc(func(f Facts, d *Decision) {
		if !ok(f) {
			d.Deny(name, denied)
			return
		}
		if passed != (Text{}) {
			d.Note(name, passed)
		}
	})
}

// ClosedValid denies a reward for a hazard not closed as valid (withdrawn,
// rejected as invalid, or still open).
func ClosedValid() Rule {
	return check("closed_valid", func(f Facts) bool { return f.ClosedValid },
		Text{ZH: "隐患未经核实办结，不予奖励", EN: "the report was not closed as a verified hazard"},
		Text{ZH: "隐患经核实办结", EN: "the hazard was verified and closed"})
}

// CitizenReport denies a reward for a hazard not reported by a citizen
// (found in an inspection or an enterprise's own check).
func CitizenReport() Rule {
	return check("citizen_report", func(f Facts) bool { return f.Source == hazard.SourceCitizen },
		Text{ZH: "非群众举报，不予奖励", EN: "only citizens' reports are rewarded"}, Text{})
}

// RealName denies a reward to a reporter who has not passed real-name
// authentication.
func RealName() Rule {
	return check("real_name", func(f Facts) bool { return f.ReporterVerified },
		Text{ZH: "举报人未实名认证", EN: "the reporter has not verified their real name"},
		Text{ZH: "举报人已实名认证", EN: "the reporter verified their real name"})
}

// FirstReporter denies a reward for a report that duplicates an earlier
// one: only the first reporter of a matter is rewarded.
func FirstReporter() Rule {
	return check("first_reporter", func(f Facts) bool { return f.DuplicateOf == uuid.Nil },
		Text{ZH: "该隐患已有他人先行举报，仅奖励首位举报人", EN: "someone reported this hazard first; only the first reporter is rewarded"},
		Text{ZH: "首位举报人", EN: "first reporter of the hazard"})
}

// NotOwnDepartment denies a reward to staff with supervision duties for the
// hazard: a reporter working for the department that handled it.
func NotOwnDepartment() Rule {
	return check("not_own_department", func(f Facts) bool {
		return f.Department == "" || !slices.Contains(f.ReporterDepartments, f.Department)
	}, Text{ZH: "负有监管职责的工作人员举报本部门事项，不予奖励", EN: "staff with supervision duties are not rewarded for their own department's matters"}, Text{})
}

// MajorOnly denies a reward for a hazard that is not major.
func MajorOnly() Rule {
	return check("major_only", func(f Facts) bool { return f.Severity == hazard.SeverityMajor },
		Text{ZH: "仅奖励重大事故隐患举报", EN: "only reports of major hazards are rewarded"}, Text{})
}

func severityZH(s hazard.Severity) string {
	if s == hazard.SeverityMajor {
		return "重大事故隐患"
	}
	return "一般事故隐患"
}

func severityEN(s hazard.Severity) string {
	if s == hazard.SeverityMajor {
		return "major hazard"
	}
	return "general hazard"
}

// Table sets a fixed amount by category and severity: Categories first,
// then Default; a hazard with no entry gets nothing from the table.
type Table struct {
	// Name is the rule's name in explanations; empty means "table".
	Name       string
	Default    map[hazard.Severity]Fen
	Categories map[string]map[hazard.Severity]Fen
}

// Apply implements Rule.
func (t Table) Apply(f Facts, d *Decision) {
	name := cmp.Or(t.Name, "table")
	a, ok := t.Categories[f.Category][f.Severity]
	if !ok {
		a, ok = t.Default[f.Severity]
	}
	if !ok {
		return
	}
	d.Set(name, a, Text{
		ZH: fmt.Sprintf("%s奖励标准 %s", severityZH(f.Severity), a),
		EN: fmt.Sprintf("the %s tariff is %s", severityEN(f.Severity), a)})
}

// FineShare sets the amount to a share of the administrative fine, then
// raises it to Min and lowers it to Max (zero Max: no maximum), for
// hazards of Severity (empty: any). The share is rounded half up to the fen.
type FineShare struct {
	Name     string
	Severity hazard.Severity
	Rate     BasisPoints
	Min, Max Fen
}

// Apply implements Rule.
func (s FineShare) Apply(f Facts, d *Decision) {
	if s.Severity != "" && f.Severity != s.Severity {
		return
	}
	name := cmp.Or(s.Name, "fine_share")
	fine := min(max(f.Fine, 0), MaxFine)
	d.Set(name, s.Rate.Of(fine), Text{
		ZH: fmt.Sprintf("按罚没款 %s 的 %s 计算", fine, s.Rate),
		EN: fmt.Sprintf("%s of the fine of %s", s.Rate, fine)})
	d.AtLeast(name+"_min", s.Min, Text{
		ZH: fmt.Sprintf("不足最低奖励 %s，按最低标准", s.Min),
		EN: fmt.Sprintf("raised to the minimum of %s", s.Min)})
	if s.Max > 0 {
		d.AtMost(name+"_max", s.Max, Text{
			ZH: fmt.Sprintf("超过最高奖励 %s，按最高标准", s.Max),
			EN: fmt.Sprintf("capped at the maximum of %s", s.Max)})
	}
}

// Bonus adds the bonus a reviewer granted, at most Max.
type Bonus struct {
	Name string
	Max  Fen
}

// Apply implements Rule.
func (b Bonus) Apply(f Facts, d *Decision) {
	if f.Bonus <= 0 {
		return
	}
	name := cmp.Or(b.Name, "reviewer_bonus")
	a := min(f.Bonus, b.Max)
	d.Add(name, a, Text{
		ZH: fmt.Sprintf("审核人员追加奖励 %s（上限 %s）", a, b.Max),
		EN: fmt.Sprintf("the reviewer's bonus of %s (at most %s)", a, b.Max)})
}

// Bounds keeps the amount of hazards of Severity (empty: any) within
// [Min, Max]; a zero Max is no maximum. It applies only to an amount
// already positive: it never creates a reward.
type Bounds struct {
	Name     string
	Severity hazard.Severity
	Min, Max Fen
}

// Apply implements Rule.
func (b Bounds) Apply(f Facts, d *Decision) {
	if (b.Severity != "" && f.Severity != b.Severity) || d.Amount <= 0 {
		return
	}
	name := cmp.Or(b.Name, "bounds")
	d.AtLeast(name, b.Min, Text{ZH: fmt.Sprintf("按最低奖励 %s", b.Min), EN: fmt.Sprintf("raised to the minimum of %s", b.Min)})
	if b.Max > 0 {
		d.AtMost(name, b.Max, Text{ZH: fmt.Sprintf("按最高奖励 %s", b.Max), EN: fmt.Sprintf("capped at the maximum of %s", b.Max)})
	}
}
