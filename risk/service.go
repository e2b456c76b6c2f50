package risk

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// The event types of a unit's events (subject kind "unit").
const (
	// EventUnitRegistered records a new unit.
	EventUnitRegistered hazard.EventType = "unit_registered"
	// EventGradeChanged records a change of the unit's grade; Data holds
	// DataGrade, DataFromGrade and DataRule (the last rule that moved it),
	// and PublicNote the explanation's last line.
	EventGradeChanged hazard.EventType = "grade_changed"
)

// Keys of the Data of unit events.
const (
	DataGrade     = "grade"
	DataFromGrade = "from_grade"
	DataRule      = "rule"
	DataDueAt     = "due_at" // RFC 3339
)

// HazardReader is what the service reads of the hazard store: a unit's
// hazards by hazard.Filter{UnitID} (so that a recomputation costs in
// proportion to the unit's own hazards), and one hazard by ID. A
// hazard.Store is one.
type HazardReader interface {
	Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error)
	List(ctx context.Context, f hazard.Filter, p hazard.Page) (hazard.List, error)
}

// Config configures a Service.
type Config struct {
	// Store keeps units and points; required.
	Store Store
	// Hazards is read for a unit's open hazards; required.
	Hazards HazardReader
	// Grader grades units; nil means DefaultGrader().
	Grader *Grader
	// Policy is the supervision policy; nil means DefaultPolicy().
	Policy *Policy
	// Methods are the assessment methods; nil means LEC() and LS().
	Methods []Method
	// Clock returns the current time; default time.Now. Times are stored
	// in UTC.
	Clock func() time.Time
	// NewID returns new IDs; default a UUIDv7.
	NewID func() uuid.UUID
	// Metrics, nil for none.
	Metrics *Metrics
	// Logger, default discard.
	Logger *slog.Logger
}

// Service is the use cases of units, risk points, grades and planning.
// It is safe for concurrent use. The acting user is a parameter of every
// use case: staff (hazard.User.Staff) manage units and plan; a unit's
// safety manager (role enterprise, hazard.User.UnitID) reads their own
// unit; anyone may read a unit's public view.
type Service struct {
	store   Store
	hazards HazardReader
	grader  Grader
	policy  Policy
	methods []Method
	clock   func() time.Time
	newID   func() uuid.UUID
	metrics *Metrics
	log     *slog.Logger
}

