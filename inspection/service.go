package inspection

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// UnitReader reads units of the risk register; a risk.Store is one.
type UnitReader interface {
	GetUnit(ctx context.Context, id uuid.UUID) (risk.Unit, error)
	UnitRefs(ctx context.Context, f risk.UnitFilter, limit int) ([]risk.UnitRef, error)
	UnitRefsOf(ctx context.Context, ids []uuid.UUID) ([]risk.UnitRef, error)
}

// HazardActor raises and moves hazards and counts them (the ledger and the
// figures are hazard.Service.StatsOf's; a ledger page read by a
// LedgerReader takes its stages from the processes); a *hazard.Service is
// one.
type HazardActor interface {
	Submit(ctx context.Context, user hazard.User, in hazard.SubmitInput, idempotencyKey string) (hazard.Hazard, error)
	Act(ctx context.Context, user hazard.User, id uuid.UUID, action string, in hazard.ActInput) (hazard.Hazard, error)
	StatsOf(ctx context.Context, q hazard.StatsQuery) (hazard.Stats, error)
	Processes() *hazard.Processes
}

// HazardReader reads the hazard store (a hazard.Store is one): spot
// checks and orders read one hazard.
type HazardReader interface {
	Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error)
}

// RiskRecorder is what the service tells the risk register; a
// *risk.Service is one.
type RiskRecorder interface {
	RecordInspection(ctx context.Context, user hazard.User, id uuid.UUID, at time.Time) (risk.Unit, error)
	RecordSham(ctx context.Context, user hazard.User, id uuid.UUID, at time.Time) (risk.Unit, error)
}

// Config configures a Service.
type Config struct {
	// Store keeps checklists, visits, spot checks and trainings; required.
	Store Store
	// Units reads the risk register's units; required.
	Units UnitReader
	// Hazards raises and moves hazards; required.
	Hazards HazardActor
	// HazardStore reads hazards for the ledger and spot checks; required.
	HazardStore HazardReader
	// Risk is told of finished inspections and sham rectifications;
	// required.
	Risk RiskRecorder
	// System is the staff user in whose name the service's consumer tells
	// Risk of a finished visit; default {ID: "system:inspection", Role:
	// "admin"}.
	System hazard.User
	// EscalationStep is the deadline an escalated order gets; 0 means
	// DefaultEscalationStep.
	EscalationStep time.Duration
	// Clock returns the current time; default time.Now. Times are UTC.
	Clock func() time.Time
	// NewID returns new IDs; default a UUIDv7.
	NewID func() uuid.UUID
	// Metrics, nil for none.
	Metrics *Metrics
	// Logger, default discard.
	Logger *slog.Logger
}

// Service is the use cases of checklists, inspections, self-checks, spot
// checks, training records and the reconciliation ledger. It is safe for
// concurrent use; the acting user is a parameter of every use case.
type Service struct {
	store          Store
	units          UnitReader
	hazards        HazardActor
	reader         HazardReader
	risk           RiskRecorder
	system         hazard.User
	escalationStep time.Duration
	clock          func() time.Time
	newID          func() uuid.UUID
	metrics        *Metrics
	log            *slog.Logger
}

// New returns a Service, or CodeInvalid naming each missing dependency.
func New(cfg Config) (*Service, error) {
	var p hazard.Problems
	if cfg.Store == nil {
		p.Add("store", "is required")
	}
	if cfg.Units == nil {
		p.Add("units", "is required")
	}
	if cfg.Hazards == nil {
		p.Add("hazards", "is required")
	}
	if cfg.HazardStore == nil {
		p.Add("hazard_store", "is required")
	}
	if cfg.Risk == nil {
		p.Add("risk", "is required")
	}
	if err := p.Err("inspection.New"); err != nil {
		return nil, err
	}
	s := &Service{store: cfg.Store, units: cfg.Units, hazards: cfg.Hazards, reader: cfg.HazardStore, risk: cfg.Risk,
		system: cfg.System, clock: cfg.Clock, newID: cfg.NewID, metrics: cfg.Metrics, log: cfg.Logger}
	s.escalationStep = cfg.EscalationStep
	if s.escalationStep <= 0 {
		s.escalationStep = DefaultEscalationStep
	}
	if s.system.ID == "" {
		s.system = hazard.User{ID: "system:inspection", Role: string(hazard.RoleAdmin)}
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

func (s *Service) now() time.Time { return s.clock().UTC() }

func signedIn(op string, u hazard.User) error {
	if u.ID == "" {
		return &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	return nil
}

func staffOnly(op string, u hazard.User) error {
	if err := signedIn(op, u); err != nil {
		return err
	}
	if !u.Staff() {
		return &hazard.Error{Code: hazard.CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

func notFound(op, what string, cause error) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: what + " not found", Err: cause}
}

// PublishChecklist publishes c as the next version of its checklist (1 for
// a new ID) and returns it. Staff only. c is validated first (every
// problem at once, CodeInvalid naming each field); a concurrent publish of
// the same checklist is retried on the version after it.
func (s *Service) PublishChecklist(ctx context.Context, user hazard.User, c Checklist) (Checklist, error) {
	const op = "publish checklist"
	if err := staffOnly(op, user); err != nil {
		return Checklist{}, err
	}
	c = c.Clone()
	normalize(&c)
	if err := c.Validate(); err != nil {
		return Checklist{}, hazard.Wrap(op, err)
	}
	for range maxRetries {
		latest, err := s.store.GetChecklist(ctx, c.ID, 0)
		switch {
		case errors.Is(err, hazard.ErrNotFound):
			c.Version = 1
		case err != nil:
			return Checklist{}, hazard.Wrap(op, err)
		default:
			c.Version = latest.Version + 1
		}
		c.PublishedAt, c.PublishedBy = s.now(), user.ID
		stored, err := s.store.CreateChecklist(ctx, c)
		if errors.Is(err, hazard.ErrConflict) {
			continue
		}
		return stored, hazard.Wrap(op, err)
	}
	return Checklist{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "too many concurrent publishes: try again"}
}

// Checklist returns the version of the checklist id (0: the latest), or
// CodeNotFound. Anyone signed in may read checklists.
func (s *Service) Checklist(ctx context.Context, user hazard.User, id string, version int) (Checklist, error) {
	const op = "checklist"
	if err := signedIn(op, user); err != nil {
		return Checklist{}, err
	}
	c, err := s.store.GetChecklist(ctx, id, version)
	return c, hazard.Wrap(op, err)
}

// Checklists returns the latest version of every checklist matching f.
func (s *Service) Checklists(ctx context.Context, user hazard.User, f ChecklistFilter) ([]Checklist, error) {
	const op = "checklists"
	if err := signedIn(op, user); err != nil {
		return nil, err
	}
	cs, err := s.store.ListChecklists(ctx, f)
	return cs, hazard.Wrap(op, err)
}

// maxRetries bounds retries at the latest version.
const maxRetries = 20
