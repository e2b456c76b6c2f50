package risk

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Size is a unit's size class.
type Size string

// The sizes.
const (
	SizeLarge  Size = "large"
	SizeMedium Size = "medium"
	SizeSmall  Size = "small"
	SizeMicro  Size = "micro"
)

// Valid reports whether s is a known size.
func (s Size) Valid() bool {
	switch s {
	case SizeLarge, SizeMedium, SizeSmall, SizeMicro:
		return true
	}
	return false
}

// Level is a unit's management level: its work-safety standardisation grade
// (安全生产标准化 一级/二级/三级), or none.
type Level string

// The management levels.
const (
	LevelNone      Level = ""
	LevelStandard1 Level = "standard_1"
	LevelStandard2 Level = "standard_2"
	LevelStandard3 Level = "standard_3"
)

// Valid reports whether l is a known level (none included).
func (l Level) Valid() bool {
	switch l {
	case LevelNone, LevelStandard1, LevelStandard2, LevelStandard3:
		return true
	}
	return false
}

// Limits of a unit.
const (
	MaxNameLen        = 200 // runes
	MaxIndustryLen    = 64  // runes
	MaxGridLen        = 64  // runes
	MaxDepartments    = 8
	MaxDepartmentLen  = 64 // runes
	MaxContacts       = 5
	MaxContactNameLen = 64 // runes
	MaxPhoneLen       = 32 // runes
	MaxReasonLen      = 500
)

// Override is a unit grade set by hand: it replaces the computed grade
// (see ManualOverride) and always has a reason.
type Override struct {
	Grade  Grade        `json:"grade"`
	Reason string       `json:"reason"`
	By     hazard.Actor `json:"by"`
	At     time.Time    `json:"at"`
}

