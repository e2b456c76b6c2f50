package hazardtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Epoch is the time fixtures are created at unless an option says otherwise:
// a UTC instant with whole microseconds, so that it survives a round trip
// through stores that keep microseconds (as PostgreSQL does).
var Epoch = time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC)

// BeijingWGS84 is a point in central Beijing in WGS-84, where the GCJ-02
// offset is several hundred metres.
var BeijingWGS84 = hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}

var serial atomic.Int64

// NewID returns a fresh UUIDv7. It panics if the system's random source
// fails, which a test cannot recover from anyway.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// NewRef returns a fresh, well-formed reference number, unique within the
// process: HT-20261128-000001, HT-20261128-000002...
func NewRef() string {
	return fmt.Sprintf("HT-%s-%06d", Epoch.Format("20060102"), serial.Add(1))
}

// NewPhoto returns a valid photo whose key is the SHA-256 of seed.
func NewPhoto(seed string) hazard.Photo {
	sum := sha256.Sum256([]byte(seed))
	return hazard.Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: hazard.TypeJPEG, Size: int64(1000 + len(seed))}
}

// Option changes a fixture hazard before NewHazard returns it.
type Option func(*hazard.Hazard)

// WithCategory sets the category.
func WithCategory(code string) Option { return func(h *hazard.Hazard) { h.Category = code } }

// WithState sets the workflow state.
func WithState(state string) Option { return func(h *hazard.Hazard) { h.State = state } }

// WithDepartment sets the assigned department.
func WithDepartment(code string) Option { return func(h *hazard.Hazard) { h.Department = code } }

// WithReporter sets the reporter's user ID.
func WithReporter(userID string) Option { return func(h *hazard.Hazard) { h.Reporter.UserID = userID } }

// WithUnitID sets the unit the hazard was found at.
func WithUnitID(id string) Option { return func(h *hazard.Hazard) { h.UnitID = id } }

// WithSource sets the source.
func WithSource(s hazard.Source) Option { return func(h *hazard.Hazard) { h.Source = s } }

// WithCreatedAt sets CreatedAt and UpdatedAt.
func WithCreatedAt(t time.Time) Option {
	return func(h *hazard.Hazard) { h.CreatedAt, h.UpdatedAt = t, t }
}

// WithPoint sets the location's point; a nil p removes it.
func WithPoint(p *hazard.Point) Option {
	return func(h *hazard.Hazard) {
		if p == nil {
			h.Location.Point = nil
			return
		}
		c := *p
		h.Location.Point = &c
	}
}

// Closed marks the hazard closed at t, in state "closed".
func Closed(t time.Time) Option {
	return func(h *hazard.Hazard) { h.State, h.ClosedAt = "closed", t }
}

// NewHazard returns a valid, open, version 1 hazard with a fresh ID and
// reference number, reported by a citizen in the "fire" category at
// BeijingWGS84 and created at Epoch, changed by opts in order.
func NewHazard(opts ...Option) hazard.Hazard {
	n := serial.Add(1)
	pt := BeijingWGS84
	h := hazard.Hazard{
		ID:          NewID(),
		Ref:         NewRef(),
		Category:    "fire",
		Severity:    hazard.SeverityGeneral,
		Description: fmt.Sprintf("消防通道被堵 #%d", n),
		Photos:      []hazard.Photo{NewPhoto(fmt.Sprintf("photo-%d", n))},
		Location: hazard.Location{
			Address:  "北京市东城区东长安街1号",
			Point:    &pt,
			District: "110101",
		},
		Reporter:        hazard.Reporter{UserID: "citizen-1", Verified: true},
		Source:          hazard.SourceCitizen,
		State:           "submitted",
		Workflow:        hazard.CitizenReportName,
		WorkflowVersion: 1,
		Version:         1,
		CreatedAt:       Epoch,
		UpdatedAt:       Epoch,
	}
	for _, o := range opts {
		o(&h)
	}
	return h
}

