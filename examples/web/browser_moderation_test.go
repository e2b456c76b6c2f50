package web_test

import (
	"image/color"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserModeration drives moderation and response templates in a
// real browser: an admin writes a response template; a citizen reports
// with a phone number in the text, which holds the report; the dispatcher
// forwards it with the template's note, edited; the report stays off the
// plaza until a reviewer edits its public text and releases it, then
// blacks out a region of its photo drawn with the mouse; the public sees
// the moderated text and the redacted photo, never the phone number.
func TestBrowserModeration(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	base := startServer(t)
	b := newBrowser(t, base)
	photo := writeJPEG(t, t.TempDir(), "door.jpg", color.RGBA{230, 230, 230, 255})

	// The admin writes a response template for forwarding fire reports.
	b.loginAs("admin-1")
	b.open("/console/templates", "#tpl-new")
	b.run("new template",
		chromedp.SendKeys(chromedp.CSS(`#tpl-id`), "fwd_fire"),
		chromedp.SendKeys(chromedp.CSS(`#tpl-new [name=title]`), "转办消防"),
		chromedp.SendKeys(chromedp.CSS(`#tpl-new [name=action]`), "dispatch"),
		chromedp.SendKeys(chromedp.CSS(`#tpl-new [name=category]`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#tpl-new [name=text_zh]`), "您的报告 {ref} 已转至{department}办理。"),
		chromedp.SendKeys(chromedp.CSS(`#tpl-new [name=text_en]`), "Report {ref} went to {department}."),
		chromedp.Click(chromedp.CSS(`#tpl-new button[type=submit]`)),
	)
	b.waitFor("template saved", `(() => {
		if (document.querySelector('form.tpl-form[data-id="fwd_fire"]')) return "done";
		return [...document.querySelectorAll("#tpl-new .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	b.screenshot("reply-templates")

	// A citizen reports with a phone number in the description.
	b.loginAs("citizen-1")
	b.run("report",
		chromedp.Navigate(base+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#address`), "东昌路 8 号"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "安全出口被锁，老板电话13912345678"),
		chromedp.Click(chromedp.CSS(`#submit-report`)),
	)
	b.waitFor("report submitted", `(() => {
		if (!document.getElementById("report-success").hidden) return "done";
		return [...document.querySelectorAll("#report-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	ref := b.text(`#report-ref`)

	// The dispatcher picks the template, edits the note and forwards it.
	b.loginAs("dispatcher-1")
	b.open("/console", "#queue")
	href := value(b, "find in queue", chromedp.AttributeValue(chromedp.Search(`//li[contains(., "`+ref+`")]/a`), "href")).Value
	id := strings.TrimPrefix(href, "/console/reports/")
	require.NotEmpty(t, id, "the report is in the dispatcher's queue")
	b.open("/console/reports/"+id, `#tpl-dispatch`)
	b.waitFor("templates offered", `(() => {
		const s = document.getElementById("tpl-dispatch");
		if (s.dataset.loaded === undefined) return "";
		return s.options.length > 1 ? "done" : "no template offered";
	})()`)
	value(b, "pick the template", chromedp.Evaluate[bool](`(() => {
		const s = document.getElementById("tpl-dispatch");
		s.value = s.options[1].value;
		s.dispatchEvent(new Event("change"));
		return true;
	})()`))
	note := value(b, "the note", chromedp.Evaluate[string](`document.getElementById("note-dispatch").value`))
	require.Equal(t, "您的报告 "+ref+" 已转至消防救援支队办理。", note, "the template fills the note in, rendered")
	b.run("edit and forward",
		chromedp.SendKeys(chromedp.CSS(`#note-dispatch`), "请保持通道畅通。"),
		chromedp.SetValue(chromedp.CSS(`#dep-dispatch`), "fire"),
	)
	b.screenshot("console-report-template")
	b.run("dispatch", chromedp.Click(chromedp.CSS(`button[data-submit="dispatch"]`)))
	b.waitFor("dispatched", `(() => {
		if (document.readyState !== "complete") return "";
		return document.querySelector('form[data-action="dispatch"]') ? "" : "done";
	})()`)

	// Held: the plaza does not show it.
	b.run("plaza while held", chromedp.Navigate(base+"/plaza/"+ref), chromedp.WaitVisible(chromedp.CSS(`#page-error`)))

	// The reviewer finds it held, edits its public text and releases it.
	b.loginAs("reviewer-1")
	b.open("/console/moderation", "#held")
	b.run("open held", chromedp.Click(chromedp.Search(`//ul[@id="held"]//a[contains(., "`+ref+`")]`)))
	b.waitFor("the moderation view", `(() => document.readyState === "complete" && document.getElementById("mod-view") ? "done" : "")()`)
	require.Contains(t, b.text(`#mod-original`), "13912345678", "the moderator sees the original")
	moderate := func(what, button string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		before := value(b, "version", chromedp.AttributeValue(chromedp.CSS(`#mod-view`), "data-version")).Value
		steps := append(fill, chromedp.Click(chromedp.CSS(button)))
		b.run(what, steps...)
		b.waitFor(what, `(() => {
			const v = document.getElementById("mod-view");
			if (document.readyState === "complete" && v && v.dataset.version !== "`+before+`") return "done";
			return [...document.querySelectorAll("#mod-view .error")].map(e => e.textContent).join(" ").trim();
		})()`)
	}
	moderate("edit", `button[data-mod="edit"]`,
		chromedp.SetValue(chromedp.CSS(`#mod-description`), "安全出口被锁。"),
		chromedp.SendKeys(chromedp.CSS(`#mod-reason`), "去除电话号码"))
	require.Equal(t, "安全出口被锁。", b.text(`#mod-public`))
	moderate("release", `#mod-release`, chromedp.SendKeys(chromedp.CSS(`#mod-reason`), "已审核"))

	// A region drawn on the photo with the mouse is blacked out.
	rect := value(b, "photo box", chromedp.Evaluate[map[string]float64](`(() => {
		const img = document.querySelector("figure.redact img");
		img.scrollIntoView({block: "center"});
		const r = img.getBoundingClientRect();
		return {x: r.left, y: r.top, w: r.width, h: r.height};
	})()`))
	b.run("draw a region", chromedp.DragAndDropXY(rect["x"]+2, rect["y"]+2, rect["x"]+rect["w"]/2, rect["y"]+rect["h"]-2))
	b.waitFor("a region drawn", `(() => document.querySelector("figure.redact [data-redact]").disabled ? "" : "done")()`)
	moderate("redact", `figure.redact [data-redact]`, chromedp.SendKeys(chromedp.CSS(`#mod-reason`), "遮挡门牌"))
	require.Contains(t, b.text(`#mod-log`), "redact_photo", "the moderation log")
	b.screenshot("moderation")

	// The public sees the moderated version: the edited text, the reason
	// of nothing hidden, and the photo with its left part black.
	b.run("log out", chromedp.Click(chromedp.CSS(`#logout`)), chromedp.WaitVisible(chromedp.CSS(`#cta-report`)))
	b.open("/plaza/"+ref, "#plaza-item")
	require.Equal(t, "安全出口被锁。", b.text(`#item-description`))
	page := value(b, "plaza html", chromedp.OuterHTML(chromedp.CSS(`html`)))
	require.NotContains(t, page, "13912345678", "the plaza shows the phone number")
	pixel := value(b, "the public photo's pixels", chromedp.Evaluate[[]int](`(async () => {
		const img = document.querySelector("#plaza-item .photos img");
		const res = await fetch(img.src, {cache: "no-store"});
		const bmp = await createImageBitmap(await res.blob());
		const c = document.createElement("canvas");
		c.width = bmp.width; c.height = bmp.height;
		const g = c.getContext("2d");
		g.drawImage(bmp, 0, 0);
		const left = g.getImageData(3, 3, 1, 1).data, right = g.getImageData(bmp.width - 3, 3, 1, 1).data;
		return [left[0], left[1], left[2], right[0], right[1], right[2]];
	})()`, chromedp.EvalAwaitPromise))
	require.Len(t, pixel, 6)
	for i := 0; i < 3; i++ {
		require.Less(t, pixel[i], 40, "the redacted corner is black: %v", pixel)
		require.Greater(t, pixel[3+i], 180, "the other side is untouched: %v", pixel)
	}
	b.screenshot("plaza-moderated")
}
