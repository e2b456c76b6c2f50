package reply

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of templates.
const (
	// MaxIDLen is the longest template ID, in bytes.
	MaxIDLen = 64
	// MaxTextLen is the longest text of a template, in runes: a public
	// note's (hazard.MaxNoteLen).
	MaxTextLen = hazard.MaxNoteLen
	// MaxTemplates is the most templates (not deleted) a store may hold.
	MaxTemplates = 200
	// MaxVersions is the most versions of one template kept.
	MaxVersions = 200
)

// SubjectTemplate is the subject kind of a template's events.
const SubjectTemplate hazard.SubjectKind = "reply_template"

// Event types of templates.
const (
	EventSaved   hazard.EventType = "reply_template_saved"
	EventDeleted hazard.EventType = "reply_template_deleted"
)

// DataVersion is the key of the template version in its events' Data.
const DataVersion = "version"

// Placeholders are the placeholders a template's text may hold, replaced by
// Render with facts of the report.
var Placeholders = []string{"{ref}", "{category}", "{department}", "{address}", "{date}"}

var (
	idPattern          = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)
)

// Template is one version of a response template.
type Template struct {
	// ID names the template: lower-case letters, digits and '_', starting
	// with a letter, at most MaxIDLen bytes.
	ID string `json:"id"`
	// Version counts the versions, from 1.
	Version int64 `json:"version"`
	// Action, State and Category say which notes it is for: an action of a
	// process, the state the report is in, its category; empty matches
	// any.
	Action   string `json:"action,omitempty"`
	State    string `json:"state,omitempty"`
	Category string `json:"category,omitempty"`
	// Title names it in the staff's list.
	Title string `json:"title"`
	// TextZH is the note in Chinese, required; TextEN in English, empty
	// for none. Both may hold Placeholders.
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en,omitempty"`
	// Deleted marks the version that deleted the template.
	Deleted bool `json:"deleted,omitempty"`
	// UpdatedAt and UpdatedBy say when and by whom the version was made.
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Validate reports every problem with t that needs no registry: the ID,
// the title and the texts within the text policy and their limits, and
// placeholders that are not Placeholders.
func (t *Template) Validate() error {
	var p hazard.Problems
	if len(t.ID) > MaxIDLen || !idPattern.MatchString(t.ID) {
		p.Add("id", "must be 1 to %d lower-case letters, digits or '_', starting with a letter", MaxIDLen)
	}
	hazard.CheckLine(&p, "title", t.Title, 1, 100)
	hazard.CheckText(&p, "text_zh", t.TextZH, 1, MaxTextLen)
	hazard.CheckText(&p, "text_en", t.TextEN, 0, MaxTextLen)
	for _, f := range []struct{ name, text string }{{"text_zh", t.TextZH}, {"text_en", t.TextEN}} {
		for _, ph := range placeholderPattern.FindAllString(f.text, -1) {
			if !known(ph) {
				p.Add(f.name, "holds the unknown placeholder %s (known: %s)", ph, strings.Join(Placeholders, " "))
			}
		}
	}
	for _, f := range []struct{ name, v string }{{"action", t.Action}, {"state", t.State}, {"category", t.Category}} {
		if len(f.v) > MaxIDLen {
			p.Add(f.name, "must be at most %d bytes", MaxIDLen)
		}
	}
	if t.Version < 1 {
		p.Add("version", "must be at least 1")
	}
	if t.UpdatedAt.IsZero() {
		p.Add("updated_at", "is required")
	}
	if t.UpdatedBy == "" {
		p.Add("updated_by", "is required")
	}
	return p.Err("template")
}

func known(ph string) bool {
	for _, k := range Placeholders {
		if ph == k {
			return true
		}
	}
	return false
}

// Matches reports whether t is offered for the action on a report in the
// state and category: not deleted, and each of its Action, State and
// Category empty or equal.
func (t *Template) Matches(action, state, category string) bool {
	return !t.Deleted && (t.Action == "" || t.Action == action) &&
		(t.State == "" || t.State == state) && (t.Category == "" || t.Category == category)
}

// Facts are what a template's placeholders are replaced with.
type Facts struct {
	Ref        string
	Category   string
	Department string
	Address    string
	Date       string
}

// Render returns text with its placeholders replaced by the facts.
func Render(text string, f Facts) string {
	return strings.NewReplacer("{ref}", f.Ref, "{category}", f.Category, "{department}", f.Department,
		"{address}", f.Address, "{date}", f.Date).Replace(text)
}

// Subject returns the subject of the events of the template id.
func Subject(id string) hazard.Subject { return hazard.Subject{Kind: SubjectTemplate, ID: id} }

// CheckEvents returns a CodeInvalid error when an event is invalid or not
// of the template id; stores call it on the events they write with one.
func CheckEvents(id string, events []hazard.Event) error {
	var p hazard.Problems
	for i := range events {
		f := "events[" + strconv.Itoa(i) + "]"
		p.Merge(f, events[i].Validate())
		if events[i].Subject != Subject(id) {
			p.Add(f+".subject", "must be the template's")
		}
	}
	return p.Err("events")
}

// ErrConflict returns the answer to a save expecting version expected of
// a template whose latest version is latest: CodeConflict with
// Error.Version latest. Stores use it so that every adapter answers alike.
func ErrConflict(op string, latest, expected int64) error {
	return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Version: latest,
		Message: fmt.Sprintf("the template is at version %d, not %d: reload it", latest, expected)}
}
