package reward

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Errors of the ledger's rules besides the plain codes. Each is a
// *hazard.Error with CodeConflict, so errors.Is(err, hazard.ErrConflict)
// holds for all of them, and errors.Is(err, ErrBudgetExhausted) picks out
// the one. The rules that return them live in this package (Limits.Admit,
// the Reward methods); a Ledger passes them on, as is or wrapped with %w.
var (
	// ErrBudgetExhausted: issuing would take the programme over its budget.
	ErrBudgetExhausted error = &hazard.Error{Code: hazard.CodeConflict, Field: "budget",
		Message: "the programme's reward budget for the period is spent"}
	// ErrCapReached: issuing would take the reporter over a count or amount
	// cap of a window.
	ErrCapReached error = &hazard.Error{Code: hazard.CodeConflict, Field: "reporter",
		Message: "the reporter has reached the reward limit for the period"}
	// ErrNotClaimable: the reward is not pending (it is being claimed, was
	// claimed, expired or failed).
	ErrNotClaimable error = &hazard.Error{Code: hazard.CodeConflict, Field: "status",
		Message: "the reward cannot be claimed in its current status"}
	// ErrClaimWindowClosed: the claim came at or after the reward's ClaimBy.
	ErrClaimWindowClosed error = &hazard.Error{Code: hazard.CodeConflict, Field: "claim_by",
		Message: "the claim window of the reward has ended"}
)

// Tally selects the rewards a Total adds up: those of Policy issued to
// ReporterID (to anyone when ReporterID is empty) with IssuedAt in
// [Since, Until), a zero Until being open, except expired ones: a reward
// that was not claimed gives its amount back.
type Tally struct {
	Policy       string
	ReporterID   string
	Since, Until time.Time
}

// Counts reports whether t counts r. It is the rule a Ledger's Totals
// follow; an adapter that filters in memory calls it.
func (t Tally) Counts(r Reward) bool {
	return r.Policy == t.Policy && r.Status != StatusExpired &&
		(t.ReporterID == "" || r.ReporterID == t.ReporterID) && inWindow(r.IssuedAt, t.Since, t.Until)
}

// inWindow reports whether t falls in [since, until); a zero until is open.
func inWindow(t, since, until time.Time) bool {
	return !t.Before(since) && (until.IsZero() || t.Before(until))
}

// Cap limits what one reporter may be issued under one policy within a
// window of time: at most MaxCount rewards and at most MaxAmount fen with
// IssuedAt in [Since, Until). A zero MaxCount or MaxAmount does not limit.
type Cap struct {
	Since, Until time.Time
	MaxCount     int
	MaxAmount    Fen
}

// applies reports whether the cap limits a reward issued at.
func (c Cap) applies(at time.Time) bool {
	return (c.MaxCount > 0 || c.MaxAmount > 0) && inWindow(at, c.Since, c.Until)
}

// admits reports whether one more reward of amount fits under the cap,
// given the total t already issued in its window.
func (c Cap) admits(t Total, amount Fen) bool {
	return (c.MaxCount <= 0 || t.Count+1 <= c.MaxCount) && (c.MaxAmount <= 0 || t.Amount+amount <= c.MaxAmount)
}

// Budget limits what a policy may issue to everyone within a period: the
// amounts of its rewards with IssuedAt in [Since, Until) add up to at most
// Amount. A zero Amount does not limit.
type Budget struct {
	Since, Until time.Time
	Amount       Fen
}

// applies reports whether the budget limits a reward issued at.
func (b Budget) applies(at time.Time) bool {
	return b.Amount > 0 && inWindow(at, b.Since, b.Until)
}

// Limits are the caps and the budget a reward is issued under
// (Caps.Limits); Admit checks them inside Ledger.Issue's atomic step.
type Limits struct {
	// Reporter caps (e.g. one per day and one per month) count the rewards
	// of the same reporter and policy name.
	Reporter []Cap
	// Budget counts the rewards of the same policy name.
	Budget Budget
}

// Admit checks that r fits in the limits, reading the totals it needs
// with total: each reporter cap whose window holds r.IssuedAt, in order,
// then the budget if its period holds it. A cap or budget that does not
// apply is not counted. Going over a cap is ErrCapReached (before the
// budget is counted), over the budget ErrBudgetExhausted; an error of total
// is returned as is. Admit is the admit function the Service gives
// Ledger.Issue, which supplies total inside its atomic step, so that the
// answer holds until the reward is stored.
func (l Limits) Admit(r Reward, total func(Tally) (Total, error)) error {
	for _, c := range l.Reporter {
		if !c.applies(r.IssuedAt) {
			continue // counting would not change the answer
		}
		t, err := total(Tally{Policy: r.Policy, ReporterID: r.ReporterID, Since: c.Since, Until: c.Until})
		if err != nil {
			return err
		}
		if !c.admits(t, r.Amount) {
			return ErrCapReached
		}
	}
	if b := l.Budget; b.applies(r.IssuedAt) {
		t, err := total(Tally{Policy: r.Policy, Since: b.Since, Until: b.Until})
		if err != nil {
			return err
		}
		if t.Amount+r.Amount > b.Amount {
			return ErrBudgetExhausted
		}
	}
	return nil
}

