package reply

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Config configures a Service. Store and Hazards are required.
type Config struct {
	// Store keeps the templates.
	Store Store
	// Hazards is the hazard service: its processes, categories and
	// departments check templates, and its staff view decides who may
	// pick a note for which report.
	Hazards *hazard.Service
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
}

// Service runs the use cases of response templates: admins create, update
// and delete them (each a new version, with an event); staff list them and
// get the notes offered for an action on a report, rendered for it.
type Service struct {
	store   Store
	hazards *hazard.Service
	clock   func() time.Time
}

// New returns a Service for cfg, or CodeInvalid naming a missing field.
func New(cfg Config) (*Service, error) {
	var p hazard.Problems
	if cfg.Store == nil {
		p.Add("store", "is required")
	}
	if cfg.Hazards == nil {
		p.Add("hazards", "is required")
	}
	if err := p.Err("new reply service"); err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, hazards: cfg.Hazards, clock: cfg.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s, nil
}

// Input is what an admin writes of a template.
type Input struct {
	Action   string `json:"action"`
	State    string `json:"state"`
	Category string `json:"category"`
	Title    string `json:"title"`
	TextZH   string `json:"text_zh"`
	TextEN   string `json:"text_en"`
	// ExpectedVersion is the version read, for Update; 0 for Create.
	ExpectedVersion int64 `json:"expected_version"`
}

func adminOnly(op string, u hazard.User) error {
	if u.ID == "" || u.Role == "" {
		return &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if u.Role != string(hazard.RoleAdmin) {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "admins only"}
	}
	return nil
}

