package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// The page of a person's own data (PIPL), /mine/data: download it as a
// JSON file (/mine/data/download), and, for a citizen, delete the
// account. What an erasure deletes and keeps is the API's
// (POST /api/v1/me/erase); the page says it beforehand, lists the pending
// rewards that would be forfeited, and asks for the confirming word;
// static/erase.js sends it and shows the answer.
func init() {
	pageNames = append(pageNames, "my_data")
	for k, v := range myDataMessages {
		messages[k] = v
	}
}

func (h *Handler) myDataPages() []pageRoute {
	return []pageRoute{
		{"GET /mine/data", http.HandlerFunc(h.myData)},
		{"GET /mine/data/download", h.export("/api/v1/me/data")},
	}
}

func (h *Handler) myData(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "mydata.title", true)
	if !ok {
		return
	}
	citizen := fmt.Sprint(p.Me["role"]) == "reporter"
	p.Data["Citizen"] = citizen
	if citizen && !h.load(w, r, p, c,
		call{"Pending", "/api/v1/me/rewards", url.Values{"status": {"pending"}, "limit": {"100"}}},
		call{"Claiming", "/api/v1/me/rewards", url.Values{"status": {"claiming"}, "limit": {"100"}}}) {
		return
	}
	h.render(w, r, "my_data", p)
}

// myDataMessages are the texts of the page.
var myDataMessages = map[string][2]string{
	"mydata.title":     {"我的数据", "My data"},
	"mydata.link":      {"我的数据：下载，或注销账户", "My data: download it, or delete my account"},
	"mydata.download":  {"下载我的数据（账户、上报、奖励、通知，JSON 文件）", "Download my data (account, reports, rewards, notices, as a JSON file)"},
	"erase.title":      {"注销账户", "Delete my account"},
	"erase.deleted":    {"将被删除：账户、手机号、姓名、身份证号、微信身份、关注和订阅、未使用的照片。", "Deleted: your account, phone number, name, ID number, WeChat identity, follows and watched areas, photos not used in a report."},
	"erase.kept":       {"将被保留但不再关联到你：你的上报（去除身份和联系方式）；已发放的奖励在财务账目中以随机代号记录。", "Kept, but no longer linked to you: your reports (without your identity and contact); paid rewards stay in finance's ledger under a random pseudonym."},
	"erase.pending":    {"以下待领奖励将作废：", "These pending rewards will be forfeited:"},
	"erase.claiming":   {"有奖励正在发放中：请先在微信中确认或等待其结束，再注销。", "A reward is being paid: confirm it in WeChat or wait until it ends before deleting your account."},
	"erase.final":      {"注销后无法恢复；用同一手机号或微信再次登录将是一个新账户。", "This cannot be undone; logging in again with the same phone or WeChat makes a new account."},
	"erase.confirm":    {"请输入“删除”（或 DELETE）以确认", "Type 删除 (or DELETE) to confirm"},
	"erase.understand": {"我已了解以上内容", "I understand the above"},
	"erase.submit":     {"注销我的账户", "Delete my account"},
	"erase.done":       {"账户已注销。你的记录代号：", "Your account is deleted. The pseudonym of your records:"},
	"erase.later":      {"注销已登记，剩余步骤将由系统自动完成。", "The deletion is recorded; the server finishes the remaining steps."},
	"erase.staff":      {"工作人员和单位账户由所在机构注销。", "Staff and unit accounts are closed by their organisation."},
	// The access log's entries of an erasure (hazard.EventErasureBegun,
	// EventErased), named by the pseudonym.
	"audit.erasure_begun": {"申请注销账户", "Account deletion asked"},
	"audit.erased":        {"账户注销完成", "Account deleted"},
}
