package server

import (
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/reward"
)

// privacyRoutes are the routes around personal data and exports: a
// reporter's contact revealed to staff with an entry in the access log,
// the access log for auditors, and the CSV exports of reports and
// rewards, each logged.
func privacyRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/reports/{id}/contact", Access: AccessStaff, Tag: "privacy", Summary: "Reveal the contact the reporter left, with the reason you need it; the access (who, when, which report, why) is logged in the access log. Staff views never carry it.", Body: "ContactRevealRequest", Status: 200, handle: (*Server).revealContact},
		{Method: "GET", Path: "/api/v1/access-log", Access: AccessAudit, Tag: "privacy", Summary: "The access log of personal data (contacts revealed, exports), oldest first; auditors and admins only. Pass the last entry's seq as after to read on.", Query: []string{"after", "limit"}, Status: 200, handle: (*Server).accessLog},
		{Method: "GET", Path: "/api/v1/me/data", Access: AccessUser, Tag: "privacy", Summary: "Download your data (PIPL): your account, your reports with their timelines, your rewards and the notices sent to you, as a JSON file; the download is logged in the access log.", Status: 200, handle: (*Server).myData},
		{Method: "POST", Path: "/api/v1/me/erase", Access: AccessReporter, Tag: "privacy", Summary: "Delete your account (PIPL), confirmed with confirm 删除 or DELETE: the account, its phone, name, ID number and WeChat identity, your follows and pending photos are deleted; your reports stay without your identity and your contact; paid rewards stay in the ledger for finance under a random pseudonym (in the answer, yours to keep), pending ones are forfeited. Refused (409) while a reward of yours is being paid, and for the demo accounts (403). The beginning and the end are logged in the access log under the pseudonym; your token stops working. done is false when a step failed: the server finishes it later.", Body: "EraseRequest", Status: 200, handle: (*Server).erase},
		{Method: "GET", Path: "/api/v1/exports/reports", Access: AccessStaff, Tag: "privacy", Summary: "CSV (UTF-8 with a byte order mark, streamed, as a file named by its dates) of the reports submitted in [since, until) for a department (a handler's own), without reporters; logged in the access log.", Query: []string{"department", "since", "until"}, Status: 200, Raw: true, handle: (*Server).exportReports},
		{Method: "GET", Path: "/api/v1/exports/rewards", Access: AccessOffice, Tag: "privacy", Summary: "CSV for finance (UTF-8 with a byte order mark, streamed, as a file named by its dates) of the rewards issued in [since, until), amounts in yuan with two decimals; reviewers and admins; logged in the access log.", Query: []string{"since", "until"}, Status: 200, Raw: true, handle: (*Server).exportRewards},
	}
}

// ContactRevealRequest is the body of POST /api/v1/reports/{id}/contact.
type ContactRevealRequest struct {
	Reason string `json:"reason"`
}

// AccessLogResponse is the answer of GET /api/v1/access-log.
type AccessLogResponse struct {
	Entries []hazard.Event `json:"entries"`
	// Next is the after of the following page; 0 when none followed.
	Next int64 `json:"next,omitempty"`
}

func (s *Server) revealContact(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in ContactRevealRequest) (any, error) {
		return s.svc.RevealContact(r.Context(), c.user(), id, in.Reason)
	})
}

