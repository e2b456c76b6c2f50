package reward

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// Hazards reads hazards; hazard.Store satisfies it.
type Hazards interface {
	Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error)
}

// ReporterFacts are what the integrator's user store knows about a
// reporter that the rules need.
type ReporterFacts struct {
	// Verified is true when the reporter passed real-name authentication.
	Verified bool
	// Departments are the departments the reporter works for as staff
	// with supervision duties; empty for a citizen.
	Departments []string
}

// Reporters looks reporters up in the integrator's user store. A missing
// user is CodeNotFound.
type Reporters interface {
	Reporter(ctx context.Context, userID string) (ReporterFacts, error)
}

// EventLog is where the service records reward events; hazard.Store
// satisfies it.
type EventLog interface {
	Append(ctx context.Context, events ...hazard.Event) ([]hazard.Event, error)
	HazardEvents(ctx context.Context, id uuid.UUID) ([]hazard.Event, error)
}

// Defaults of Config.
const (
	DefaultPayTimeout   = 15 * time.Second
	DefaultRetryGrace   = 24 * time.Hour
	DefaultStuckAfter   = 15 * time.Minute
	DefaultConsumerName = "reward"
)

// Config configures a Service. Ledger and Policies are required.
type Config struct {
	Ledger Ledger
	// Payer pays claims; required by Claim, Sync, Reconcile and ExpireDue.
	Payer Payer
	// Policies decide rewards; each closed hazard is decided by each
	// policy, and gets at most one reward per policy name.
	Policies []Policy
	// Hazards is required by the consumer.
	Hazards Hazards
	// Reporters, when set, is the truth about a reporter's real-name
	// status and departments; otherwise the hazard's Reporter.Verified is
	// used and no reporter is staff.
	Reporters Reporters
	// Events, when set, receives reward events (issued, claimed, expired).
	Events EventLog
	// Processes declare which states close a hazard as valid
	// (hazard.OutcomeValid): only those earn rewards. Default
	// hazard.DefaultProcesses(); give the service the processes the hazard
	// service runs.
	Processes *hazard.Processes
	// ConsumerName is the relay consumer's name; default "reward".
	ConsumerName string
	// PayTimeout bounds one Pay call; RetryGrace is how long a reporter
	// whose claim failed may retry past the window; StuckAfter is how old a
	// claim must be for Reconcile to ask the payer about it (at least twice
	// PayTimeout).
	PayTimeout, RetryGrace, StuckAfter time.Duration
	Clock                              func() time.Time
	NewID                              func() uuid.UUID
	Metrics                            *Metrics
	Logger                             *slog.Logger
}

// Service issues rewards for hazards closed as valid and runs the claim
// flow. It is safe for concurrent use; all its state is in the ledger and
// the payer.
type Service struct {
	cfg Config
	// issuing serialises IssueFor per hazard (striped by hazard ID), so
	// that concurrent deliveries in one process append one issued event.
	issuing [64]sync.Mutex
}

// New validates cfg, fills in the defaults and returns a Service.
func New(cfg Config) (*Service, error) {
	var p hazard.Problems
	if cfg.Ledger == nil {
		p.Add("ledger", "is required")
	}
	if len(cfg.Policies) == 0 {
		p.Add("policies", "needs at least one policy")
	}
	seen := map[string]bool{}
	for i := range cfg.Policies {
		pol := &cfg.Policies[i]
		p.Merge("policies["+pol.Name+"]", pol.Validate())
		if seen[pol.Name] {
			p.Add("policies", "name %q is used twice", pol.Name)
		}
		seen[pol.Name] = true
	}
	if cfg.PayTimeout == 0 {
		cfg.PayTimeout = DefaultPayTimeout
	}
	if cfg.RetryGrace == 0 {
		cfg.RetryGrace = DefaultRetryGrace
	}
	if cfg.StuckAfter == 0 {
		cfg.StuckAfter = max(DefaultStuckAfter, 2*cfg.PayTimeout)
	}
	if cfg.PayTimeout < 0 || cfg.RetryGrace < 0 || cfg.StuckAfter < 2*cfg.PayTimeout {
		p.Add("timeouts", "must be positive, with stuck_after at least twice pay_timeout")
	}
	if err := p.Err("reward.New"); err != nil {
		return nil, err
	}
	cfg.Policies = slices.Clone(cfg.Policies)
	if cfg.Processes == nil {
		cfg.Processes = hazard.DefaultProcesses()
	}
	if cfg.ConsumerName == "" {
		cfg.ConsumerName = DefaultConsumerName
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg}, nil
}

