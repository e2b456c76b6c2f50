package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

func TestLedgerConformance(t *testing.T) {
	testURL(t)
	rewardtest.TestLedger(t, func(t *testing.T) reward.Ledger { return newDB(t).Ledger() })
}
