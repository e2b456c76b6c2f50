package pgstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// The JSON documents of the doc columns are pgstore's own types, not the
// domain's: the json tags of hazard.Hazard and hazard.Event are the HTTP
// API's, which may change, while a stored document must read back the same
// forever. Each type below has the tags the domain types had when the first
// rows were written (migration 0001), and converts to and from its domain
// type field by field. A new domain field gets a new tag here (and a
// column, if it is filtered on); an existing tag never changes.
// TestLegacyRowsReadBack reads rows written before these types existed.

// hazardDoc is the document of a row of hazards.
type hazardDoc struct {
	ID              uuid.UUID   `json:"id"`
	Ref             string      `json:"ref"`
	Category        string      `json:"category"`
	Severity        string      `json:"severity"`
	Description     string      `json:"description"`
	Photos          []photoDoc  `json:"photos"`
	Location        locationDoc `json:"location"`
	Reporter        reporterDoc `json:"reporter"`
	Unit            string      `json:"unit,omitempty"`
	UnitID          string      `json:"unit_id,omitempty"`
	Department      string      `json:"department,omitempty"`
	Source          string      `json:"source"`
	State           string      `json:"state"`
	Workflow        string      `json:"workflow"`
	WorkflowVersion int         `json:"workflow_version"`
	Version         int64       `json:"version"`
	Deadline        time.Time   `json:"deadline,omitzero"`
	Escalated       string      `json:"escalated,omitempty"`
	Resolution      string      `json:"resolution,omitempty"`
	Evidence        []photoDoc  `json:"evidence,omitempty"`
	Verdict         string      `json:"verdict,omitempty"`
	FineFen         int64       `json:"fine_fen,omitempty"`
	BonusFen        int64       `json:"bonus_fen,omitempty"`
	DuplicateOf     uuid.UUID   `json:"duplicate_of,omitzero"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
	ClosedAt        time.Time   `json:"closed_at,omitzero"`
	// Aftercare is hazard.Aftercare, absent when zero.
	Aftercare *aftercareDoc `json:"aftercare,omitempty"`
}

// aftercareDoc is the document of hazard.Aftercare.
type aftercareDoc struct {
	Reopens    int       `json:"reopens,omitempty"`
	AskedAt    time.Time `json:"asked_at,omitzero"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	FixedYes   int       `json:"fixed_yes,omitempty"`
	FixedNo    int       `json:"fixed_no,omitempty"`
}

type photoDoc struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

type locationDoc struct {
	Address  string    `json:"address"`
	Point    *pointDoc `json:"point,omitempty"`
	District string    `json:"district,omitempty"`
}

type pointDoc struct {
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	System string  `json:"system"`
}

// reporterDoc is also compared as a whole, as JSONB, by Update's statement
// (the reporter cannot change): its shape must stay that of the stored
// rows', the contact object included when empty.
type reporterDoc struct {
	UserID   string     `json:"user_id"`
	Verified bool       `json:"verified"`
	Contact  contactDoc `json:"contact"`
}

type contactDoc struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// eventDoc is the document of a row of events. Seq is the column's; the
// document keeps a zero "seq", as the first rows did. The statements read
// hazard_id from the document.
type eventDoc struct {
	Seq int64 `json:"seq"`
	// HazardID names a hazard's event; an event of another subject has
	// none and names its Subject (the statement that inserts events reads
	// both from the document).
	HazardID    uuid.UUID         `json:"hazard_id,omitzero"`
	Subject     *subjectDoc       `json:"subject,omitempty"`
	Type        string            `json:"type"`
	Actor       actorDoc          `json:"actor"`
	Action      string            `json:"action,omitempty"`
	From        string            `json:"from,omitempty"`
	To          string            `json:"to,omitempty"`
	PublicNote  string            `json:"public_note,omitempty"`
	PrivateNote string            `json:"private_note,omitempty"`
	Attachments []photoDoc        `json:"attachments,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
	Time        time.Time         `json:"time"`
}

type subjectDoc struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

type actorDoc struct {
	ID         string `json:"id"`
	Role       string `json:"role"`
	Department string `json:"department,omitempty"`
}

// parkedDoc is the document of a row of parked_events.
type parkedDoc struct {
	Consumer string    `json:"consumer"`
	Event    eventDoc  `json:"event"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	ParkedAt time.Time `json:"parked_at"`
}

