package web

import "net/http"

// Lang is a page language.
type Lang string

// The page languages.
const (
	LangZH Lang = "zh-CN"
	LangEN Lang = "en"
)

const langCookie = "hl_lang"

// langOf picks the language of a request: ?lang= first, then the cookie,
// then Chinese.
func langOf(r *http.Request) Lang {
	switch r.URL.Query().Get("lang") {
	case "en":
		return LangEN
	case "zh", "zh-CN":
		return LangZH
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == string(LangEN) {
		return LangEN
	}
	return LangZH
}

// messages holds the page texts by key, each in both languages. A test
// checks that every key used by a template exists here in both.
var messages = map[string][2]string{
	"app.name":           {"安全隐患随手拍", "Hazard snap & report"},
	"nav.home":           {"首页", "Home"},
	"nav.report":         {"我要上报", "Report"},
	"nav.plaza":          {"上报广场", "Plaza"},
	"nav.mine":           {"我的", "Mine"},
	"nav.knowledge":      {"安全知识", "Knowledge"},
	"nav.console":        {"工作台", "Console"},
	"nav.login":          {"登录", "Log in"},
	"nav.logout":         {"退出", "Log out"},
	"nav.lang":           {"English", "中文"},
	"home.figures":       {"项目数据", "Programme figures"},
	"home.users":         {"注册用户", "Users"},
	"home.reports":       {"上报隐患", "Reports"},
	"home.closed":        {"已办结", "Closed"},
	"home.rewards":       {"已发奖励", "Rewards paid"},
	"home.cta":           {"随手拍 · 上报隐患", "Report a hazard"},
	"home.latest":        {"最新上报", "Latest reports"},
	"home.more":          {"查看全部", "See all"},
	"report.title":       {"上报隐患", "Report a hazard"},
	"report.photos":      {"现场照片（1 至 9 张）", "Photos (1 to 9)"},
	"report.photos.hint": {"JPEG、PNG 或 WebP，每张不超过 10 MB", "JPEG, PNG or WebP, at most 10 MB each"},
	"report.category":    {"隐患类别", "Category"},
	"report.severity":    {"严重程度", "Severity"},
	"severity.general":   {"一般隐患", "General hazard"},
	"severity.major":     {"重大隐患", "Major hazard"},
	"report.unit":        {"受理单位", "Receiving unit"},
	"report.address":     {"详细地址", "Detailed address"},
	"report.locate":      {"使用我的位置", "Use my location"},
	"report.description": {"隐患描述", "Description"},
	"report.submit":      {"提交", "Submit"},
	"report.success":     {"上报成功，受理编号：", "Submitted. Reference number: "},
	"report.login":       {"请先登录后再上报。", "Please log in to report."},
	"plaza.title":        {"上报广场", "Report plaza"},
	"plaza.all":          {"全部", "All"},
	"plaza.filter":       {"筛选", "Filter"},
	"plaza.next":         {"下一页", "Next page"},
	"plaza.empty":        {"暂无上报。", "No reports yet."},
	"plaza.timeline":     {"办理进度", "Progress"},
	"plaza.department":   {"承办部门", "Department"},
	"plaza.resolution":   {"办理结果", "Result"},
	"plaza.verdict":      {"审核意见", "Review"},
	"mine.title":         {"我的", "Mine"},
	"mine.reports":       {"我的上报", "My reports"},
	"mine.rewards":       {"我的奖励", "My rewards"},
	"reward.pending":     {"待领取", "Pending"},
	"reward.claiming":    {"领取中", "Claiming"},
	"reward.claimed":     {"已领取", "Claimed"},
	"reward.expired":     {"已过期", "Expired"},
	"reward.failed":      {"发放失败", "Failed"},
	"reward.claim":       {"领取", "Claim"},
	"reward.claimby":     {"领取截止", "Claim by"},
	"mine.verify":        {"实名认证", "Real-name verification"},
	"mine.verified":      {"已实名认证", "Verified"},
	"mine.name":          {"姓名", "Name"},
	"mine.idnumber":      {"身份证号", "Resident ID number"},
	"mine.verify.submit": {"认证", "Verify"},
	"knowledge.title":    {"安全知识与法规", "Safety knowledge and rules"},
	"login.title":        {"登录", "Log in"},
	"login.phone":        {"手机号", "Phone number"},
	"login.sendcode":     {"获取验证码", "Send code"},
	"login.code":         {"验证码", "Code"},
	"login.submit":       {"登录", "Log in"},
	"login.demo":         {"演示账号", "Demo users"},
	"console.title":      {"工作台", "Console"},
	"console.queue":      {"待办", "Work queue"},
	"console.empty":      {"暂无待办。", "Nothing to do."},
	"console.detail":     {"隐患详情", "Hazard detail"},
	"console.history":    {"处理记录", "History"},
	"console.actions":    {"可执行操作", "Actions"},
	"console.noactions":  {"当前没有可执行的操作。", "No action is available to you now."},
	"console.note":       {"意见 / 理由", "Note / reason"},
	"console.private":    {"内部备注", "Private note"},
	"console.department": {"承办部门", "Department"},
	"console.photos":     {"整改照片", "Rectification photos"},
	"console.board":      {"部门看板", "Department board"},
	"console.articles":   {"知识文章", "Articles"},
	"console.deadline":   {"期限", "Deadline"},
	"console.overdue":    {"已超期", "Overdue"},
	"board.open":         {"未办结", "Open"},
	"board.unassigned":   {"未分派", "Not yet assigned"},
	"board.assigned":     {"已分派", "Assigned"},
	"board.overdue":      {"超期", "Overdue"},
	"board.closed":       {"已办结", "Closed"},
	"board.rate":         {"办结率", "Closure rate"},
	"article.title":      {"标题", "Title"},
	"article.kind":       {"类型", "Kind"},
	"article.body":       {"正文", "Body"},
	"article.save":       {"保存草稿", "Save draft"},
	"article.publish":    {"发布", "Publish"},
	"article.published":  {"已发布", "Published"},
	"article.draft":      {"草稿", "Draft"},
	"error.title":        {"出错了", "Something went wrong"},
	"error.login":        {"请先登录。", "Please log in."},
	"kind.law":           {"法律", "Law"},
	"kind.rule":          {"规章", "Rule"},
	"kind.knowledge":     {"安全知识", "Safety knowledge"},
	// Personal data: the contact revealed, exports, the access log.
	"contact.title":          {"举报人联系方式", "Reporter's contact"},
	"contact.hint":           {"联系方式不在详情中显示。确需联系举报人时，请写明理由后查看；每次查看都会记入访问日志。", "The contact is not shown with the report. If you need to reach the reporter, give the reason and reveal it; every reading is logged."},
	"contact.reason":         {"查看理由", "Reason"},
	"contact.reveal":         {"查看联系方式", "Reveal the contact"},
	"data.title":             {"数据导出", "Exports"},
	"data.hint":              {"导出为 CSV 文件（UTF-8，可用表格软件打开）；不含举报人身份；每次导出都会记入访问日志。", "Exports are CSV files (UTF-8, for spreadsheet programs) without the reporters' identity; every export is logged."},
	"data.reports":           {"隐患报告", "Reports"},
	"data.rewards":           {"奖励发放（财务）", "Rewards (finance)"},
	"data.alldeps":           {"全部部门", "All departments"},
	"data.since":             {"开始日期", "From"},
	"data.until":             {"截止日期（不含）", "Until (exclusive)"},
	"data.download":          {"下载 CSV", "Download CSV"},
	"audit.title":            {"个人信息访问日志", "Access log of personal data"},
	"audit.hint":             {"谁在何时因何查看了举报人联系方式、导出了哪些数据。", "Who read which reporter's contact, when and why, and who exported what."},
	"audit.when":             {"时间", "When"},
	"audit.who":              {"操作人", "Who"},
	"audit.what":             {"操作", "What"},
	"audit.detail":           {"详情", "Detail"},
	"audit.empty":            {"暂无记录。", "No entry yet."},
	"audit.more":             {"更早之后的记录", "Later entries"},
	"audit.contact_revealed": {"查看联系方式", "Contact revealed"},
	"audit.exported":         {"导出数据", "Export"},
	"home.issued":            {"发放奖励", "Rewards issued"},
	"home.alltime":           {"累计", "All time"},
	"home.period":            {"近一年", "Last 12 months"},
	"home.bysource":          {"按来源", "By source"},
	"source.citizen":         {"群众举报", "Citizens"},
	"source.inspection":      {"执法检查", "Inspections"},
	"source.self_check":      {"企业自查", "Self-checks"},
	"source.supervision":     {"督查检查", "Supervision"},
}

// T returns the text of key in lang, or the key itself when it is unknown
// (which a test forbids for the keys the templates use).
func T(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == LangEN {
		return m[1]
	}
	return m[0]
}
