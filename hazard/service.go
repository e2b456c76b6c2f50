package hazard

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/workflow"
)

// Defaults of a ServiceConfig.
const (
	// DefaultDuplicateRadius is how close, in metres, an open hazard of the
	// same category must be for a new report to be flagged as its duplicate.
	DefaultDuplicateRadius = 50.0
	// DefaultDuplicateWindow is how recent that hazard must be.
	DefaultDuplicateWindow = 7 * 24 * time.Hour
	// DefaultSubmitsPerDay is how many reports one reporter may submit in
	// any 24 hours.
	DefaultSubmitsPerDay = 20
	// MaxDuplicateRadius bounds ServiceConfig.DuplicateRadius, in metres.
	MaxDuplicateRadius = 5000.0
)

// ServiceConfig configures a Service. Only Store is required.
type ServiceConfig struct {
	// Store keeps hazards and their events; required.
	Store Store
	// Workflows holds the process definitions. A citizen's report starts the
	// latest "citizen_report"; an inspection, a self-check or a supervision
	// visit starts the latest "rectification". Default: the presets
	// workflow.CitizenReport() and workflow.Rectification().
	Workflows *workflow.Registry
	// Categories is the registry of accepted categories; default
	// DefaultRegistry().
	Categories *Categories
	// Departments are the departments hazards are assigned to; default
	// DefaultDepartments(). Codes must be unique and non-empty.
	Departments []Department
	// Refs formats reference numbers; the zero value makes HZ-20261128-000001.
	Refs RefFormat
	// Clock returns the current time; default time.Now. Times are stored
	// in UTC whatever its location.
	Clock func() time.Time
	// NewID returns a new hazard ID; default a UUIDv7 (uuid.NewV7), which
	// sorts by creation time as Store.List expects.
	NewID func() uuid.UUID
	// DuplicateRadius is the duplicate search radius in metres; 0 means
	// DefaultDuplicateRadius, negative disables duplicate detection.
	DuplicateRadius float64
	// DuplicateWindow is how far back the duplicate search looks; 0 means
	// DefaultDuplicateWindow.
	DuplicateWindow time.Duration
	// SubmitsPerDay limits the reports one reporter (role "reporter") may
	// submit in any 24 hours; 0 means DefaultSubmitsPerDay, negative means
	// no limit. Staff submissions are not limited.
	SubmitsPerDay int
	// Metrics receives the service's measurements; nil for none.
	Metrics *Metrics
	// Logger records background work (escalations) without personal data;
	// default: discard.
	Logger *slog.Logger
}

// Service runs the use cases of the closed loop: submit, act, the views of
// the public, the reporter and staff, queues, deadlines and statistics.
//
// The acting user is always an explicit parameter. A Service keeps no state
// of its own beyond its configuration (every fact lives in the Store), so
// several processes may serve the same store. It is safe for concurrent use.
type Service struct {
	store      Store
	workflows  *workflow.Registry
	categories *Categories
	depts      []Department
	deptByCode map[string]Department
	refs       RefFormat
	clock      func() time.Time
	newID      func() uuid.UUID
	dupRadius  float64
	dupWindow  time.Duration
	perDay     int
	metrics    *Metrics
	log        *slog.Logger

	// submitLocks serialise the submissions of one reporter within this
	// process, so that the rate limit is exact here (see Submit).
	submitLocks [64]sync.Mutex
	seed        maphash.Seed
}

// NewService returns a Service for cfg, or CodeInvalid when cfg is not
// usable.
func NewService(cfg ServiceConfig) (*Service, error) {
	var p Problems
	if cfg.Store == nil {
		p.Add("store", "is required")
	}
	s := &Service{
		store:      cfg.Store,
		workflows:  cfg.Workflows,
		categories: cfg.Categories,
		refs:       cfg.Refs,
		clock:      cfg.Clock,
		newID:      cfg.NewID,
		dupRadius:  cfg.DuplicateRadius,
		dupWindow:  cfg.DuplicateWindow,
		perDay:     cfg.SubmitsPerDay,
		metrics:    cfg.Metrics,
		log:        cfg.Logger,
		seed:       maphash.MakeSeed(),
	}
	if s.workflows == nil {
		r, err := workflow.NewRegistry(workflow.CitizenReport(), workflow.Rectification())
		if err != nil {
			return nil, Wrap("new service", err)
		}
		s.workflows = r
	}
	for _, name := range []string{workflow.CitizenReportName, workflow.RectificationName} {
		if _, err := s.workflows.Latest(name); err != nil {
			p.Add("workflows", "must hold a definition named %q", name)
		}
	}
	if s.categories == nil {
		s.categories = DefaultRegistry()
	}
	depts := cfg.Departments
	if depts == nil {
		depts = DefaultDepartments()
	}
	s.depts = append([]Department(nil), depts...)
	s.deptByCode = make(map[string]Department, len(depts))
	for i, d := range depts {
		switch {
		case d.Code == "" || !codePattern.MatchString(d.Code):
			p.Add("departments", "department %d needs a code of lower-case letters, digits or underscores", i)
		case s.deptByCode[d.Code].Code != "":
			p.Add("departments", "repeat the code %q", d.Code)
		}
		s.deptByCode[d.Code] = d
	}
	p.Merge("refs", s.refs.Validate())
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	}
	switch {
	case s.dupRadius == 0:
		s.dupRadius = DefaultDuplicateRadius
	case s.dupRadius > MaxDuplicateRadius:
		p.Add("duplicate_radius", "must be at most %g metres", MaxDuplicateRadius)
	}
	switch {
	case s.dupWindow == 0:
		s.dupWindow = DefaultDuplicateWindow
	case s.dupWindow < 0:
		p.Add("duplicate_window", "must not be negative")
	}
	if s.perDay == 0 {
		s.perDay = DefaultSubmitsPerDay
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := p.Err("new service"); err != nil {
		return nil, err
	}
	return s, nil
}

