package hazard

import (
	"context"
	"errors"
	"log/slog"
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
	// Processes are the processes hazards run, each a workflow definition
	// with the meaning of its steps; default DefaultProcesses(), the two
	// presets. A hazard keeps the name and version it started with.
	Processes *Processes
	// Starts names, per source, the process (its latest version) a new
	// hazard starts. Default: a citizen's report starts "citizen_report";
	// an inspection, a self-check or a supervision visit starts
	// "rectification". Sources left out take the default.
	Starts map[Source]string
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
	// PublicCoordDecimals is how many decimals of a degree the public views
	// (the plaza, Open311) keep of a hazard's coordinates, 1 to
	// MaxPublicCoordDecimals; 0 means DefaultPublicCoordDecimals (about
	// 10 m). Staff and the reporter see them exactly.
	PublicCoordDecimals int
	// Limiter applies SubmitsPerDay when the store is not a LimitedCreator
	// (a LimitedCreator counts and inserts in one atomic step, which is
	// exact, and is used instead); it is then required, unless the limit is
	// off, and SubmitsPerDay must be at most MaxLimitMax. For the limit to
	// hold across processes serving one store, their limiters must share
	// their state (pgstore's limiter on the same database); memlimit's
	// holds within one process.
	Limiter Limiter
	// Anonymous are the limits of anonymous reports and claim codes
	// (SubmitAnonymous, FollowClaim, BindClaim), applied through Limiter,
	// which anonymous use requires; zero limits take the defaults of
	// DefaultAnonymousLimits.
	Anonymous AnonymousLimits
	// ClaimWindow is how long after its closure an anonymous report may be
	// bound to an identity (BindClaim); 0 means DefaultClaimWindow.
	ClaimWindow time.Duration
	// FixedCheckAfter is how long after a closure as fixed the reporter is
	// asked "is it fixed?" (AskFixed); 0 means DefaultFixedCheckAfter,
	// negative never asks.
	FixedCheckAfter time.Duration
	// Metrics receives the service's measurements; nil for none.
	Metrics *Metrics
	// Logger records background work (escalations) without personal data;
	// default: discard.
	Logger *slog.Logger
	// Moderation sets when reports are published, who moderates and which
	// text holds a report for moderation; the zero value is the default
	// (see ModerationConfig).
	Moderation ModerationConfig
}

// Service runs the use cases of the closed loop: submit, act, the views of
// the public, the reporter and staff, queues, deadlines and statistics.
//
// The acting user is always an explicit parameter. A Service keeps no state
// of its own beyond its configuration (every fact lives in the Store), so
// several processes may serve the same store. It is safe for concurrent use.
type Service struct {
	store      Store
	processes  *Processes
	starts     map[Source]*Process
	categories *Categories
	depts      []Department
	deptByCode map[string]Department
	refs       RefFormat
	clock      func() time.Time
	newID      func() uuid.UUID
	dupRadius  float64
	dupWindow  time.Duration
	perDay     int
	// publicDecimals rounds public coordinates (PublicCoordDecimals).
	publicDecimals int
	// limiter applies submitLimit when the store is not a LimitedCreator.
	limiter     Limiter
	submitLimit Limit
	metrics     *Metrics
	log         *slog.Logger
	// fixedAfter is FixedCheckAfter, default filled in.
	fixedAfter time.Duration
	// anon and claimWindow are Anonymous and ClaimWindow, defaults filled in.
	anon        AnonymousLimits
	claimWindow time.Duration
	// mod is the moderation configuration (ServiceConfig.Moderation).
	mod moderation
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
		processes:  cfg.Processes,
		categories: cfg.Categories,
		refs:       cfg.Refs,
		clock:      cfg.Clock,
		newID:      cfg.NewID,
		dupRadius:  cfg.DuplicateRadius,
		dupWindow:  cfg.DuplicateWindow,
		perDay:     cfg.SubmitsPerDay,
		limiter:    cfg.Limiter,
		metrics:    cfg.Metrics,
		log:        cfg.Logger,
		fixedAfter: cfg.FixedCheckAfter,
	}
	if s.fixedAfter == 0 {
		s.fixedAfter = DefaultFixedCheckAfter
	}
	s.anon = cfg.Anonymous.withDefaults(&p)
	s.claimWindow = cfg.ClaimWindow
	switch {
	case s.claimWindow == 0:
		s.claimWindow = DefaultClaimWindow
	case s.claimWindow < 0:
		p.Add("claim_window", "must not be negative")
	}
	if s.processes == nil {
		s.processes = DefaultProcesses()
	}
	s.starts = make(map[Source]*Process, 4)
	for _, src := range []Source{SourceCitizen, SourceSelfCheck, SourceInspection, SourceSupervision} {
		name := cfg.Starts[src]
		if name == "" {
			name = RectificationName
			if src == SourceCitizen {
				name = CitizenReportName
			}
		}
		pr, err := s.processes.Latest(name)
		if err != nil {
			p.Add("starts."+string(src), "names no process: %q", name)
			continue
		}
		s.starts[src] = pr
	}
	for src := range cfg.Starts {
		if !src.Valid() {
			p.Add("starts", "%q is not a source", src)
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
	s.publicDecimals = cfg.PublicCoordDecimals
	switch {
	case s.publicDecimals == 0:
		s.publicDecimals = DefaultPublicCoordDecimals
	case s.publicDecimals < 1 || s.publicDecimals > MaxPublicCoordDecimals:
		p.Add("public_coord_decimals", "must be 1 to %d", MaxPublicCoordDecimals)
	}
	s.submitLimit = Limit{Max: s.perDay, Per: submitWindow}
	if _, exact := s.store.(LimitedCreator); s.perDay > 0 && !exact && cfg.Store != nil {
		if s.limiter == nil {
			p.Add("limiter", "is required to limit submissions when the store is not a LimitedCreator")
		}
		if s.perDay > MaxLimitMax {
			p.Add("submits_per_day", "must be at most %d when a Limiter applies it", MaxLimitMax)
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.mod = newModeration(cfg.Moderation, &p)
	if err := p.Err("new service"); err != nil {
		return nil, err
	}
	return s, nil
}

// Categories returns the registry of accepted categories.
func (s *Service) Categories() *Categories { return s.categories }

// Processes returns the processes hazards run.
func (s *Service) Processes() *Processes { return s.processes }

// Departments returns a copy of the departments, in configuration order.
func (s *Service) Departments() []Department { return append([]Department(nil), s.depts...) }

// Department returns the department with the code, and whether it exists.
func (s *Service) Department(code string) (Department, bool) {
	d, ok := s.deptByCode[code]
	return d, ok
}

// now returns the current time in UTC.
func (s *Service) now() time.Time { return s.clock().UTC() }

// process returns the process a hazard was started with.
func (s *Service) process(h *Hazard) (*Process, error) {
	pr, err := s.processes.Of(h)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Op: "workflow", Message: "the hazard's process is not registered", Err: err}
	}
	return pr, nil
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
		field := we.Field
		if field != "" { // a missing input, named by its kind
			field = InputField(workflow.InputKind(field))
		}
		return &Error{Code: code, Op: op, Field: field, Message: we.Message, Err: err}
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
