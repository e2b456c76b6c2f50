package reward

import (
	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Facts are everything a rule may look at. The caller reads them before
// deciding (the hazard, the reporter, the totals of the ledger), so that
// rules do no I/O and the same facts always give the same decision.
type Facts struct {
	HazardID  uuid.UUID
	HazardRef string
	Category  string
	Severity  hazard.Severity
	Source    hazard.Source
	// State is the hazard's workflow state; ClosedValid is true when the
	// hazard's process declares that state to close it as valid
	// (hazard.OutcomeValid).
	State       string
	ClosedValid bool
	// DuplicateOf is the earlier hazard this one duplicates; uuid.Nil when
	// the reporter was the first.
	DuplicateOf uuid.UUID
	// Department is the code of the department that handled the hazard.
	Department string

	ReporterID string
	// ReporterVerified is true when the reporter passed real-name
	// authentication.
	ReporterVerified bool
	// ReporterDepartments are the departments the reporter works for as
	// staff with supervision duties; empty for a citizen.
	ReporterDepartments []string

	// Fine is the administrative fine imposed for the hazard.
	Fine Fen
	// Bonus is the extra reward the reviewer granted.
	Bonus Fen

	// Day and Month are the reporter's totals under this policy today and
	// this month, and Spent is what the policy has issued to everyone in
	// the budget period, as read before deciding.
	Day, Month, Spent Total
}

// Rule is one step of a policy. Apply looks at the facts and changes the
// decision through its methods (Deny, Add, Set, AtLeast, AtMost), each of
// which records a line of the explanation. Apply must be pure and
// deterministic: no I/O, no clock, no randomness. Integrators write their
// own rules by implementing it (or with RuleFunc).
type Rule interface {
	Apply(f Facts, d *Decision)
}

// RuleFunc adapts a function to Rule.
type RuleFunc func(f Facts, d *Decision)

// Apply calls fn.
func (fn RuleFunc) Apply(f Facts, d *Decision) { fn(f, d) }

// Decision is the outcome of a policy: whether the reporter earns a reward,
// how much, and why.
type Decision struct {
	// Policy and PolicyVersion name the policy that decided.
	Policy        string
	PolicyVersion int
	// Eligible is false once a rule denied the reward.
	Eligible bool
	// Amount is the reward; it is never negative.
	Amount Fen
	// Lines explain the decision, one per rule action, in order.
	Lines []Line
}

// Denied reports whether a rule denied the reward.
func (d *Decision) Denied() bool { return !d.Eligible }

// Pays reports whether the decision gives a reward: eligible and a
// positive amount.
func (d *Decision) Pays() bool { return d.Eligible && d.Amount > 0 }

func (d *Decision) set(rule string, amount Fen, t Text) {
	amount = min(max(amount, 0), MaxAmount)
	d.Lines = append(d.Lines, Line{Rule: rule, Contribution: amount - d.Amount, Total: amount, Text: t})
	d.Amount = amount
}

// Deny makes the reporter ineligible and sets the amount to zero; the
// policy applies no later rule.
func (d *Decision) Deny(rule string, t Text) {
	d.Lines = append(d.Lines, Line{Rule: rule, Contribution: -d.Amount, Total: 0, Denied: true, Text: t})
	d.Amount = 0
	d.Eligible = false
}

// Note records a line that changes nothing, e.g. an eligibility check
// passed.
func (d *Decision) Note(rule string, t Text) { d.set(rule, d.Amount, t) }

// Add adds amount (which may be negative) to the reward.
func (d *Decision) Add(rule string, amount Fen, t Text) { d.set(rule, d.Amount+amount, t) }

// Set replaces the amount.
func (d *Decision) Set(rule string, amount Fen, t Text) { d.set(rule, amount, t) }

// AtLeast raises the amount to min when it is lower, recording a line only
// when it changes it.
func (d *Decision) AtLeast(rule string, min Fen, t Text) {
	if d.Amount < min {
		d.set(rule, min, t)
	}
}

// AtMost lowers the amount to max when it is higher, recording a line only
// when it changes it.
func (d *Decision) AtMost(rule string, max Fen, t Text) {
	if d.Amount > max {
		d.set(rule, max, t)
	}
}
