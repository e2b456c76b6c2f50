package web

import (
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Limits of the claim code QR image.
const (
	// maxClaimQRBody bounds the body of POST /claim/qr, in bytes.
	maxClaimQRBody = 1 << 10
	// claimQRSize is the QR image's width and height, in pixels.
	claimQRSize = 256
)

// claimMessages are the texts of the anonymous report, claim and
// aftercare pages, added to messages.
var claimMessages = map[string][2]string{
	"anon.mode":        {"未登录也可匿名上报：提交后会显示一次性领奖码，请妥善保存。", "You may report anonymously without logging in: a one-time claim code is shown after you submit; keep it safe."},
	"anon.code.title":  {"您的领奖码", "Your claim code"},
	"anon.code.once":   {"领奖码只显示这一次：凭它查看进度，并在办结后绑定实名身份领取奖励。", "The claim code is shown only this once: use it to follow the report and, once it is closed, to bind your verified identity and claim the reward."},
	"anon.code.qr":     {"领奖码二维码", "QR code of the claim code"},
	"anon.follow.link": {"凭领奖码查看进度", "Follow a report with its claim code"},
	"claim.title":      {"凭领奖码查询", "Follow with a claim code"},
	"claim.code":       {"领奖码", "Claim code"},
	"claim.follow":     {"查询进度", "Follow"},
	"claim.bound":      {"已绑定实名身份", "Bound to a verified identity"},
	"claim.unbound":    {"尚未绑定身份", "Not bound yet"},
	"claim.claimby":    {"绑定截止", "Bind by"},
	"claim.bind":       {"绑定我的实名身份领取奖励", "Bind my verified identity to claim the reward"},
	"claim.bind.login": {"登录并完成实名认证后即可绑定领取奖励。", "Log in with a verified account to bind it and claim the reward."},
	"claim.bind.done":  {"绑定成功，奖励将按规则发放至“我的奖励”。", "Bound: the reward, if earned, appears in My rewards."},
	"claim.reopened":   {"已重新反映，报告已转回原办理部门。", "Reopened: the report goes back to the department that handled it."},
	"claim.answered":   {"感谢您的反馈。", "Thank you for your answer."},
	"fixed.ask":        {"该隐患办结已有一段时间，问题是否已解决？", "This report was closed as fixed a while ago: is it still fixed?"},
	"fixed.yes":        {"已解决", "Yes, it is fixed"},
	"fixed.no":         {"仍未解决，重新反映", "No: report it again"},
	"reopen.note":      {"复现说明", "What is back"},
	"reopen.photo":     {"现场照片", "Photo"},
	"reopen.submit":    {"问题复现，重新反映", "It is back: reopen"},
}

func init() {
	for k, v := range claimMessages {
		messages[k] = v
	}
}

// claim renders the page where the holder of a claim code follows an
// anonymous report, reopens it or answers "is it fixed?" once it is closed
// as fixed, and, signed in as a verified citizen, binds it. The code
// never travels in a URL the server sees: the page reads it from the form
// or the fragment and calls the API.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	p, _, _ := h.start(w, r, "claim.title", false)
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, "claim", p)
}

// claimQR answers the QR code (PNG) of the claim page's address with the
// code in its fragment, for the code in the form field "code". The code is
// not checked (the page has just received it) nor kept.
func (h *Handler) claimQR(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxClaimQRBody)
	code := strings.TrimSpace(r.FormValue("code"))
	if code == "" || len(code) > 128 || strings.ContainsAny(code, "\r\n\t #") {
		http.Error(w, "a claim code is required", http.StatusBadRequest)
		return
	}
	scheme := "http"
	if h.https(r) {
		scheme = "https"
	}
	png, err := qrcode.Encode(scheme+"://"+r.Host+"/claim#"+code, qrcode.Medium, claimQRSize)
	if err != nil {
		h.log.Error("claim qr", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}
