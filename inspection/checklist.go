package inspection

import (
	"strconv"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of a checklist, in runes where they are about text.
const (
	MaxChecklistIDLen = 64
	MaxTitleLen       = 200
	MaxItems          = 500
	MaxItemCodeLen    = 32
	MaxItemTextLen    = 500
	MaxBasisLen       = 200
	MaxCriterionLen   = 200
	// MaxItemDeadline is the longest default rectification deadline of an item.
	MaxItemDeadline = 365 * hazard.Day
)

// Basis is the rule an item checks: a standard or regulation and its
// article.
type Basis struct {
	Standard string `json:"standard"`
	Article  string `json:"article,omitempty"`
}

// Item is one line of a checklist.
type Item struct {
	// Code identifies the item within its checklist ("F-01").
	Code string `json:"code"`
	// Text is what to check.
	Text  string `json:"text"`
	Basis Basis  `json:"basis"`
	// Criterion names the major-hazard criterion (重大事故隐患判定标准) under
	// which a failing finding is a major hazard; empty for none.
	Criterion string `json:"criterion,omitempty"`
	// DeadlineDays is the default rectification deadline, in days (1 to
	// MaxItemDeadline); it is shown with the finding.
	DeadlineDays int `json:"deadline_days"`
}

// Major reports whether a failing finding of the item is a major hazard.
func (it *Item) Major() bool { return it.Criterion != "" }

// Checklist is one version of a department's standard checklist
// (标准化检查清单) for an industry. A published version never changes: a
// change is a new version.
type Checklist struct {
	// ID names the checklist across its versions ("fire-crowded-places").
	ID      string `json:"id"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	// Industry and Department are whose list it is.
	Industry   string `json:"industry"`
	Department string `json:"department"`
	// Category is the hazard category (hazard.Category code) of the
	// hazards its findings raise.
	Category string `json:"category"`
	// Sample marks a paraphrased demonstration list, not an official text.
	Sample bool   `json:"sample,omitempty"`
	Items  []Item `json:"items"`
	// PublishedAt and PublishedBy are set when the version is published.
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedBy string    `json:"published_by,omitempty"`
}

// Item returns the item with the code.
func (c *Checklist) Item(code string) (Item, bool) {
	for _, it := range c.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// Clone returns a deep copy of c.
func (c Checklist) Clone() Checklist {
	c.Items = append([]Item(nil), c.Items...)
	return c
}

// Validate reports every problem of c as one CodeInvalid error, each on its
// field ("items[3].code"): ID, title, industry, department and category are
// required, there are 1 to MaxItems items, every item has a code (unique
// within the list), a text, a basis standard and a deadline of 1 day to
// MaxItemDeadline. The version is not checked (the store assigns it).
func (c *Checklist) Validate() error {
	var p hazard.Problems
	c.check(&p, func(i int) string { return "items[" + strconv.Itoa(i) + "]" })
	return p.Err("checklist")
}

// check adds c's problems to p; where names item i's field prefix.
func (c *Checklist) check(p *hazard.Problems, where func(i int) string) {
	req := func(field, v string, max int) {
		if v == "" {
			p.Add(field, "is required")
			return
		}
		hazard.CheckText(p, field, v, 0, max)
	}
	req("id", c.ID, MaxChecklistIDLen)
	req("title", c.Title, MaxTitleLen)
	req("industry", c.Industry, MaxChecklistIDLen)
	req("department", c.Department, MaxChecklistIDLen)
	req("category", c.Category, MaxChecklistIDLen)
	switch {
	case len(c.Items) == 0:
		p.Add("items", "needs at least one item")
	case len(c.Items) > MaxItems:
		p.Add("items", "must be at most %d", MaxItems)
	}
	seen := make(map[string]int, len(c.Items))
	for i := range c.Items {
		it, at := &c.Items[i], where(i)
		req(at+".code", it.Code, MaxItemCodeLen)
		if first, dup := seen[it.Code]; dup && it.Code != "" {
			p.Add(at+".code", "duplicates the code %q of %s", it.Code, where(first))
		} else if it.Code != "" {
			seen[it.Code] = i
		}
		req(at+".text", it.Text, MaxItemTextLen)
		req(at+".basis.standard", it.Basis.Standard, MaxBasisLen)
		hazard.CheckText(p, at+".basis.article", it.Basis.Article, 0, MaxBasisLen)
		hazard.CheckText(p, at+".criterion", it.Criterion, 0, MaxCriterionLen)
		if it.DeadlineDays < 1 || time.Duration(it.DeadlineDays)*hazard.Day > MaxItemDeadline {
			p.Add(at+".deadline_days", "must be 1 to %d days", int(MaxItemDeadline/hazard.Day))
		}
	}
}
