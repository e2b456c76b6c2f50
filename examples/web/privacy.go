package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// dataPage offers the exports the signed-in staff member may make: their
// department's reports (any department's for the city-wide roles) and,
// for the city safety office, the rewards for finance.
func (h *Handler) dataPage(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "data.title", true)
	if !ok || !h.load(w, r, p, c, callDepartments) {
		return
	}
	role := fmt.Sprint(p.Me["role"])
	p.Data["Finance"] = role == "reviewer" || role == "admin"
	p.Data["Auditor"] = role == "auditor" || role == "admin"
	now := time.Now().UTC()
	p.Data["Since"] = now.AddDate(0, -1, 0).Format(time.DateOnly)
	p.Data["Until"] = now.AddDate(0, 0, 1).Format(time.DateOnly)
	h.render(w, r, "data", p)
}

// accessLog shows the access log of personal data to an auditor or an
// admin, a page at a time.
func (h *Handler) accessLog(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "audit.title", true)
	q := url.Values{}
	if after := r.URL.Query().Get("after"); after != "" {
		q.Set("after", after)
	}
	q.Set("limit", "100")
	if ok && h.load(w, r, p, c, call{"Log", "/api/v1/access-log", q}) {
		h.render(w, r, "access_log", p)
	}
}

// export streams the API's CSV export at path to the browser as the file
// the API names, with the visitor's token; an error answer of the API is
// shown as the error page.
func (h *Handler) export(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, c, ok := h.start(w, r, "data.title", true)
		if !ok {
			return
		}
		q := url.Values{}
		for _, k := range []string{"department", "since", "until"} {
			if v := r.URL.Query().Get(k); v != "" {
				q.Set(k, v)
			}
		}
		u := path + "?" + q.Encode()
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u, nil)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		req.RequestURI = u
		req.Header.Set("Accept", "text/csv")
		req.Header.Set("Accept-Language", string(c.lang))
		req.Header.Set("Authorization", "Bearer "+c.token)
		sw := &streamOrError{w: w}
		h.api.ServeHTTP(sw, req)
		if sw.failed {
			var body struct {
				Error APIError `json:"error"`
			}
			e := &APIError{Status: sw.status, Code: "internal", Message: http.StatusText(sw.status)}
			if json.Unmarshal(sw.body.Bytes(), &body) == nil && body.Error.Code != "" {
				e = &body.Error
				e.Status = sw.status
			}
			h.fail(w, r, p, e)
		}
	})
}

// streamOrError passes a successful answer through to w as it is written
// (an export is streamed, never held whole) and keeps an error answer
// aside for the page to show.
type streamOrError struct {
	w      http.ResponseWriter
	status int
	failed bool
	body   bytes.Buffer
	hdr    http.Header
}

func (s *streamOrError) Header() http.Header {
	if s.failed || s.status == 0 {
		if s.hdr == nil {
			s.hdr = http.Header{}
		}
		return s.hdr
	}
	return s.w.Header()
}

func (s *streamOrError) WriteHeader(status int) {
	if s.status != 0 {
		return
	}
	s.status = status
	if status >= 400 {
		s.failed = true
		return
	}
	for _, k := range []string{"Content-Type", "Content-Disposition", "Cache-Control"} {
		if v := s.hdr.Get(k); v != "" {
			s.w.Header().Set(k, v)
		}
	}
	s.w.WriteHeader(status)
}

func (s *streamOrError) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	if s.failed {
		return s.body.Write(b)
	}
	return s.w.Write(b)
}

// Flush lets the API flush an export's batches through to the browser.
func (s *streamOrError) Flush() {
	if f, ok := s.w.(http.Flusher); ok && !s.failed && s.status != 0 {
		f.Flush()
	}
}

// sourceRow is one line of the published figures by source: all time and
// the period's.
type sourceRow struct {
	Source          string
	AllTime, Period string
}

// publishedSources are the sources the published figures list, in order.
var publishedSources = []string{"citizen", "inspection", "self_check", "supervision"}

// sourceRows reads the figures by source of GET /api/v1/stats.
func sourceRows(stats any) []sourceRow {
	st, _ := stats.(map[string]any)
	count := func(section, src string) string {
		m, _ := st[section].(map[string]any)
		by, _ := m["by_source"].(map[string]any)
		if v, ok := by[src]; ok {
			return fmt.Sprint(v)
		}
		return "0"
	}
	out := make([]sourceRow, len(publishedSources))
	for i, src := range publishedSources {
		out[i] = sourceRow{Source: src, AllTime: count("programme", src), Period: count("period", src)}
	}
	return out
}
