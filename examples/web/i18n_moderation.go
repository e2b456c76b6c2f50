package web

// moderationMessages are the texts of the moderation and response
// template pages, kept beside messages and merged into it.
var moderationMessages = map[string][2]string{
	"mod.title":        {"内容审核", "Moderation"},
	"mod.held":         {"待审核（疑含个人信息或不当言辞）", "Held for moderation (personal data or abuse suspected)"},
	"mod.heldempty":    {"暂无待审核的报告。", "No report is held."},
	"mod.open":         {"按编号打开", "Open by reference"},
	"mod.ref":          {"报告编号", "Reference"},
	"mod.go":           {"打开", "Open"},
	"mod.original":     {"原始内容（仅工作人员可见）", "Original (staff only)"},
	"mod.public":       {"公开内容", "Public version"},
	"mod.published":    {"已公开", "Public"},
	"mod.unpublished":  {"未公开", "Not public"},
	"mod.isheld":       {"待审核", "Held"},
	"mod.hidden":       {"已隐藏", "Hidden"},
	"mod.reason":       {"审核理由（必填，记入日志）", "Reason (required, logged)"},
	"mod.description":  {"公开描述（留空则显示原文）", "Public description (empty: the original)"},
	"mod.save":         {"保存公开描述", "Save the public description"},
	"mod.hide":         {"从广场隐藏", "Hide from the plaza"},
	"mod.show":         {"恢复公开", "Show again"},
	"mod.release":      {"审核通过", "Release"},
	"mod.photos":       {"照片", "Photos"},
	"mod.hidephoto":    {"隐藏照片", "Hide photo"},
	"mod.showphoto":    {"恢复照片", "Restore photo"},
	"mod.redact":       {"打码所选区域", "Redact the selected area"},
	"mod.select":       {"在照片上拖动选择要遮挡的区域", "Drag on the photo to select the area to cover"},
	"mod.black":        {"涂黑", "Black out"},
	"mod.blur":         {"模糊", "Blur"},
	"mod.history":      {"审核记录", "Moderation log"},
	"mod.redacted":     {"已打码", "Redacted"},
	"plaza.reason":     {"不予受理的理由：", "Why it was not accepted:"},
	"tpl.title":        {"回复模板", "Response templates"},
	"tpl.pick":         {"选择回复模板（可再修改）", "Pick a response template (edit before sending)"},
	"tpl.none":         {"不使用模板", "No template"},
	"tpl.new":          {"新建模板", "New template"},
	"tpl.id":           {"模板代码", "Template code"},
	"tpl.name":         {"名称", "Title"},
	"tpl.action":       {"适用操作（留空为任意）", "For action (empty: any)"},
	"tpl.state":        {"适用状态（留空为任意）", "In state (empty: any)"},
	"tpl.category":     {"适用类别（留空为任意）", "Category (empty: any)"},
	"tpl.zh":           {"中文内容", "Chinese text"},
	"tpl.en":           {"英文内容", "English text"},
	"tpl.placeholders": {"可用占位符：{ref} 编号、{category} 类别、{department} 部门、{address} 地址、{date} 日期", "Placeholders: {ref}, {category}, {department}, {address}, {date}"},
	"tpl.save":         {"保存", "Save"},
	"tpl.delete":       {"删除", "Delete"},
	"tpl.version":      {"版本", "Version"},
	"tpl.empty":        {"暂无模板。", "No template yet."},
	"tpl.any":          {"任意", "any"},
}

func init() {
	for k, v := range moderationMessages {
		messages[k] = v
	}
}
