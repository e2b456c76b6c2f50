package open311

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// request maps a public hazard (with its timeline when notes are wanted).
func (h *handler) request(p hazard.PublicHazard, notes bool) wireRequest {
	r := wireRequest{
		ServiceRequestID:  p.Ref,
		Status:            "open",
		ServiceCode:       p.Category,
		Description:       some(p.Description),
		ServiceNotice:     some(h.notice(h.process(&p), p.State, p.ClosedAt.IsZero())),
		RequestedDatetime: w3c(p.CreatedAt),
		UpdatedDatetime:   w3c(p.UpdatedAt),
		ExpectedDatetime:  w3c(p.Deadline),
		Address:           some(p.Address),
	}
	if !p.ClosedAt.IsZero() {
		r.Status = "closed"
		r.UpdatedDatetime = w3c(p.ClosedAt)
		r.ExpectedDatetime = w3c{}
	}
	if c, ok := h.cfg.Service.Categories().Lookup(p.Category); ok {
		r.ServiceName = some(h.name(c.NameEN, c.NameZH))
	}
	if d, ok := h.cfg.Service.Department(p.Department); ok {
		r.AgencyResponsible = some(h.name(d.NameEN, d.NameZH))
	}
	if p.Point != nil {
		w := p.Point.WGS84()
		r.Lat = optFloat{F: w.Lat, OK: true}
		r.Long = optFloat{F: w.Lng, OK: true}
	}
	if len(p.Photos) > 0 {
		r.MediaURL = some(h.photoURL(p.Photos[0]))
	}
	steps := h.steps(p)
	if n := len(steps); n > 0 {
		r.StatusNotes = some(steps[n-1].description)
	}
	if notes {
		r.Notes = &wireNotes{Items: make([]wireNote, 0, len(steps))}
		for i, s := range steps {
			n := wireNote{
				Datetime: w3c(p.Timeline[i].Time), Description: some(s.description),
				Type: s.noteType, Status: string(s.status),
			}
			if len(s.photos) > 0 {
				n.MediaURL = some(h.photoURL(s.photos[0]))
			}
			r.Notes.Items = append(r.Notes.Items, n)
		}
	}
	return r
}

// name is the name in the configured language.
func (h *handler) name(en, zh string) string {
	if h.cfg.Language == Chinese {
		return zh
	}
	return en
}

// steps describes each event of p.Timeline, in order.
func (h *handler) steps(p hazard.PublicHazard) []step {
	states, open := statesAfter(p.Timeline, p.State, !p.ClosedAt.IsZero(), func(e hazard.PublicEvent) (from, to string, ok bool) {
		return e.From, e.To, e.Type == hazard.EventTransition
	})
	pr := h.process(&p)
	out := make([]step, len(p.Timeline))
	for i, e := range p.Timeline {
		out[i] = h.stepOf(pr, e, states[i], open[i], p.Duplicate)
	}
	return out
}

// photoURL is where the server serves a photo.
func (h *handler) photoURL(key string) string { return h.cfg.BaseURL + "/photos/" + key }

// byRef loads the public view of the hazard with the reference number,
// with its timeline.
func (h *handler) byRef(ctx context.Context, ref string) (hazard.PublicHazard, error) {
	return h.cfg.Service.PublicView(ctx, ref)
}

// one serves GET requests/{id}.
func (h *handler) one(w http.ResponseWriter, r *http.Request, f format, ref string) {
	p, err := h.byRef(r.Context(), ref)
	if unknownRef(err) {
		h.fail(w, f, notFoundField("service_request_id", fmt.Sprintf("%q is not a service request of this endpoint", ref)))
		return
	}
	if err != nil {
		h.fail(w, f, err)
		return
	}
	items := []wireRequest{h.request(p, extensions(r))}
	h.write(w, f, http.StatusOK, wireRequests{Items: items}, items)
}

// token serves GET tokens/{token}. Requests are created synchronously
// (type realtime), so POST issues no token; a client that asks anyway with
// a service_request_id gets it back as its own token.
func (h *handler) token(w http.ResponseWriter, r *http.Request, f format, token string) {
	_, err := h.byRef(r.Context(), token)
	if unknownRef(err) {
		h.fail(w, f, notFoundField("token", fmt.Sprintf("%q is not a token of this endpoint; requests are created at once (type realtime) and POST returns their service_request_id", token)))
		return
	}
	if err != nil {
		h.fail(w, f, err)
		return
	}
	tok := token
	items := []wireCreated{{ServiceRequestID: token, Token: &tok}}
	h.write(w, f, http.StatusOK, wireCreatedList{Items: items}, items)
}

// extensions reports whether the client asked for the extensions.
func extensions(r *http.Request) bool {
	v := strings.ToLower(r.Form.Get("extensions"))
	return v == "true" || v == "1"
}

// query is a parsed GET requests.
type query struct {
	ids          []string
	codes        map[string]bool
	since, until time.Time // since <= requested_datetime <= until
	open         *bool
	page, size   int
}

