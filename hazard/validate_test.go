package hazard_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// fields returns the fields of the problems of a CodeInvalid error.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.True(t, errors.As(err, &e), "errors.As(*hazard.Error)")
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func photos(n int) []hazard.Photo {
	out := make([]hazard.Photo, n)
	for i := range out {
		out[i] = hazardtest.NewPhoto(fmt.Sprint("p", i))
	}
	return out
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	h := hazard.Hazard{
		Category:    "",
		Severity:    "grave",
		Description: "",
		Location:    hazard.Location{Point: &hazard.Point{Lat: 91, Lng: 200, System: "BD09"}},
		Source:      "rumour",
		FineFen:     -1,
		BonusFen:    -1,
		Evidence:    []hazard.Photo{{SHA256: "nope"}},
	}
	got := fields(t, h.Validate(nil))
	assert.ElementsMatch(t, []string{
		"id", "ref", "category", "severity", "description", "photos", "address",
		"latitude", "longitude", "coord_system", "reporter", "source", "state", "workflow",
		"version", "evidence[0].sha256", "evidence[0].content_type", "evidence[0].size",
		"fine_fen", "bonus_fen", "created_at",
	}, got)
}

func TestValidate(t *testing.T) {
	cats := hazard.DefaultRegistry()
	for _, c := range []struct {
		name   string
		change func(h *hazard.Hazard)
		want   []string // fields at fault; nil for valid
	}{
		{"fixture is valid", func(*hazard.Hazard) {}, nil},
		{"full fixture is valid", func(h *hazard.Hazard) { *h = hazardtest.FullHazard() }, nil},
		{"1000 Chinese characters", func(h *hazard.Hazard) { h.Description = strings.Repeat("险", hazard.MaxDescriptionLen) }, nil},
		{"1001 Chinese characters", func(h *hazard.Hazard) { h.Description = strings.Repeat("险", hazard.MaxDescriptionLen+1) }, []string{"description"}},
		{"one character", func(h *hazard.Hazard) { h.Description = "火" }, nil},
		{"empty description", func(h *hazard.Hazard) { h.Description = "" }, []string{"description"}},
		{"newline and tab allowed", func(h *hazard.Hazard) { h.Description = "第一行\n\t第二行" }, nil},
		{"bell refused", func(h *hazard.Hazard) { h.Description = "ding\a" }, []string{"description"}},
		{"NUL refused", func(h *hazard.Hazard) { h.Description = "a\x00b" }, []string{"description"}},
		{"DEL refused", func(h *hazard.Hazard) { h.Description = "a\x7fb" }, []string{"description"}},
		{"line separator refused", func(h *hazard.Hazard) { h.Description = "a\u2028b" }, []string{"description"}},
		{"invalid UTF-8", func(h *hazard.Hazard) { h.Description = "a\xffb" }, []string{"description"}},
		{"0 photos", func(h *hazard.Hazard) { h.Photos = nil }, []string{"photos"}},
		{"1 photo", func(h *hazard.Hazard) { h.Photos = photos(1) }, nil},
		{"9 photos", func(h *hazard.Hazard) { h.Photos = photos(hazard.MaxPhotos) }, nil},
		{"10 photos", func(h *hazard.Hazard) { h.Photos = photos(hazard.MaxPhotos + 1) }, []string{"photos"}},
		{"repeated photo", func(h *hazard.Hazard) { h.Photos = append(photos(2), photos(1)...) }, []string{"photos[2]"}},
		{"photo with bad key and type", func(h *hazard.Hazard) {
			h.Photos = []hazard.Photo{{SHA256: strings.Repeat("A", 64), ContentType: "image/gif", Size: 10}}
		}, []string{"photos[0].sha256", "photos[0].content_type"}},
		{"photo too large", func(h *hazard.Hazard) { h.Photos[0].Size = hazard.MaxPhotoSize + 1 }, []string{"photos[0].size"}},
		{"unknown category", func(h *hazard.Hazard) { h.Category = "volcano" }, []string{"category"}},
		{"no severity", func(h *hazard.Hazard) { h.Severity = "" }, []string{"severity"}},
		{"major", func(h *hazard.Hazard) { h.Severity = hazard.SeverityMajor }, nil},
		{"no address", func(h *hazard.Hazard) { h.Location.Address = "" }, []string{"address"}},
		{"address of 201 runes", func(h *hazard.Hazard) { h.Location.Address = strings.Repeat("路", hazard.MaxAddressLen+1) }, []string{"address"}},
		{"no point is fine", func(h *hazard.Hazard) { h.Location.Point = nil }, nil},
		{"latitude out of range", func(h *hazard.Hazard) { h.Location.Point.Lat = -90.5 }, []string{"latitude"}},
		{"unknown coordinate system", func(h *hazard.Hazard) { h.Location.Point.System = "" }, []string{"coord_system"}},
		{"district too long", func(h *hazard.Hazard) { h.Location.District = strings.Repeat("1", hazard.MaxDistrictLen+1) }, []string{"district"}},
		{"no reporter", func(h *hazard.Hazard) { h.Reporter.UserID = "" }, []string{"reporter"}},
		{"reporter ID too long", func(h *hazard.Hazard) { h.Reporter.UserID = strings.Repeat("u", hazard.MaxUserIDLen+1) }, []string{"reporter"}},
		{"unit too long", func(h *hazard.Hazard) { h.Unit = strings.Repeat("单", hazard.MaxUnitLen+1) }, []string{"unit"}},
		{"unit ID at the limit", func(h *hazard.Hazard) { h.UnitID = strings.Repeat("企", hazard.MaxUnitIDLen) }, nil},
		{"unit ID too long", func(h *hazard.Hazard) { h.UnitID = strings.Repeat("企", hazard.MaxUnitIDLen+1) }, []string{"unit_id"}},
		{"unknown source", func(h *hazard.Hazard) { h.Source = "hearsay" }, []string{"source"}},
		{"no state", func(h *hazard.Hazard) { h.State = "" }, []string{"state"}},
		{"workflow version 0", func(h *hazard.Hazard) { h.WorkflowVersion = 0 }, []string{"workflow"}},
		{"version 0", func(h *hazard.Hazard) { h.Version = 0 }, []string{"version"}},
		{"no ID", func(h *hazard.Hazard) { h.ID = uuid.Nil }, []string{"id"}},
		{"ref too long", func(h *hazard.Hazard) { h.Ref = strings.Repeat("R", hazard.MaxRefLen+1) }, []string{"ref"}},
		{"negative fine", func(h *hazard.Hazard) { h.FineFen = -1 }, []string{"fine_fen"}},
		{"no creation time", func(h *hazard.Hazard) { h.CreatedAt = time.Time{} }, []string{"created_at"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := hazardtest.NewHazard()
			c.change(&h)
			assert.Equal(t, c.want, fields(t, h.Validate(cats)))
		})
	}
}