func staffOnly(op string, u hazard.User) error {
	if u.ID == "" || u.Role == "" {
		return &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if !u.Staff() {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

// Create makes the template id from in (version 1) by an admin:
// CodeForbidden for anyone else, CodeInvalid for a template that breaks a
// rule (Template.Validate, and an action, state and category that some
// process or the registry knows), CodeConflict when id exists (a deleted
// template's ID is taken for good: its versions stay).
func (s *Service) Create(ctx context.Context, user hazard.User, id string, in Input) (Template, error) {
	in.ExpectedVersion = 0
	return s.save(ctx, "create template", user, id, in, false)
}

// Update makes a new version of the template id from in by an admin; in
// names the version read (CodeConflict with Error.Version otherwise, also
// for a deleted template's latest version). Rules as in Create.
func (s *Service) Update(ctx context.Context, user hazard.User, id string, in Input) (Template, error) {
	if in.ExpectedVersion < 1 {
		return Template{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "update template", Field: "expected_version", Message: "is required"}
	}
	return s.save(ctx, "update template", user, id, in, false)
}

// Delete deletes the template id by an admin: a new version marked
// Deleted, so that its history stays. expectedVersion is the version read.
func (s *Service) Delete(ctx context.Context, user hazard.User, id string, expectedVersion int64) (Template, error) {
	const op = "delete template"
	if err := adminOnly(op, user); err != nil {
		return Template{}, err
	}
	t, err := s.store.Get(ctx, id)
	if err != nil {
		return Template{}, hazard.Wrap(op, err)
	}
	if t.Deleted {
		return Template{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such template"}
	}
	in := Input{Action: t.Action, State: t.State, Category: t.Category, Title: t.Title, TextZH: t.TextZH, TextEN: t.TextEN,
		ExpectedVersion: expectedVersion}
	return s.save(ctx, op, user, id, in, true)
}

func (s *Service) save(ctx context.Context, op string, user hazard.User, id string, in Input, deleted bool) (Template, error) {
	if err := adminOnly(op, user); err != nil {
		return Template{}, err
	}
	now := s.clock().UTC()
	t := Template{ID: id, Version: in.ExpectedVersion + 1, Action: hazard.NormalizeText(in.Action),
		State: hazard.NormalizeText(in.State), Category: hazard.NormalizeText(in.Category),
		Title: hazard.NormalizeText(in.Title), TextZH: hazard.NormalizeText(in.TextZH), TextEN: hazard.NormalizeText(in.TextEN),
		Deleted: deleted, UpdatedAt: now, UpdatedBy: user.ID}
	var p hazard.Problems
	p.Merge("", t.Validate())
	if t.Action != "" && !slices.Contains(s.actions(), t.Action) {
		p.Add("action", "is not an action of any process")
	}
	if t.State != "" && !slices.Contains(s.hazards.Processes().States(), t.State) {
		p.Add("state", "is not a state of any process")
	}
	if _, ok := s.hazards.Categories().Lookup(t.Category); t.Category != "" && !ok {
		p.Add("category", "is not a category")
	}
	if err := p.Err(op); err != nil {
		return Template{}, err
	}
	typ := EventSaved
	if deleted {
		typ = EventDeleted
	}
	ev := hazard.Event{Subject: Subject(id), Type: typ, Actor: user.Actor(),
		Data: map[string]string{DataVersion: strconv.FormatInt(t.Version, 10)}, Time: now}
	out, err := s.store.Save(ctx, t, in.ExpectedVersion, []hazard.Event{ev})
	return out, hazard.Wrap(op, err)
}

// actions returns the names of every action of every process.
func (s *Service) actions() []string {
	var out []string
	for _, pr := range s.hazards.Processes().All() {
		for _, a := range pr.Definition().Actions() {
			out = append(out, a.Name)
		}
	}
	return out
}

// List returns the templates that are not deleted, by ID, to staff.
func (s *Service) List(ctx context.Context, user hazard.User) ([]Template, error) {
	const op = "list templates"
	if err := staffOnly(op, user); err != nil {
		return nil, err
	}
	ts, err := s.store.List(ctx)
	return ts, hazard.Wrap(op, err)
}

// Versions returns every version of the template id, oldest first, to an
// admin; CodeNotFound for an unknown ID.
func (s *Service) Versions(ctx context.Context, user hazard.User, id string) ([]Template, error) {
	const op = "template versions"
	if err := adminOnly(op, user); err != nil {
		return nil, err
	}
	ts, err := s.store.Versions(ctx, id)
	return ts, hazard.Wrap(op, err)
}

// Suggestion is a template rendered for one report: the note staff may
// edit before they send it with the action.
type Suggestion struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Action  string `json:"action,omitempty"`
	Title   string `json:"title"`
	// TextZH and TextEN are the texts with the report's facts in place of
	// the placeholders; TextEN is TextZH's English (empty when the
	// template has none).
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en,omitempty"`
}

// Suggest returns the templates offered for the action (empty: any) on the
// hazard id, rendered with its facts, by ID: {department} is the
// department it is assigned to, else the one that usually supervises its
// category (a dispatcher's note names where it goes). The user must see the hazard
// as staff (hazard.Service.StaffView: CodeNotFound out of their scope); an
// action the user may not take on it now is CodeConflict.
func (s *Service) Suggest(ctx context.Context, user hazard.User, id uuid.UUID, action string) ([]Suggestion, error) {
	const op = "suggest notes"
	if err := staffOnly(op, user); err != nil {
		return nil, err
	}
	v, err := s.hazards.StaffView(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if action != "" && !slices.ContainsFunc(v.Actions, func(a hazard.ActionInfo) bool { return a.Name == action }) {
		return nil, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "action", Message: "you may not take this action on the report now"}
	}
	ts, err := s.store.List(ctx)
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	h := &v.Hazard
	zh := Facts{Ref: h.Ref, Address: h.Location.Address, Date: s.clock().UTC().Format(time.DateOnly)}
	en := zh
	if c, ok := s.hazards.Categories().Lookup(h.Category); ok {
		zh.Category, en.Category = c.NameZH, c.NameEN
	}
	dept := h.Department
	if c, ok := s.hazards.Categories().Lookup(h.Category); ok && dept == "" {
		dept = c.Department // not assigned yet: the one that usually supervises it
	}
	if d, ok := s.hazards.Department(dept); ok {
		zh.Department, en.Department = d.NameZH, d.NameEN
	}
	out := []Suggestion{}
	for i := range ts {
		t := &ts[i]
		if !t.Matches(action, h.State, h.Category) {
			continue
		}
		sg := Suggestion{ID: t.ID, Version: t.Version, Action: t.Action, Title: t.Title, TextZH: Render(t.TextZH, zh)}
		if t.TextEN != "" {
			sg.TextEN = Render(t.TextEN, en)
		}
		out = append(out, sg)
	}
	return out, nil
}
