package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// moderation is the moderators' page: the reports held for moderation,
// and one report (?ref=) with its original, its public version and the
// moderation forms (hide, release, edit the public description, hide or
// redact a photo with a rectangle drawn on it).
func (h *Handler) moderation(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "mod.title", true)
	if !ok || !h.load(w, r, p, c, call{"Held", "/api/v1/moderation/held", nil}) {
		return
	}
	if ref := strings.TrimSpace(r.URL.Query().Get("ref")); ref != "" {
		if !h.load(w, r, p, c, call{"View", "/api/v1/moderation/refs/" + url.PathEscape(ref), nil}) {
			return
		}
		p.Data["Ref"] = ref
		p.Data["Photos"] = moderatedPhotos(p.Data["View"])
	}
	p.Data["CategoryNames"] = h.categoryNames(r, c)
	h.render(w, r, "moderation", p)
}

// replyTemplates is the admins' page of response templates: the list with
// a form per template (a new version on save) and a form for a new one.
func (h *Handler) replyTemplates(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "tpl.title", true)
	if ok && h.load(w, r, p, c, call{"Templates", "/api/v1/reply-templates", nil}, callCategories) {
		h.render(w, r, "reply_templates", p)
	}
}

// moderatedPhotos lists the photos of a moderation view, each with what a
// moderator did to it: {key, hidden, redacted}.
func moderatedPhotos(view any) []map[string]any {
	v, _ := view.(map[string]any)
	done := map[string]map[string]any{}
	if m, ok := v["moderation"].(map[string]any); ok {
		for _, x := range asList(m["photos"]) {
			if pm, ok := x.(map[string]any); ok {
				done[fmt.Sprint(pm["key"])] = pm
			}
		}
	}
	var out []map[string]any
	for _, k := range asList(v["photos"]) {
		key := fmt.Sprint(k)
		pm := done[key]
		out = append(out, map[string]any{"key": key, "hidden": pm["hidden"] == true, "redacted": pm["redacted"] != nil && pm["redacted"] != ""})
	}
	return out
}

func init() {
	// withLang passes a value and the page's language to a sub-template.
	funcs["withLang"] = func(l Lang, v any) map[string]any { return map[string]any{"L": l, "V": v} }
}
