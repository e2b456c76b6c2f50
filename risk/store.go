package risk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of listing.
const (
	// MaxDueLimit is the most entries one Due call returns; 0 asks for
	// DefaultDueLimit.
	MaxDueLimit     = 1000
	DefaultDueLimit = 100
)

// UnitFilter selects units in ListUnits. Zero fields do not filter; all
// set fields must match.
type UnitFilter struct {
	// Department keeps the units the department is responsible for.
	Department string
	District   string
	Grid       string
	Industry   string
	Grade      Grade
}

// Matches reports whether u passes f: the meaning of a UnitFilter, which
// every Store keeps (risktest checks adapters against it).
func (f *UnitFilter) Matches(u *Unit) bool {
	return (f.Department == "" || slices.Contains(u.Departments, f.Department)) &&
		(f.District == "" || u.Location.District == f.District) &&
		(f.Grid == "" || u.Grid == f.Grid) &&
		(f.Industry == "" || u.Industry == f.Industry) &&
		(f.Grade == "" || u.Grade == f.Grade)
}

// UnitList is one page of units in ID order (oldest first: IDs are
// UUIDv7).
type UnitList struct {
	Items []Unit
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// AssessmentList is one page of a point's assessments, newest first.
type AssessmentList struct {
	Items []Assessment
	Next  string
}

// DueEntry is one unit in the due-date index of one department.
type DueEntry struct {
	UnitID uuid.UUID `json:"unit_id"`
	Grade  Grade     `json:"grade"`
	DueAt  time.Time `json:"due_at"`
}

// DueQuery asks the due-date index for one department's units due before
// a time.
type DueQuery struct {
	// Department is required.
	Department string
	// Before is required: entries with DueAt < Before.
	Before time.Time
	// Grades, when not empty, keeps the entries of these grades.
	Grades []Grade
	// Cursor is the Next of the previous page; Limit as Page's, with
	// DefaultDueLimit and MaxDueLimit.
	Cursor string
	Limit  int
}

// Validate reports the problems of q as one CodeInvalid error; stores call
// it before they read.
func (q *DueQuery) Validate() error {
	var p hazard.Problems
	if q.Department == "" {
		p.Add("department", "is required")
	}
	if q.Before.IsZero() {
		p.Add("before", "is required")
	}
	for _, g := range q.Grades {
		if !g.Valid() {
			p.Add("grades", "must list grades")
			break
		}
	}
	if q.Limit < 0 {
		p.Add("limit", "must not be negative")
	}
	if q.Cursor != "" {
		if _, _, err := ParseDueCursor(q.Cursor); err != nil {
			p.Add("cursor", "is not a cursor of this listing")
		}
	}
	return p.Err("due")
}

// DueLimit returns the limit q asks for, after defaults and the cap.
func (q *DueQuery) DueLimit() int {
	switch {
	case q.Limit == 0:
		return DefaultDueLimit
	case q.Limit > MaxDueLimit:
		return MaxDueLimit
	}
	return q.Limit
}

// DueList is one page of the due-date index in (DueAt, UnitID) order.
type DueList struct {
	Items []DueEntry
	Next  string
}

// Cursors are made and read here, once, so that every store's cursors
// look alike and refuse the same strings.
const (
	dueCursorPrefix  = "d1."
	unitCursorPrefix = "u1."
	asmtCursorPrefix = "a1."
)

// DueCursor returns the cursor that continues after e.
func DueCursor(e DueEntry) string {
	return dueCursorPrefix + strconv.FormatInt(e.DueAt.Unix(), 10) + "." + e.UnitID.String()
}

// ParseDueCursor reads a DueCursor; anything else is CodeInvalid.
func ParseDueCursor(c string) (time.Time, uuid.UUID, error) {
	bad := &hazard.Error{Code: hazard.CodeInvalid, Op: "due", Field: "cursor", Message: "is not a cursor of this listing"}
	rest, ok := strings.CutPrefix(c, dueCursorPrefix)
	if !ok {
		return time.Time{}, uuid.Nil, bad
	}
	sec, idText, ok := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if !ok || err != nil {
		return time.Time{}, uuid.Nil, bad
	}
	id, err := uuid.Parse(idText)
	if err != nil || id.String() != idText {
		return time.Time{}, uuid.Nil, bad
	}
	return time.Unix(n, 0).UTC(), id, nil
}

// IDCursor returns the cursor of a listing by ID (units, or assessments
// when assessment is true) that continues after id.
func IDCursor(id uuid.UUID, assessment bool) string {
	if assessment {
		return asmtCursorPrefix + id.String()
	}
	return unitCursorPrefix + id.String()
}

// ParseIDCursor reads an IDCursor of the same kind; anything else is
// CodeInvalid on the field "cursor".
func ParseIDCursor(c string, assessment bool) (uuid.UUID, error) {
	prefix := unitCursorPrefix
	if assessment {
		prefix = asmtCursorPrefix
	}
	rest, ok := strings.CutPrefix(c, prefix)
	id, err := uuid.Parse(rest)
	if !ok || err != nil || id.String() != rest {
		return uuid.Nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "list", Field: "cursor", Message: "is not a cursor of this listing"}
	}
	return id, nil
}

