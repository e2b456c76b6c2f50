package inspection

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// ChecklistFilter selects checklists in ListChecklists; zero fields do not
// filter.
type ChecklistFilter struct {
	Industry   string
	Department string
}

// Matches reports whether c passes f.
func (f *ChecklistFilter) Matches(c *Checklist) bool {
	return (f.Industry == "" || c.Industry == f.Industry) && (f.Department == "" || c.Department == f.Department)
}

// InspectionFilter selects visits in ListInspections; zero fields do not
// filter, and all set fields must match.
type InspectionFilter struct {
	UnitID     uuid.UUID
	Department string
	District   string // Unit.Location.District
	Industry   string // Unit.Industry
	Kind       Kind
	Status     Status
	// FinishedSince and FinishedUntil bound FinishedAt: since <= t < until;
	// setting either keeps finished visits only.
	FinishedSince time.Time
	FinishedUntil time.Time
}

// Matches reports whether in passes every condition of f: the meaning of a
// filter, which every Store's ListInspections keeps.
func (f *InspectionFilter) Matches(in *Inspection) bool {
	if f.UnitID != uuid.Nil && in.UnitID != f.UnitID ||
		f.Department != "" && in.Department != f.Department ||
		f.District != "" && in.Unit.Location.District != f.District ||
		f.Industry != "" && in.Unit.Industry != f.Industry ||
		f.Kind != "" && in.Kind != f.Kind ||
		f.Status != "" && in.Status != f.Status {
		return false
	}
	if !f.FinishedSince.IsZero() || !f.FinishedUntil.IsZero() {
		if in.Status != StatusFinished ||
			!f.FinishedSince.IsZero() && in.FinishedAt.Before(f.FinishedSince) ||
			!f.FinishedUntil.IsZero() && !in.FinishedAt.Before(f.FinishedUntil) {
			return false
		}
	}
	return true
}

// InspectionList is one page of visits, newest first (by ID).
type InspectionList struct {
	Items []Inspection
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// TrainingFilter selects training records; zero fields do not filter.
type TrainingFilter struct {
	Department string
	UnitID     uuid.UUID
	// Since and Until bound Date: since <= date < until.
	Since time.Time
	Until time.Time
}

// Matches reports whether t passes f.
func (f *TrainingFilter) Matches(t *Training) bool {
	return (f.Department == "" || t.Department == f.Department) &&
		(f.UnitID == uuid.Nil || t.UnitID == f.UnitID) &&
		(f.Since.IsZero() || !t.Date.Before(f.Since)) &&
		(f.Until.IsZero() || t.Date.Before(f.Until))
}

// TrainingList is one page of training records, newest first (by ID).
type TrainingList struct {
	Items []Training
	Next  string
}

// Cursor returns the listing cursor after the item id; stores make their
// cursors with it and read them with ParseCursor.
func Cursor(id uuid.UUID) string { return "v1." + id.String() }

// ParseCursor reads a cursor made by Cursor, or returns CodeInvalid on
// "cursor".
func ParseCursor(c string) (uuid.UUID, error) {
	rest, ok := strings.CutPrefix(c, "v1.")
	id, err := uuid.Parse(rest)
	if !ok || err != nil || id.String() != rest {
		return uuid.Nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "list", Field: "cursor", Message: "is not a cursor of this store"}
	}
	return id, nil
}

// CheckInspectionUpdate returns CodeInvalid naming the first field that an
// update from old to next may not change (kind, unit_id, checklist,
// checklist_version, started_at), or CodeConflict when old is finished (a
// finished visit never changes). Stores call it before they replace a
// visit, so that every adapter refuses the same changes.
func CheckInspectionUpdate(old, next *Inspection) error {
	if old.Status == StatusFinished {
		return &hazard.Error{Code: hazard.CodeConflict, Op: "update inspection", Field: "status", Message: "a finished inspection does not change", Version: old.Version}
	}
	field := ""
	switch {
	case old.Kind != next.Kind:
		field = "kind"
	case old.UnitID != next.UnitID:
		field = "unit_id"
	case old.Checklist != next.Checklist:
		field = "checklist"
	case old.ChecklistVersion != next.ChecklistVersion:
		field = "checklist_version"
	case !old.StartedAt.Equal(next.StartedAt):
		field = "started_at"
	default:
		return nil
	}
	return &hazard.Error{Code: hazard.CodeInvalid, Op: "update inspection", Field: field, Message: "cannot change"}
}

