package rewardtest_test

import (
	"fmt"

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
