package memledger_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

func TestLedger(t *testing.T) {
	rewardtest.TestLedger(t, func(t *testing.T) reward.Ledger { return memledger.New() })
}
