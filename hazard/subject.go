package hazard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SubjectKind names the kind of thing an event is about: a hazard, and in
// the packages that build on this one a unit, an inspection or an account.
// It is 1 to MaxSubjectKindLen bytes of lower-case ASCII letters, digits and
// '_', starting with a letter.
type SubjectKind string

// SubjectHazard is the kind of a hazard's events. A hazard's events name
// their hazard in Event.HazardID; their Subject field stays zero and
// Event.SubjectOf gives {SubjectHazard, the hazard's ID}.
const SubjectHazard SubjectKind = "hazard"

// Limits of a Subject, in bytes.
const (
	MaxSubjectKindLen = 32
	MaxSubjectIDLen   = 128
)

// Subject is what an event is about: a kind and an ID within that kind. IDs
// are strings so that any kind can use its own (a unit's UUID, an account's
// user ID); for SubjectHazard the ID is the hazard's UUID in its canonical
// form.
type Subject struct {
	Kind SubjectKind `json:"kind"`
	ID   string      `json:"id"`
}

// HazardSubject returns the subject of the hazard id's events.
func HazardSubject(id uuid.UUID) Subject {
	return Subject{Kind: SubjectHazard, ID: id.String()}
}

// IsZero reports whether s is the zero Subject.
func (s Subject) IsZero() bool { return s == Subject{} }

// String returns "kind:id", for logs and messages.
func (s Subject) String() string { return string(s.Kind) + ":" + s.ID }

// HazardID returns the hazard of a SubjectHazard subject, and false for any
// other kind or an ID that is not a hazard's canonical UUID.
func (s Subject) HazardID() (uuid.UUID, bool) {
	if s.Kind != SubjectHazard {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s.ID)
	if err != nil || id == uuid.Nil || id.String() != s.ID {
		return uuid.Nil, false
	}
	return id, true
}

// Validate reports every problem with s as one CodeInvalid error on the
// fields "kind" and "id": the kind must be well-formed (see SubjectKind),
// the ID 1 to MaxSubjectIDLen bytes of UTF-8 without control characters
// (not even a newline or a tab),
// and a hazard subject's ID a canonical, non-nil UUID.
func (s Subject) Validate() error {
	var p Problems
	s.check(&p)
	return p.Err("subject")
}

// check adds s's problems to p, on the fields "kind" and "id".
func (s Subject) check(p *Problems) {
	if !validKind(s.Kind) {
		p.Add("kind", "must be 1 to %d lower-case letters, digits or '_', starting with a letter", MaxSubjectKindLen)
	}
	switch {
	case s.ID == "":
		p.Add("id", "is required")
	case len(s.ID) > MaxSubjectIDLen:
		p.Add("id", "must be at most %d bytes", MaxSubjectIDLen)
	case !utf8.ValidString(s.ID):
		p.Add("id", "is not valid UTF-8")
	case strings.ContainsFunc(s.ID, unicode.IsControl):
		p.Add("id", "contains control characters")
	case s.Kind == SubjectHazard:
		if _, ok := s.HazardID(); !ok {
			p.Add("id", "must be a hazard's UUID in canonical form")
		}
	}
}

func validKind(k SubjectKind) bool {
	if len(k) == 0 || len(k) > MaxSubjectKindLen || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// SubjectOf returns what e is about: the hazard subject of a hazard's event
// (HazardID set), else e.Subject.
func (e *Event) SubjectOf() Subject {
	if e.HazardID != uuid.Nil {
		return HazardSubject(e.HazardID)
	}
	return e.Subject
}

// checkSubject adds the problems of e's hazard and subject to p: exactly
// one of them is set, and a subject is valid and not of a hazard (a
// hazard's events name it in hazard_id).
func (e *Event) checkSubject(p *Problems) {
	switch {
	case e.HazardID != uuid.Nil && !e.Subject.IsZero():
		p.Add("subject", "is only for events of no hazard: a hazard's events name it in hazard_id")
	case e.HazardID != uuid.Nil:
	case e.Subject.IsZero():
		p.Add("hazard_id", "is required, or a subject")
	case e.Subject.Kind == SubjectHazard:
		p.Add("subject.kind", "a hazard's events name it in hazard_id")
	default:
		var sp Problems
		e.Subject.check(&sp)
		p.Merge("subject", sp.Err(""))
	}
}