func TestValidateWithoutRegistrySkipsCategoryCheck(t *testing.T) {
	h := hazardtest.NewHazard(hazardtest.WithCategory("volcano"))
	assert.NoError(t, h.Validate(nil))
	h.Category = ""
	assert.Equal(t, []string{"category"}, fields(t, h.Validate(nil)), "an empty category is still refused")
}

func TestNormalizeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"  消防通道被堵  ", "消防通道被堵"},
		{"\t\na\r\nb\r\n", "a\nb"},
		{"\u3000全角空格\u3000", "全角空格"},
		{"inner  spaces stay", "inner  spaces stay"},
		{"a\x00b", "a\x00b"}, // control characters are refused by validation, not dropped
		{"", ""},
	} {
		assert.Equal(t, c.want, hazard.NormalizeText(c.in), "NormalizeText(%q)", c.in)
	}
	// Trimming then validating: white space alone is no description.
	h := hazardtest.NewHazard()
	h.Description = hazard.NormalizeText(" \r\n\t ")
	assert.Equal(t, []string{"description"}, fields(t, h.Validate(nil)))
}

func TestEventValidate(t *testing.T) {
	h := hazardtest.NewHazard()
	for _, c := range []struct {
		name   string
		change func(e *hazard.Event)
		want   []string
	}{
		{"valid", func(*hazard.Event) {}, nil},
		{"full", func(e *hazard.Event) { *e = hazardtest.FullEvent(h) }, nil},
		{"everything missing", func(e *hazard.Event) { *e = hazard.Event{} }, []string{"hazard_id", "type", "actor", "time"}},
		{"public note of 1001 runes", func(e *hazard.Event) { e.PublicNote = strings.Repeat("注", hazard.MaxNoteLen+1) }, []string{"public_note"}},
		{"private note with control", func(e *hazard.Event) { e.PrivateNote = "\x1b[31m" }, []string{"private_note"}},
		{"ten attachments", func(e *hazard.Event) { e.Attachments = photos(hazard.MaxPhotos + 1) }, []string{"attachments"}},
		{"data value too long", func(e *hazard.Event) { e.Data = map[string]string{"k": strings.Repeat("v", hazard.MaxEventDataLen+1)} }, []string{"data.k"}},
		{"too many data keys", func(e *hazard.Event) {
			e.Data = map[string]string{}
			for i := range hazard.MaxEventDataKeys + 1 {
				e.Data[fmt.Sprint("k", i)] = "v"
			}
		}, []string{"data"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := hazardtest.NewEvent(h, hazard.EventNote)
			c.change(&e)
			assert.Equal(t, c.want, fields(t, e.Validate()))
		})
	}
}