// New returns a Service, or CodeInvalid naming what is wrong with cfg.
func New(cfg Config) (*Service, error) {
	var p hazard.Problems
	if cfg.Store == nil {
		p.Add("store", "is required")
	}
	if cfg.Hazards == nil {
		p.Add("hazards", "is required")
	}
	s := &Service{store: cfg.Store, hazards: cfg.Hazards, clock: cfg.Clock, newID: cfg.NewID, metrics: cfg.Metrics, log: cfg.Logger}
	s.grader = DefaultGrader()
	if cfg.Grader != nil {
		s.grader = *cfg.Grader
	}
	s.policy = DefaultPolicy()
	if cfg.Policy != nil {
		s.policy = *cfg.Policy
		p.Merge("policy", s.policy.Validate())
	}
	s.methods = []Method{LEC(), LS()}
	if cfg.Methods != nil {
		s.methods = cfg.Methods
		for i := range s.methods {
			p.Merge("methods", s.methods[i].Validate())
		}
	}
	if err := p.Err("risk.New"); err != nil {
		return nil, err
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Policy returns the service's supervision policy.
func (s *Service) Policy() Policy { return s.policy }

func (s *Service) now() time.Time { return s.clock().UTC() }

func staffOnly(op string, u hazard.User) error {
	if u.ID == "" {
		return &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if !u.Staff() {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

// UnitInput is what staff give to register or change a unit.
type UnitInput struct {
	CreditCode  string           `json:"credit_code"`
	Name        string           `json:"name"`
	Industry    string           `json:"industry"`
	Size        Size             `json:"size"`
	Level       Level            `json:"level"`
	Location    hazard.Location  `json:"location"`
	Grid        string           `json:"grid"`
	Departments []string         `json:"departments"`
	Contacts    []hazard.Contact `json:"contacts"`
}

func (in *UnitInput) apply(u *Unit) {
	u.CreditCode = NormalizeCreditCode(in.CreditCode)
	u.Name = hazard.NormalizeText(in.Name)
	u.Industry = hazard.NormalizeText(in.Industry)
	u.Size, u.Level = in.Size, in.Level
	u.Location = in.Location
	u.Location.Address = hazard.NormalizeText(u.Location.Address)
	if in.Location.Point != nil {
		pt := *in.Location.Point
		u.Location.Point = &pt
	}
	u.Grid = hazard.NormalizeText(in.Grid)
	u.Departments = slices.Clone(in.Departments)
	u.Contacts = slices.Clone(in.Contacts)
}

// RegisterUnit registers a unit: staff only (CodeForbidden otherwise). The
// credit code is upper-cased and checked (CodeInvalid on "credit_code" for
// a wrong length, character or check character); a code already registered
// is CodeConflict. The unit is graded and given its first due date, and an
// EventUnitRegistered is logged with it.
func (s *Service) RegisterUnit(ctx context.Context, user hazard.User, in UnitInput) (Unit, error) {
	const op = "register unit"
	if err := staffOnly(op, user); err != nil {
		return Unit{}, err
	}
	now := s.now()
	u := Unit{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
	in.apply(&u)
	if err := u.Validate(); err != nil {
		return Unit{}, hazard.Wrap(op, err)
	}
	s.regrade(&u, now)
	ev := hazard.Event{Subject: u.Subject(), Type: EventUnitRegistered, Actor: user.Actor(), Time: now,
		Data: map[string]string{DataGrade: string(u.Grade), DataDueAt: u.DueAt.Format(time.RFC3339)}}
	stored, err := s.store.CreateUnit(ctx, u, []hazard.Event{ev})
	return stored, hazard.Wrap(op, err)
}

// GetUnit returns the unit id to staff, and to the safety manager of that
// unit (role enterprise with UnitID = id); anyone else is CodeForbidden. A
// missing unit is CodeNotFound.
func (s *Service) GetUnit(ctx context.Context, user hazard.User, id uuid.UUID) (Unit, error) {
	const op = "get unit"
	if user.ID == "" {
		return Unit{}, &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	if !user.Staff() && !(user.Role == string(hazard.RoleEnterprise) && user.UnitID == id.String()) {
		return Unit{}, &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "not your unit"}
	}
	u, err := s.store.GetUnit(ctx, id)
	return u, hazard.Wrap(op, err)
}

// PublicUnit returns what anyone may see of the unit id.
func (s *Service) PublicUnit(ctx context.Context, id uuid.UUID) (PublicUnit, error) {
	u, err := s.store.GetUnit(ctx, id)
	if err != nil {
		return PublicUnit{}, hazard.Wrap("public unit", err)
	}
	return u.Public(), nil
}

// ListUnits returns one page of the units matching f: staff only.
func (s *Service) ListUnits(ctx context.Context, user hazard.User, f UnitFilter, p hazard.Page) (UnitList, error) {
	const op = "list units"
	if err := staffOnly(op, user); err != nil {
		return UnitList{}, err
	}
	l, err := s.store.ListUnits(ctx, f, p)
	return l, hazard.Wrap(op, err)
}

// UpdateUnit replaces what staff may change of the unit id (everything of
// UnitInput but the credit code, which must stay the same: CodeInvalid on
// "credit_code") at expectedVersion (CodeConflict when stale), regrading
// it and moving its due date as the change requires.
func (s *Service) UpdateUnit(ctx context.Context, user hazard.User, id uuid.UUID, in UnitInput, expectedVersion int64) (Unit, error) {
	return s.change(ctx, "update unit", user, id, expectedVersion, func(u *Unit) error {
		code := u.CreditCode
		in.apply(u)
		if u.CreditCode != code {
			return &hazard.Error{Code: hazard.CodeInvalid, Field: "credit_code", Message: "cannot change: register the unit anew"}
		}
		return u.Validate()
	})
}

// SetOverride sets the unit's grade by hand with a reason (CodeInvalid on
// "reason" without one), or clears it with an empty grade: staff only, at
// expectedVersion. The change is logged as any grade change.
func (s *Service) SetOverride(ctx context.Context, user hazard.User, id uuid.UUID, g Grade, reason string, expectedVersion int64) (Unit, error) {
	return s.change(ctx, "set grade", user, id, expectedVersion, func(u *Unit) error {
		if g == "" {
			u.Override = nil
			return nil
		}
		u.Override = &Override{Grade: g, Reason: hazard.NormalizeText(reason), By: user.Actor(), At: s.now()}
		return u.Validate()
	})
}

// RecordInspection records that the unit id was inspected on the day of
// at, moving its due date; an earlier date than the one recorded changes
// nothing. Staff only. It retries on concurrent changes, so that the
// inspection package may call it from an event consumer.
func (s *Service) RecordInspection(ctx context.Context, user hazard.User, id uuid.UUID, at time.Time) (Unit, error) {
	return s.change(ctx, "record inspection", user, id, 0, func(u *Unit) error {
		u.LastInspected = later(u.LastInspected, Day(at))
		return nil
	})
}

// RecordAccident records an accident at the unit id on the day of at
// (feeding RecentAccident). Staff only; retries on concurrent changes.
func (s *Service) RecordAccident(ctx context.Context, user hazard.User, id uuid.UUID, at time.Time) (Unit, error) {
	return s.change(ctx, "record accident", user, id, 0, func(u *Unit) error {
		u.LastAccident = later(u.LastAccident, Day(at))
		return nil
	})
}

// RecordSham records that a supervision group found a sham rectification
// at the unit id on the day of at (feeding ShamRectification). Staff only;
// retries on concurrent changes.
func (s *Service) RecordSham(ctx context.Context, user hazard.User, id uuid.UUID, at time.Time) (Unit, error) {
	return s.change(ctx, "record sham rectification", user, id, 0, func(u *Unit) error {
		u.LastSham = later(u.LastSham, Day(at))
		return nil
	})
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Recompute reads the unit id's risk points and open hazards again and
// regrades it and moves its due date when they changed, logging a grade
// change as EventGradeChanged by the system. Its cost is in proportion to
// the unit's own points and hazards. It retries on concurrent changes.
func (s *Service) Recompute(ctx context.Context, id uuid.UUID) (Unit, error) {
	return s.change(ctx, "recompute grade", hazard.User{}, id, 0, func(*Unit) error { return nil })
}

// maxRetries bounds the retries of a change at the latest version.
const maxRetries = 20

// change loads the unit id, applies mutate, reads its facts, regrades it,
// and writes it at expectedVersion (0: the version read, retried on
// conflict) with a grade change event when the grade moved. A zero user is
// the system (no authorisation: Recompute).
func (s *Service) change(ctx context.Context, op string, user hazard.User, id uuid.UUID, expectedVersion int64, mutate func(*Unit) error) (Unit, error) {
	actor := hazard.System
	if user != (hazard.User{}) {
		if err := staffOnly(op, user); err != nil {
			return Unit{}, err
		}
		actor = user.Actor()
	}
	for attempt := 0; ; attempt++ {
		old, err := s.store.GetUnit(ctx, id)
		if err != nil {
			return Unit{}, hazard.Wrap(op, err)
		}
		if expectedVersion > 0 && old.Version != expectedVersion {
			return Unit{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the unit changed: reload it", Version: old.Version}
		}
		u := old.Clone()
		if err := mutate(&u); err != nil {
			return Unit{}, hazard.Wrap(op, err)
		}
		facts, err := s.facts(ctx, &u)
		if err != nil {
			return Unit{}, hazard.Wrap(op, err)
		}
		now := s.now()
		u.Facts = facts
		s.regrade(&u, now)
		if unitEqual(&old, &u) {
			s.metrics.recompute("unchanged")
			return old, nil
		}
		u.UpdatedAt = now
		var events []hazard.Event
		if u.Grade != old.Grade {
			last := u.GradeSteps[len(u.GradeSteps)-1]
			events = append(events, hazard.Event{Subject: u.Subject(), Type: EventGradeChanged, Actor: actor, Time: now,
				PublicNote: last.Text.ZH,
				Data: map[string]string{DataGrade: string(u.Grade), DataFromGrade: string(old.Grade), DataRule: last.Rule,
					DataDueAt: u.DueAt.Format(time.RFC3339)}})
		}
		stored, err := s.store.UpdateUnit(ctx, u, old.Version, events)
		if errors.Is(err, hazard.ErrConflict) && expectedVersion == 0 && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Unit{}, hazard.Wrap(op, err)
		}
		s.metrics.recompute("changed")
		if len(events) > 0 {
			s.metrics.gradeChanged(old.Grade, u.Grade)
			s.log.InfoContext(ctx, "unit grade changed", "unit", u.ID, "from", old.Grade, "to", u.Grade)
		}
		return stored, nil
	}
}

// unitEqual reports whether a change left the stored unit as it was.
func unitEqual(a, b *Unit) bool {
	return a.Grade == b.Grade && a.DueAt.Equal(b.DueAt) && a.Facts == b.Facts &&
		slices.Equal(a.GradeSteps, b.GradeSteps) && a.Name == b.Name && a.Industry == b.Industry &&
		a.Size == b.Size && a.Level == b.Level && a.Grid == b.Grid &&
		slices.Equal(a.Departments, b.Departments) && slices.Equal(a.Contacts, b.Contacts) &&
		locEqual(a.Location, b.Location) && overrideEqual(a.Override, b.Override) &&
		a.LastInspected.Equal(b.LastInspected) && a.LastAccident.Equal(b.LastAccident) && a.LastSham.Equal(b.LastSham)
}

func locEqual(a, b hazard.Location) bool {
	if a.Address != b.Address || a.District != b.District || (a.Point == nil) != (b.Point == nil) {
		return false
	}
	return a.Point == nil || *a.Point == *b.Point
}

func overrideEqual(a, b *Override) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Grade == b.Grade && a.Reason == b.Reason && a.By == b.By && a.At.Equal(b.At)
}

// regrade sets u's grade, explanation and due date from its facts.
func (s *Service) regrade(u *Unit, now time.Time) {
	r := s.grader.Grade(GradeFacts{Now: now, Unit: u.Facts, Level: u.Level, Size: u.Size,
		LastAccident: u.LastAccident, LastSham: u.LastSham, Override: u.Override})
	u.Grade, u.GradeSteps = r.Grade, r.Steps
	u.DueAt = s.policy.NextDue(DueInput{Grade: u.Grade, Level: u.Level, Size: u.Size, Facts: u.Facts,
		LastInspected: u.LastInspected, Registered: u.CreatedAt})
}

// facts reads the unit's points and open hazards: in proportion to the
// unit's own, never the city's.
func (s *Service) facts(ctx context.Context, u *Unit) (UnitFacts, error) {
	points, err := s.store.Points(ctx, u.ID)
	if err != nil {
		return UnitFacts{}, err
	}
	f := UnitFacts{Points: len(points)}
	for i := range points {
		f.PointGrade = f.PointGrade.Max(points[i].Grade)
	}
	now := s.now()
	open := true
	page := hazard.Page{Limit: hazard.MaxPageLimit}
	for {
		l, err := s.hazards.List(ctx, hazard.Filter{UnitID: u.ID.String(), Open: &open}, page)
		if err != nil {
			return UnitFacts{}, err
		}
		for i := range l.Items {
			h := &l.Items[i]
			f.OpenHazards++
			if h.Major() {
				f.OpenMajorHazards++
			}
			if !h.Deadline.IsZero() && h.Deadline.Before(now) {
				f.OverdueHazards++
			}
		}
		if l.Next == "" {
			return f, nil
		}
		page.Cursor = l.Next
	}
}