// FullHazard returns a valid version 1 hazard in which every field is set
// to a value other than its zero value, for round-trip tests: it is closed,
// resolved and marked as a duplicate of another ID. Options apply last.
func FullHazard(opts ...Option) hazard.Hazard {
	n := serial.Add(1)
	h := NewHazard()
	h.Severity = hazard.SeverityMajor
	h.Category = "gas"
	h.Description = "燃气管道泄漏 gas leak\n第二行\twith a tab"
	h.Photos = []hazard.Photo{
		NewPhoto(fmt.Sprintf("full-a-%d", n)),
		{SHA256: NewPhoto(fmt.Sprintf("full-b-%d", n)).SHA256, ContentType: hazard.TypePNG, Size: 4242},
	}
	h.Location.Point = &hazard.Point{Lat: 39.915, Lng: 116.404, System: hazard.GCJ02}
	h.Reporter = hazard.Reporter{UserID: "citizen-full", Verified: true, Contact: hazard.Contact{Name: "张三", Phone: "13800000000"}}
	h.Unit = "东城区应急管理局"
	h.UnitID = "91110101MA00000001"
	h.Department = "gas"
	h.Source = hazard.SourceInspection
	h.State = "closed"
	h.Workflow = "inspection"
	h.WorkflowVersion = 3
	h.Deadline = Epoch.Add(72*time.Hour + 123456*time.Microsecond)
	h.Escalated = "handling"
	h.Resolution = "已更换阀门"
	h.Evidence = []hazard.Photo{{SHA256: NewPhoto(fmt.Sprintf("full-e-%d", n)).SHA256, ContentType: hazard.TypeWebP, Size: 777}}
	h.Verdict = "属实"
	h.FineFen = 500000
	h.BonusFen = 2000
	h.DuplicateOf = NewID()
	h.CreatedAt = Epoch.Add(-time.Hour)
	h.UpdatedAt = Epoch.Add(-time.Minute)
	h.ClosedAt = Epoch.Add(-time.Second)
	h.Aftercare = hazard.Aftercare{Reopens: 2, AskedAt: Epoch.Add(-30 * time.Second), AnsweredAt: Epoch.Add(-20 * time.Second), FixedYes: 1, FixedNo: 1}
	for _, o := range opts {
		o(&h)
	}
	return h
}

// NewEvent returns a valid event of the type about h, by h's reporter
// (for EventSubmitted) or by a dispatcher, at h.UpdatedAt. Its Seq is 0:
// the store assigns it.
func NewEvent(h hazard.Hazard, typ hazard.EventType) hazard.Event {
	e := hazard.Event{
		HazardID: h.ID,
		Type:     typ,
		Actor:    hazard.Actor{ID: "dispatcher-1", Role: "dispatcher", Department: "fire"},
		Time:     h.UpdatedAt,
	}
	if typ == hazard.EventSubmitted {
		e.Actor = hazard.Actor{ID: h.Reporter.UserID, Role: "reporter"}
		e.To = h.State
	}
	return e
}

// FullEvent returns a valid event about h in which every field but Seq is
// set to a value other than its zero value, for round-trip tests.
func FullEvent(h hazard.Hazard) hazard.Event {
	n := serial.Add(1)
	return hazard.Event{
		HazardID:    h.ID,
		Type:        hazard.EventTransition,
		Actor:       hazard.Actor{ID: "handler-7", Role: "handler", Department: "gas"},
		Action:      "resolve",
		From:        "handling",
		To:          "reviewing",
		PublicNote:  "已整改",
		PrivateNote: "联系人电话 13800000000",
		Attachments: []hazard.Photo{NewPhoto(fmt.Sprintf("attachment-%d", n))},
		Data:        map[string]string{"department": "gas", "amount_fen": "2000"},
		Time:        Epoch.Add(time.Duration(n) * time.Microsecond),
	}
}

// NewSubjectEvent returns a valid event of the type about sub, a subject
// other than a hazard (a unit, an account), by an inspector at Epoch. Its
// HazardID is zero and its Seq 0.
func NewSubjectEvent(sub hazard.Subject, typ hazard.EventType) hazard.Event {
	return hazard.Event{
		Subject: sub,
		Type:    typ,
		Actor:   hazard.Actor{ID: "inspector-1", Role: "inspector", Department: "safety"},
		Time:    Epoch,
	}
}

// FullSubjectEvent returns a valid event about sub, a subject other than a
// hazard, in which every field but Seq and HazardID is set to a value other
// than its zero value, for round-trip tests.
func FullSubjectEvent(sub hazard.Subject) hazard.Event {
	n := serial.Add(1)
	return hazard.Event{
		Subject:     sub,
		Type:        "unit_rectified",
		Actor:       hazard.Actor{ID: "inspector-7", Role: "inspector", Department: "safety"},
		Action:      "verify",
		From:        "rectifying",
		To:          "verified",
		PublicNote:  "整改完成",
		PrivateNote: "负责人电话 13900000000",
		Attachments: []hazard.Photo{NewPhoto(fmt.Sprintf("unit-attachment-%d", n))},
		Data:        map[string]string{"grade": "b", "score": "87"},
		Time:        Epoch.Add(time.Duration(n) * time.Microsecond),
	}
}
