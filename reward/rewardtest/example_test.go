package rewardtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/mempay"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

// An adapter's test file runs the whole suite with one call:
//
//	func TestLedger(t *testing.T) {
//		rewardtest.TestLedger(t, func(t *testing.T) reward.Ledger { return memledger.New() })
//	}
//
// NewReward makes the valid pending rewards the suite issues.
func Example() {
	r := rewardtest.NewReward("u-1", 2000)
	fmt.Println(r.Status, r.Amount, r.Policy, r.ClaimBy.Sub(r.IssuedAt))
	// Output: pending ¥20.00 test 168h0m0s
}

// A payer's test file runs the payer suite with one call; a payer whose
// payouts wait for someone passes the function that completes them:
//
//	func TestPayer(t *testing.T) {
//		rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) {
//			p := manualpay.New(nil)
//			return p, func(key string) error { return p.MarkPaid(key, "BANK-"+key) }
//		})
//	}
//
// What the suite checks, shown on mempay: a key pays once, asking again
// (after a lost answer) returns the one payout, and a key never paid is
// not found.
func ExampleTestPayer() {
	ctx := context.Background()
	p := mempay.New()
	req := reward.PayRequest{IdempotencyKey: "reward-1", Amount: reward.Yuan(20)}
	first, _ := p.Pay(ctx, req)
	again, _ := p.Pay(ctx, req)
	_, err := p.Query(ctx, "never-paid")
	fmt.Println(first.PaymentRef != "", first.PaymentRef == again.PaymentRef, errors.Is(err, hazard.ErrNotFound))
	// Output: true true true
}