// wrap adds op to a foreign error (as internal); an *hazard.Error, which
// may be one of this package's sentinels, is returned as it is so that
// errors.Is keeps matching it.
func wrap(op string, err error) error {
	var e *hazard.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return hazard.Wrap(op, err)
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// Policies returns the service's policies.
func (s *Service) Policies() []Policy { return slices.Clone(s.cfg.Policies) }

// Ledger returns the service's ledger.
func (s *Service) Ledger() Ledger { return s.cfg.Ledger }

// Facts reads what policy needs to decide about h: the reporter's facts and
// the ledger's totals now. Facts.ClosedValid is whether h's process declares
// h.State to close it as valid.
func (s *Service) Facts(ctx context.Context, h hazard.Hazard, p *Policy) (Facts, error) {
	f := Facts{
		HazardID: h.ID, HazardRef: h.Ref, Category: h.Category, Severity: h.Severity, Source: h.Source,
		State: h.State, ClosedValid: s.closesValid(&h, h.State),
		DuplicateOf: h.DuplicateOf, Department: h.Department,
		ReporterID: h.Reporter.UserID, ReporterVerified: h.Reporter.Verified,
		Fine: Fen(h.FineFen), Bonus: Fen(h.BonusFen),
	}
	if s.cfg.Reporters != nil {
		rf, err := s.cfg.Reporters.Reporter(ctx, h.Reporter.UserID)
		if err != nil {
			return Facts{}, wrap("reward.Facts", err)
		}
		f.ReporterVerified = rf.Verified
		f.ReporterDepartments = slices.Clone(rf.Departments)
	}
	day, month, budget := p.Caps.Windows(s.now())
	var err error
	if f.Day, err = s.cfg.Ledger.Totals(ctx, Tally{Policy: p.Name, ReporterID: f.ReporterID, Since: day[0], Until: day[1]}); err != nil {
		return Facts{}, wrap("reward.Facts", err)
	}
	if f.Month, err = s.cfg.Ledger.Totals(ctx, Tally{Policy: p.Name, ReporterID: f.ReporterID, Since: month[0], Until: month[1]}); err != nil {
		return Facts{}, wrap("reward.Facts", err)
	}
	if p.Caps.Budget > 0 {
		if f.Spent, err = s.cfg.Ledger.Totals(ctx, Tally{Policy: p.Name, Since: budget[0], Until: budget[1]}); err != nil {
			return Facts{}, wrap("reward.Facts", err)
		}
	}
	return f, nil
}

// Outcome is what IssueFor did under one policy.
type Outcome struct {
	Decision Decision
	// Reward is the reward issued now or earlier; zero when none.
	Reward Reward
	// Created is true when this call issued the reward.
	Created bool
}

// IssueFor decides about a hazard under each policy and issues the rewards
// earned, idempotently: a hazard that already has a reward of a policy
// keeps it (and is not decided again), and issuing races are settled by the
// ledger. The caps and the budget are checked again by Limits.Admit inside
// the ledger's atomic Issue; a reward they refuse is reported as denied,
// not as an error. For every reward,
// new or found, it makes sure the hazard's event log holds its
// EventRewardIssued (when Events is set): appended when missing, never
// twice. Concurrent calls for one hazard are serialised within the
// process; across processes the relay's single runner per consumer keeps
// them apart.
func (s *Service) IssueFor(ctx context.Context, h hazard.Hazard) ([]Outcome, error) {
	const op = "reward.IssueFor"
	mu := &s.issuing[int(h.ID[15])%len(s.issuing)]
	mu.Lock()
	defer mu.Unlock()
	existing, err := s.cfg.Ledger.ByHazard(ctx, h.ID)
	if err != nil {
		return nil, wrap(op, err)
	}
	var out []Outcome
	for i := range s.cfg.Policies {
		p := &s.cfg.Policies[i]
		if hazard.IsAnonymous(h.Reporter.UserID) {
			out = append(out, s.denyAnonymous(p))
			continue
		}
		if j := slices.IndexFunc(existing, func(r Reward) bool { return r.Policy == p.Name }); j >= 0 {
			if err := s.ensureIssuedEvent(ctx, existing[j]); err != nil {
				return out, err
			}
			out = append(out, Outcome{Reward: existing[j]})
			continue
		}
		if hazard.IsPseudonym(h.Reporter.UserID) {
			out = append(out, s.denyErased(p))
			continue
		}
		f, err := s.Facts(ctx, h, p)
		if err != nil {
			return out, err
		}
		d := p.Decide(f)
		o := Outcome{Decision: d}
		if !d.Pays() {
			s.deny(p.Name, d)
			out = append(out, o)
			continue
		}
		now := s.now()
		r := Reward{
			ID: s.cfg.NewID(), HazardID: h.ID, HazardRef: h.Ref, ReporterID: h.Reporter.UserID,
			Policy: p.Name, PolicyVersion: p.Version, Amount: d.Amount, Status: StatusPending,
			Explanation: d.Lines, IssuedAt: now, ClaimBy: p.Window.Deadline(now),
		}
		stored, created, err := s.cfg.Ledger.Issue(ctx, r, p.Caps.Limits(now).Admit)
		switch {
		case errors.Is(err, ErrCapReached) || errors.Is(err, ErrBudgetExhausted):
			rule, t := "budget", Text{ZH: "本期奖励资金已用完", EN: "the programme's reward budget for the period is spent"}
			if errors.Is(err, ErrCapReached) {
				rule, t = "reporter_cap", Text{ZH: "已达到奖励次数或金额上限", EN: "the reporter has reached the reward limit for the period"}
			}
			o.Decision.Deny(rule, t)
			s.deny(p.Name, o.Decision)
			out = append(out, o)
			continue
		case err != nil:
			return out, wrap(op, err)
		}
		o.Reward, o.Created = stored, created
		if created {
			s.cfg.Metrics.issue(stored)
			s.cfg.Logger.InfoContext(ctx, "reward issued", "reward_id", stored.ID, "hazard_id", h.ID, "policy", p.Name, "amount_fen", int64(stored.Amount))
			s.updateBudget(ctx, p)
			if err := s.appendEvent(ctx, hazard.EventRewardIssued, stored); err != nil {
				return out, err
			}
		} else if err := s.ensureIssuedEvent(ctx, stored); err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (s *Service) deny(policy string, d Decision) {
	rule := "no_amount"
	if n := len(d.Lines); n > 0 && d.Lines[n-1].Denied {
		rule = d.Lines[n-1].Rule
	}
	s.cfg.Metrics.deny(policy, rule)
}

// BudgetLeft returns what the named policy has issued in the current
// budget period and what is left of its budget (left is -1 for a policy
// without a budget). An unknown policy is CodeNotFound.
func (s *Service) BudgetLeft(ctx context.Context, policy string) (spent Total, left Fen, err error) {
	i := slices.IndexFunc(s.cfg.Policies, func(p Policy) bool { return p.Name == policy })
	if i < 0 {
		return Total{}, 0, &hazard.Error{Code: hazard.CodeNotFound, Op: "reward.BudgetLeft", Message: "no such policy"}
	}
	p := &s.cfg.Policies[i]
	_, _, b := p.Caps.Windows(s.now())
	spent, err = s.cfg.Ledger.Totals(ctx, Tally{Policy: p.Name, Since: b[0], Until: b[1]})
	if err != nil {
		return Total{}, 0, wrap("reward.BudgetLeft", err)
	}
	if p.Caps.Budget <= 0 {
		return spent, -1, nil
	}
	return spent, p.Caps.Budget - spent.Amount, nil
}

func (s *Service) updateBudget(ctx context.Context, p *Policy) {
	if p.Caps.Budget <= 0 || s.cfg.Metrics == nil {
		return
	}
	_, _, b := p.Caps.Windows(s.now())
	t, err := s.cfg.Ledger.Totals(ctx, Tally{Policy: p.Name, Since: b[0], Until: b[1]})
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "reward budget gauge", "policy", p.Name, "error", err)
		return
	}
	s.cfg.Metrics.budget(p.Name, p.Caps.Budget-t.Amount)
}

// closesValid reports whether state closes h as valid in h's process; a
// hazard of a process the service does not know is never rewarded.
func (s *Service) closesValid(h *hazard.Hazard, state string) bool {
	pr, err := s.cfg.Processes.Of(h)
	return err == nil && pr.Outcome(state) == hazard.OutcomeValid
}

// Consumer returns the relay consumer that turns a hazard's transitions
// into a state that closes it as valid (its process's declaration) into
// issued rewards; events of other subjects than hazards pass. Handle reads
// the hazard and calls IssueFor; it is idempotent under redelivery, and a
// hazard reopened and closed as valid again gets no second reward (the
// ledger issues once per hazard and policy). An anonymous report
// (hazard.IsAnonymous) earns nothing until a verified identity is bound to
// it (hazard.EventClaimBound): the consumer then decides for the bound
// user, at the binding when the report had closed as valid before, or at
// its closure (see onBound). An error (reading the hazard, the ledger, the
// event log) makes the relay retry.
func (s *Service) Consumer() relay.Consumer {
	return relay.Consumer{Name: s.cfg.ConsumerName, Handle: func(ctx context.Context, e hazard.Event) error {
		if e.HazardID != uuid.Nil && e.Type == hazard.EventClaimBound {
			return s.onBound(ctx, e)
		}
		if e.HazardID == uuid.Nil || e.Type != hazard.EventTransition || !s.cfg.Processes.MayClose(e.To, hazard.OutcomeValid) {
			return nil
		}
		if s.cfg.Hazards == nil {
			return &hazard.Error{Code: hazard.CodeInternal, Op: "reward.Consumer", Message: "the reward service has no Hazards reader"}
		}
		h, err := s.cfg.Hazards.Get(ctx, e.HazardID)
		if err != nil {
			return wrap("reward.Consumer", err)
		}
		// The event, not the hazard's current state (it may have been
		// reopened since), says it closed valid.
		if !s.closesValid(&h, e.To) {
			return nil
		}
		h.State = e.To
		if hazard.IsAnonymous(h.Reporter.UserID) {
			var ok bool
			if h, ok, err = s.boundHazard(ctx, h); err != nil || !ok {
				return err // unbound: the binding is evaluated when it comes
			}
		}
		_, err = s.IssueFor(ctx, h)
		return err
	}}
}
