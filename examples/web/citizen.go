package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// The pages of a citizen's life around reports that exist: their own
// report (add information, answer staff's questions), their subscriptions
// (followed reports, watched areas) and the unsubscribe page a message's
// link opens. The report page's "is it one of these?" list and the plaza's
// follow and me-too buttons are in report.html and plaza_item.html, driven
// by static/follow.js.
func init() {
	pageNames = append(pageNames, "my_report", "subscriptions", "unsubscribe")
	for k, v := range citizenMessages {
		messages[k] = v
	}
}

func (h *Handler) citizenPages() []pageRoute {
	return []pageRoute{
		{"GET /mine/reports/{id}", http.HandlerFunc(h.myReport)},
		{"GET /mine/subscriptions", http.HandlerFunc(h.subscriptions)},
		{"GET /unsubscribe", http.HandlerFunc(h.unsubscribe)},
	}
}

func (h *Handler) myReport(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "myreport.title", true)
	if !ok || !h.load(w, r, p, c, call{"Report", "/api/v1/reports/" + url.PathEscape(r.PathValue("id")), nil}) {
		return
	}
	p.Data["ID"] = r.PathValue("id")
	// The questions still waiting for an answer, by their number.
	answered := map[string]bool{}
	timeline := asList(mapOf(p.Data["Report"])["timeline"])
	for _, e := range timeline {
		if m := mapOf(e); m["type"] == "answer" {
			answered[text(mapOf(m["data"])["question"])] = true
		}
	}
	var open []map[string]any
	for _, e := range timeline {
		if m := mapOf(e); m["type"] == "question" {
			if q := text(mapOf(m["data"])["question"]); !answered[q] {
				open = append(open, map[string]any{"seq": q, "message": m["message"]})
			}
		}
	}
	p.Data["Open"] = open
	h.render(w, r, "my_report", p)
}

func (h *Handler) subscriptions(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "subs.title", true)
	if ok && h.load(w, r, p, c, call{"Subs", "/api/v1/me/subscriptions", nil}, callCategories) {
		h.render(w, r, "subscriptions", p)
	}
}

func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request) {
	p, _, _ := h.start(w, r, "unsub.title", false)
	p.Data["Token"] = r.URL.Query().Get("token")
	h.render(w, r, "unsubscribe", p)
}

// text returns v as a string, "" for nil.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// citizenMessages are the texts of these pages, merged into messages.
var citizenMessages = map[string][2]string{
	"myreport.title":    {"我的上报详情", "My report"},
	"myreport.timeline": {"办理进展", "Progress"},
	"myreport.addinfo":  {"补充情况", "Add information"},
	"myreport.note":     {"补充说明", "Note"},
	"myreport.photos":   {"补充照片（可选）", "Photos (optional)"},
	"myreport.send":     {"提交补充", "Send"},
	"myreport.added":    {"已补充，办理部门可以看到。", "Added: the handling department sees it."},
	"myreport.question": {"工作人员提问", "Question from staff"},
	"myreport.answer":   {"回答", "Answer"},
	"myreport.answered": {"已回答。", "Answered."},
	"myreport.open":     {"查看详情", "Details"},
	"nearby.title":      {"附近已有同类上报，是其中之一吗？", "Reports like this nearby: is it one of these?"},
	"nearby.check":      {"查看附近同类上报", "Check reports nearby"},
	"nearby.none":       {"附近没有同类的未办结上报。", "No open report like this nearby."},
	"nearby.metoo":      {"我也遇到了", "Me too"},
	"nearby.done":       {"已记录“我也遇到了”，您将收到该上报的进展，无需重复上报。", "Recorded your \"me too\": you will get this report's updates; no need to report it again."},
	"follow.follow":     {"关注进展", "Follow"},
	"follow.following":  {"已关注", "Following"},
	"follow.metoo":      {"我也遇到了", "Me too"},
	"follow.count":      {"人也遇到了", "people saw this too"},
	"subs.title":        {"我的订阅", "My subscriptions"},
	"subs.follows":      {"关注的上报", "Reports I follow"},
	"subs.areas":        {"关注的区域", "Areas I watch"},
	"subs.unfollow":     {"取消关注", "Unfollow"},
	"subs.remove":       {"删除", "Remove"},
	"subs.add":          {"添加区域", "Watch an area"},
	"subs.district":     {"区县或网格代码", "District or grid code"},
	"subs.radius":       {"半径（米）", "Radius (m)"},
	"subs.here":         {"以我的位置为中心", "Around my location"},
	"subs.category":     {"类别（可选）", "Category (optional)"},
	"subs.caps":         {"上限", "Limits"},
	"subs.perday":       {"条消息/天", "messages a day"},
	"subs.link":         {"我的订阅", "My subscriptions"},
	"unsub.title":       {"退订", "Unsubscribe"},
	"unsub.confirm":     {"确认退订", "Unsubscribe"},
	"unsub.text":        {"点击按钮即可退订此消息对应的关注，无需登录。", "One click ends the subscription of this message; no login needed."},
	"unsub.done":        {"已退订。", "Unsubscribed."},
	"console.ask":       {"向上报人提问", "Ask the reporter"},
	// The steps of the reporter's timeline, by event type.
	"event.submitted":      {"已上报", "Submitted"},
	"event.transition":     {"处理", "Handled"},
	"event.escalated":      {"督办", "Escalated"},
	"event.duplicate":      {"疑似重复", "Possible duplicate"},
	"event.note":           {"备注", "Note"},
	"event.reward_issued":  {"奖励待领", "Reward pending"},
	"event.reward_claimed": {"奖励已发放", "Reward paid"},
	"event.reward_expired": {"奖励已失效", "Reward expired"},
	"event.unit_linked":    {"关联单位", "Unit linked"},
	"event.me_too":         {"有人也遇到了", "Someone saw it too"},
	"event.info_added":     {"补充情况", "Information added"},
	"event.question":       {"工作人员提问", "Question from staff"},
	"event.answer":         {"我的回答", "My answer"},
	"console.asksend":      {"发送提问", "Send question"},
}