func TestCloneDoesNotShare(t *testing.T) {
	h := hazardtest.FullHazard()
	c := h.Clone()
	c.Photos[0].Size = 1
	c.Evidence[0].Size = 1
	c.Location.Point.Lat = 1
	assert.Equal(t, hazardtest.FullHazard().Photos[0].ContentType, h.Photos[0].ContentType)
	assert.NotEqual(t, int64(1), h.Photos[0].Size)
	assert.NotEqual(t, int64(1), h.Evidence[0].Size)
	assert.NotEqual(t, 1.0, h.Location.Point.Lat)

	// Photos and Evidence of a clone do not overlap: appending to one
	// leaves the other as it was.
	c = h.Clone()
	evidence := append([]hazard.Photo(nil), c.Evidence...)
	c.Photos = append(c.Photos, hazardtest.NewPhoto("appended"))
	assert.Equal(t, evidence, c.Evidence)
	assert.Equal(t, h.Evidence, c.Evidence)

	empty := hazard.Hazard{Photos: []hazard.Photo{}}.Clone()
	assert.Nil(t, empty.Photos, "an empty slice clones to nil")
	assert.Nil(t, empty.Evidence)

	e := hazardtest.FullEvent(h)
	ec := e.Clone()
	ec.Data["department"] = "x"
	ec.Attachments[0].Size = 1
	assert.Equal(t, "gas", e.Data["department"])
	assert.NotEqual(t, int64(1), e.Attachments[0].Size)
}

