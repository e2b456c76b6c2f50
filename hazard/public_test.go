package hazard_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// forbidden are the names and types a public view must never carry.
var (
	forbiddenNames = []string{"reporter", "contact", "userid", "user_id", "phone", "actor", "privatenote", "private_note"}
	forbiddenTypes = []reflect.Type{
		reflect.TypeOf(hazard.Reporter{}), reflect.TypeOf(hazard.Contact{}),
		reflect.TypeOf(hazard.User{}), reflect.TypeOf(hazard.Actor{}), reflect.TypeOf(hazard.Hazard{}), reflect.TypeOf(hazard.Event{}),
	}
)

// checkRedacted walks typ's fields recursively and reports every field
// whose name or JSON name or type could carry a private identity.
func checkRedacted(t *testing.T, path string, typ reflect.Type, seen map[reflect.Type]bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
		if typ.Kind() == reflect.Map {
			checkRedacted(t, path+"[key]", typ.Key(), seen)
		}
		typ = typ.Elem()
	}
	for _, f := range forbiddenTypes {
		if typ == f {
			t.Errorf("%s has type %v, which carries private data", path, typ)
		}
	}
	if typ.Kind() != reflect.Struct || seen[typ] {
		return
	}
	seen[typ] = true
	for i := range typ.NumField() {
		f := typ.Field(i)
		names := []string{strings.ToLower(f.Name), strings.ToLower(strings.Split(f.Tag.Get("json"), ",")[0])}
		for _, n := range names {
			for _, bad := range forbiddenNames {
				if n != "" && strings.Contains(n, bad) {
					t.Errorf("%s.%s: a public field named like %q", path, f.Name, bad)
				}
			}
		}
		checkRedacted(t, path+"."+f.Name, f.Type, seen)
	}
}

func TestPublicTypesCannotCarryIdentity(t *testing.T) {
	checkRedacted(t, "PublicHazard", reflect.TypeOf(hazard.PublicHazard{}), map[reflect.Type]bool{})
	checkRedacted(t, "PublicEvent", reflect.TypeOf(hazard.PublicEvent{}), map[reflect.Type]bool{})
}

func TestPublic(t *testing.T) {
	h := hazardtest.FullHazard()
	p := h.Public()
	assert.Equal(t, h.Ref, p.Ref)
	assert.Equal(t, h.Category, p.Category)
	assert.Equal(t, h.Description, p.Description)
	assert.Equal(t, []string{h.Photos[0].SHA256, h.Photos[1].SHA256}, p.Photos)
	assert.Equal(t, []string{h.Evidence[0].SHA256}, p.Evidence)
	assert.Equal(t, h.Location.Address, p.Address)
	assert.Equal(t, *h.Location.Point, *p.Point)
	assert.True(t, p.Duplicate, "Duplicate for a hazard with DuplicateOf")
	assert.Equal(t, h.ClosedAt, p.ClosedAt)
	p.Point.Lat = 0
	assert.NotZero(t, h.Location.Point.Lat, "Public copies the point")

	b, err := json.Marshal(p)
	require.NoError(t, err)
	for _, secret := range []string{h.Reporter.UserID, h.Reporter.Contact.Phone, h.Reporter.Contact.Name} {
		assert.NotContains(t, string(b), secret, "public JSON")
	}

	plain := hazardtest.NewHazard(hazardtest.WithPoint(nil))
	pp := plain.Public()
	assert.False(t, pp.Duplicate)
	assert.Nil(t, pp.Point)
	assert.Nil(t, pp.Evidence)
}

func TestPublicTimeline(t *testing.T) {
	h := hazardtest.FullHazard()
	sub := hazardtest.NewEvent(h, hazard.EventSubmitted)
	sub.PublicNote = "submitted"
	move := hazardtest.FullEvent(h) // has a private note with a phone number
	reward := hazardtest.NewEvent(h, hazard.EventRewardIssued)
	reward.PublicNote = "you earned 20 yuan"
	claimed := hazardtest.NewEvent(h, hazard.EventRewardClaimed)
	expired := hazardtest.NewEvent(h, hazard.EventRewardExpired)
	note := hazardtest.NewEvent(h, hazard.EventNote)
	note.PrivateNote = "call the reporter at 13800000000"

	got := hazard.PublicTimeline([]hazard.Event{sub, move, reward, claimed, note, expired})
	require.Len(t, got, 3, "reward events are left out")
	assert.Equal(t, []hazard.EventType{hazard.EventSubmitted, hazard.EventTransition, hazard.EventNote},
		[]hazard.EventType{got[0].Type, got[1].Type, got[2].Type}, "order kept")
	assert.Empty(t, got[0].Role, "the submitter's role is not shown")
	assert.Equal(t, "handler", got[1].Role)
	assert.Equal(t, move.PublicNote, got[1].Note)
	assert.Equal(t, []string{move.Attachments[0].SHA256}, got[1].Photos)
	assert.Equal(t, move.Action, got[1].Action)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	for _, secret := range []string{move.PrivateNote, note.PrivateNote, "13800000000", move.Actor.ID, sub.Actor.ID, reward.PublicNote} {
		assert.NotContains(t, string(b), secret, "public timeline JSON")
	}
	assert.Empty(t, hazard.PublicTimeline(nil))
}
