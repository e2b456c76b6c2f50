package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// Limits of the regulators' routes.
const (
	// MaxChecklistFile is the largest checklist file accepted, in bytes.
	MaxChecklistFile = 1 << 20
	// MaxMapFeatures is the most units one risk map answer holds; narrow
	// a larger selection by industry, grade, district or bounding box.
	MaxMapFeatures = 20_000
	// mapPage is how many units the map reads per page.
	mapPage = 1000
)

// regulatorRoutes are the routes of the regulators' loop: units and their
// risk, plans, checklists, inspections, spot checks, the ledger and the
// risk map.
func regulatorRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/units", Access: AccessWork, Tag: "units", Summary: "Units under supervision, in ID order: staff see their department's (inspectors, handlers) or every one; a unit's safety manager only their own.", Query: []string{"department", "district", "grid", "industry", "grade", "limit", "cursor"}, Status: 200, handle: (*Server).listUnits},
		{Method: "POST", Path: "/api/v1/units", Access: AccessStaff, Tag: "units", Summary: "Register a unit (unified social credit code checked).", Body: "UnitInput", Status: 201, handle: (*Server).registerUnit},
		{Method: "GET", Path: "/api/v1/units/{id}", Access: AccessWork, Tag: "units", Summary: "One unit with its grade explanation (grade_steps), override, due date and risk points: staff, or the unit's own safety manager.", Status: 200, handle: (*Server).getUnit},
		{Method: "POST", Path: "/api/v1/units/{id}/points", Access: AccessStaff, Tag: "units", Summary: "Add a risk point to a unit with its first assessment (LEC or LS values, or a grade by hand with a reason).", Body: "PointInput", Status: 201, handle: (*Server).addPoint},
		{Method: "POST", Path: "/api/v1/units/{id}/points/{point}/assessments", Access: AccessStaff, Tag: "units", Summary: "Assess a risk point anew (expected_version of the point); the unit is regraded.", Body: "AssessRequest", Status: 200, handle: (*Server).assessPoint},
		{Method: "GET", Path: "/api/v1/units/{id}/points/{point}/assessments", Access: AccessStaff, Tag: "units", Summary: "A risk point's assessments, newest first: its history.", Query: []string{"limit", "cursor"}, Status: 200, handle: (*Server).pointHistory},
		{Method: "PUT", Path: "/api/v1/units/{id}/grade", Access: AccessStaff, Tag: "units", Summary: "Override a unit's grade with a reason, or clear the override with an empty grade (expected_version of the unit).", Body: "GradeOverride", Status: 200, handle: (*Server).overrideGrade},
		{Method: "GET", Path: "/api/v1/plan", Access: AccessStaff, Tag: "units", Summary: "A department's inspection plan for a period (from, to: RFC 3339 or YYYY-MM-DD): units due, overdue and drawn at random with the seed.", Query: []string{"department", "from", "to", "seed", "sample"}, Status: 200, handle: (*Server).plan},

		{Method: "GET", Path: "/api/v1/checklists", Access: AccessWork, Tag: "inspections", Summary: "The latest version of every checklist.", Query: []string{"industry", "department"}, Status: 200, handle: (*Server).listChecklists},
		{Method: "GET", Path: "/api/v1/checklists/{id}", Access: AccessWork, Tag: "inspections", Summary: "One checklist: its latest version, or the version asked for.", Query: []string{"version"}, Status: 200, handle: (*Server).getChecklist},
		{Method: "POST", Path: "/api/v1/checklists", Access: AccessStaff, Tag: "inspections", Summary: "Publish a new version of a checklist from a JSON file (application/json) or a CSV file (text/csv, with id, title, industry, department and category in the query); every problem is reported at once.", Body: "ChecklistFile", Query: []string{"id", "title", "industry", "department", "category"}, Status: 201, handle: (*Server).publishChecklist},

		{Method: "POST", Path: "/api/v1/inspections", Access: AccessWork, Tag: "inspections", Summary: "Start an inspection: an enforcement visit by two or more inspectors of the unit's department, or a self-check by the unit's safety manager.", Body: "InspectionStart", Status: 201, handle: (*Server).startInspection},
		{Method: "GET", Path: "/api/v1/inspections", Access: AccessWork, Tag: "inspections", Summary: "Inspections, newest first: staff by filter; a unit's safety manager those of their unit.", Query: []string{"unit_id", "department", "district", "industry", "kind", "status", "limit", "cursor"}, Status: 200, handle: (*Server).listInspections},
		{Method: "GET", Path: "/api/v1/inspections/{id}", Access: AccessWork, Tag: "inspections", Summary: "One inspection with its results.", Status: 200, handle: (*Server).getInspection},
		{Method: "POST", Path: "/api/v1/inspections/{id}/finish", Access: AccessWork, Tag: "inspections", Summary: "Finish an inspection with every item's result not recorded before (photos: your upload keys, 1 or more for a non-compliant item) and the people trained on site; an Idempotency-Key is required, and a retry answers the finished inspection. Each non-compliant item raises a hazard.", Body: "InspectionFinish", Status: 200, handle: (*Server).finishInspection},

		{Method: "POST", Path: "/api/v1/inspections/{id}/results", Access: AccessWork, Tag: "inspections", Summary: "Record one item's result on an open inspection (expected_version of the inspection; photos: your upload keys, 1 or more for a non-compliant item): the server keeps each result as it is given, and a second result for an item replaces the first. Its inspectors only, or the unit's safety manager for a self-check.", Body: "InspectionRecord", Status: 200, handle: (*Server).recordResult},
		{Method: "PUT", Path: "/api/v1/inspections/{id}/trained", Access: AccessWork, Tag: "inspections", Summary: "Record the people trained on site during an open inspection: how many and the topic (expected_version of the inspection).", Body: "InspectionTrained", Status: 200, handle: (*Server).recordTrained},

		{Method: "GET", Path: "/api/v1/spot-checks", Access: AccessStaff, Tag: "inspections", Summary: "Spot checks, newest first, each with its status (open while a drawn hazard awaits its verdict, then done) and its items counted by verdict: supervision groups, reviewers and staff working across the city see every one; an inspector or handler of a department only those drawn from their department's hazards. Filters: department, unit_id (a hazard drawn at the unit), status (open, done), verdict (an item with it: failed finds the shams), since and until (when drawn).", Query: []string{"department", "unit_id", "status", "verdict", "since", "until", "limit", "cursor"}, Status: 200, handle: (*Server).listSpotChecks},
		{Method: "POST", Path: "/api/v1/spot-checks", Access: AccessSupervision, Tag: "inspections", Summary: "Draw a spot check (双随机) of closed-out hazards: supervision groups.", Body: "SpotCheckDraw", Status: 201, handle: (*Server).drawSpotCheck},
		{Method: "GET", Path: "/api/v1/spot-checks/{id}", Access: AccessStaff, Tag: "inspections", Summary: "One spot check: the hazards drawn and each one's verdict so far, its status and its items counted by verdict; an inspector or handler of a department reads those drawn from their department's hazards only.", Status: 200, handle: (*Server).getSpotCheck},
		{Method: "POST", Path: "/api/v1/spot-checks/{id}/verify", Access: AccessSupervision, Tag: "inspections", Summary: "Record the result of re-verifying one drawn hazard; a failed one (sham rectification) is reopened and moves its unit's grade.", Body: "SpotCheckVerify", Status: 200, handle: (*Server).verifySpotCheck},

		{Method: "GET", Path: "/api/v1/ledger", Access: AccessStaff, Tag: "inspections", Summary: "The reconciliation ledger (对账销号): the hazards found at units with their deadlines and states, and counts. JSON: one page of rows, oldest first (limit, 50 by default, at most 500; cursor: the previous page's next), with the counts of the whole ledger on every page. CSV (UTF-8 with a byte order mark, as a file) with Accept: text/csv or format=csv: every row.", Query: []string{"unit_id", "department", "industry", "district", "since", "until", "format", "limit", "cursor"}, Status: 200, handle: (*Server).regLedger},
		{Method: "GET", Path: "/api/v1/ledger/figures", Access: AccessStaff, Tag: "inspections", Summary: "A campaign's figures: visits, hazards per visit, major hazards, rectification rate, people trained.", Query: []string{"department", "since", "until"}, Status: 200, handle: (*Server).figuresOf},

		{Method: "GET", Path: "/api/v1/risk/map.geojson", Access: AccessPublic, Tag: "units", Summary: "The four-colour risk map as a GeoJSON FeatureCollection (RFC 7946, WGS-84 longitude and latitude): each unit's public view (name, industry, grade, colour, approximate location).", Query: []string{"industry", "grade", "district", "bbox"}, Status: 200, Raw: true, handle: (*Server).riskMap},
	}
}

