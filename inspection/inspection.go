package inspection

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Kind is the kind of a visit.
type Kind string

// The kinds.
const (
	// KindEnforcement is a department's enforcement inspection (执法检查),
	// by at least MinEnforcementInspectors inspectors.
	KindEnforcement Kind = "enforcement"
	// KindSelfCheck is a unit's own check (企业自查) by its safety manager
	// (role enterprise).
	KindSelfCheck Kind = "self_check"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindEnforcement || k == KindSelfCheck }

// Source is the hazard source of the findings of a visit of kind k.
func (k Kind) Source() hazard.Source {
	if k == KindSelfCheck {
		return hazard.SourceSelfCheck
	}
	return hazard.SourceInspection
}

// Outcome is the result of one checklist item.
type Outcome string

// The outcomes.
const (
	Compliant     Outcome = "compliant"
	NonCompliant  Outcome = "non_compliant"
	NotApplicable Outcome = "not_applicable"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Compliant || o == NonCompliant || o == NotApplicable }

// Status is where a visit stands.
type Status string

// The statuses.
const (
	StatusOpen     Status = "open"
	StatusFinished Status = "finished"
)

// Limits of a visit.
const (
	// MinEnforcementInspectors is the fewest inspectors of an enforcement
	// visit (two, as law enforcement requires).
	MinEnforcementInspectors = 2
	MaxInspectors            = 10
	MaxNoteLen               = 1000
	MaxReasonLen             = 500
	MaxTopicLen              = 200
	MaxTrainedCount          = 10000
	MaxResultPhotos          = hazard.MaxPhotos
)

// Result is the finding of one checklist item.
type Result struct {
	Item    string         `json:"item"`
	Outcome Outcome        `json:"outcome"`
	Note    string         `json:"note,omitempty"`
	Photos  []hazard.Photo `json:"photos,omitempty"`
	// Severity of a non-compliant item's hazard: empty means the item's
	// (major under a criterion, else general). Raising it is free;
	// lowering a criterion's major needs SeverityReason.
	Severity       hazard.Severity `json:"severity,omitempty"`
	SeverityReason string          `json:"severity_reason,omitempty"`
}

// Trained records the people trained on site (现场培训) during a visit.
type Trained struct {
	Count int    `json:"count"`
	Topic string `json:"topic,omitempty"`
}

// UnitInfo is what a visit keeps of its unit when it starts: enough to
// raise hazards at it and to count it by district and industry.
type UnitInfo struct {
	Name     string          `json:"name"`
	Industry string          `json:"industry"`
	Location hazard.Location `json:"location"`
}

// Inspection is one visit to a unit against one checklist version: an
// enforcement inspection or a self-check.
type Inspection struct {
	ID     uuid.UUID `json:"id"`
	Kind   Kind      `json:"kind"`
	UnitID uuid.UUID `json:"unit_id"`
	Unit   UnitInfo  `json:"unit"`
	// Department is the department of the visit (the first inspector's,
	// or the checklist's for a self-check).
	Department string `json:"department"`
	// Inspectors are the user IDs of the inspectors (the safety manager for
	// a self-check).
	Inspectors       []string `json:"inspectors"`
	Checklist        string   `json:"checklist"`
	ChecklistVersion int      `json:"checklist_version"`
	Status           Status   `json:"status"`
	Results          []Result `json:"results,omitempty"`
	Trained          Trained  `json:"trained,omitzero"`
	// FinishedBy is who finished it; its hazards are submitted in their
	// name, with the idempotency key "<inspection>/<item>".
	FinishedBy hazard.User `json:"finished_by,omitzero"`
	StartedAt  time.Time   `json:"started_at"`
	FinishedAt time.Time   `json:"finished_at,omitzero"`
	Version    int64       `json:"version"`
}

// Inspector reports whether the user ID is one of the visit's inspectors.
func (in *Inspection) Inspector(userID string) bool { return slices.Contains(in.Inspectors, userID) }

// NonCompliant returns the results that raise hazards, in checklist order.
func (in *Inspection) NonCompliant() []Result {
	var out []Result
	for _, r := range in.Results {
		if r.Outcome == NonCompliant {
			out = append(out, r)
		}
	}
	return out
}

// Clone returns a deep copy of in.
func (in Inspection) Clone() Inspection {
	in.Inspectors = slices.Clone(in.Inspectors)
	in.Results = slices.Clone(in.Results)
	for i := range in.Results {
		in.Results[i].Photos = slices.Clone(in.Results[i].Photos)
	}
	if p := in.Unit.Location.Point; p != nil {
		q := *p
		in.Unit.Location.Point = &q
	}
	return in
}

// IdempotencyKey is the key of the hazard raised by the item of the
// inspection id: "<inspection>/<item>".
func IdempotencyKey(id uuid.UUID, item string) string { return id.String() + "/" + item }

// SubjectInspection is the subject kind of a visit's events.
const SubjectInspection hazard.SubjectKind = "inspection"

// Subject returns the subject of the visit id's events.
func Subject(id uuid.UUID) hazard.Subject {
	return hazard.Subject{Kind: SubjectInspection, ID: id.String()}
}

// The event types of visits (subject kind "inspection").
const (
	EventStarted  hazard.EventType = "inspection_started"
	EventFinished hazard.EventType = "inspection_finished"
)

// Keys of the Data of visit events.
const (
	DataKind         = "kind"
	DataUnitID       = "unit_id"
	DataNonCompliant = "non_compliant" // finished: how many items failed
)