func (s *Server) accessLog(w http.ResponseWriter, r *http.Request, c caller) error {
	after, err := queryUint(r, "after")
	if err != nil {
		return err
	}
	limit, err := queryUint(r, "limit")
	if err != nil {
		return err
	}
	if limit > hazard.MaxAccessLogPage {
		limit = hazard.MaxAccessLogPage
	}
	evs, err := s.svc.AccessLog(r.Context(), c.user(), int64(min(after, 1<<62)), int(limit))
	if err != nil {
		return err
	}
	out := AccessLogResponse{Entries: evs}
	if evs == nil {
		out.Entries = []hazard.Event{}
	}
	want := int(limit)
	if want == 0 {
		want = hazard.MaxAccessLogPage
	}
	if len(evs) == want {
		out.Next = evs[len(evs)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// exportPeriod reads since and until (both required) of an export.
func exportPeriod(r *http.Request) (time.Time, time.Time, error) {
	since, err := queryTime(r, "since")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	until, err := queryTime(r, "until")
	return since, until, err
}

// exportName is the file name of an export: what, whose, and its dates,
// e.g. reports-fire-2026-11-01-2026-12-01.csv (until is exclusive).
func exportName(what, whose string, since, until time.Time) string {
	parts := []string{what}
	if whose != "" {
		parts = append(parts, whose)
	}
	parts = append(parts, since.UTC().Format(time.DateOnly), until.UTC().Format(time.DateOnly))
	return strings.Join(parts, "-") + ".csv"
}

// csvStream writes an export as it is read: the headers and the byte order
// mark go out with the first row (so that an error before it is still an
// error answer), rows are flushed a batch at a time.
type csvStream struct {
	w      http.ResponseWriter
	name   string
	header []string
	cw     *csv.Writer
	n      int
}

// csvFlushEvery is how many rows an export writes between flushes.
const csvFlushEvery = 500

func (x *csvStream) start() error {
	if x.cw != nil {
		return nil
	}
	h := x.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.name}))
	h.Set("Cache-Control", "no-store")
	x.w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(x.w, "\uFEFF"); err != nil {
		return err
	}
	x.cw = csv.NewWriter(x.w)
	return x.cw.Write(x.header)
}

func (x *csvStream) row(rec []string) error {
	if err := x.start(); err != nil {
		return err
	}
	for i, v := range rec {
		rec[i] = csvCell(v)
	}
	if err := x.cw.Write(rec); err != nil {
		return err
	}
	if x.n++; x.n%csvFlushEvery == 0 {
		x.cw.Flush()
		if err := x.cw.Error(); err != nil {
			return err
		}
		_ = http.NewResponseController(x.w).Flush()
	}
	return nil
}

func (x *csvStream) finish() error {
	if err := x.start(); err != nil {
		return err
	}
	x.cw.Flush()
	return x.cw.Error()
}

// csvCell neutralises a cell that a spreadsheet program would run as a
// formula (=, +, -, @, a tab or a carriage return first: CSV injection) by
// a leading apostrophe, which such programs show as text.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) exportReports(w http.ResponseWriter, r *http.Request, c caller) error {
	since, until, err := exportPeriod(r)
	if err != nil {
		return err
	}
	// The use case checks q before the first row: a refused export is an
	// error answer, never half a file.
	q := hazard.ReportsExport{Department: r.URL.Query().Get("department"), Since: since, Until: until}
	out := &csvStream{w: w, name: exportName("reports", q.Department, since, until), header: []string{
		"ref", "id", "created_at", "source", "category", "severity", "state", "department", "unit_id", "unit",
		"address", "district", "description", "closed_at",
	}}
	if _, err := s.svc.ExportReports(r.Context(), c.user(), q, func(h hazard.Hazard) error {
		return out.row([]string{h.Ref, h.ID.String(), csvTime(h.CreatedAt), string(h.Source), h.Category, string(h.Severity),
			h.State, h.Department, h.UnitID, h.Unit, h.Location.Address, h.Location.District, h.Description, csvTime(h.ClosedAt)})
	}); err != nil {
		return err
	}
	return out.finish()
}

func (s *Server) exportRewards(w http.ResponseWriter, r *http.Request, c caller) error {
	since, until, err := exportPeriod(r)
	if err != nil {
		return err
	}
	out := &csvStream{w: w, name: exportName("rewards", "", since, until), header: []string{
		"id", "hazard_ref", "reporter_id", "policy", "amount_yuan", "status", "issued_at", "claim_by", "claimed_at", "payment_ref",
	}}
	if _, err := s.loop.rewards.svc.ExportRewards(r.Context(), c.user(), since, until, func(rw reward.Reward) error {
		return out.row([]string{rw.ID.String(), rw.HazardRef, rw.ReporterID, rw.Policy, rw.Amount.Decimal(), string(rw.Status),
			csvTime(rw.IssuedAt), csvTime(rw.ClaimBy), csvTime(rw.ClaimedAt), rw.PaymentRef})
	}); err != nil {
		return err
	}
	return out.finish()
}

