package reward

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
)

// The state changes of a reward, in one place for every ledger: the
// Service hands one to Ledger.Update (or UpdateDue), which applies it to
// the stored reward inside its atomic step and increments Version. They do
// no I/O; a refusal changes nothing.

// CheckPaymentRef returns CodeInvalid unless ref is 1 to MaxPaymentRefLen
// bytes: the payment references a ledger records (Reward.Settle) and a
// payer hands out.
func CheckPaymentRef(ref string) error {
	if ref == "" || len(ref) > MaxPaymentRefLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "payment_ref",
			Message: fmt.Sprintf("must be 1 to %d bytes", MaxPaymentRefLen)}
	}
	return nil
}

// checkErrorText returns CodeInvalid when s is longer than MaxErrorLen
// runes.
func checkErrorText(s string) error {
	if utf8.RuneCountInString(s) > MaxErrorLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "error",
			Message: fmt.Sprintf("must be at most %d characters", MaxErrorLen)}
	}
	return nil
}

// BeginClaim moves r from pending to claiming for reporterID at now: it
// sets ClaimStartedAt to now and increments Attempts. Another reporter is
// CodeForbidden (checked first), a reward not pending is ErrNotClaimable,
// now at or after ClaimBy is ErrClaimWindowClosed.
func (r *Reward) BeginClaim(reporterID string, now time.Time) error {
	switch {
	case r.ReporterID != reporterID:
		return &hazard.Error{Code: hazard.CodeForbidden, Message: "only the reporter may claim the reward"}
	case r.Status != StatusPending:
		return ErrNotClaimable
	case !now.Before(r.ClaimBy):
		return ErrClaimWindowClosed
	}
	r.Status = StatusClaiming
	r.ClaimStartedAt = now.UTC()
	r.Attempts++
	return nil
}

// Settle records the payout of r under paymentRef at now: status claimed,
// PaymentRef set, ClaimedAt now, ExpiredAt and LastError cleared. The
// payer's word is final, so a payout is recorded from any status: claiming
// (the normal path), or pending, expired or failed when a payer confirms
// late that it paid. changed is false, and r untouched, when r was already
// claimed under paymentRef; another reference is CodeConflict, and an
// empty or too long one CodeInvalid.
func (r *Reward) Settle(paymentRef string, now time.Time) (changed bool, err error) {
	if err := CheckPaymentRef(paymentRef); err != nil {
		return false, err
	}
	if r.Status == StatusClaimed {
		if r.PaymentRef == paymentRef {
			return false, nil
		}
		return false, &hazard.Error{Code: hazard.CodeConflict, Field: "payment_ref",
			Message: "the reward was paid under another payment reference"}
	}
	r.Status = StatusClaimed
	r.PaymentRef = paymentRef
	r.ClaimedAt = now.UTC()
	r.ExpiredAt = time.Time{}
	r.LastError = ""
	return true, nil
}

// FailClaim moves a claiming r back to pending, claimable again, with
// errText recorded in LastError. ClaimBy becomes the later of itself and
// claimBy (zero keeps it), so that a reporter who claimed in time keeps a
// chance to retry. A reward not claiming is ErrNotClaimable; errText
// longer than MaxErrorLen runes is CodeInvalid (checked first).
func (r *Reward) FailClaim(errText string, claimBy time.Time) error {
	if err := r.endClaim(errText); err != nil {
		return err
	}
	r.Status = StatusPending
	if claimBy.After(r.ClaimBy) {
		r.ClaimBy = claimBy.UTC()
	}
	return nil
}

// MarkFailed moves a claiming r to failed, final, with errText recorded,
// when the payer refused it for good. A reward not claiming is
// ErrNotClaimable; errText longer than MaxErrorLen runes is CodeInvalid
// (checked first).
func (r *Reward) MarkFailed(errText string) error {
	if err := r.endClaim(errText); err != nil {
		return err
	}
	r.Status = StatusFailed
	return nil
}

// endClaim checks that a claim that did not pay may end, and records why.
func (r *Reward) endClaim(errText string) error {
	if err := checkErrorText(errText); err != nil {
		return err
	}
	if r.Status != StatusClaiming {
		return ErrNotClaimable
	}
	r.LastError = errText
	return nil
}

// errNotDue is Expire's refusal of a reward whose claim window is open.
var errNotDue error = &hazard.Error{Code: hazard.CodeConflict, Field: "claim_by",
	Message: "the claim window of the reward has not ended"}

// Due reports whether r is pending with its claim window ended at now
// (ClaimBy at or before now): what Ledger.UpdateDue selects and Expire
// accepts.
func (r *Reward) Due(now time.Time) bool {
	return r.Status == StatusPending && !r.ClaimBy.After(now)
}

// Expire moves a pending r whose ClaimBy is at or before now to expired,
// final, with ExpiredAt now. A reward not pending is ErrNotClaimable; one
// whose window is still open is CodeConflict.
func (r *Reward) Expire(now time.Time) error {
	switch {
	case r.Status != StatusPending:
		return ErrNotClaimable
	case !r.Due(now):
		return errNotDue
	}
	r.Status = StatusExpired
	r.ExpiredAt = now.UTC()
	return nil
}

// Forfeit moves a pending r to expired, final, with ExpiredAt now: its
// reporter erased their account, so nobody can claim it any more, and its
// amount returns to the budget as an unclaimed reward's does. A reward
// not pending is ErrNotClaimable.
func (r *Reward) Forfeit(now time.Time) error {
	if r.Status != StatusPending {
		return ErrNotClaimable
	}
	r.Status = StatusExpired
	r.ExpiredAt = now.UTC()
	return nil
}
