package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The regulators' pages: the inspector's plan, a unit's page (the unit's
// own safety manager sees theirs), an inspection filled item by item, the
// ledger with its CSV, the campaign figures with a chart and the
// supervision group's spot checks. Every figure, rule and refusal comes
// from the JSON API; the pages only show it.

// workPages are the routes of the regulators' pages.
func (h *Handler) workPages() []pageRoute {
	return []pageRoute{
		{"GET /work", http.HandlerFunc(h.workHome)},
		{"GET /work/units/{id}", http.HandlerFunc(h.workUnit)},
		{"GET /work/inspections/{id}", http.HandlerFunc(h.workInspection)},
		{"GET /work/ledger", http.HandlerFunc(h.workLedger)},
		{"GET /work/ledger.csv", http.HandlerFunc(h.workLedgerCSV)},
		{"GET /work/figures", http.HandlerFunc(h.workFigures)},
		{"GET /work/spot-checks", http.HandlerFunc(h.workSpotChecks)},
		{"GET /work/spot-checks/{id}", http.HandlerFunc(h.workSpotCheck)},
	}
}

// today is the date of now in China Standard Time, as the plan's days are
// the city's.
func today() time.Time {
	y, m, d := time.Now().In(cst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// role returns the signed-in user's role on the page.
func (p *page) role() string {
	if p.Me == nil {
		return ""
	}
	return fmt.Sprint(p.Me["role"])
}

// workHome is the inspector's day: today's plan (due and overdue units),
// the open inspections and the way to the ledger, the figures and the spot
// checks. A unit's safety manager goes to their unit's page.
func (h *Handler) workHome(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.title", true)
	if !ok {
		return
	}
	if p.role() == "enterprise" {
		var units any
		if err := c.get(r.Context(), "/api/v1/units", nil, &units); err != nil {
			h.fail(w, r, p, err)
			return
		}
		if l := asList(units); len(l) > 0 {
			if m, ok := l[0].(map[string]any); ok {
				http.Redirect(w, r, "/work/units/"+url.PathEscape(fmt.Sprint(m["id"])), http.StatusSeeOther)
				return
			}
		}
	}
	from := today()
	q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {from.AddDate(0, 0, planAhead).Format(time.DateOnly)}}
	if d := r.URL.Query().Get("department"); d != "" {
		q.Set("department", d)
	}
	var plan map[string]any
	if err := c.get(r.Context(), "/api/v1/plan", q, &plan); err != nil {
		// Not every role has a plan (a supervisor, an admin without a
		// department): the page says why and shows the rest.
		p.Data["PlanError"] = err.Error()
		var ae *APIError
		if errors.As(err, &ae) {
			p.Data["PlanError"] = ae.Message
		}
	}
	p.Data["Plan"] = plan
	p.Data["Today"] = from.Format(time.DateOnly)
	p.Data["DueToday"], p.Data["DueSoon"] = splitDue(plan, from.AddDate(0, 0, 1))
	if !h.load(w, r, p, c, call{"Open", "/api/v1/inspections", url.Values{"status": {"open"}, "limit": {"20"}}}) {
		return
	}
	p.Data["Names"] = h.unitNames(r.Context(), c, plan)
	h.render(w, r, "work_home", p)
}

// planAhead is how many days ahead the inspector's page shows the plan.
const planAhead = 30

// splitDue splits the plan's due units into those due before tomorrow and
// the later ones.
func splitDue(plan map[string]any, tomorrow time.Time) (today, later []any) {
	for _, it := range asList(plan["due"]) {
		m, _ := it.(map[string]any)
		due, err := time.Parse(time.RFC3339, fmt.Sprint(m["due_at"]))
		if err == nil && due.Before(tomorrow) {
			today = append(today, it)
		} else {
			later = append(later, it)
		}
	}
	return today, later
}

// unitNames maps the unit IDs of a plan to the units' names.
func (h *Handler) unitNames(ctx context.Context, c client, plan map[string]any) map[string]string {
	names := map[string]string{}
	for _, k := range []string{"overdue", "due", "drawn"} {
		for _, it := range asList(plan[k]) {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			id := fmt.Sprint(m["unit_id"])
			if _, done := names[id]; done {
				continue
			}
			var u map[string]any
			if err := c.get(ctx, "/api/v1/units/"+url.PathEscape(id), nil, &u); err == nil {
				names[id] = fmt.Sprint(u["name"])
			} else {
				names[id] = id
			}
		}
	}
	return names
}

// workUnit is one unit's page: its grade and why, its risk points, its
// inspections and self-checks, its hazards with deadlines, and a start
// button (an enforcement visit for staff, a self-check for the unit).
func (h *Handler) workUnit(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.unit", true)
	id := url.PathEscape(r.PathValue("id"))
	if !ok || !h.load(w, r, p, c, call{"Unit", "/api/v1/units/" + id, nil},
		call{"Inspections", "/api/v1/inspections", url.Values{"unit_id": {r.PathValue("id")}, "limit": {"20"}}}) {
		return
	}
	unit, _ := p.Data["Unit"].(map[string]any)
	if name, ok := unit["name"].(string); ok {
		p.Title = name
	}
	if !h.load(w, r, p, c, call{"Checklists", "/api/v1/checklists", url.Values{"industry": {fmt.Sprint(unit["industry"])}}}) {
		return
	}
	// A unit's safety manager sees their hazards in their work queue; staff
	// read the unit's ledger.
	hazards := call{"Ledger", "/api/v1/ledger", url.Values{"unit_id": {r.PathValue("id")}}}
	if p.role() == "enterprise" {
		hazards = call{"Queue", "/api/v1/queue", nil}
	}
	if !h.load(w, r, p, c, hazards) {
		return
	}
	p.Data["ID"] = r.PathValue("id")
	p.Data["Enterprise"] = p.role() == "enterprise"
	h.render(w, r, "work_unit", p)
}

// workInspection is an inspection filled item by item (static/work.js):
// every item with its recorded result, big buttons, a photo per item, the
// people trained and the finish button; once finished, its results and
// the hazards found at the unit since.
func (h *Handler) workInspection(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.inspection", true)
	id := url.PathEscape(r.PathValue("id"))
	if !ok || !h.load(w, r, p, c, call{"Inspection", "/api/v1/inspections/" + id, nil}) {
		return
	}
	v, _ := p.Data["Inspection"].(map[string]any)
	cl := call{"Checklist", "/api/v1/checklists/" + url.PathEscape(fmt.Sprint(v["checklist"])), url.Values{"version": {fmt.Sprint(v["checklist_version"])}}}
	if !h.load(w, r, p, c, cl) {
		return
	}
	results := map[string]any{}
	for _, x := range asList(v["results"]) {
		if m, ok := x.(map[string]any); ok {
			results[fmt.Sprint(m["item"])] = m
		}
	}
	p.Data["Results"] = results
	p.Data["Done"] = len(results)
	p.Data["Total"] = len(asList(p.Data["Checklist"].(map[string]any)["items"]))
	if v["status"] == "finished" {
		// The hazards its failed items raised: the unit's found since it
		// finished (the relay raises them moments after).
		hz := call{"Raised", "/api/v1/ledger", url.Values{"unit_id": {fmt.Sprint(v["unit_id"])}, "since": {fmt.Sprint(v["finished_at"])}}}
		if p.role() == "enterprise" {
			hz = call{"Queue", "/api/v1/queue", nil}
		}
		if !h.load(w, r, p, c, hz) {
			return
		}
	}
	p.Data["ID"] = r.PathValue("id")
	h.render(w, r, "work_inspection", p)
}

// ledgerQuery is the ledger page's filters, passed on to the API.
func ledgerQuery(r *http.Request, keys ...string) url.Values {
	q := url.Values{}
	for _, k := range keys {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

var ledgerFilters = []string{"department", "industry", "district", "since", "until"}

// workLedger is the reconciliation ledger (对账销号) with its filters, a
// page of its rows at a time with the counts of the whole, and the CSV
// download of every row.
func (h *Handler) workLedger(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.ledger", true)
	q := ledgerQuery(r, ledgerFilters...)
	api := ledgerQuery(r, append(ledgerFilters, "cursor")...)
	if !ok || !h.load(w, r, p, c, call{"Ledger", "/api/v1/ledger", api}, callDepartments) {
		return
	}
	p.Data["Query"] = q
	p.Data["CSV"] = "/work/ledger.csv?" + q.Encode()
	p.Data["Next"] = nextPage("/work/ledger", q, p.Data["Ledger"])
	h.render(w, r, "work_ledger", p)
}

// nextPage returns the address of the page after the API's answer, with
// the filters q: none when the answer has no next cursor.
func nextPage(path string, q url.Values, answer any) string {
	m, _ := answer.(map[string]any)
	next, _ := m["next"].(string)
	if next == "" {
		return ""
	}
	nq := url.Values{}
	for k, v := range q {
		nq[k] = v
	}
	nq.Set("cursor", next)
	return path + "?" + nq.Encode()
}

// workLedgerCSV downloads the ledger as the API's CSV file: the browser
// sends no bearer token, so the page asks the API in its name.
func (h *Handler) workLedgerCSV(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.ledger", true)
	if !ok {
		return
	}
	q := ledgerQuery(r, ledgerFilters...)
	q.Set("format", "csv")
	rec, err := c.send(r.Context(), "/api/v1/ledger", q, "text/csv")
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	for _, k := range []string{"Content-Type", "Content-Disposition"} {
		w.Header().Set(k, rec.header.Get(k))
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rec.body.Bytes())
}

// workFigures is a campaign's figures with a chart drawn on the server.
func (h *Handler) workFigures(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.figures", true)
	q := ledgerQuery(r, "department", "since", "until")
	// A campaign's period: by default the last three months.
	if q.Get("since") == "" {
		q.Set("since", today().AddDate(0, -3, 0).Format(time.DateOnly))
	}
	if q.Get("until") == "" {
		q.Set("until", today().AddDate(0, 0, 1).Format(time.DateOnly))
	}
	if !ok || !h.load(w, r, p, c, call{"Figures", "/api/v1/ledger/figures", q}, callDepartments) {
		return
	}
	f, _ := p.Data["Figures"].(map[string]any)
	p.Data["Query"] = q
	p.Data["Chart"] = figuresChart(c.lang, f)
	h.render(w, r, "work_figures", p)
}

var spotFilters = []string{"department", "status", "verdict", "since", "until"}

// workSpotChecks is the supervision group's list of spot checks, newest
// first with their status and verdicts, filtered and a page at a time
// (an inspector sees their department's: the API decides), and the form
// that draws a new one.
func (h *Handler) workSpotChecks(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.spot", true)
	q := ledgerQuery(r, spotFilters...)
	api := ledgerQuery(r, append(spotFilters, "cursor")...)
	if ok && h.load(w, r, p, c, call{"SpotChecks", "/api/v1/spot-checks", api}, callDepartments) {
		p.Data["Query"] = q
		p.Data["Next"] = nextPage("/work/spot-checks", q, p.Data["SpotChecks"])
		p.Data["Since"] = today().AddDate(0, -3, 0).Format(time.DateOnly)
		p.Data["Until"] = today().AddDate(0, 0, 1).Format(time.DateOnly)
		h.render(w, r, "work_spotchecks", p)
	}
}

// workSpotCheck is one drawn spot check: each hazard with its verdict, and
// pass / fail buttons for those not yet verified.
func (h *Handler) workSpotCheck(w http.ResponseWriter, r *http.Request) {
	p, c, ok := h.start(w, r, "work.spot", true)
	if ok && h.load(w, r, p, c, call{"SpotCheck", "/api/v1/spot-checks/" + url.PathEscape(r.PathValue("id")), nil}) {
		p.Data["ID"] = r.PathValue("id")
		h.render(w, r, "work_spotcheck", p)
	}
}