// privacyContent sets the answer media types of the export routes.
func privacyContent(rt Route, content *map[string]any) {
	if rt.Method == "GET" && strings.HasPrefix(rt.Path, "/api/v1/exports/") {
		*content = map[string]any{"text/csv": map[string]any{"schema": map[string]string{"type": "string"}}}
	}
}

// privacySchemas are the schemas of the privacy routes' request bodies.
func privacySchemas() map[string]any {
	out := eraseSchemas()
	for k, v := range map[string]any{
		"ContactRevealRequest": object(map[string]any{
			"reason": map[string]any{"type": "string", "minLength": 1, "maxLength": hazard.MaxReasonLen},
		}, "reason"),
	} {
		out[k] = v
	}
	return out
}

// MyDataResponse is the answer of GET /api/v1/me/data: everything the
// programme keeps of the caller, as a file to keep.
type MyDataResponse struct {
	ExportedAt time.Time `json:"exported_at"`
	// Account is the caller's account: the phone in full (it is theirs),
	// the resident ID number masked (only its hash is kept).
	Account myAccount `json:"account"`
	// Reports are the caller's reports as they see them, each with its
	// timeline, newest first.
	Reports []ReportView `json:"reports"`
	// Rewards are the caller's rewards, newest first.
	Rewards []reward.Reward `json:"rewards"`
	// Notices are the notices sent to the caller (channel, time and the
	// idempotency key naming the event), newest first, up to
	// notify.MaxDeliveriesTo.
	Notices []notify.Delivery `json:"notices"`
}

type myAccount struct {
	ID         string    `json:"id"`
	Role       string    `json:"role"`
	Name       string    `json:"name,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	ResidentID string    `json:"resident_id,omitempty"`
	Verified   bool      `json:"verified"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	WeChat     bool      `json:"wechat"`
	CreatedAt  time.Time `json:"created_at"`
}

// myData gathers the caller's data (PIPL's right to a copy), each part
// through its own use case, and answers it as a JSON file named by the
// date; the download is logged in the access log.
func (s *Server) myData(w http.ResponseWriter, r *http.Request, c caller) error {
	ctx := r.Context()
	user := c.user()
	a := c.acct
	out := MyDataResponse{ExportedAt: s.now(), Reports: []ReportView{}, Rewards: []reward.Reward{}, Notices: []notify.Delivery{},
		Account: myAccount{ID: a.ID, Role: a.Role, Name: a.Name, Phone: a.Phone, ResidentID: a.residentMasked,
			Verified: a.Verified, VerifiedAt: a.VerifiedAt, WeChat: a.openID != "", CreatedAt: a.CreatedAt}}
	for p := (hazard.Page{Limit: hazard.MaxPageLimit}); ; {
		l, err := s.svc.Mine(ctx, user, p)
		if err != nil {
			return err
		}
		for _, h := range l.Items {
			v, err := s.svc.ReporterView(ctx, user, h.ID)
			if err != nil {
				return err
			}
			out.Reports = append(out.Reports, reporterView(v))
		}
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
	}
	for p := (hazard.Page{Limit: hazard.MaxPageLimit}); ; {
		l, err := s.loop.rewards.svc.Mine(ctx, user, "", p)
		if err != nil {
			return err
		}
		out.Rewards = append(out.Rewards, l.Items...)
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
	}
	if ud, ok := s.deliveries.(notify.UserDeliveries); ok {
		ds, err := ud.DeliveriesTo(ctx, user.ID, notify.MaxDeliveriesTo)
		if err != nil {
			return err
		}
		out.Notices = append(out.Notices, ds...)
	}
	if err := s.svc.LogExport(ctx, user, hazard.ExportLog{Export: "own_data", Rows: len(out.Reports) + len(out.Rewards) + len(out.Notices)}); err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": "my-data-" + s.now().Format(time.DateOnly) + ".json"}))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}