// pathUUID parses the path parameter name as a UUID; anything else names
// nothing (CodeNotFound).
func pathUUID(r *http.Request, name, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, &hazard.Error{Code: hazard.CodeNotFound, Field: name, Message: "no such " + what}
	}
	return id, nil
}

// queryUUID parses the optional query parameter name as a UUID.
func queryUUID(r *http.Request, name string) (uuid.UUID, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, &hazard.Error{Code: hazard.CodeInvalid, Field: name, Message: "must be an ID"}
	}
	return id, nil
}

// queryTime parses the optional query parameter name: RFC 3339 or a date
// (YYYY-MM-DD, midnight UTC).
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, &hazard.Error{Code: hazard.CodeInvalid, Field: name, Message: "must be RFC 3339 or YYYY-MM-DD"}
}

// queryUint parses the optional query parameter name as an unsigned
// integer.
func queryUint(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Field: name, Message: "must be a non-negative integer"}
	}
	return n, nil
}

func unitFilter(r *http.Request) risk.UnitFilter {
	q := r.URL.Query()
	return risk.UnitFilter{Department: q.Get("department"), District: q.Get("district"), Grid: q.Get("grid"),
		Industry: q.Get("industry"), Grade: risk.Grade(q.Get("grade"))}
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := s.regs.risk.ListUnits(r.Context(), c.user(), unitFilter(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListResponse[risk.Unit]{Items: l.Items, Next: l.Next})
	return nil
}

func (s *Server) registerUnit(w http.ResponseWriter, r *http.Request, c caller) error {
	var in risk.UnitInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.regs.risk.RegisterUnit(r.Context(), c.user(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// UnitView is a unit with its risk points.
type UnitView struct {
	risk.Unit
	Points []risk.Point `json:"points"`
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "unit")
	if err != nil {
		return err
	}
	u, ps, err := s.regs.risk.UnitDetail(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []risk.Point{}
	}
	writeJSON(w, http.StatusOK, UnitView{Unit: u, Points: ps})
	return nil
}

func (s *Server) addPoint(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "unit")
	if err != nil {
		return err
	}
	var in risk.PointInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.regs.risk.AddPoint(r.Context(), c.user(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// AssessRequest is a new assessment of a risk point.
type AssessRequest struct {
	risk.AssessInput
	ExpectedVersion int64 `json:"expected_version"`
}

func (s *Server) assessPoint(w http.ResponseWriter, r *http.Request, c caller) error {
	unitID, err := pathUUID(r, "id", "unit")
	if err != nil {
		return err
	}
	pointID, err := pathUUID(r, "point", "risk point")
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in AssessRequest) (any, error) {
		return s.regs.risk.AssessUnitPoint(r.Context(), c.user(), unitID, pointID, in.AssessInput, in.ExpectedVersion)
	})
}

func (s *Server) pointHistory(w http.ResponseWriter, r *http.Request, c caller) error {
	unitID, err := pathUUID(r, "id", "unit")
	if err != nil {
		return err
	}
	pointID, err := pathUUID(r, "point", "risk point")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := s.regs.risk.UnitPointAssessments(r.Context(), c.user(), unitID, pointID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListResponse[risk.Assessment]{Items: l.Items, Next: l.Next})
	return nil
}

// GradeOverride sets or clears a unit's grade by hand.
type GradeOverride struct {
	Grade           risk.Grade `json:"grade"`
	Reason          string     `json:"reason"`
	ExpectedVersion int64      `json:"expected_version"`
}

func (s *Server) overrideGrade(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "unit")
	if err != nil {
		return err
	}
	var in GradeOverride
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ExpectedVersion < 1 {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "expected_version", Message: "is required"}
	}
	u, err := s.regs.risk.SetOverride(r.Context(), c.user(), id, in.Grade, in.Reason, in.ExpectedVersion)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request, c caller) error {
	var q risk.PlanQuery
	var err error
	q.Department = r.URL.Query().Get("department")
	if q.From, err = queryTime(r, "from"); err != nil {
		return err
	}
	if q.To, err = queryTime(r, "to"); err != nil {
		return err
	}
	if q.Seed, err = queryUint(r, "seed"); err != nil {
		return err
	}
	n, err := queryUint(r, "sample")
	if err != nil {
		return err
	}
	if n > uint64(maxQueryInt) {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "sample", Message: "is too large"}
	}
	q.Sample = int(n)
	p, err := s.regs.risk.Plan(r.Context(), c.user(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// maxQueryInt bounds integer query parameters read into an int.
const maxQueryInt = 1 << 30

func (s *Server) listChecklists(w http.ResponseWriter, r *http.Request, c caller) error {
	q := r.URL.Query()
	cs, err := s.regs.insp.Checklists(r.Context(), c.user(), inspection.ChecklistFilter{Industry: q.Get("industry"), Department: q.Get("department")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListResponse[inspection.Checklist]{Items: cs})
	return nil
}

func (s *Server) getChecklist(w http.ResponseWriter, r *http.Request, c caller) error {
	v, err := queryUint(r, "version")
	if err != nil || v > maxQueryInt {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "version", Message: "must be a version number"}
	}
	cl, err := s.regs.insp.Checklist(r.Context(), c.user(), r.PathValue("id"), int(v))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

func (s *Server) publishChecklist(w http.ResponseWriter, r *http.Request, c caller) error {
	mt := "application/json"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			mt = ct
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxChecklistFile)
	b, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &hazard.Error{Code: CodeTooLarge, Message: fmt.Sprintf("a checklist file is at most %d bytes", MaxChecklistFile)}
		}
		return err
	}
	var cl inspection.Checklist
	switch mt {
	case "application/json":
		cl, err = inspection.ParseJSON(bytes.NewReader(b))
	case "text/csv":
		q := r.URL.Query()
		cl, err = inspection.ParseCSV(bytes.NewReader(b), inspection.Checklist{ID: q.Get("id"), Title: q.Get("title"),
			Industry: q.Get("industry"), Department: q.Get("department"), Category: q.Get("category")})
	default:
		return &hazard.Error{Code: CodeUnsupportedMedia, Message: "a checklist file is application/json or text/csv"}
	}
	if err != nil {
		return err
	}
	cl, err = s.regs.insp.PublishChecklist(r.Context(), c.user(), cl)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cl)
	return nil
}

