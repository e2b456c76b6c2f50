package reward

import (
	"context"

	"github.com/google/uuid"
)

// PayStatus is what a payer says about a payout.
type PayStatus string

// The payout statuses.
const (
	// PaySettled: the money was paid; PayResult.PaymentRef names the
	// payout.
	PaySettled PayStatus = "settled"
	// PayPending: the payout waits, e.g. for the citizen to confirm a WeChat
	// Pay merchant transfer in the app (PayResult.Package is what the app
	// needs), or for finance to pay by hand. Ask again with Query.
	PayPending PayStatus = "pending"
	// PayFailed: nothing was paid and nothing will be under this attempt;
	// the reward may be claimed again.
	PayFailed PayStatus = "failed"
	// PayRejected: nothing was paid and the payer will never pay this
	// reward (e.g. the payee's account cannot receive it).
	PayRejected PayStatus = "rejected"
)

// PayRequest asks a payer to pay one reward.
type PayRequest struct {
	// IdempotencyKey identifies the payout: the reward ID. A payer pays at
	// most once per key, whatever the number of requests (WeChat Pay's
	// out_bill_no).
	IdempotencyKey string
	RewardID       uuid.UUID
	// ReporterID is the payee, as the integrator's user store knows them;
	// the payer maps it to an account (an openid).
	ReporterID string
	Amount     Fen
	// Remark is a short text shown with the transfer, e.g.
	// "隐患举报奖励 LC-20260302-000001".
	Remark string
}

// PayResult is a payer's answer.
type PayResult struct {
	Status PayStatus
	// PaymentRef is the payer's reference of a settled payout.
	PaymentRef string
	// Package is what the citizen's app needs to confirm a pending payout
	// (WeChat Pay's package_info); empty when no confirmation is needed.
	Package string
	// Merchant and App say who pays and through which app, for an app
	// that needs them with Package (WeChat Pay's mchId and appId, which
	// wx.requestMerchantTransfer takes); empty otherwise.
	Merchant, App string
	// Reason says why a payout failed or was rejected.
	Reason string
}

// Payer pays rewards. It is the port that payment adapters implement;
// rewardtest.TestPayer pins every promise below.
//
// A payer pays at most once per IdempotencyKey: a request repeated with
// the same key (after a timeout, a lost answer, a crash) returns the state
// of the first payout and never pays again; a settled payout keeps its
// PaymentRef, 1 to MaxPaymentRefLen bytes (CheckPaymentRef). Each key is
// its own payout. A Payer is safe for concurrent use.
//
// A backend that refuses to reuse a key after a definite failure (WeChat
// Pay's out_bill_no, once a transfer is closed) keeps its own bill numbers
// per key: it answers with the existing payout while one succeeded or is
// in flight, and opens a new bill only after the last one definitely
// failed, so that the key stays the reward ID on this side.
type Payer interface {
	// Pay asks for the payout of req. An error means the outcome is
	// unknown (a timeout, a lost answer): the payout may or may not have
	// happened, and asking again with the same key, or Query, tells. Two
	// errors are definite and pay nothing: a request without a key or
	// with an amount not positive is CodeInvalid, and a key asked again
	// with another amount is CodeConflict.
	Pay(ctx context.Context, req PayRequest) (PayResult, error)

	// Query returns the state of the payout with the key without paying:
	// a CodeNotFound error when the payer has no payout under the key
	// (nothing was paid), PayFailed for one that failed definitely.
	Query(ctx context.Context, key string) (PayResult, error)
}
