package reward

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Errors a Ledger returns besides the plain codes. Each is a *hazard.Error
// with CodeConflict, so errors.Is(err, hazard.ErrConflict) holds for all of
// them, and errors.Is(err, ErrBudgetExhausted) picks out the one.
// Adapters return these values themselves (or wrap them with %w).
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

// Cap limits what one reporter may be issued under one policy within a
// window of time: at most MaxCount rewards and at most MaxAmount fen with
// IssuedAt in [Since, Until). A zero MaxCount or MaxAmount does not limit.
type Cap struct {
	Since, Until time.Time
	MaxCount     int
	MaxAmount    Fen
}

// Applies reports whether the cap limits a reward issued at: it sets a
// count or an amount and at falls in [Since, Until) (a zero Until is open).
func (c Cap) Applies(at time.Time) bool {
	return (c.MaxCount > 0 || c.MaxAmount > 0) && InWindow(at, c.Since, c.Until)
}

// Admits reports whether one more reward of amount fits under the cap,
// given the total t already issued in its window.
func (c Cap) Admits(t Total, amount Fen) bool {
	return (c.MaxCount <= 0 || t.Count+1 <= c.MaxCount) && (c.MaxAmount <= 0 || t.Amount+amount <= c.MaxAmount)
}

// Budget limits what a policy may issue to everyone within a period: the
// amounts of its rewards with IssuedAt in [Since, Until) add up to at most
// Amount. A zero Amount does not limit.
type Budget struct {
	Since, Until time.Time
	Amount       Fen
}

// Applies reports whether the budget limits a reward issued at: it sets an
// Amount and at falls in [Since, Until) (a zero Until is open).
func (b Budget) Applies(at time.Time) bool {
	return b.Amount > 0 && InWindow(at, b.Since, b.Until)
}

// Admits reports whether a reward of amount fits in the budget, given the
// total t already issued in its period.
func (b Budget) Admits(t Total, amount Fen) bool { return t.Amount+amount <= b.Amount }

// InWindow reports whether t falls in [since, until); a zero until is open.
// It is the period rule of caps, budgets and Ledger.Totals.
func InWindow(t, since, until time.Time) bool {
	return !t.Before(since) && (until.IsZero() || t.Before(until))
}

// Limits are what Ledger.Issue checks again, atomically, before it issues.
type Limits struct {
	// Reporter caps (e.g. one per day and one per month) count the rewards
	// of the same reporter and policy name.
	Reporter []Cap
	// Budget counts the rewards of the same policy name.
	Budget Budget
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

// Ledger keeps rewards and pays each exactly once. It is the port that
// storage adapters implement; rewardtest.TestLedger pins every promise
// below.
//
// Rewards are values: a Ledger copies them in and out, so that no caller
// shares memory with it. Each method is one atomic step, and a Ledger is
// safe for concurrent use. Methods that change a reward are conditional on
// its status (compare and set), so that two callers racing for the same
// change see exactly one success. Each change increments Version. Errors
// are *hazard.Error with a code. A Ledger keeps no clock: callers pass the
// time.
//
// Totals, caps and budgets count every reward except expired ones: a
// reward that was not claimed gives its amount back.
type Ledger interface {
	// Issue stores r (valid per Reward.Validate, Version set to 1) unless
	// the hazard already has a reward of the same policy name: then it
	// changes nothing and returns that reward with created == false, even
	// when the limits would now refuse it. Otherwise it checks the limits
	// against its own totals in the same atomic step and returns the stored
	// reward with created == true.
	//
	// An invalid reward is CodeInvalid; an ID already taken is CodeConflict;
	// going over a reporter cap is ErrCapReached and over the budget is
	// ErrBudgetExhausted. Nothing is stored on error. Under any concurrency
	// the budget and caps are never exceeded and a hazard never gets two
	// rewards of one policy.
	Issue(ctx context.Context, r Reward, limits Limits) (stored Reward, created bool, err error)

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

	// Totals counts the rewards of the policy name issued in [since, until)
	// that are not expired: to the reporter, or to everyone when reporterID
	// is empty (what the budget has spent).
	Totals(ctx context.Context, policy, reporterID string, since, until time.Time) (Total, error)

	// BeginClaim moves a pending reward to claiming, sets ClaimStartedAt to
	// now and increments Attempts, and returns it. A missing reward is
	// CodeNotFound; a reporterID other than the reward's is CodeForbidden
	// (checked first); a reward not pending is ErrNotClaimable; now at or
	// after ClaimBy is ErrClaimWindowClosed. Of concurrent calls for one
	// reward, exactly one succeeds.
	BeginClaim(ctx context.Context, id uuid.UUID, reporterID string, now time.Time) (Reward, error)

	// Settle records the payout of a reward: status claimed, PaymentRef set,
	// ClaimedAt now, LastError cleared. The payer's word is final, so a
	// payout is recorded from any status: claiming (the normal path), or
	// pending, expired or failed when a payer confirms late that it paid.
	// settled reports whether this call recorded it: settling a claimed
	// reward again with the same paymentRef changes nothing and returns it
	// with settled == false; with another paymentRef it is CodeConflict.
	// An empty or too long paymentRef is CodeInvalid; a missing reward is
	// CodeNotFound.
	Settle(ctx context.Context, id uuid.UUID, paymentRef string, now time.Time) (r Reward, settled bool, err error)

	// FailClaim moves a claiming reward back to pending, claimable again,
	// with errText recorded in LastError. ClaimBy becomes the later of
	// itself and claimBy (zero keeps it), so that a reporter who claimed in
	// time keeps a chance to retry. A reward not claiming is
	// ErrNotClaimable; errText longer than MaxErrorLen runes is CodeInvalid.
	FailClaim(ctx context.Context, id uuid.UUID, errText string, claimBy time.Time) (Reward, error)

	// MarkFailed moves a claiming reward to failed, final, with errText
	// recorded, when the payer refused it for good. A reward not claiming
	// is ErrNotClaimable; errText longer than MaxErrorLen runes is
	// CodeInvalid.
	MarkFailed(ctx context.Context, id uuid.UUID, errText string) (Reward, error)

	// Expire moves up to limit pending rewards whose ClaimBy is at or
	// before now to expired, with ExpiredAt now, oldest ClaimBy first, and
	// returns them. A reward expires once: a later call does not return it
	// again. limit <= 0 means MaxExpireBatch; larger values are capped.
	Expire(ctx context.Context, now time.Time, limit int) ([]Reward, error)

	// StuckClaims returns up to limit claiming rewards whose claim began
	// before startedBefore, oldest first, for reconciliation with the
	// payer. limit <= 0 means MaxExpireBatch; larger values are capped.
	StuckClaims(ctx context.Context, startedBefore time.Time, limit int) ([]Reward, error)
}

// MaxExpireBatch is the most rewards Expire and StuckClaims return at once.
const MaxExpireBatch = 1000

// ExpireBatch returns the batch size Expire and StuckClaims use for limit:
// MaxExpireBatch for limit <= 0 or above it, else limit.
func ExpireBatch(limit int) int {
	if limit <= 0 || limit > MaxExpireBatch {
		return MaxExpireBatch
	}
	return limit
}
