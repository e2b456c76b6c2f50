package hazard

import (
	"time"

	"github.com/google/uuid"
)

// Severity grades a hazard: general (一般事故隐患) or major (重大事故隐患).
type Severity string

// The severities.
const (
	SeverityGeneral Severity = "general"
	SeverityMajor   Severity = "major"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s == SeverityGeneral || s == SeverityMajor }

// Source says how a hazard came to be known.
type Source string

// The sources.
const (
	SourceCitizen     Source = "citizen"     // a citizen's snap-and-report (随手拍)
	SourceSelfCheck   Source = "self_check"  // an enterprise's own check (企业自查)
	SourceInspection  Source = "inspection"  // a regulator's inspection (执法检查)
	SourceSupervision Source = "supervision" // a supervision visit (督查)
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	switch s {
	case SourceCitizen, SourceSelfCheck, SourceInspection, SourceSupervision:
		return true
	}
	return false
}

// Reporter is who reported a hazard. It is private: the public view of a
// hazard has no field that could carry it.
type Reporter struct {
	// UserID identifies the reporter in the integrator's user store.
	UserID string `json:"user_id"`
	// Verified is true when the reporter passed real-name authentication.
	Verified bool `json:"verified"`
	// Contact is how staff may reach the reporter; optional.
	Contact Contact `json:"contact"`
}

// Contact is a reporter's private contact data.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Hazard is one reported hazard and where it stands in its closed loop.
//
// A Hazard is a value: stores copy it in and out, so that callers never share
// memory with a store.
type Hazard struct {
	// ID is a UUIDv7: unique and sortable by creation time.
	ID uuid.UUID `json:"id"`
	// Ref is the human reference number, e.g. LC-20261128-000123; unique.
	Ref string `json:"ref"`

	Category    string   `json:"category"`
	Severity    Severity `json:"severity"`
	Description string   `json:"description"`
	Photos      []Photo  `json:"photos"`
	Location    Location `json:"location"`

	Reporter Reporter `json:"reporter"`
	// Unit is the receiving unit the reporter chose (free text or a code).
	// A citizen types it: it grants nobody access to the hazard.
	Unit string `json:"unit,omitempty"`
	// UnitID identifies the unit (enterprise) the hazard was found at, in
	// the integrator's register of units. Only an inspection, a self-check
	// or staff set it, never a citizen's input (Submit refuses it from a
	// reporter); empty when unknown. At most MaxUnitIDLen characters.
	UnitID string `json:"unit_id,omitempty"`
	// Department is the code of the department the hazard is assigned to;
	// empty until it is dispatched.
	Department string `json:"department,omitempty"`
	Source     Source `json:"source"`

	// State is the current state in the workflow definition named by
	// Workflow and WorkflowVersion, which the hazard keeps for its whole life.
	State           string `json:"state"`
	Workflow        string `json:"workflow"`
	WorkflowVersion int    `json:"workflow_version"`
	// Version counts the changes to the hazard, from 1 at creation; an
	// update must name the version it read (optimistic concurrency).
	Version int64 `json:"version"`
	// Deadline is when the current state must be left; zero for none.
	Deadline time.Time `json:"deadline,omitzero"`
	// Escalated names the state in which the hazard was last escalated as
	// overdue (督办), so that a state is escalated once; empty for never.
	Escalated string `json:"escalated,omitempty"`

	// Resolution is the handling department's account of the fix.
	Resolution string `json:"resolution,omitempty"`
	// Evidence holds the rectification photos of the resolution.
	Evidence []Photo `json:"evidence,omitempty"`
	// Verdict is the reviewer's conclusion, public.
	Verdict string `json:"verdict,omitempty"`
	// FineFen is the administrative fine imposed for the hazard, in fen,
	// recorded by the reviewer; reward rules may depend on it.
	FineFen int64 `json:"fine_fen,omitempty"`
	// BonusFen is an extra reward the reviewer granted, in fen.
	BonusFen int64 `json:"bonus_fen,omitempty"`

	// DuplicateOf links a likely duplicate to the earliest open hazard of the
	// same category nearby; uuid.Nil when none.
	DuplicateOf uuid.UUID `json:"duplicate_of,omitzero"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ClosedAt is when the hazard reached a terminal state; zero while open.
	ClosedAt time.Time `json:"closed_at,omitzero"`

	// Aftercare records what followed a closure as valid: reopenings and
	// the reporter's answers to "is it fixed?" (see aftercare.go).
	Aftercare Aftercare `json:"aftercare,omitzero"`
}

// Open reports whether the hazard has not reached a terminal state.
func (h *Hazard) Open() bool { return h.ClosedAt.IsZero() }

// Major reports whether the hazard is a major hazard. Workflow presets use it
// to choose deadlines and the supervised path.
func (h *Hazard) Major() bool { return h.Severity == SeverityMajor }

// Clone returns a deep copy of h: slices are not shared.
func (h Hazard) Clone() Hazard {
	// Photos and Evidence share one new array, each capped at its length
	// so that an append to one never writes into the other.
	n, m := len(h.Photos), len(h.Evidence)
	if n+m > 0 {
		buf := make([]Photo, n+m)
		copy(buf, h.Photos)
		copy(buf[n:], h.Evidence)
		h.Photos, h.Evidence = buf[:n:n], buf[n:]
	}
	if n == 0 {
		h.Photos = nil
	}
	if m == 0 {
		h.Evidence = nil
	}
	if h.Location.Point != nil {
		p := *h.Location.Point
		h.Location.Point = &p
	}
	return h
}

func clonePhotos(p []Photo) []Photo {
	if p == nil {
		return nil
	}
	return append([]Photo(nil), p...)
}