// InspectionStart starts an inspection.
type InspectionStart struct {
	Kind             inspection.Kind `json:"kind"`
	UnitID           uuid.UUID       `json:"unit_id"`
	Inspectors       []string        `json:"inspectors"`
	Checklist        string          `json:"checklist"`
	ChecklistVersion int             `json:"checklist_version"`
}

func (s *Server) startInspection(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusCreated, func(in InspectionStart) (any, error) {
		return s.regs.insp.Start(r.Context(), c.user(), inspection.StartInput(in))
	})
}

func (s *Server) listInspections(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := inspection.InspectionFilter{Department: q.Get("department"), District: q.Get("district"), Industry: q.Get("industry"),
		Kind: inspection.Kind(q.Get("kind")), Status: inspection.Status(q.Get("status"))}
	if f.UnitID, err = queryUUID(r, "unit_id"); err != nil {
		return err
	}
	l, err := s.regs.insp.Inspections(r.Context(), c.user(), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ListResponse[inspection.Inspection]{Items: l.Items, Next: l.Next})
	return nil
}

func (s *Server) getInspection(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "inspection")
	if err != nil {
		return err
	}
	v, err := s.regs.insp.Inspection(r.Context(), c.user(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// InspectionResult is one item's result; Photos are the caller's upload
// keys.
type InspectionResult struct {
	Item           string             `json:"item"`
	Outcome        inspection.Outcome `json:"outcome"`
	Note           string             `json:"note"`
	Photos         []string           `json:"photos"`
	Severity       hazard.Severity    `json:"severity"`
	SeverityReason string             `json:"severity_reason"`
}

// InspectionFinish finishes an inspection.
type InspectionFinish struct {
	ExpectedVersion int64              `json:"expected_version"`
	Results         []InspectionResult `json:"results"`
	Trained         inspection.Trained `json:"trained"`
}

func (s *Server) finishInspection(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "inspection")
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	switch {
	case key == "":
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "Idempotency-Key", Message: "is required: a retry with the same key is safe"}
	case len(key) > MaxIdempotencyKeyLen:
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "Idempotency-Key", Message: "must be at most " + strconv.Itoa(MaxIdempotencyKeyLen) + " bytes"}
	}
	var in InspectionFinish
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	fin := inspection.FinishInput{ExpectedVersion: in.ExpectedVersion, Trained: in.Trained, Results: make([]inspection.Result, len(in.Results))}
	var pr hazard.Problems
	for i, res := range in.Results {
		photos, err := s.heldPhotos(r.Context(), c.user(), res.Photos)
		if err != nil {
			pr.Merge("results["+strconv.Itoa(i)+"]", err)
		}
		fin.Results[i] = inspection.Result{Item: res.Item, Outcome: res.Outcome, Note: res.Note, Photos: photos,
			Severity: res.Severity, SeverityReason: res.SeverityReason}
	}
	if err := pr.Err("finish inspection"); err != nil {
		return err
	}
	v, err := s.regs.insp.Finish(r.Context(), c.user(), id, fin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// heldPhotos turns the user's upload keys into photos and holds the
// uploads, so that no sweep removes their blobs: every unknown or expired
// key is a problem of its field photos[i].
func (s *Server) heldPhotos(ctx context.Context, user hazard.User, keys []string) ([]hazard.Photo, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if len(keys) > hazard.MaxPhotos {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "photos", Message: fmt.Sprintf("takes at most %d photos", hazard.MaxPhotos)}
	}
	var pr hazard.Problems
	valid := make([]string, 0, len(keys))
	for i, k := range keys {
		if !hazard.ValidKey(k) {
			pr.Add("photos["+strconv.Itoa(i)+"]", "is not an upload key")
		} else {
			valid = append(valid, k)
		}
	}
	if err := pr.Err("photos"); err != nil {
		return nil, err
	}
	cutoff := s.now().Add(-s.cfg.UploadTTL)
	var photos []hazard.Photo
	_, err := s.uploads.Hold(ctx, user.ID, valid, func(found []hazard.Upload) error {
		var pr hazard.Problems
		photos = make([]hazard.Photo, 0, len(found))
		for i, u := range found {
			f := "photos[" + strconv.Itoa(i) + "]"
			switch {
			case u.Key == "":
				pr.Add(f, "is not one of your uploads")
			case u.ExpiredAt(cutoff):
				pr.Add(f, "has expired: upload the photo again")
			default:
				photos = append(photos, u.Photo())
			}
		}
		return pr.Err("photos")
	})
	if err != nil {
		return nil, err
	}
	return photos, nil
}