// Unit is a production and business unit (生产经营单位) under supervision.
//
// A Unit is a value: stores copy it in and out. Its contacts are private:
// PublicUnit, what anyone may see, has no field that could carry them.
type Unit struct {
	// ID is a UUIDv7; hazards found at the unit carry its string form in
	// hazard.Hazard.UnitID.
	ID uuid.UUID `json:"id"`
	// CreditCode is the unified social credit code, unique among units.
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Industry   string `json:"industry"`
	Size       Size   `json:"size"`
	Level      Level  `json:"level,omitempty"`
	// Location is the unit's address, optional point (WGS-84 or GCJ-02)
	// and district.
	Location hazard.Location `json:"location"`
	// Grid is the unit's grid within its district; optional.
	Grid string `json:"grid,omitempty"`
	// Departments are the codes of the departments responsible for the
	// unit; at least one.
	Departments []string `json:"departments"`
	// Contacts are the unit's private contacts.
	Contacts []hazard.Contact `json:"contacts,omitempty"`

	// Grade is the unit's computed grade and GradeSteps how it was reached
	// (see Grader); Override, when set, is a grade set by hand.
	Grade      Grade     `json:"grade,omitempty"`
	GradeSteps []Step    `json:"grade_steps,omitempty"`
	Override   *Override `json:"override,omitempty"`
	// Facts are the inputs of the grade and the due date read at the last
	// recomputation.
	Facts UnitFacts `json:"facts"`
	// LastInspected is the date of the unit's last inspection; zero for
	// never. The inspection package sets it (Service.RecordInspection).
	LastInspected time.Time `json:"last_inspected,omitzero"`
	// LastAccident and LastSham are the dates of the unit's last accident
	// and last sham rectification found by a supervision group; zero for
	// none.
	LastAccident time.Time `json:"last_accident,omitzero"`
	LastSham     time.Time `json:"last_sham,omitzero"`
	// DueAt is when the unit's next inspection is due (UTC midnight), as
	// the policy computed it (Policy.NextDue); stores index it by
	// department.
	DueAt time.Time `json:"due_at,omitzero"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UnitFacts are the facts about a unit's risk points and hazards that its
// grade and due date depend on, as read at the last recomputation.
type UnitFacts struct {
	// Points is how many risk points the unit has and PointGrade the
	// highest of their grades (empty for none).
	Points     int   `json:"points"`
	PointGrade Grade `json:"point_grade,omitempty"`
	// OpenHazards, OpenMajorHazards and OverdueHazards count the unit's
	// open hazards, the major ones, and those past their deadline.
	OpenHazards      int `json:"open_hazards"`
	OpenMajorHazards int `json:"open_major_hazards"`
	OverdueHazards   int `json:"overdue_hazards"`
}

// SubjectUnit is the kind of a unit's events in the event log.
const SubjectUnit hazard.SubjectKind = "unit"

// Subject returns the subject of u's events.
func (u *Unit) Subject() hazard.Subject { return UnitSubject(u.ID) }

// UnitSubject returns the subject of the unit id's events.
func UnitSubject(id uuid.UUID) hazard.Subject {
	return hazard.Subject{Kind: SubjectUnit, ID: id.String()}
}

// Clone returns a deep copy of u.
func (u Unit) Clone() Unit {
	u.Departments = slices.Clone(u.Departments)
	u.Contacts = slices.Clone(u.Contacts)
	u.GradeSteps = slices.Clone(u.GradeSteps)
	if u.Override != nil {
		o := *u.Override
		u.Override = &o
	}
	if u.Location.Point != nil {
		p := *u.Location.Point
		u.Location.Point = &p
	}
	return u
}

// Validate reports every problem with u as one CodeInvalid error naming
// each field. Stores call it before they write, so that every adapter
// refuses the same units.
func (u *Unit) Validate() error {
	var p hazard.Problems
	if u.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	checkCreditCode(&p, u.CreditCode)
	hazard.CheckText(&p, "name", u.Name, 1, MaxNameLen)
	hazard.CheckText(&p, "industry", u.Industry, 1, MaxIndustryLen)
	if !u.Size.Valid() {
		p.Add("size", "must be large, medium, small or micro")
	}
	if !u.Level.Valid() {
		p.Add("level", "must be standard_1, standard_2, standard_3 or empty")
	}
	p.Merge("location", u.Location.Validate())
	hazard.CheckText(&p, "grid", u.Grid, 0, MaxGridLen)
	switch n := len(u.Departments); {
	case n == 0:
		p.Add("departments", "is required")
	case n > MaxDepartments:
		p.Add("departments", "takes at most %d departments", MaxDepartments)
	}
	for i, d := range u.Departments {
		f := "departments[" + strconv.Itoa(i) + "]"
		hazard.CheckText(&p, f, d, 1, MaxDepartmentLen)
		if slices.Contains(u.Departments[:i], d) {
			p.Add(f, "is listed twice")
		}
	}
	if len(u.Contacts) > MaxContacts {
		p.Add("contacts", "takes at most %d contacts", MaxContacts)
	}
	for i, c := range u.Contacts {
		f := "contacts[" + strconv.Itoa(i) + "]"
		hazard.CheckText(&p, f+".name", c.Name, 0, MaxContactNameLen)
		hazard.CheckText(&p, f+".phone", c.Phone, 0, MaxPhoneLen)
	}
	if u.Grade != "" && !u.Grade.Valid() {
		p.Add("grade", "must be red, orange, yellow or blue")
	}
	if o := u.Override; o != nil {
		if !o.Grade.Valid() {
			p.Add("override.grade", "must be red, orange, yellow or blue")
		}
		hazard.CheckText(&p, "override.reason", o.Reason, 1, MaxReasonLen)
	}
	if u.CreatedAt.IsZero() {
		p.Add("created_at", "is required")
	}
	return p.Err("unit")
}

// PublicUnit is what anyone may see of a unit, on the risk map say: its
// name, industry, grade and an approximate location. It has no field that
// could carry the unit's contacts, credit code or exact point.
type PublicUnit struct {
	ID       uuid.UUID     `json:"id"`
	Name     string        `json:"name"`
	Industry string        `json:"industry"`
	Grade    Grade         `json:"grade,omitempty"`
	District string        `json:"district,omitempty"`
	Point    *hazard.Point `json:"point,omitempty"`
}

// ApproxDegrees is the step to which Public rounds a unit's point, in
// degrees (0.01°: about a kilometre).
const ApproxDegrees = 0.01

// Public returns the public view of u; its point is rounded to
// ApproxDegrees.
func (u *Unit) Public() PublicUnit {
	p := PublicUnit{ID: u.ID, Name: u.Name, Industry: u.Industry, Grade: u.Grade, District: u.Location.District}
	if pt := u.Location.Point; pt != nil {
		p.Point = &hazard.Point{Lat: roundTo(pt.Lat, ApproxDegrees), Lng: roundTo(pt.Lng, ApproxDegrees), System: pt.System}
	}
	return p
}

func roundTo(v, step float64) float64 { return math.Round(v/step) * step }