// Categories returns the registry of accepted categories.
func (s *Service) Categories() *Categories { return s.categories }

// Workflows returns the registry of process definitions.
func (s *Service) Workflows() *workflow.Registry { return s.workflows }

// Departments returns a copy of the departments, in configuration order.
func (s *Service) Departments() []Department { return append([]Department(nil), s.depts...) }

// Department returns the department with the code, and whether it exists.
func (s *Service) Department(code string) (Department, bool) {
	d, ok := s.deptByCode[code]
	return d, ok
}

// now returns the current time in UTC.
func (s *Service) now() time.Time { return s.clock().UTC() }

// definition returns the workflow definition a hazard was started with.
func (s *Service) definition(h *Hazard) (*workflow.Definition, error) {
	d, err := s.workflows.Get(h.Workflow, h.WorkflowVersion)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Op: "workflow", Message: "the hazard's workflow is not registered", Err: err}
	}
	return d, nil
}

// fromWorkflow translates a workflow error into an *Error with the same
// code, the same field and the same message.
func fromWorkflow(op string, err error) error {
	var we *workflow.Error
	if errors.As(err, &we) {
		code := Code(we.Code)
		switch code {
		case CodeInvalid, CodeConflict, CodeForbidden, CodeNotFound:
		default:
			code = CodeInternal
		}
		return &Error{Code: code, Op: op, Field: we.Field, Message: we.Message, Err: err}
	}
	var de *workflow.DefinitionError
	if errors.As(err, &de) {
		return &Error{Code: CodeInvalid, Op: op, Message: "invalid workflow definition", Err: err}
	}
	return Wrap(op, err)
}

// authenticated returns CodeUnauthenticated for a user without an ID or
// role.
func authenticated(op string, u User) error {
	if u.ID == "" || u.Role == "" {
		return &Error{Code: CodeUnauthenticated, Op: op, Message: "sign in first"}
	}
	return nil
}

// staffOnly returns nil for a signed-in user who is staff (any role but
// reporter), CodeUnauthenticated for no user and CodeForbidden for a
// reporter.
func staffOnly(op string, u User) error {
	if err := authenticated(op, u); err != nil {
		return err
	}
	if u.Role == string(workflow.RoleReporter) {
		return &Error{Code: CodeForbidden, Op: op, Message: "staff only"}
	}
	return nil
}

// inScope reports whether u may see and act on h, by role: a reporter on
// their own reports; a handler or an inspector on their department's; an
// enterprise on the hazards it reported or whose Unit is its code (given in
// User.Department); a dispatcher, a reviewer or an admin on every hazard. A
// role the library does not know is scoped by department when the user has
// one. Whether the role may take a given action is the workflow's decision.
func inScope(u User, h *Hazard) bool {
	switch workflow.Role(u.Role) {
	case workflow.RoleReporter:
		return h.Reporter.UserID == u.ID
	case workflow.RoleHandler, workflow.RoleInspector:
		return u.Department != "" && h.Department == u.Department
	case workflow.RoleEnterprise:
		return h.Reporter.UserID == u.ID || (u.Department != "" && h.Unit == u.Department)
	case workflow.RoleDispatcher, workflow.RoleReviewer, workflow.RoleAdmin:
		return true
	}
	return u.Department == "" || h.Department == u.Department
}

// forEach calls fn for every hazard matching f, page by page, newest first.
// It stops at fn's first error.
func forEach(ctx context.Context, st Store, f Filter, fn func(h *Hazard) error) error {
	return forEachPage(ctx, st, f, MaxPageLimit, fn)
}

// forEachPage is forEach with pages of limit hazards.
func forEachPage(ctx context.Context, st Store, f Filter, limit int, fn func(h *Hazard) error) error {
	p := Page{Limit: limit}
	for {
		l, err := st.List(ctx, f, p)
		if err != nil {
			return err
		}
		for i := range l.Items {
			if err := fn(&l.Items[i]); err != nil {
				return err
			}
		}
		if l.Next == "" {
			return nil
		}
		p.Cursor = l.Next
	}
}

// lockFor returns the mutex serialising a reporter's submissions here.
func (s *Service) lockFor(userID string) *sync.Mutex {
	return &s.submitLocks[maphash.String(s.seed, userID)%uint64(len(s.submitLocks))]
}
