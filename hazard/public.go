package hazard

import (
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// PublicHazard is what the report plaza (上报广场) shows of a hazard. It has
// no field that could carry the reporter's identity or contact, nor staff's
// private notes: redaction by construction.
type PublicHazard struct {
	// ID is the hazard's ID, for the caller's own bookkeeping (a cache that
	// matches what it holds against the event log's hazard IDs). It is never
	// encoded: the public names a report by Ref.
	ID          uuid.UUID `json:"-"`
	Ref         string    `json:"ref"`
	Category    string    `json:"category"`
	Severity    Severity  `json:"severity"`
	Description string    `json:"description"`
	Photos      []string  `json:"photos"` // blob keys
	Address     string    `json:"address"`
	Point       *Point    `json:"point,omitempty"`
	District    string    `json:"district,omitempty"`
	Department  string    `json:"department,omitempty"`
	Source      Source    `json:"source"`
	State       string    `json:"state"`
	// Status is the public status of State, as the hazard's process
	// declares it ("received", "fixed"); the service's public views set it.
	Status workflow.Label `json:"status,omitzero"`
	// Workflow and WorkflowVersion name the hazard's process, whose
	// declarations say what its states and steps mean to the public.
	Workflow        string   `json:"workflow"`
	WorkflowVersion int      `json:"workflow_version"`
	Resolution      string   `json:"resolution,omitempty"`
	Evidence        []string `json:"evidence,omitempty"`
	Verdict         string   `json:"verdict,omitempty"`
	Duplicate       bool     `json:"duplicate,omitempty"`
	// MeToo counts the citizens who said "me too" (EventMeToo), never who.
	MeToo     int           `json:"me_too,omitempty"`
	Deadline  time.Time     `json:"deadline,omitzero"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	ClosedAt  time.Time     `json:"closed_at,omitzero"`
	Timeline  []PublicEvent `json:"timeline,omitempty"`
	// Withheld is set for a report closed as invalid: it shows only its
	// moderated description (if a moderator wrote one) and Reason.
	Withheld bool `json:"withheld,omitempty"`
	// Reason is why a withheld report was closed: the public note of its
	// closing step, else its verdict.
	Reason string `json:"reason,omitempty"`
}

// PublicEvent is one step of a hazard's public timeline: no actor identity,
// no private note.
type PublicEvent struct {
	Type   EventType `json:"type"`
	Action string    `json:"action,omitempty"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	// Role is the role that acted (dispatcher, handler...), never a user.
	Role   string    `json:"role,omitempty"`
	Note   string    `json:"note,omitempty"`
	Photos []string  `json:"photos,omitempty"`
	Time   time.Time `json:"time"`
}

// Precision of the coordinates in public views.
const (
	// DefaultPublicCoordDecimals is how many decimals of a degree a public
	// view keeps of a hazard's coordinates by default: 4, about 11 m of
	// latitude, enough to find the hazard, too coarse to single out the
	// door of whoever reported it from home.
	DefaultPublicCoordDecimals = 4
	// MaxPublicCoordDecimals is the finest precision a public view may
	// keep: 7 decimals, about 1 cm, i.e. exact.
	MaxPublicCoordDecimals = 7
)

// RoundPoint returns p with its latitude and longitude rounded to decimals
// decimals of a degree (half away from zero).
func RoundPoint(p Point, decimals int) Point {
	f := math.Pow10(decimals)
	p.Lat = math.Round(p.Lat*f) / f
	p.Lng = math.Round(p.Lng*f) / f
	return p
}

// Public returns the public view of h with its coordinates rounded to
// DefaultPublicCoordDecimals (see PublicAt). Timeline is left empty; see
// PublicTimeline.
func (h *Hazard) Public() PublicHazard { return h.PublicAt(DefaultPublicCoordDecimals) }

// PublicAt returns the public view of h with its coordinates rounded to
// decimals decimals of a degree (RoundPoint): the one place where public
// coordinates are made, so that the plaza and Open311 show the same.
// The Service's public views use ServiceConfig.PublicCoordDecimals.
func (h *Hazard) PublicAt(decimals int) PublicHazard {
	p := PublicHazard{
		ID:              h.ID,
		Ref:             h.Ref,
		Category:        h.Category,
		Severity:        h.Severity,
		Description:     h.Description,
		Photos:          keys(h.Photos),
		Address:         h.Location.Address,
		District:        h.Location.District,
		Department:      h.Department,
		Source:          h.Source,
		State:           h.State,
		Workflow:        h.Workflow,
		WorkflowVersion: h.WorkflowVersion,
		Resolution:      h.Resolution,
		Evidence:        keys(h.Evidence),
		Verdict:         h.Verdict,
		Duplicate:       !isNil(h.DuplicateOf),
		Deadline:        h.Deadline,
		CreatedAt:       h.CreatedAt,
		UpdatedAt:       h.UpdatedAt,
		ClosedAt:        h.ClosedAt,
	}
	if h.Location.Point != nil {
		pt := RoundPoint(*h.Location.Point, decimals)
		p.Point = &pt
	}
	return p
}

// PublicTimeline returns the public steps of events, in order. Events that
// are not about the hazard's progress (reward events, which concern the
// reporter, staff linking it to a unit, me-toos, which PublicHazard.MeToo
// counts, and the exchanges between the reporter and staff) are left out;
// private notes never appear.
func PublicTimeline(events []Event) []PublicEvent {
	out := make([]PublicEvent, 0, len(events))
	for _, e := range events {
		switch e.Type {
		case EventRewardIssued, EventRewardClaimed, EventRewardExpired, EventUnitLinked, EventHeld, EventModerated,
			EventMeToo, EventInfoAdded, EventQuestion, EventAnswer, EventClaimBound, EventFixedCheck:
			continue
		}
		role := e.Actor.Role
		if e.Type == EventSubmitted {
			role = "" // who submitted is the reporter: say nothing of them
		}
		out = append(out, PublicEvent{
			Type: e.Type, Action: e.Action, From: e.From, To: e.To,
			Role: role, Note: e.PublicNote, Photos: keys(e.Attachments), Time: e.Time,
		})
	}
	return out
}

func keys(ps []Photo) []string {
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.SHA256
	}
	return out
}