// SpotCheckDraw draws a spot check.
type SpotCheckDraw struct {
	Department string    `json:"department"`
	Industry   string    `json:"industry"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	Size       int       `json:"size"`
	Seed       uint64    `json:"seed"`
}

func (s *Server) drawSpotCheck(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusCreated, func(in SpotCheckDraw) (any, error) {
		sc, err := s.regs.insp.DrawSpotCheck(r.Context(), c.user(), inspection.SpotQuery(in))
		return spotView(sc), err
	})
}

// SpotCheckView is a spot check as the API shows it: with where it stands
// and its items counted by verdict (inspection.SpotCheck's Status and
// Tally).
type SpotCheckView struct {
	inspection.SpotCheck
	Status   inspection.SpotStatus      `json:"status"`
	Verdicts map[inspection.Verdict]int `json:"verdicts"`
}

func spotView(sc inspection.SpotCheck) SpotCheckView {
	return SpotCheckView{SpotCheck: sc, Status: sc.Status(), Verdicts: sc.Tally()}
}

func (s *Server) listSpotChecks(w http.ResponseWriter, r *http.Request, c caller) error {
	var p hazard.Page
	var err error
	if p.Limit, err = queryLimit(r, inspection.MaxSpotCheckPageLimit); err != nil {
		return err
	}
	if p.Cursor = r.URL.Query().Get("cursor"); len(p.Cursor) > maxCursorLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "cursor", Message: "is not a cursor of this listing"}
	}
	q := r.URL.Query()
	f := inspection.SpotFilter{Department: q.Get("department"), Status: inspection.SpotStatus(q.Get("status")), Verdict: inspection.Verdict(q.Get("verdict"))}
	if f.UnitID, err = queryUUID(r, "unit_id"); err != nil {
		return err
	}
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	l, err := s.regs.insp.SpotChecks(r.Context(), c.user(), f, p)
	if err != nil {
		return err
	}
	out := ListResponse[SpotCheckView]{Items: make([]SpotCheckView, len(l.Items)), Next: l.Next}
	for i, sc := range l.Items {
		out.Items[i] = spotView(sc)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// SpotCheckVerify is the result of re-verifying one drawn hazard.
type SpotCheckVerify struct {
	ExpectedVersion int64     `json:"expected_version"`
	HazardID        uuid.UUID `json:"hazard_id"`
	Passed          bool      `json:"passed"`
	Note            string    `json:"note"`
}

func (s *Server) verifySpotCheck(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := pathUUID(r, "id", "spot check")
	if err != nil {
		return err
	}
	return decodeCall(w, r, http.StatusOK, func(in SpotCheckVerify) (any, error) {
		sc, err := s.regs.insp.Verify(r.Context(), c.user(), id, inspection.VerifyInput(in))
		return spotView(sc), err
	})
}

// wantsCSV reports whether the request asks for CSV: format=csv, or an
// Accept header naming text/csv.
func wantsCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, &hazard.Error{Code: hazard.CodeInvalid, Field: "format", Message: "must be json or csv"}
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
			return true, nil
		}
	}
	return false, nil
}

func (s *Server) regLedger(w http.ResponseWriter, r *http.Request, c caller) error {
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lq := inspection.LedgerQuery{Department: q.Get("department"), Industry: q.Get("industry"), District: q.Get("district")}
	if lq.UnitID, err = queryUUID(r, "unit_id"); err != nil {
		return err
	}
	if lq.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if lq.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	if !asCSV {
		var p hazard.Page
		if p.Limit, err = queryLimit(r, inspection.MaxLedgerPageLimit); err != nil {
			return err
		}
		if p.Cursor = q.Get("cursor"); len(p.Cursor) > maxCursorLen {
			return &hazard.Error{Code: hazard.CodeInvalid, Field: "cursor", Message: "is not a cursor of this listing"}
		}
		pg, err := s.regs.insp.LedgerPage(r.Context(), c.user(), lq, p)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, pg)
		return nil
	}
	l, err := s.regs.insp.Ledger(r.Context(), c.user(), lq)
	if err != nil {
		return err
	}
	var buf bytes.Buffer // WriteCSV starts with the byte order mark
	if err := l.WriteCSV(&buf); err != nil {
		return err
	}
	name := "ledger-" + s.now().Format("20060102") + ".csv"
	if lq.Department != "" {
		name = "ledger-" + lq.Department + "-" + s.now().Format("20060102") + ".csv"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) figuresOf(w http.ResponseWriter, r *http.Request, c caller) error {
	since, err := queryTime(r, "since")
	if err != nil {
		return err
	}
	until, err := queryTime(r, "until")
	if err != nil {
		return err
	}
	f, err := s.regs.insp.Figures(r.Context(), c.user(), r.URL.Query().Get("department"), since, until)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// gradeColours are the map colours of the grades.
var gradeColours = map[risk.Grade]string{risk.Red: "#d7191c", risk.Orange: "#fd8d3c", risk.Yellow: "#f2d600", risk.Blue: "#2c7bb6"}

// Feature is a GeoJSON feature of the risk map (RFC 7946 §3.2).
type Feature struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Geometry   *Geometry         `json:"geometry"`
	Properties FeatureProperties `json:"properties"`
}

// Geometry is a GeoJSON Point: [longitude, latitude] in WGS-84.
type Geometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// FeatureProperties are what the map shows of a unit.
type FeatureProperties struct {
	Name     string     `json:"name"`
	Industry string     `json:"industry"`
	Grade    risk.Grade `json:"grade"`
	GradeZH  string     `json:"grade_zh"`
	Colour   string     `json:"colour"`
	District string     `json:"district,omitempty"`
}

// FeatureCollection is a GeoJSON answer (RFC 7946 §3.3).
type FeatureCollection struct {
	Type     string    `json:"type"`
	BBox     []float64 `json:"bbox,omitempty"`
	Features []Feature `json:"features"`
}

// parseBBox parses bbox=west,south,east,north in WGS-84 degrees.
func parseBBox(v string) (*[4]float64, error) {
	if v == "" {
		return nil, nil
	}
	bad := &hazard.Error{Code: hazard.CodeInvalid, Field: "bbox", Message: "must be west,south,east,north in degrees"}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, bad
	}
	var b [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, bad
		}
		b[i] = f
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return nil, bad
	}
	return &b, nil
}