// PageLimit returns the limit of p after defaults and the cap, or a
// CodeInvalid error for a negative one.
func PageLimit(p hazard.Page) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: "list", Field: "limit", Message: "must not be negative"}
	case p.Limit == 0:
		return hazard.DefaultPageLimit, nil
	case p.Limit > hazard.MaxPageLimit:
		return hazard.MaxPageLimit, nil
	}
	return p.Limit, nil
}

// CheckEvents returns a CodeInvalid error when an event is invalid or not
// of the unit id; stores call it on the events they write with a unit.
func CheckEvents(id uuid.UUID, events []hazard.Event) error {
	var p hazard.Problems
	for i := range events {
		f := "events[" + strconv.Itoa(i) + "]"
		p.Merge(f, events[i].Validate())
		if events[i].Subject != UnitSubject(id) {
			p.Add(f+".subject", "must be the unit's")
		}
	}
	return p.Err("events")
}

// Store keeps units, their risk points and assessments, and the due-date
// index. It is the port that storage adapters implement; risktest.TestStore
// pins every promise below.
//
// Values are copied in and out: no caller shares memory with a Store. A
// Store is safe for concurrent use. Errors are *hazard.Error with a code;
// on any error nothing is stored.
type Store interface {
	// CreateUnit stores u (Version must be 1) and appends events (each of
	// the unit's subject) to the event log in one atomic step. An invalid
	// unit or event is CodeInvalid; an ID or credit code already taken is
	// CodeConflict.
	CreateUnit(ctx context.Context, u Unit, events []hazard.Event) (Unit, error)

	// GetUnit returns the unit with the ID, or CodeNotFound.
	GetUnit(ctx context.Context, id uuid.UUID) (Unit, error)

	// GetUnitByCode returns the unit with the credit code, or CodeNotFound.
	GetUnitByCode(ctx context.Context, code string) (Unit, error)

	// UpdateUnit replaces the stored unit u.ID, whose version must be
	// expectedVersion, by u with Version expectedVersion+1, keeps the
	// due-date index in step (one entry per department of u, at u.DueAt,
	// none when DueAt is zero), and appends events, in one atomic step.
	// A missing unit is CodeNotFound; a stored version other than
	// expectedVersion is CodeConflict with Error.Version set, and changes
	// nothing. ID, CreditCode and CreatedAt cannot change (CodeInvalid);
	// a credit code is changed by registering a new unit.
	UpdateUnit(ctx context.Context, u Unit, expectedVersion int64, events []hazard.Event) (Unit, error)

	// ListUnits returns one page of the units matching f in ID order.
	// Walking the pages while units are added never skips nor repeats a
	// unit that existed when the walk started. A cursor the store did not
	// make is CodeInvalid.
	ListUnits(ctx context.Context, f UnitFilter, p hazard.Page) (UnitList, error)

	// CreatePoint stores the point p (Version 1) with its first
	// assessment a (p.Assessment = a.ID) in one atomic step. A missing unit
	// is CodeNotFound; a unit with MaxPointsPerUnit points is CodeInvalid
	// on "unit_id"; an ID taken is CodeConflict.
	CreatePoint(ctx context.Context, p Point, a Assessment) (Point, error)

	// GetPoint returns the point with the ID, or CodeNotFound.
	GetPoint(ctx context.Context, id uuid.UUID) (Point, error)

	// AssessPoint replaces the point p.ID, whose version must be
	// expectedVersion, by p with Version expectedVersion+1, and adds the
	// assessment a (p.Assessment = a.ID) to its history, in one atomic
	// step. Missing is CodeNotFound, a stale version CodeConflict with
	// Error.Version; ID, UnitID and CreatedAt cannot change (CodeInvalid).
	AssessPoint(ctx context.Context, p Point, expectedVersion int64, a Assessment) (Point, error)

	// Points returns every point of the unit in ID order (at most
	// MaxPointsPerUnit); none for an unknown unit.
	Points(ctx context.Context, unitID uuid.UUID) ([]Point, error)

	// Assessments returns one page of the point's assessments, newest
	// first; none for an unknown point. A foreign cursor is CodeInvalid.
	Assessments(ctx context.Context, pointID uuid.UUID, p hazard.Page) (AssessmentList, error)

	// Due returns one page of the due-date index: q.Department's units
	// with DueAt before q.Before (of q.Grades, if any), in (DueAt, UnitID)
	// order. It reads the index, never every unit. An invalid query is
	// CodeInvalid.
	Due(ctx context.Context, q DueQuery) (DueList, error)

	// UnitRefs returns the refs of the first limit units, in ID order,
	// that match f, reading the index of f's district or industry when it
	// names one rather than every unit (a district's ledger reads it). A
	// limit below 1 or above MaxUnitRefs is CodeInvalid.
	UnitRefs(ctx context.Context, f UnitFilter, limit int) ([]UnitRef, error)

	// UnitRefsOf returns the refs of the units with the IDs, in ID order,
	// each once; an unknown ID is left out. More than MaxUnitRefs IDs is
	// CodeInvalid.
	UnitRefsOf(ctx context.Context, ids []uuid.UUID) ([]UnitRef, error)
}

