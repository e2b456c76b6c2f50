package hazard

import (
	"maps"
	"time"

	"github.com/google/uuid"
)

// EventType names what happened.
type EventType string

// The event types the library writes. Integrators may append their own.
const (
	EventSubmitted     EventType = "submitted"      // a hazard was created
	EventTransition    EventType = "transition"     // a workflow action moved it
	EventEscalated     EventType = "escalated"      // it was overdue and escalated (督办)
	EventDuplicate     EventType = "duplicate"      // it was flagged as a likely duplicate
	EventNote          EventType = "note"           // a note without a state change
	EventRewardIssued  EventType = "reward_issued"  // a reward became pending (待领)
	EventRewardClaimed EventType = "reward_claimed" // a reward was paid out
	EventRewardExpired EventType = "reward_expired" // a reward was not claimed in time
	// EventRewardForfeited: a pending reward was given up because its
	// reporter erased their account (see Eraser); it is expired at once.
	EventRewardForfeited EventType = "reward_forfeited"
)

// Keys of the Data of reward events (EventRewardIssued, EventRewardClaimed,
// EventRewardExpired, EventRewardForfeited), written by package reward and read by package notify
// and other consumers.
const (
	DataRewardID   = "reward_id"
	DataAmountFen  = "amount_fen"
	DataClaimBy    = "claim_by" // RFC 3339, UTC
	DataReporterID = "reporter_id"
	DataPolicy     = "policy"
)

// Actor is who did something: a user and the role they acted in, or the
// system.
type Actor struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
}

// System is the actor of automatic changes (escalations, expiry).
var System = Actor{ID: "system", Role: "system"}

// Event is one entry of the ordered event log: the audit trail, the source
// of the public timeline and the outbox.
//
// An event is about one subject (SubjectOf). A hazard's event sets HazardID
// and leaves Subject zero; an event of any other subject (a unit, an
// inspection, an account) sets Subject and leaves HazardID zero. Events of
// every subject share one sequence.
type Event struct {
	// Seq is the global sequence number, assigned by the store: gapless and
	// increasing in commit order.
	Seq int64 `json:"seq"`
	// HazardID is the hazard of a hazard's event; zero for other subjects.
	HazardID uuid.UUID `json:"hazard_id,omitzero"`
	// Subject is the subject of an event of no hazard; zero for a hazard's
	// event.
	Subject Subject   `json:"subject,omitzero"`
	Type    EventType `json:"type"`
	Actor   Actor     `json:"actor"`
	// Action, From and To are set for transitions.
	Action string `json:"action,omitempty"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	// PublicNote may be shown on the plaza; PrivateNote only to staff and,
	// where addressed to the reporter, to the reporter.
	PublicNote  string `json:"public_note,omitempty"`
	PrivateNote string `json:"private_note,omitempty"`
	// Attachments are photos attached by the action (e.g. rectification).
	Attachments []Photo `json:"attachments,omitempty"`
	// Data holds small typed facts of the event as strings (a department,
	// a reward ID and amount); keys are lower_snake_case.
	Data map[string]string `json:"data,omitempty"`
	Time time.Time         `json:"time"`
}

// Clone returns a deep copy of e.
func (e Event) Clone() Event {
	e.Attachments = clonePhotos(e.Attachments)
	if e.Data != nil {
		e.Data = maps.Clone(e.Data)
	}
	return e
}

// Limits of events.
const (
	MaxEventDataKeys = 32
	MaxEventDataLen  = 1000 // runes per value
)

// Validate reports every problem with e (Seq is ignored: the store sets it),
// among them a missing or doubled subject: exactly one of HazardID and a
// valid Subject of a kind other than SubjectHazard is set.
func (e *Event) Validate() error {
	var p Problems
	e.checkSubject(&p)
	if e.Type == "" {
		p.Add("type", "is required")
	}
	if e.Actor.ID == "" {
		p.Add("actor", "is required")
	}
	CheckText(&p, "public_note", e.PublicNote, 0, MaxNoteLen)
	CheckText(&p, "private_note", e.PrivateNote, 0, MaxNoteLen)
	if len(e.Attachments) > MaxPhotos {
		p.Add("attachments", "takes at most %d photos", MaxPhotos)
	}
	if len(e.Data) > MaxEventDataKeys {
		p.Add("data", "takes at most %d keys", MaxEventDataKeys)
	}
	for k, v := range e.Data {
		if !textOK(v, 0, MaxEventDataLen) {
			CheckText(&p, "data."+k, v, 0, MaxEventDataLen)
		}
	}
	if e.Time.IsZero() {
		p.Add("time", "is required")
	}
	return p.Err("event")
}