// parseWindow reads start_date and end_date: at most DefaultWindow apart,
// the last DefaultWindow by default.
func (h *handler) parseWindow(r *http.Request, fe *fieldErrors) (since, until time.Time) {
	now := h.cfg.Clock().UTC()
	start, okS := parseW3C(r.Form.Get("start_date"), "start_date", fe)
	end, okE := parseW3C(r.Form.Get("end_date"), "end_date", fe)
	switch {
	case okS && okE:
		since, until = start, end
	case okS:
		since, until = start, start.Add(DefaultWindow)
	case okE:
		since, until = end.Add(-DefaultWindow), end
	default:
		since, until = now.Add(-DefaultWindow), now
	}
	if okS && okE {
		switch {
		case end.Before(start):
			fe.add("end_date", "must not be before start_date")
		case end.Sub(start) > DefaultWindow:
			fe.add("end_date", fmt.Sprintf("must be at most %d days after start_date", int(DefaultWindow/(24*time.Hour))))
		}
	}
	return since, until
}

// parsePage reads the pagination extension: page from 1, page_size from 1
// to MaxPageSize (default MaxPageSize).
func parsePage(r *http.Request, fe *fieldErrors) (page, size int) {
	page, size = 1, MaxPageSize
	if v := r.Form.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			fe.add("page", "must be a whole number from 1")
		} else {
			page = n
		}
	}
	if v := r.Form.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			fe.add("page_size", fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize))
		} else {
			size = n
		}
	}
	return page, size
}

// values splits the comma lists of a parameter that may also repeat.
func values(r *http.Request, key string) []string {
	var out []string
	for _, v := range r.Form[key] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// parseQuery reads the arguments of GET requests, reporting every problem.
func (h *handler) parseQuery(r *http.Request) (query, error) {
	var q query
	var fe fieldErrors
	q.ids = values(r, "service_request_id")
	if len(q.ids) > MaxRequestIDs {
		fe.add("service_request_id", fmt.Sprintf("takes at most %d IDs", MaxRequestIDs))
	}
	for _, c := range values(r, "service_code") {
		if _, ok := h.cfg.Service.Categories().Lookup(c); !ok {
			fe.add("service_code", fmt.Sprintf("%q is not a service of this endpoint", c))
			continue
		}
		if q.codes == nil {
			q.codes = map[string]bool{}
		}
		q.codes[c] = true
	}
	var open, closed bool
	for _, s := range values(r, "status") {
		switch strings.ToLower(s) {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			fe.add("status", fmt.Sprintf("%q must be open or closed", s))
		}
	}
	if open != closed {
		q.open = &open
	}
	q.since, q.until = h.parseWindow(r, &fe)
	q.page, q.size = parsePage(r, &fe)
	return q, fe.err()
}

// requests serves GET requests.
func (h *handler) requests(w http.ResponseWriter, r *http.Request, f format) {
	q, err := h.parseQuery(r)
	if err != nil {
		h.fail(w, f, err)
		return
	}
	var hs []hazard.PublicHazard
	if len(q.ids) > 0 {
		hs, err = h.listIDs(r.Context(), q)
	} else {
		hs, err = h.list(r.Context(), q)
	}
	if err != nil {
		h.fail(w, f, err)
		return
	}
	notes := extensions(r)
	items := make([]wireRequest, 0, len(hs))
	for _, p := range hs {
		items = append(items, h.request(p, notes))
	}
	h.write(w, f, http.StatusOK, wireRequests{Items: items}, items)
}

// listIDs returns the requests named by service_request_id, which
// overrides every other argument but the pagination; unknown IDs are left
// out.
func (h *handler) listIDs(ctx context.Context, q query) ([]hazard.PublicHazard, error) {
	seen := map[string]bool{}
	var out []hazard.PublicHazard
	skip := (q.page - 1) * q.size
	for _, id := range q.ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		p, err := h.byRef(ctx, id)
		if unknownRef(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == q.size {
			break
		}
		out = append(out, p)
	}
	return out, nil
}

// list returns one page of the requests matching q, newest first, walking
// the plaza's pages.
func (h *handler) list(ctx context.Context, q query) ([]hazard.PublicHazard, error) {
	f := hazard.PublicFilter{CreatedSince: q.since, CreatedUntil: q.until.Add(time.Nanosecond), Open: q.open}
	if len(q.codes) == 1 {
		for c := range q.codes {
			f.Category = c
		}
	}
	skip := (q.page - 1) * q.size
	var out []hazard.PublicHazard
	pg := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		l, err := h.cfg.Service.PublicList(ctx, f, pg)
		if err != nil {
			return nil, err
		}
		for _, p := range l.Items {
			if q.codes != nil && !q.codes[p.Category] {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			out = append(out, p)
			if len(out) == q.size {
				return out, nil
			}
		}
		if l.Next == "" {
			return out, nil
		}
		pg.Cursor = l.Next
	}
}

// parseW3C reads an optional datetime in one of the W3C note's formats
// (a date alone is midnight UTC; a time needs its zone).
func parseW3C(v, field string, fe *fieldErrors) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	fe.add(field, "must be a W3C datetime with its zone, such as 2026-01-01T00:00:00Z")
	return time.Time{}, false
}
