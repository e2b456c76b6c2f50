package risk

import (
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// PointKind says what a risk point is.
type PointKind string

// The kinds of risk points.
const (
	KindPlace     PointKind = "place"     // a tank farm, a crowded exit
	KindDevice    PointKind = "device"    // a boiler, a crane
	KindProcess   PointKind = "process"   // a reaction, a coating line
	KindOperation PointKind = "operation" // hot work, work in a confined space
)

// Valid reports whether k is a known kind.
func (k PointKind) Valid() bool {
	switch k {
	case KindPlace, KindDevice, KindProcess, KindOperation:
		return true
	}
	return false
}

// Limits of risk points.
const (
	// MaxPointsPerUnit is the most risk points one unit may have; a
	// unit's grade reads them all.
	MaxPointsPerUnit = 1000
	MaxPointNameLen  = 200 // runes
)

// Point is a risk point (风险点) of a unit: a place, a device, a process or
// an operation, graded by its latest assessment. A Point is a value.
type Point struct {
	ID     uuid.UUID `json:"id"`
	UnitID uuid.UUID `json:"unit_id"`
	Name   string    `json:"name"`
	Kind   PointKind `json:"kind"`
	// Grade is the grade of the latest assessment, Assessment its ID.
	Grade      Grade     `json:"grade"`
	Assessment uuid.UUID `json:"assessment"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Validate reports every problem with p.
func (p *Point) Validate() error {
	var pr hazard.Problems
	if p.ID == uuid.Nil {
		pr.Add("id", "is required")
	}
	if p.UnitID == uuid.Nil {
		pr.Add("unit_id", "is required")
	}
	hazard.CheckText(&pr, "name", p.Name, 1, MaxPointNameLen)
	if !p.Kind.Valid() {
		pr.Add("kind", "must be place, device, process or operation")
	}
	if !p.Grade.Valid() {
		pr.Add("grade", "is required")
	}
	if p.Assessment == uuid.Nil {
		pr.Add("assessment", "is required")
	}
	if p.CreatedAt.IsZero() {
		pr.Add("created_at", "is required")
	}
	return pr.Err("point")
}

// Assessment is one assessment of a risk point: by a method (the values of
// its factors, the score and the grade they give) or by hand (a grade and
// a reason). Assessments are never changed: a point's history is all of
// them.
type Assessment struct {
	ID      uuid.UUID  `json:"id"`
	PointID uuid.UUID  `json:"point_id"`
	UnitID  uuid.UUID  `json:"unit_id"`
	Method  MethodName `json:"method"`
	// Values are the factors' values by key; Score their product in the
	// method's units (Method.Scale). Both empty for MethodManual.
	Values map[string]Tenths `json:"values,omitempty"`
	Score  int64             `json:"score,omitempty"`
	Grade  Grade             `json:"grade"`
	// Reason is required for MethodManual, optional otherwise.
	Reason string       `json:"reason,omitempty"`
	By     hazard.Actor `json:"by"`
	At     time.Time    `json:"at"`
}

// Clone returns a deep copy of a.
func (a Assessment) Clone() Assessment {
	a.Values = maps.Clone(a.Values)
	return a
}

// Validate reports the problems of a as stored: IDs, a method, a grade,
// a reason for a manual grade, who and when. (That the values are in the
// method's tables is checked when the service scores them.)
func (a *Assessment) Validate() error {
	var p hazard.Problems
	if a.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if a.PointID == uuid.Nil {
		p.Add("point_id", "is required")
	}
	if a.UnitID == uuid.Nil {
		p.Add("unit_id", "is required")
	}
	if a.Method == "" {
		p.Add("method", "is required")
	}
	if !a.Grade.Valid() {
		p.Add("grade", "must be red, orange, yellow or blue")
	}
	min := 0
	if a.Method == MethodManual {
		min = 1
	}
	hazard.CheckText(&p, "reason", a.Reason, min, MaxReasonLen)
	if a.By.ID == "" {
		p.Add("by", "is required")
	}
	if a.At.IsZero() {
		p.Add("at", "is required")
	}
	return p.Err("assessment")
}