// Total is a count of rewards and their amount.
type Total struct {
	Count  int `json:"count"`
	Amount Fen `json:"amount_fen"`
}

// List is one page of rewards, newest first.
type List struct {
	Items []Reward
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// Ledger keeps rewards. It is the port that storage adapters implement;
// rewardtest.TestLedger pins every promise below.
//
// A Ledger stores and keeps each step atomic; it holds no rule of the
// programme. What may be issued (caps, budgets, their order) and how a
// reward moves from status to status (claim, payout, failure, expiry) are
// decided by this package, in functions the ledger calls inside its
// atomic step: Issue's admit and the change of Update and UpdateDue.
// Those functions do no I/O and may be called more than once; only the
// last call's outcome is stored.
//
// A Ledger that is a hazard.Forgetter (memledger's, pgstore's) forgets an
// erased reporter: every reward of theirs gets the pseudonym as its
// reporter, its version incremented, nothing else changed (the rules of
// the erasure are Service.ForgetUser's); rewardtest checks it.
//
// Rewards are values: a Ledger copies them in and out, so that no caller
// shares memory with it. A Ledger is safe for concurrent use. Each change
// increments Version. Errors are *hazard.Error with a code, or the error of
// a caller's function, as is or wrapped with %w so that errors.Is matches
// it. A Ledger keeps no clock: callers pass the time.
type Ledger interface {
	// Issue stores r (valid per Reward.Validate, Version set to 1) unless
	// the hazard already has a reward of the same policy name: then it
	// changes nothing, does not call admit, and returns that reward with
	// created == false. Otherwise, in one atomic step, it calls admit with
	// r and a total function that counts as Totals does, then stores r and
	// returns it with created == true. The totals admit reads hold until r
	// is stored: of concurrent Issue calls whose rewards a Tally counts,
	// each total sees the rewards the others stored, so that limits
	// checked by admit are never exceeded under any concurrency.
	//
	// An invalid reward is CodeInvalid; an ID already taken is
	// CodeConflict; an error of admit (ErrCapReached, ErrBudgetExhausted
	// from Limits.Admit) is returned. Nothing is stored on error. A hazard
	// never gets two rewards of one policy.
	Issue(ctx context.Context, r Reward, admit func(r Reward, total func(Tally) (Total, error)) error) (stored Reward, created bool, err error)

	// Get returns the reward with the ID, or CodeNotFound.
	Get(ctx context.Context, id uuid.UUID) (Reward, error)

	// ByHazard returns the rewards of a hazard, oldest first; none is an
	// empty list, not an error.
	ByHazard(ctx context.Context, hazardID uuid.UUID) ([]Reward, error)

	// ListByReporter returns one page of the reporter's rewards, newest
	// first (by ID, a UUIDv7), with the status or of any status when status
	// is empty. Paging follows hazard.Page: Limit 0 is
	// hazard.DefaultPageLimit, above hazard.MaxPageLimit is capped, negative
	// is CodeInvalid; a cursor the ledger did not make is CodeInvalid. An
	// unknown status is CodeInvalid.
	ListByReporter(ctx context.Context, reporterID string, status Status, p hazard.Page) (List, error)

	// ListIssued returns one page of the rewards issued in [since, until)
	// (since <= IssuedAt < until), of any status, newest first (by ID), for
	// finance's exports. Paging is as in ListByReporter; until not after
	// since is CodeInvalid.
	ListIssued(ctx context.Context, since, until time.Time, p hazard.Page) (List, error)

	// Totals counts the rewards q selects (see Tally).
	Totals(ctx context.Context, q Tally) (Total, error)

	// Update changes the reward with the ID in one atomic step: it calls
	// change with a copy of the stored reward and stores what change left,
	// with Version incremented, and returns it. When another Update
	// changed the reward meanwhile, change is called again with the newer
	// reward, so that of concurrent Updates none is lost and each applies
	// to the outcome of the one before. An error of change aborts: nothing
	// is stored and Update returns the error. A missing reward is
	// CodeNotFound, and change is not called.
	//
	// change may set the claim fields (Status, ClaimBy, ClaimStartedAt,
	// ClaimedAt, ExpiredAt, PaymentRef, LastError, Attempts); the others
	// are fixed when the reward is issued, and Version is the ledger's.
	Update(ctx context.Context, id uuid.UUID, change func(r *Reward) error) (Reward, error)

	// UpdateDue changes, as Update does, up to MaxExpireBatch pending
	// rewards whose ClaimBy is at or before now, oldest ClaimBy first, in
	// one atomic step, and returns them as stored. Rewards that a
	// concurrent UpdateDue holds are skipped, so that each reward is
	// handed to one change at a time and concurrent sweeps take different
	// rewards. An error of change aborts the batch: nothing is stored.
	// change takes the reward out of pending (Reward.Expire), so that a
	// later call does not return it again.
	UpdateDue(ctx context.Context, now time.Time, change func(r *Reward) error) ([]Reward, error)

	// StuckClaims returns up to MaxExpireBatch claiming rewards whose claim
	// began before startedBefore, oldest first, for reconciliation with
	// the payer.
	StuckClaims(ctx context.Context, startedBefore time.Time) ([]Reward, error)
}

// MaxExpireBatch is the most rewards UpdateDue and StuckClaims return at
// once.
const MaxExpireBatch = 1000