func photoDocs(ps []hazard.Photo) []photoDoc {
	if ps == nil {
		return nil
	}
	out := make([]photoDoc, len(ps))
	for i, p := range ps {
		out[i] = photoDoc{SHA256: p.SHA256, ContentType: p.ContentType, Size: p.Size}
	}
	return out
}

func photosOf(ds []photoDoc) []hazard.Photo {
	if ds == nil {
		return nil
	}
	out := make([]hazard.Photo, len(ds))
	for i, d := range ds {
		out[i] = hazard.Photo{SHA256: d.SHA256, ContentType: d.ContentType, Size: d.Size}
	}
	return out
}

func reporterDocOf(r hazard.Reporter) reporterDoc {
	return reporterDoc{UserID: r.UserID, Verified: r.Verified,
		Contact: contactDoc{Name: r.Contact.Name, Phone: r.Contact.Phone}}
}

func hazardDocOf(h *hazard.Hazard) hazardDoc {
	d := hazardDoc{
		ID:              h.ID,
		Ref:             h.Ref,
		Category:        h.Category,
		Severity:        string(h.Severity),
		Description:     h.Description,
		Photos:          photoDocs(h.Photos),
		Location:        locationDoc{Address: h.Location.Address, District: h.Location.District},
		Reporter:        reporterDocOf(h.Reporter),
		Unit:            h.Unit,
		UnitID:          h.UnitID,
		Department:      h.Department,
		Source:          string(h.Source),
		State:           h.State,
		Workflow:        h.Workflow,
		WorkflowVersion: h.WorkflowVersion,
		Version:         h.Version,
		Deadline:        h.Deadline,
		Escalated:       h.Escalated,
		Resolution:      h.Resolution,
		Evidence:        photoDocs(h.Evidence),
		Verdict:         h.Verdict,
		FineFen:         h.FineFen,
		BonusFen:        h.BonusFen,
		DuplicateOf:     h.DuplicateOf,
		CreatedAt:       h.CreatedAt,
		UpdatedAt:       h.UpdatedAt,
		ClosedAt:        h.ClosedAt,
	}
	if p := h.Location.Point; p != nil {
		d.Location.Point = &pointDoc{Lat: p.Lat, Lng: p.Lng, System: string(p.System)}
	}
	if a := h.Aftercare; a != (hazard.Aftercare{}) {
		d.Aftercare = &aftercareDoc{Reopens: a.Reopens, AskedAt: a.AskedAt, AnsweredAt: a.AnsweredAt, FixedYes: a.FixedYes, FixedNo: a.FixedNo}
	}
	return d
}

func (d *hazardDoc) hazard() hazard.Hazard {
	h := hazard.Hazard{
		ID:          d.ID,
		Ref:         d.Ref,
		Category:    d.Category,
		Severity:    hazard.Severity(d.Severity),
		Description: d.Description,
		Photos:      photosOf(d.Photos),
		Location:    hazard.Location{Address: d.Location.Address, District: d.Location.District},
		Reporter: hazard.Reporter{UserID: d.Reporter.UserID, Verified: d.Reporter.Verified,
			Contact: hazard.Contact{Name: d.Reporter.Contact.Name, Phone: d.Reporter.Contact.Phone}},
		Unit:            d.Unit,
		UnitID:          d.UnitID,
		Department:      d.Department,
		Source:          hazard.Source(d.Source),
		State:           d.State,
		Workflow:        d.Workflow,
		WorkflowVersion: d.WorkflowVersion,
		Version:         d.Version,
		Deadline:        d.Deadline,
		Escalated:       d.Escalated,
		Resolution:      d.Resolution,
		Evidence:        photosOf(d.Evidence),
		Verdict:         d.Verdict,
		FineFen:         d.FineFen,
		BonusFen:        d.BonusFen,
		DuplicateOf:     d.DuplicateOf,
		CreatedAt:       d.CreatedAt,
		UpdatedAt:       d.UpdatedAt,
		ClosedAt:        d.ClosedAt,
	}
	if p := d.Location.Point; p != nil {
		h.Location.Point = &hazard.Point{Lat: p.Lat, Lng: p.Lng, System: hazard.CoordSystem(p.System)}
	}
	if a := d.Aftercare; a != nil {
		h.Aftercare = hazard.Aftercare{Reopens: a.Reopens, AskedAt: a.AskedAt, AnsweredAt: a.AnsweredAt, FixedYes: a.FixedYes, FixedNo: a.FixedNo}
	}
	return h
}

