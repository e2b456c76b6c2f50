package reward

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
)

// The state changes of a claim, as the Ledger interface describes them, in
// one place for every ledger: an adapter applies one to the stored reward
// inside its atomic step (a lock, a versioned UPDATE) and increments
// Version itself. They do no I/O and return the errors the Ledger methods
// document.

// CheckPaymentRef returns CodeInvalid unless ref is 1 to MaxPaymentRefLen
// bytes.
func CheckPaymentRef(ref string) error {
	if ref == "" || len(ref) > MaxPaymentRefLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "payment_ref",
			Message: fmt.Sprintf("must be 1 to %d bytes", MaxPaymentRefLen)}
	}
	return nil
}

// CheckErrorText returns CodeInvalid when s is longer than MaxErrorLen
// runes.
func CheckErrorText(s string) error {
	if utf8.RuneCountInString(s) > MaxErrorLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "error",
			Message: fmt.Sprintf("must be at most %d characters", MaxErrorLen)}
	}
	return nil
}

// BeginClaim moves r from pending to claiming for reporterID at now, as
// Ledger.BeginClaim: another reporter is CodeForbidden (checked first), a
// reward not pending is ErrNotClaimable, now at or after ClaimBy is
// ErrClaimWindowClosed.
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

// Settle records the payout of r under paymentRef at now, from any status,
// as Ledger.Settle. changed is false, and r untouched, when r was already
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

// FailClaim moves a claiming r back to pending with errText recorded, and
// ClaimBy the later of itself and claimBy, as Ledger.FailClaim.
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

// MarkFailed moves a claiming r to failed, final, with errText recorded, as
// Ledger.MarkFailed.
func (r *Reward) MarkFailed(errText string) error {
	if err := r.endClaim(errText); err != nil {
		return err
	}
	r.Status = StatusFailed
	return nil
}

// endClaim checks that a claim that did not pay may end, and records why.
func (r *Reward) endClaim(errText string) error {
	if err := CheckErrorText(errText); err != nil {
		return err
	}
	if r.Status != StatusClaiming {
		return ErrNotClaimable
	}
	r.LastError = errText
	return nil
}
