package hazard

import (
	"regexp"
	"sort"
	"sync"
)

// Category is a kind of hazard the programme accepts, such as fire safety or
// gas. Codes are stable lower-case identifiers; names are shown to people.
type Category struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	// Industry groups categories (Open311's "group").
	Industry string `json:"industry"`
	// Department is the code of the department that usually supervises the
	// category; the dispatcher may choose another. Empty: the dispatcher decides.
	Department string `json:"department,omitempty"`
}

// MaxCategoryCodeLen is the longest category code, in bytes.
const MaxCategoryCodeLen = 40

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate reports every problem with c as one CodeInvalid error.
func (c Category) Validate() error {
	var p Problems
	if !codePattern.MatchString(c.Code) || len(c.Code) > MaxCategoryCodeLen {
		p.Add("code", "must be 1 to %d lower-case letters, digits or underscores, starting with a letter", MaxCategoryCodeLen)
	}
	if c.NameZH == "" {
		p.Add("name_zh", "is required")
	}
	if c.NameEN == "" {
		p.Add("name_en", "is required")
	}
	return p.Err("category")
}

// DefaultCategories returns the programme's seed categories (see the domain
// reference): fire, special_equipment, gas, road_traffic, electric_power,
// construction, hazardous_chemicals, industry_trade and other.
func DefaultCategories() []Category {
	return []Category{
		{Code: "fire", NameZH: "消防", NameEN: "Fire safety", Industry: "fire", Department: "fire"},
		{Code: "special_equipment", NameZH: "特种设备", NameEN: "Special equipment", Industry: "market_regulation", Department: "market"},
		{Code: "gas", NameZH: "燃气", NameEN: "Urban gas", Industry: "housing", Department: "gas"},
		{Code: "road_traffic", NameZH: "道路交通", NameEN: "Road traffic", Industry: "transport", Department: "transport"},
		{Code: "electric_power", NameZH: "电力", NameEN: "Electric power", Industry: "energy", Department: "power"},
		{Code: "construction", NameZH: "建筑施工", NameEN: "Building construction", Industry: "housing", Department: "housing"},
		{Code: "hazardous_chemicals", NameZH: "危险化学品", NameEN: "Hazardous chemicals", Industry: "emergency", Department: "emergency"},
		{Code: "industry_trade", NameZH: "工贸", NameEN: "Industry and trade", Industry: "emergency", Department: "emergency"},
		{Code: "other", NameZH: "其他", NameEN: "Other", Industry: "other"},
	}
}

// Categories is a registry of categories, safe for concurrent use.
// Integrators add their own with Add.
type Categories struct {
	mu    sync.RWMutex
	byKey map[string]Category
	order []string
}

// NewCategories returns a registry holding cats, or a CodeInvalid error for
// an invalid or repeated category.
func NewCategories(cats ...Category) (*Categories, error) {
	r := &Categories{byKey: make(map[string]Category)}
	for _, c := range cats {
		if err := r.Add(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// DefaultRegistry returns a registry seeded with DefaultCategories.
func DefaultRegistry() *Categories {
	r, err := NewCategories(DefaultCategories()...)
	if err != nil {
		panic(err) // the seed list is valid by construction; a test pins it
	}
	return r
}

// Add registers c. It fails with CodeInvalid for an invalid category and
// CodeConflict when the code is taken.
func (r *Categories) Add(c Category) error {
	if err := c.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byKey[c.Code]; ok {
		return &Error{Code: CodeConflict, Op: "category", Field: "code", Message: "category " + c.Code + " already exists"}
	}
	r.byKey[c.Code] = c
	r.order = append(r.order, c.Code)
	return nil
}

// Lookup returns the category with the code.
func (r *Categories) Lookup(code string) (Category, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.byKey[code]
	return c, ok
}

// All returns the categories in the order they were added.
func (r *Categories) All() []Category {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Category, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, r.byKey[k])
	}
	return out
}

// Codes returns the category codes, sorted.
func (r *Categories) Codes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := append([]string(nil), r.order...)
	sort.Strings(out)
	return out
}
