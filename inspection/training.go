package inspection

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// TrainingKind is the kind of a training or briefing session.
type TrainingKind string

// The kinds of sessions the published figures count.
const (
	TrainingPrincipals TrainingKind = "principals"        // principals' training (主要负责人培训)
	TrainingCriteria   TrainingKind = "criteria_briefing" // major-hazard criteria briefing (判定标准宣讲)
	TrainingOnSite     TrainingKind = "on_site"           // on-site training outside a visit
)

// Valid reports whether k is a known kind.
func (k TrainingKind) Valid() bool {
	return k == TrainingPrincipals || k == TrainingCriteria || k == TrainingOnSite
}

// MaxAttendees is the most attendees of one session.
const MaxAttendees = 100_000

// Training is one training or briefing session.
type Training struct {
	ID         uuid.UUID    `json:"id"`
	Kind       TrainingKind `json:"kind"`
	Date       time.Time    `json:"date"`
	Topic      string       `json:"topic"`
	Department string       `json:"department"`
	// UnitID is the unit trained, where there is one.
	UnitID    uuid.UUID `json:"unit_id,omitzero"`
	Attendees int       `json:"attendees"`
	By        string    `json:"by"`
}

// SubjectTraining is the subject kind of training events; EventTraining
// records a session.
const (
	SubjectTraining hazard.SubjectKind = "training"
	EventTraining   hazard.EventType   = "training_recorded"
)

// RecordTraining records a session held by staff (CodeForbidden
// otherwise); kind, date, topic, department and 1 to MaxAttendees
// attendees are required (CodeInvalid naming each field). The record and
// its event are stored together.
func (s *Service) RecordTraining(ctx context.Context, user hazard.User, t Training) (Training, error) {
	const op = "record training"
	if err := staffOnly(op, user); err != nil {
		return Training{}, err
	}
	t.Topic, t.Department = hazard.NormalizeText(t.Topic), hazard.NormalizeText(t.Department)
	t.ID, t.Date, t.By = s.newID(), t.Date.UTC(), user.ID
	if err := t.Validate(); err != nil {
		return Training{}, hazard.Wrap(op, err)
	}
	ev := hazard.Event{Subject: TrainingSubject(t.ID), Type: EventTraining, Actor: user.Actor(), Time: s.now(),
		Data: map[string]string{"kind": string(t.Kind)}}
	stored, err := s.store.CreateTraining(ctx, t, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// TrainingSubject returns the subject of the training record id's events.
func TrainingSubject(id uuid.UUID) hazard.Subject {
	return hazard.Subject{Kind: SubjectTraining, ID: id.String()}
}

// Validate reports every problem of t as one CodeInvalid error, each on
// its field: an ID and recorder, a known kind, a date, a topic, a
// department and 1 to MaxAttendees attendees.
func (t *Training) Validate() error {
	var p hazard.Problems
	if t.ID == uuid.Nil || t.By == "" {
		p.Add("id", "a record has an ID and who recorded it")
	}
	if !t.Kind.Valid() {
		p.Add("kind", "must be principals, criteria_briefing or on_site")
	}
	if t.Date.IsZero() {
		p.Add("date", "is required")
	}
	hazard.CheckText(&p, "topic", t.Topic, 1, MaxTopicLen)
	hazard.CheckText(&p, "department", t.Department, 1, MaxChecklistIDLen)
	if t.Attendees < 1 || t.Attendees > MaxAttendees {
		p.Add("attendees", "must be 1 to %d", MaxAttendees)
	}
	return p.Err("training")
}
