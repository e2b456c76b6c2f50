package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxIdempotencyKeyLen is the longest Idempotency-Key header accepted.
const MaxIdempotencyKeyLen = hazard.MaxIdempotencyKeyLen

// ReportRequest is a new report.
type ReportRequest struct {
	Category    string             `json:"category"`
	Severity    hazard.Severity    `json:"severity"`
	Description string             `json:"description"`
	Address     string             `json:"address"`
	District    string             `json:"district"`
	Latitude    *float64           `json:"latitude"`
	Longitude   *float64           `json:"longitude"`
	CoordSystem hazard.CoordSystem `json:"coord_system"`
	Unit        string             `json:"unit"`
	// Source is citizen (the default) for a citizen; staff file
	// inspection or supervision findings, a unit's safety manager a
	// self_check.
	Source hazard.Source `json:"source"`
	// UnitID is the unit a hazard was found at: staff only (a unit's own
	// self-check is always at its unit).
	UnitID string   `json:"unit_id"`
	Photos []string `json:"photos"`
	// ContactName and ContactPhone are how staff may reach the reporter;
	// optional and never public.
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, c caller) error {
	var in ReportRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > MaxIdempotencyKeyLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "Idempotency-Key", Message: "must be at most " + strconv.Itoa(MaxIdempotencyKeyLen) + " bytes"}
	}
	loc := hazard.Location{Address: in.Address, District: in.District}
	switch {
	case in.Latitude != nil && in.Longitude != nil:
		sys := in.CoordSystem
		if sys == "" {
			sys = hazard.GCJ02 // what Chinese map pickers return
		}
		loc.Point = &hazard.Point{Lat: *in.Latitude, Lng: *in.Longitude, System: sys}
	case in.Latitude != nil || in.Longitude != nil:
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "latitude", Message: "latitude and longitude go together"}
	}
	u := c.user()
	sin := hazard.SubmitInput{
		Category: in.Category, Severity: in.Severity, Description: in.Description, Location: loc,
		Unit: in.Unit, UnitID: in.UnitID, Source: in.Source,
		Contact: hazard.Contact{Name: in.ContactName, Phone: in.ContactPhone},
	}
	if !c.signed {
		return s.submitAnonymous(w, r, sin, in.Photos, key)
	}
	h, err := s.photos.Submit(r.Context(), u, sin, in.Photos, key)
	var he *hazard.Error
	if errors.As(err, &he) && he.Field == "idempotency_key" {
		e := *he // the library's name of the key; on the wire it is the header
		e.Field = "Idempotency-Key"
		return &e
	}
	if err != nil {
		return err
	}
	rv, err := s.svc.ReporterView(r.Context(), u, h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, reporterView(rv))
	return nil
}

func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, &hazard.Error{Code: hazard.CodeNotFound, Field: "id", Message: "no such report"}
	}
	return id, nil
}

// view returns the view the caller may have of the hazard: the work view
// for staff and a unit's safety manager (the library leaves the reporter
// out of the latter's), the reporter's view otherwise.
func (s *Server) view(r *http.Request, c caller, id uuid.UUID) (ReportView, error) {
	if c.signed && AccessWork.Allows(c.acct.Role) {
		sv, err := s.svc.StaffView(r.Context(), c.user(), id)
		if err != nil {
			return ReportView{}, err
		}
		return staffView(sv), nil
	}
	rv, err := s.svc.ReporterView(r.Context(), c.user(), id)
	if err != nil {
		return ReportView{}, err
	}
	return reporterView(rv), nil
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.view(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// page reads limit and cursor from the query.
func page(r *http.Request) (hazard.Page, error) {
	var p hazard.Page
	n, err := queryLimit(r, hazard.MaxPageLimit)
	if err != nil {
		return p, err
	}
	p.Limit = n
	p.Cursor = r.URL.Query().Get("cursor")
	if len(p.Cursor) > maxCursorLen {
		return p, &hazard.Error{Code: hazard.CodeInvalid, Field: "cursor", Message: "is not a cursor of this listing"}
	}
	return p, nil
}

// queryLimit reads the query parameter limit, 1 to most; 0 when absent.
func queryLimit(r *http.Request, most int) (int, error) {
	l := r.URL.Query().Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > most {
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Field: "limit", Message: "must be 1 to " + strconv.Itoa(most)}
	}
	return n, nil
}

// maxCursorLen bounds a cursor worth passing to the store.
const maxCursorLen = 256

func (s *Server) myReports(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := s.svc.Mine(r.Context(), c.user(), p)
	if err != nil {
		return err
	}
	out := ListResponse[ReportView]{Items: make([]ReportView, len(l.Items)), Next: l.Next}
	for i := range l.Items {
		out.Items[i] = viewOf(&l.Items[i], "reporter")
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) actions(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	acts, err := s.svc.Actions(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	if acts == nil {
		acts = []hazard.ActionInfo{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": acts})
	return nil
}

// ActionRequest is the input of an action; which fields it needs depends
// on the action (see GET /api/v1/reports/{id}/actions).
type ActionRequest struct {
	ExpectedVersion int64  `json:"expected_version"`
	Note            string `json:"note"`
	PrivateNote     string `json:"private_note"`
	// NoteToReporter addresses the private note to the reporter.
	NoteToReporter bool              `json:"note_to_reporter"`
	Department     string            `json:"department"`
	Photos         []string          `json:"photos"`
	Verdict        string            `json:"verdict"`
	FineFen        int64             `json:"fine_fen"`
	BonusFen       int64             `json:"bonus_fen"`
	Fields         map[string]string `json:"fields"`
}

// MaxActionFields bounds the extra fields of an action.
const MaxActionFields = 16

func (s *Server) act(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in ActionRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Fields) > MaxActionFields {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "fields", Message: "takes at most " + strconv.Itoa(MaxActionFields) + " fields"}
	}
	h, err := s.photos.Act(r.Context(), c.user(), id, r.PathValue("action"), hazard.ActInput{
		ExpectedVersion: in.ExpectedVersion, Note: in.Note, PrivateNote: in.PrivateNote,
		NoteToReporter: in.NoteToReporter, Department: in.Department,
		Verdict: in.Verdict, FineFen: in.FineFen, BonusFen: in.BonusFen, Fields: in.Fields,
	}, in.Photos)
	if err != nil {
		return err
	}
	v, err := s.view(r, c, id)
	if err != nil {
		// The action succeeded, yet the caller may no longer see the report
		// (a reporter's withdrawal does not hide it; a handler's send back
		// does): answer with the updated basics.
		if hazard.ErrorCode(err) == hazard.CodeForbidden || hazard.ErrorCode(err) == hazard.CodeNotFound {
			writeJSON(w, http.StatusOK, viewOf(&h, "summary"))
			return nil
		}
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request, c caller) error {
	limit, err := queryLimit(r, hazard.MaxQueueLimit)
	if err != nil {
		return err
	}
	hs, err := s.svc.Queue(r.Context(), c.user(), limit)
	if err != nil {
		return err
	}
	out := ListResponse[ReportView]{Items: make([]ReportView, len(hs))}
	for i := range hs {
		out.Items[i] = viewOf(&hs[i], "queue")
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// UnitLinkRequest links a report to the unit (enterprise) it was found at.
type UnitLinkRequest struct {
	UnitID          string `json:"unit_id"`
	ExpectedVersion int64  `json:"expected_version"`
}

func (s *Server) linkUnit(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in UnitLinkRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.svc.LinkUnit(r.Context(), c.user(), id, in.UnitID, in.ExpectedVersion); err != nil {
		return err
	}
	v, err := s.view(r, c, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
