package hazard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of text fields, counted in runes.
const (
	MinDescriptionLen = 1
	MaxDescriptionLen = 1000
	MaxUnitLen        = 100
	MaxNoteLen        = 1000
	MaxUserIDLen      = 128
	MaxRefLen         = 64
)

// NormalizeText trims surrounding white space and Unicode-normalises line
// ends to "\n". It does not remove anything else: control characters are
// refused by validation, never silently dropped.
func NormalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}

// hasControl reports whether s has a control character other than newline
// and tab.
func hasControl(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// CheckText adds a problem for field when s is not valid UTF-8, has control
// characters (other than newline and tab), or has fewer than min or more
// than max runes.
func CheckText(p *Problems, field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "is not valid UTF-8")
	case n < min && min == 1:
		p.Add(field, "is required")
	case n < min:
		p.Add(field, "must be at least %d characters", min)
	case n > max:
		p.Add(field, "must be at most %d characters", max)
	case hasControl(s):
		p.Add(field, "contains control characters")
	}
}

// Validate reports every problem with h as one CodeInvalid error whose
// Fields list each problem with its field. cats may be nil to skip the
// category check against a registry.
func (h *Hazard) Validate(cats *Categories) error {
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
	CheckText(&p, "description", h.Description, MinDescriptionLen, MaxDescriptionLen)
	validatePhotos(&p, "photos", h.Photos, MinPhotos)
	p.Merge("", h.Location.Validate())
	if h.Reporter.UserID == "" || utf8.RuneCountInString(h.Reporter.UserID) > MaxUserIDLen {
		p.Add("reporter", "must have a user ID of 1 to %d characters", MaxUserIDLen)
	}
	CheckText(&p, "unit", h.Unit, 0, MaxUnitLen)
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
	if len(h.Evidence) > 0 {
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