func TestPhotoKeys(t *testing.T) {
	p := hazardtest.NewPhoto("x")
	assert.Equal(t, p.SHA256, p.Key())
	assert.True(t, hazard.ValidKey(p.Key()))
	for _, k := range []string{"", "../x", strings.Repeat("g", 64), strings.ToUpper(p.SHA256), p.SHA256[:63], p.SHA256 + "0"} {
		assert.False(t, hazard.ValidKey(k), "ValidKey(%q)", k)
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		min, max int
		ok       bool
	}{
		{"empty allowed", "", 0, 5, true},
		{"empty required", "", 1, 5, false},
		{"ascii", "abc", 1, 5, true},
		{"newline and tab", "a\nb\tc", 1, 5, true},
		{"too long in runes", "隐患隐患隐患", 1, 5, false},
		{"at most in runes", "隐患隐患隐", 1, 5, true},
		{"too short", "ab", 3, 5, false},
		{"nul", "a\x00b", 0, 5, false},
		{"escape", "a\x1bb", 0, 5, false},
		{"delete", "a\x7fb", 0, 5, false},
		{"C1 control", "a\u0085b", 0, 5, false},
		{"line separator", "a\u2028b", 0, 5, false},
		{"paragraph separator", "a\u2029b", 0, 5, false},
		{"invalid byte", "a\xffb", 0, 5, false},
		{"truncated sequence", "a\xe9\x9a", 0, 5, false},
		{"replacement character is valid", "a\ufffdb", 0, 5, true},
		{"emoji", "🔥", 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p hazard.Problems
			hazard.CheckText(&p, "f", tt.s, tt.min, tt.max)
			err := p.Err("test")
			if tt.ok {
				require.NoError(t, err, "CheckText(%q, %d, %d)", tt.s, tt.min, tt.max)
				return
			}
			require.ErrorIs(t, err, hazard.ErrInvalid, "CheckText(%q, %d, %d)", tt.s, tt.min, tt.max)
			require.Equal(t, []string{"f"}, fields(t, err))
		})
	}
}

func TestValidateChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(h *hazard.Hazard)
		want   []string
	}{
		{"unchanged", func(*hazard.Hazard) {}, nil},
		{"valid transition", func(h *hazard.Hazard) {
			h.State, h.Version, h.Evidence = "resolved", h.Version+1, []hazard.Photo{hazardtest.NewPhoto("fix")}
		}, nil},
		{"description too long", func(h *hazard.Hazard) { h.Description = strings.Repeat("x", hazard.MaxDescriptionLen+1) }, []string{"description"}},
		{"no photos", func(h *hazard.Hazard) { h.Photos = nil }, []string{"photos"}},
		{"bad photo", func(h *hazard.Hazard) { h.Photos = []hazard.Photo{{SHA256: "x", ContentType: "image/gif"}} },
			[]string{"photos[0].sha256", "photos[0].content_type", "photos[0].size"}},
		{"repeated evidence", func(h *hazard.Hazard) { h.Evidence = append(h.Evidence, h.Evidence[0]) }, []string{"evidence[1]"}},
		{"point moved out of range", func(h *hazard.Hazard) { h.Location.Point = &hazard.Point{Lat: 91, Lng: 0, System: hazard.WGS84} }, []string{"latitude"}},
		{"address control character", func(h *hazard.Hazard) { h.Location.Address = "a\x00" }, []string{"address"}},
		{"unit control character", func(h *hazard.Hazard) { h.Unit = "a\x00" }, []string{"unit"}},
		{"unit ID changed", func(h *hazard.Hazard) { h.UnitID = "91110101MA00000002" }, nil},
		{"unit ID too long", func(h *hazard.Hazard) { h.UnitID = strings.Repeat("u", hazard.MaxUnitIDLen+1) }, []string{"unit_id"}},
		{"no reporter", func(h *hazard.Hazard) { h.Reporter.UserID = "" }, []string{"reporter"}},
		{"cheap fields always checked", func(h *hazard.Hazard) { h.State, h.Version, h.FineFen = "", 0, -1 }, []string{"state", "version", "fine_fen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := hazardtest.FullHazard()
			require.NoError(t, old.Validate(nil), "the old version is valid")
			h := old.Clone()
			tt.change(&h)
			got := fields(t, h.ValidateChange(&old))
			assert.Equal(t, tt.want, got, "ValidateChange")
			assert.Equal(t, fields(t, h.Validate(nil)), got, "ValidateChange agrees with Validate(nil)")
			assert.Equal(t, got, fields(t, h.ValidateChange(nil)), "ValidateChange(nil) checks everything")
		})
	}
}
