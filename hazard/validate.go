package hazard

import (
	"slices"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of text fields, counted in runes.
const (
	MinDescriptionLen = 1
	MaxDescriptionLen = 1000
	MaxUnitLen        = 100
	// MaxUnitIDLen bounds Hazard.UnitID, an identifier in a register of
	// units (a unified social credit code has 18 characters).
	MaxUnitIDLen = 64
	MaxNoteLen   = 1000
	MaxUserIDLen = 128
	MaxRefLen    = 64
)

// Validate reports every problem with h as one CodeInvalid error whose
// Fields list each problem with its field. cats may be nil to skip the
// category check against a registry.
func (h *Hazard) Validate(cats *Categories) error { return h.validate(cats, nil) }

// ValidateChange is Validate(nil) for h as the next version of old, which
// must have passed Validate: the text, the photos and the location are
// checked only where they differ from old's, since old's were valid. It
// reports the same problems as h.Validate(nil), for a fraction of the cost
// when an update changes a few fields. A nil old checks everything.
func (h *Hazard) ValidateChange(old *Hazard) error { return h.validate(nil, old) }

func (h *Hazard) validate(cats *Categories, old *Hazard) error {
	all := old == nil
	var p Problems
	if h.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if h.Ref == "" || len(h.Ref) > MaxRefLen {
		p.Add("ref", "must be 1 to %d bytes", MaxRefLen)
	}
	if h.Category == "" {
		p.Add("category", "is required")
	} else if cats != nil {
		if _, ok := cats.Lookup(h.Category); !ok {
			p.Add("category", "is not a known category")
		}
	}
	if !h.Severity.Valid() {
		p.Add("severity", "must be general or major")
	}
	if all || h.Description != old.Description {
		CheckText(&p, "description", h.Description, MinDescriptionLen, MaxDescriptionLen)
	}
	if all || !slices.Equal(h.Photos, old.Photos) {
		validatePhotos(&p, "photos", h.Photos, MinPhotos)
	}
	if all || !sameLocation(&h.Location, &old.Location) {
		p.Merge("", h.Location.Validate())
	}
	if all || h.Reporter.UserID != old.Reporter.UserID {
		if h.Reporter.UserID == "" || utf8.RuneCountInString(h.Reporter.UserID) > MaxUserIDLen {
			p.Add("reporter", "must have a user ID of 1 to %d characters", MaxUserIDLen)
		}
	}
	if all || h.Unit != old.Unit {
		CheckLine(&p, "unit", h.Unit, 0, MaxUnitLen)
	}
	if all || h.UnitID != old.UnitID {
		CheckLine(&p, "unit_id", h.UnitID, 0, MaxUnitIDLen)
	}
	if !h.Source.Valid() {
		p.Add("source", "must be citizen, self_check, inspection or supervision")
	}
	if h.State == "" {
		p.Add("state", "is required")
	}
	if h.Workflow == "" || h.WorkflowVersion < 1 {
		p.Add("workflow", "must name a definition and a version of at least 1")
	}
	if h.Version < 1 {
		p.Add("version", "must be at least 1")
	}
	if len(h.Evidence) > 0 && (all || !slices.Equal(h.Evidence, old.Evidence)) {
		validatePhotos(&p, "evidence", h.Evidence, 0)
	}
	if h.FineFen < 0 {
		p.Add("fine_fen", "must not be negative")
	}
	if h.BonusFen < 0 {
		p.Add("bonus_fen", "must not be negative")
	}
	if h.CreatedAt.IsZero() {
		p.Add("created_at", "is required")
	}
	return p.Err("hazard")
}

// sameLocation reports whether a and b are equal, points compared by value.
func sameLocation(a, b *Location) bool {
	if a.Address != b.Address || a.District != b.District {
		return false
	}
	if a.Point == nil || b.Point == nil {
		return a.Point == b.Point
	}
	return *a.Point == *b.Point
}
