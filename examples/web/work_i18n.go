package web

import "fmt"

// workMessages are the texts of the regulators' pages, each in both
// languages; init adds them to messages.
var workMessages = map[string][2]string{
	"nav.work":                {"检查", "Inspections"},
	"work.title":              {"检查工作台", "Inspection desk"},
	"work.plan":               {"今日计划", "Today's plan"},
	"work.today":              {"今日检查计划", "Today's plan"},
	"work.overdue":            {"已超期", "Overdue"},
	"work.dueToday":           {"今日到期", "Due today"},
	"work.dueSoon":            {"30 天内到期", "Due in the next 30 days"},
	"work.drawn":              {"随机抽取", "Drawn at random"},
	"work.due":                {"应检日期", "Due"},
	"work.none":               {"暂无。", "None."},
	"work.open":               {"进行中的检查", "Inspections in progress"},
	"work.unit":               {"单位", "Unit"},
	"work.nextDue":            {"下次检查", "Next inspection"},
	"work.grade":              {"风险等级", "Risk grade"},
	"work.why":                {"定级依据", "Why this grade"},
	"work.override":           {"人工调整", "Set by hand"},
	"work.points":             {"风险点", "Risk points"},
	"work.selfcheck":          {"企业自查", "Self-check"},
	"work.inspect":            {"执法检查", "Inspection"},
	"work.checklist":          {"检查清单", "Checklist"},
	"work.coInspector":        {"同行检查人员（账号）", "Fellow inspector (user ID)"},
	"work.start":              {"开始检查", "Start the inspection"},
	"work.startSelf":          {"开始自查", "Start the self-check"},
	"work.inspections":        {"检查记录", "Inspections"},
	"work.hazards":            {"隐患及整改期限", "Hazards and deadlines"},
	"work.inspection":         {"检查", "Inspection"},
	"work.finished":           {"检查已完成", "Finished"},
	"work.deadlineDays":       {"整改期限（天）", "Days to rectify"},
	"work.photo":              {"拍照", "Photo"},
	"work.note":               {"备注", "Note"},
	"work.trained":            {"现场培训", "Trained on site"},
	"work.trainedCount":       {"培训人数", "People trained"},
	"work.trainedTopic":       {"培训内容", "Topic"},
	"work.save":               {"保存", "Save"},
	"work.finish":             {"完成检查", "Finish the inspection"},
	"work.raised":             {"本次发现的隐患", "Hazards it raised"},
	"work.raisedHint":         {"不合格项自动生成隐患并下达整改，刷新可见最新状态。", "Each non-compliant item raises a hazard to rectify; reload to see the latest."},
	"work.backUnit":           {"返回单位页面", "Back to the unit"},
	"work.ledger":             {"对账销号", "Ledger"},
	"work.industry":           {"行业", "Industry"},
	"work.district":           {"区县代码", "District code"},
	"work.since":              {"起始日期", "From"},
	"work.until":              {"截止日期", "Until"},
	"work.csv":                {"下载 CSV", "Download CSV"},
	"work.figures":            {"专项行动数据", "Campaign figures"},
	"work.spot":               {"督查抽查", "Spot checks"},
	"work.size":               {"抽取数量", "How many"},
	"work.seed":               {"随机种子（可选）", "Seed (optional)"},
	"work.draw":               {"抽取", "Draw"},
	"work.drawAgain":          {"再次抽取", "Draw another"},
	"work.spotList":           {"抽查记录", "Spot checks drawn"},
	"work.newSpot":            {"新的抽查", "Draw a new spot check"},
	"work.status":             {"状态", "Status"},
	"work.verdict":            {"复核结果", "Verdicts"},
	"work.allDepartments":     {"全部部门", "All departments"},
	"work.drawnCount":         {"抽取", "Drawn"},
	"work.period":             {"隐患发现期间", "Hazards found"},
	"work.next":               {"下一页", "Next page"},
	"work.shown":              {"本页", "This page"},
	"spot.open":               {"复核中", "Being verified"},
	"spot.done":               {"已完成", "Done"},
	"ledger.found":            {"发现隐患", "Found"},
	"ledger.open":             {"未销号", "Open"},
	"ledger.ref":              {"编号", "Reference"},
	"ledger.state":            {"状态", "State"},
	"figures.visits":          {"执法检查", "Inspections"},
	"figures.self_checks":     {"企业自查", "Self-checks"},
	"figures.hazards_found":   {"发现隐患", "Hazards found"},
	"figures.major":           {"重大隐患", "Major hazards"},
	"figures.rectified":       {"已整改", "Rectified"},
	"figures.closed_out":      {"已销号", "Closed out"},
	"figures.overdue":         {"超期未改", "Overdue"},
	"figures.trained_on_site": {"现场培训人数", "Trained on site"},
	"figures.per_visit":       {"每家次发现隐患", "Hazards per visit"},
	"figures.rectification":   {"整改率", "Rectification rate"},
	"grade.":                  {"未定级", "Not graded"},
	"kind.enforcement":        {"执法检查", "Inspection"},
	"kind.self_check":         {"企业自查", "Self-check"},
	"status.open":             {"进行中", "In progress"},
	"status.finished":         {"已完成", "Finished"},
	"outcome.compliant":       {"合格", "Compliant"},
	"outcome.non_compliant":   {"不合格", "Non-compliant"},
	"outcome.not_applicable":  {"不适用", "N/A"},
	"verdict.pending":         {"待复核", "Pending"},
	"verdict.confirmed":       {"整改属实", "Confirmed"},
	"verdict.failed":          {"整改不实", "Sham"},
}

func init() {
	for k, v := range workMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " twice")
		}
		messages[k] = v
	}
	funcs["dict"] = func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	}
	funcs["permille"] = func(v any) string { n := num(v); return fmt.Sprintf("%d.%03d", n/1000, n%1000) }
	funcs["percent"] = func(v any) string { n := num(v); return fmt.Sprintf("%d.%d%%", n/10, n%10) }
}