func eventDocOf(e *hazard.Event) eventDoc {
	var sub *subjectDoc
	if !e.Subject.IsZero() {
		sub = &subjectDoc{Kind: string(e.Subject.Kind), ID: e.Subject.ID}
	}
	return eventDoc{
		Subject:     sub,
		Seq:         e.Seq,
		HazardID:    e.HazardID,
		Type:        string(e.Type),
		Actor:       actorDoc{ID: e.Actor.ID, Role: e.Actor.Role, Department: e.Actor.Department},
		Action:      e.Action,
		From:        e.From,
		To:          e.To,
		PublicNote:  e.PublicNote,
		PrivateNote: e.PrivateNote,
		Attachments: photoDocs(e.Attachments),
		Data:        e.Data, // encoded at once: no copy needed
		Time:        e.Time,
	}
}

func (d *eventDoc) event() hazard.Event {
	var sub hazard.Subject
	if d.Subject != nil {
		sub = hazard.Subject{Kind: hazard.SubjectKind(d.Subject.Kind), ID: d.Subject.ID}
	}
	return hazard.Event{
		Subject:     sub,
		Seq:         d.Seq,
		HazardID:    d.HazardID,
		Type:        hazard.EventType(d.Type),
		Actor:       hazard.Actor{ID: d.Actor.ID, Role: d.Actor.Role, Department: d.Actor.Department},
		Action:      d.Action,
		From:        d.From,
		To:          d.To,
		PublicNote:  d.PublicNote,
		PrivateNote: d.PrivateNote,
		Attachments: photosOf(d.Attachments),
		Data:        d.Data, // freshly decoded: the caller's own
		Time:        d.Time,
	}
}

// encodeHazard returns the document of h.
func encodeHazard(h *hazard.Hazard) ([]byte, error) { return json.Marshal(hazardDocOf(h)) }

// encodeReporter returns the reporter object of h's document, which
// Update compares with the stored one.
func encodeReporter(h *hazard.Hazard) ([]byte, error) { return json.Marshal(reporterDocOf(h.Reporter)) }

func decodeHazard(doc []byte) (hazard.Hazard, error) {
	var d hazardDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return hazard.Hazard{}, fmt.Errorf("decode hazard: %w", err)
	}
	return d.hazard(), nil
}

// decodeEvent reads an event document; seq is the row's.
func decodeEvent(seq int64, doc []byte) (hazard.Event, error) {
	var d eventDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return hazard.Event{}, fmt.Errorf("decode event %d: %w", seq, err)
	}
	e := d.event()
	e.Seq = seq
	return e, nil
}

func encodeParked(p *relay.ParkedEvent) ([]byte, error) {
	return json.Marshal(parkedDoc{Consumer: p.Consumer, Event: eventDocOf(&p.Event), Attempts: p.Attempts,
		Error: p.Error, ParkedAt: p.ParkedAt})
}

func decodeParked(doc []byte) (relay.ParkedEvent, error) {
	var d parkedDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return relay.ParkedEvent{}, fmt.Errorf("decode parked event: %w", err)
	}
	return relay.ParkedEvent{Consumer: d.Consumer, Event: d.Event.event(), Attempts: d.Attempts,
		Error: d.Error, ParkedAt: d.ParkedAt}, nil
}
