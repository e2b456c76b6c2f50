package risk

import (
	"fmt"
	"time"
)

// HighestPoint starts from the highest grade of the unit's risk points; a
// unit with none stays blue, with a step saying so.
func HighestPoint() GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if f.Unit.Points == 0 || !f.Unit.PointGrade.Valid() {
			r.Set("highest_point", Blue, Text{ZH: "无已评估风险点，按低风险", EN: "no assessed risk point: blue"})
			return
		}
		r.Set("highest_point", f.Unit.PointGrade, Text{
			ZH: fmt.Sprintf("%d 个风险点中最高为%s", f.Unit.Points, f.Unit.PointGrade.ZH()),
			EN: fmt.Sprintf("the highest of %d risk points is %s", f.Unit.Points, f.Unit.PointGrade)})
	})
}

// OpenMajorHazard raises a unit with an open major hazard to at least g.
func OpenMajorHazard(g Grade) GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if f.Unit.OpenMajorHazards > 0 {
			r.AtLeast("open_major_hazard", g, Text{
				ZH: fmt.Sprintf("存在 %d 项未销号重大事故隐患，至少为%s", f.Unit.OpenMajorHazards, g.ZH()),
				EN: fmt.Sprintf("%d open major hazards: at least %s", f.Unit.OpenMajorHazards, g)})
		}
	})
}

// within reports whether t is set and no older than d at now.
func within(t, now time.Time, d time.Duration) bool {
	return !t.IsZero() && !t.After(now) && now.Sub(t) <= d
}

// RecentAccident raises the grade n steps when the unit had an accident
// within d before now.
func RecentAccident(d time.Duration, n int) GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if within(f.LastAccident, f.Now, d) {
			r.Raise("recent_accident", n, Text{
				ZH: fmt.Sprintf("%s 天内发生生产安全事故，上调 %d 级", days(d), n),
				EN: fmt.Sprintf("an accident within %s days: %d step(s) up", days(d), n)})
		}
	})
}

// ShamRectification raises the grade n steps when a supervision group found
// a sham rectification at the unit within d before now.
func ShamRectification(d time.Duration, n int) GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if within(f.LastSham, f.Now, d) {
			r.Raise("sham_rectification", n, Text{
				ZH: fmt.Sprintf("%s 天内被督查发现虚假整改，上调 %d 级", days(d), n),
				EN: fmt.Sprintf("a sham rectification within %s days: %d step(s) up", days(d), n)})
		}
	})
}

// Standardisation lowers the grade by the steps given for the unit's
// management level (never below blue).
func Standardisation(steps map[Level]int) GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if n := steps[f.Level]; n > 0 && f.Level != LevelNone {
			r.Lower("standardisation", n, Text{
				ZH: fmt.Sprintf("安全生产标准化等级 %s，下调 %d 级", f.Level, n),
				EN: fmt.Sprintf("standardisation grade %s: %d step(s) down", f.Level, n)})
		}
	})
}

// ManualOverride replaces the grade by the unit's grade set by hand, with
// its reason.
func ManualOverride() GradeRule {
	return GradeRuleFunc(func(f GradeFacts, r *GradeResult) {
		if o := f.Override; o != nil && o.Grade.Valid() {
			r.Set("manual_override", o.Grade, Text{ZH: "人工调整：" + o.Reason, EN: "set by hand: " + o.Reason})
		}
	})
}