// Store keeps checklists, visits, spot checks and training records. It is
// the port storage adapters implement; inspectiontest.TestStore pins every
// promise below.
//
// Values are copied on the way in and out: no caller shares memory with
// the store. Events given with a write are appended to the one event log in
// the same atomic step as the write, all or none. A Store is safe for
// concurrent use. Errors are *hazard.Error with a code; nothing is stored
// on error.
type Store interface {
	// CreateChecklist stores a published version of a checklist. Its
	// Version must be 1 for a new ID and the latest version + 1 otherwise:
	// any other version (a version taken, a gap) is CodeConflict. A stored
	// version is never changed. An invalid checklist (Validate) is
	// CodeInvalid.
	CreateChecklist(ctx context.Context, c Checklist) (Checklist, error)
	// GetChecklist returns the version of the checklist id, the latest for
	// version 0, or CodeNotFound.
	GetChecklist(ctx context.Context, id string, version int) (Checklist, error)
	// ListChecklists returns the latest version of each checklist that
	// matches f, sorted by ID.
	ListChecklists(ctx context.Context, f ChecklistFilter) ([]Checklist, error)

	// CreateInspection stores a new visit (Version 1) with its events. An
	// ID taken is CodeConflict.
	CreateInspection(ctx context.Context, in Inspection, events []hazard.Event) (Inspection, error)
	// GetInspection returns the visit, or CodeNotFound.
	GetInspection(ctx context.Context, id uuid.UUID) (Inspection, error)
	// UpdateInspection replaces the visit in.ID, whose stored version must
	// be expectedVersion, by in with Version expectedVersion+1, and appends
	// events, in one atomic step. A missing visit is CodeNotFound; another
	// version, or a visit already finished, is CodeConflict with
	// Error.Version the stored version (CheckInspectionUpdate); the fields
	// CheckInspectionUpdate names cannot change (CodeInvalid).
	UpdateInspection(ctx context.Context, in Inspection, expectedVersion int64, events []hazard.Event) (Inspection, error)
	// ListInspections returns one page of the visits matching f, newest
	// first; pagination is stable under inserts. A cursor the store did not
	// make is CodeInvalid.
	ListInspections(ctx context.Context, f InspectionFilter, p hazard.Page) (InspectionList, error)

	// CreateSpotCheck stores a new spot check (Version 1) with its events;
	// an ID taken is CodeConflict.
	CreateSpotCheck(ctx context.Context, sc SpotCheck, events []hazard.Event) (SpotCheck, error)
	// GetSpotCheck returns the spot check, or CodeNotFound.
	GetSpotCheck(ctx context.Context, id uuid.UUID) (SpotCheck, error)
	// UpdateSpotCheck replaces the spot check sc.ID at expectedVersion, as
	// UpdateInspection does (CodeNotFound, CodeConflict).
	UpdateSpotCheck(ctx context.Context, sc SpotCheck, expectedVersion int64, events []hazard.Event) (SpotCheck, error)
	// ListSpotChecks returns one page of the spot checks matching f
	// (SpotFilter.Matches), newest first, at most SpotPageLimit(p) of
	// them, with cursors as ListInspections (stable under inserts and
	// updates). An invalid filter (SpotFilter.Validate), a negative limit
	// or a cursor the store did not make is CodeInvalid.
	ListSpotChecks(ctx context.Context, f SpotFilter, p hazard.Page) (SpotCheckList, error)

	// CreateTraining stores a training record with its events; an ID
	// taken is CodeConflict.
	CreateTraining(ctx context.Context, t Training, events []hazard.Event) (Training, error)
	// CreateOrder stores a new supervision order (Version 1) with its
	// events; an ID taken is CodeConflict.
	CreateOrder(ctx context.Context, o Order, events []hazard.Event) (Order, error)
	// GetOrder returns the order, or CodeNotFound.
	GetOrder(ctx context.Context, id uuid.UUID) (Order, error)
	// UpdateOrder replaces the order o.ID at expectedVersion, as
	// UpdateInspection does (CodeNotFound, CodeConflict).
	UpdateOrder(ctx context.Context, o Order, expectedVersion int64, events []hazard.Event) (Order, error)
	// ListOrders returns one page of the orders matching f, newest first,
	// with cursors as ListInspections.
	ListOrders(ctx context.Context, f OrderFilter, p hazard.Page) (OrderList, error)

	// ListTrainings returns one page of the records matching f, newest
	// first, with cursors as ListInspections.
	ListTrainings(ctx context.Context, f TrainingFilter, p hazard.Page) (TrainingList, error)
}

// CheckEvents returns CodeInvalid when an event is invalid or not of the
// subject s; stores call it on the events they write with a record.
func CheckEvents(s hazard.Subject, events []hazard.Event) error {
	var p hazard.Problems
	for i := range events {
		f := "events[" + strconv.Itoa(i) + "]"
		p.Merge(f, events[i].Validate())
		if events[i].Subject != s {
			p.Add(f+".subject", "must be the record's")
		}
	}
	return p.Err("events")
}

// Validate reports every problem of a stored visit as one CodeInvalid
// error: an ID, a known kind and status, a unit, 1 to MaxInspectors
// inspectors, a checklist version, a start time, and a finish time and
// finisher when finished. Stores call it before they write.
func (in *Inspection) Validate() error {
	var p hazard.Problems
	if in.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if !in.Kind.Valid() {
		p.Add("kind", "must be enforcement or self_check")
	}
	if in.UnitID == uuid.Nil {
		p.Add("unit_id", "is required")
	}
	if len(in.Inspectors) == 0 || len(in.Inspectors) > MaxInspectors {
		p.Add("inspectors", "must be 1 to %d", MaxInspectors)
	}
	if in.Checklist == "" || in.ChecklistVersion < 1 {
		p.Add("checklist", "needs an ID and a published version")
	}
	if in.StartedAt.IsZero() {
		p.Add("started_at", "is required")
	}
	switch in.Status {
	case StatusOpen:
	case StatusFinished:
		if in.FinishedAt.IsZero() || in.FinishedBy.ID == "" {
			p.Add("finished_at", "a finished visit has a finish time and a finisher")
		}
	default:
		p.Add("status", "must be open or finished")
	}
	return p.Err("inspection")
}
