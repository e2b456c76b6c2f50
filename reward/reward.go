package reward

import (
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Status is where a reward stands.
type Status string

// The statuses of a reward. A reward is issued pending; a claim moves it to
// claiming while the payer is asked, then to claimed. A failed payout puts
// it back to pending (claimable again, with the error recorded); a payer's
// final refusal makes it failed. An unclaimed reward past its claim window
// becomes expired.
const (
	StatusPending  Status = "pending"  // 待领: waiting for the reporter to claim it
	StatusClaiming Status = "claiming" // 领取中: the payer is paying it
	StatusClaimed  Status = "claimed"  // 已领取: paid out, final
	StatusExpired  Status = "expired"  // 已过期: not claimed in time, final
	StatusFailed   Status = "failed"   // 发放失败: the payer refused it for good, final
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusClaiming, StatusClaimed, StatusExpired, StatusFailed:
		return true
	}
	return false
}

// Label returns the Chinese label of s shown to citizens, e.g. "待领".
func (s Status) Label() string {
	switch s {
	case StatusPending:
		return "待领"
	case StatusClaiming:
		return "领取中"
	case StatusClaimed:
		return "已领取"
	case StatusExpired:
		return "已过期"
	case StatusFailed:
		return "发放失败"
	}
	return string(s)
}

// Text is a sentence in Chinese and English.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Line is one step of the explanation of a decision: which rule acted, what
// it contributed to the amount, and why, in words a citizen can read.
type Line struct {
	// Rule names the rule, e.g. "national_fine_share".
	Rule string `json:"rule"`
	// Contribution is the change the rule made to the amount (negative when
	// it lowered it, zero for an eligibility check).
	Contribution Fen `json:"contribution_fen"`
	// Total is the amount after the rule.
	Total Fen `json:"total_fen"`
	// Denied is true when the rule made the reporter ineligible.
	Denied bool `json:"denied,omitempty"`
	Text   Text `json:"text"`
}

// Limits of a reward's fields.
const (
	// MaxExplanationLines is the most lines an explanation may have.
	MaxExplanationLines = 64
	// MaxTextLen is the longest explanation text, in runes per language.
	MaxTextLen = 500
	// MaxRuleNameLen is the longest rule or policy name, in bytes.
	MaxRuleNameLen = 64
	// MaxPaymentRefLen is the longest payment reference, in bytes.
	MaxPaymentRefLen = 128
	// MaxErrorLen is the longest recorded payout error, in runes.
	MaxErrorLen = 500
)

// Reward is one reward issued to the reporter of a hazard under one policy.
//
// A Reward is a value: ledgers copy it in and out, so that callers never
// share memory with a ledger.
type Reward struct {
	// ID is a UUIDv7 and the idempotency key of its payout.
	ID uuid.UUID `json:"id"`
	// HazardID and HazardRef name the hazard the reward is for.
	HazardID  uuid.UUID `json:"hazard_id"`
	HazardRef string    `json:"hazard_ref"`
	// ReporterID is the user ID of the reporter, the only one who may claim.
	ReporterID string `json:"reporter_id"`
	// Policy and PolicyVersion name the policy that decided the reward. A
	// hazard has at most one reward per policy name.
	Policy        string `json:"policy"`
	PolicyVersion int    `json:"policy_version"`
	// Amount is positive and at most MaxAmount.
	Amount Fen    `json:"amount_fen"`
	Status Status `json:"status"`
	// Explanation is the trail of the decision, rule by rule.
	Explanation []Line `json:"explanation"`

	// IssuedAt is when the reward was issued (the notice); ClaimBy is the end
	// of the claim window: a claim at or after it is too late.
	IssuedAt time.Time `json:"issued_at"`
	ClaimBy  time.Time `json:"claim_by"`
	// ClaimStartedAt is when the last claim began; zero before any claim.
	ClaimStartedAt time.Time `json:"claim_started_at,omitzero"`
	// ClaimedAt is when the payout was recorded; zero until claimed.
	ClaimedAt time.Time `json:"claimed_at,omitzero"`
	// ExpiredAt is when the reward expired; zero unless expired.
	ExpiredAt time.Time `json:"expired_at,omitzero"`
	// PaymentRef is the payer's reference of the payout once claimed.
	PaymentRef string `json:"payment_ref,omitempty"`
	// LastError is the error of the last failed payout attempt.
	LastError string `json:"last_error,omitempty"`
	// Attempts counts the claims begun.
	Attempts int `json:"attempts"`
	// Version counts the changes to the reward, from 1 when issued.
	Version int64 `json:"version"`
}

// Clone returns a deep copy of r.
func (r Reward) Clone() Reward {
	if r.Explanation != nil {
		r.Explanation = append([]Line(nil), r.Explanation...)
	}
	return r
}

// Validate reports every problem with r as issued: a reward given to
// Ledger.Issue must be pending, with version 0 or 1, no claim data, and
// valid fields.
func (r *Reward) Validate() error {
	var p hazard.Problems
	if r.ID == uuid.Nil {
		p.Add("id", "is required")
	}
	if r.HazardID == uuid.Nil {
		p.Add("hazard_id", "is required")
	}
	if len(r.HazardRef) > hazard.MaxRefLen {
		p.Add("hazard_ref", "must be at most %d bytes", hazard.MaxRefLen)
	}
	if r.ReporterID == "" || utf8.RuneCountInString(r.ReporterID) > hazard.MaxUserIDLen {
		p.Add("reporter_id", "must be 1 to %d characters", hazard.MaxUserIDLen)
	}
	if r.Policy == "" || len(r.Policy) > MaxRuleNameLen {
		p.Add("policy", "must be 1 to %d bytes", MaxRuleNameLen)
	}
	if r.PolicyVersion < 1 {
		p.Add("policy_version", "must be at least 1")
	}
	if r.Amount <= 0 || r.Amount > MaxAmount {
		p.Add("amount_fen", "must be between 1 and %d", int64(MaxAmount))
	}
	if r.Status != StatusPending {
		p.Add("status", "must be pending when issued")
	}
	if len(r.Explanation) > MaxExplanationLines {
		p.Add("explanation", "takes at most %d lines", MaxExplanationLines)
	}
	for _, l := range r.Explanation {
		if l.Rule == "" || len(l.Rule) > MaxRuleNameLen {
			p.Add("explanation.rule", "must be 1 to %d bytes", MaxRuleNameLen)
		}
		hazard.CheckText(&p, "explanation.text.zh", l.Text.ZH, 0, MaxTextLen)
		hazard.CheckText(&p, "explanation.text.en", l.Text.EN, 0, MaxTextLen)
	}
	if r.IssuedAt.IsZero() {
		p.Add("issued_at", "is required")
	}
	if !r.ClaimBy.After(r.IssuedAt) {
		p.Add("claim_by", "must be after issued_at")
	}
	if !r.ClaimStartedAt.IsZero() || !r.ClaimedAt.IsZero() || !r.ExpiredAt.IsZero() ||
		r.PaymentRef != "" || r.LastError != "" || r.Attempts != 0 {
		p.Add("status", "a new reward has no claim, payout or expiry data")
	}
	if r.Version != 0 && r.Version != 1 {
		p.Add("version", "must be 0 or 1 when issued")
	}
	return p.Err("reward")
}