// CheckUnitUpdate returns a CodeInvalid error naming the first field an
// update from old to next may not change (id, credit_code, created_at), or
// nil. Stores call it so that every adapter refuses the same changes.
func CheckUnitUpdate(old, next *Unit) error {
	field := ""
	switch {
	case next.ID != old.ID:
		field = "id"
	case next.CreditCode != old.CreditCode:
		field = "credit_code"
	case !next.CreatedAt.Equal(old.CreatedAt):
		field = "created_at"
	default:
		return nil
	}
	return &hazard.Error{Code: hazard.CodeInvalid, Op: "update unit", Field: field, Message: "cannot change"}
}

// CheckPointUpdate returns a CodeInvalid error naming the first field an
// update from old to next may not change (unit_id, created_at), or nil.
func CheckPointUpdate(old, next *Point) error {
	field := ""
	switch {
	case next.UnitID != old.UnitID:
		field = "unit_id"
	case !next.CreatedAt.Equal(old.CreatedAt):
		field = "created_at"
	default:
		return nil
	}
	return &hazard.Error{Code: hazard.CodeInvalid, Op: "assess point", Field: field, Message: "cannot change"}
}

// CheckAssessed validates a point and the assessment that grades it: each
// valid, the assessment of the point and its unit, and the point's grade
// and Assessment those of a. Stores call it before CreatePoint and
// AssessPoint write.
func CheckAssessed(p *Point, a *Assessment) error {
	var pr hazard.Problems
	pr.Merge("", p.Validate())
	pr.Merge("assessment", a.Validate())
	if a.PointID != p.ID || a.UnitID != p.UnitID {
		pr.Add("assessment.point_id", "must be the point's and its unit's")
	}
	if p.Assessment != a.ID || p.Grade != a.Grade {
		pr.Add("assessment", "must be the point's latest, with its grade")
	}
	return pr.Err("point")
}
