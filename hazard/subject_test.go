package hazard_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestSubjectValidate(t *testing.T) {
	id := hazardtest.NewID()
	for _, c := range []struct {
		name string
		s    hazard.Subject
		want []string
	}{
		{"unit", hazard.Subject{Kind: "unit", ID: "u-1"}, nil},
		{"kind with digits and underscore", hazard.Subject{Kind: "spot_check2", ID: "42"}, nil},
		{"non-ASCII ID", hazard.Subject{Kind: "account", ID: "用户-1"}, nil},
		{"hazard", hazard.HazardSubject(id), nil},
		{"longest", hazard.Subject{Kind: hazard.SubjectKind(strings.Repeat("k", hazard.MaxSubjectKindLen)), ID: strings.Repeat("i", hazard.MaxSubjectIDLen)}, nil},
		{"zero", hazard.Subject{}, []string{"kind", "id"}},
		{"kind too long", hazard.Subject{Kind: hazard.SubjectKind(strings.Repeat("k", hazard.MaxSubjectKindLen+1)), ID: "u"}, []string{"kind"}},
		{"kind starting with a digit", hazard.Subject{Kind: "1unit", ID: "u"}, []string{"kind"}},
		{"kind with a dash", hazard.Subject{Kind: "spot-check", ID: "u"}, []string{"kind"}},
		{"upper-case kind", hazard.Subject{Kind: "Unit", ID: "u"}, []string{"kind"}},
		{"ID too long", hazard.Subject{Kind: "unit", ID: strings.Repeat("i", hazard.MaxSubjectIDLen+1)}, []string{"id"}},
		{"ID of multi-byte runes over the byte limit", hazard.Subject{Kind: "unit", ID: strings.Repeat("单", hazard.MaxSubjectIDLen/3+1)}, []string{"id"}},
		{"ID with a control character", hazard.Subject{Kind: "unit", ID: "u\n1"}, []string{"id"}},
		{"ID of invalid UTF-8", hazard.Subject{Kind: "unit", ID: "u\xff"}, []string{"id"}},
		{"hazard ID not a UUID", hazard.Subject{Kind: hazard.SubjectHazard, ID: "h-1"}, []string{"id"}},
		{"hazard ID not canonical", hazard.Subject{Kind: hazard.SubjectHazard, ID: "urn:uuid:" + id.String()}, []string{"id"}},
		{"nil hazard ID", hazard.HazardSubject(uuid.Nil), []string{"id"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, fields(t, c.s.Validate()), "Validate(%v)", c.s)
		})
	}
}

func TestSubjectHazardID(t *testing.T) {
	id := hazardtest.NewID()
	got, ok := hazard.HazardSubject(id).HazardID()
	assert.True(t, ok, "HazardID of a hazard subject")
	assert.Equal(t, id, got, "HazardID of a hazard subject")
	for _, s := range []hazard.Subject{
		{Kind: "unit", ID: id.String()},
		{Kind: hazard.SubjectHazard, ID: "nope"},
		{Kind: hazard.SubjectHazard, ID: strings.ToUpper(id.String())},
	} {
		_, ok := s.HazardID()
		assert.False(t, ok, "HazardID(%v)", s)
	}
}

func TestEventSubjectOf(t *testing.T) {
	h := hazardtest.NewHazard()
	e := hazardtest.NewEvent(h, hazard.EventNote)
	assert.Equal(t, hazard.Subject{Kind: hazard.SubjectHazard, ID: h.ID.String()}, e.SubjectOf(), "a hazard's event")
	unit := hazard.Subject{Kind: "unit", ID: "u-1"}
	u := hazardtest.NewSubjectEvent(unit, "graded")
	assert.Equal(t, unit, u.SubjectOf(), "a unit's event")
}

func TestEventValidateSubject(t *testing.T) {
	h := hazardtest.NewHazard()
	unit := hazard.Subject{Kind: "unit", ID: "u-1"}
	for _, c := range []struct {
		name string
		e    hazard.Event
		want []string
	}{
		{"a hazard's event", hazardtest.NewEvent(h, hazard.EventNote), nil},
		{"a unit's event", hazardtest.NewSubjectEvent(unit, "graded"), nil},
		{"a full unit's event", hazardtest.FullSubjectEvent(unit), nil},
		{"both", func() hazard.Event { e := hazardtest.NewEvent(h, hazard.EventNote); e.Subject = unit; return e }(), []string{"subject"}},
		{"neither", hazardtest.NewSubjectEvent(hazard.Subject{}, "graded"), []string{"hazard_id"}},
		{"a hazard subject without hazard_id", hazardtest.NewSubjectEvent(hazard.HazardSubject(h.ID), hazard.EventNote), []string{"subject.kind"}},
		{"a bad kind and ID", hazardtest.NewSubjectEvent(hazard.Subject{Kind: "Unit", ID: "u\x00"}, "graded"), []string{"subject.kind", "subject.id"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, fields(t, c.e.Validate()))
		})
	}
}

// TestEventJSONShape pins that a hazard's event keeps its JSON shape (a
// hazard_id, no subject) and that an event of another subject carries its
// subject and no hazard_id; both read back as written.
func TestEventJSONShape(t *testing.T) {
	h := hazardtest.NewHazard()
	for _, c := range []struct {
		name      string
		e         hazard.Event
		has, hasn string
	}{
		{"a hazard's event", hazardtest.NewEvent(h, hazard.EventNote), `"hazard_id":"` + h.ID.String() + `"`, `"subject"`},
		{"a unit's event", hazardtest.NewSubjectEvent(hazard.Subject{Kind: "unit", ID: "u-1"}, "graded"), `"subject":{"kind":"unit","id":"u-1"}`, `"hazard_id"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.e)
			require.NoError(t, err)
			assert.Contains(t, string(b), c.has)
			assert.NotContains(t, string(b), c.hasn)
			var back hazard.Event
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, c.e, back, "round trip")
		})
	}
}

// Every event has a subject: a hazard's events name their hazard, an event
// of another kind of subject (here a unit) names it in Subject.
func ExampleEvent_SubjectOf() {
	id := uuid.MustParse("0192f1c2-7a3b-7c4d-8e5f-60718293a4b5")
	note := hazard.Event{HazardID: id, Type: hazard.EventNote}
	graded := hazard.Event{Subject: hazard.Subject{Kind: "unit", ID: "unit-7"}, Type: "unit_graded"}
	fmt.Println(note.SubjectOf())
	fmt.Println(graded.SubjectOf())
	// Output:
	// hazard:0192f1c2-7a3b-7c4d-8e5f-60718293a4b5
	// unit:unit-7
}
