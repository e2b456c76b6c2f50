package memledger_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
)

func Example() {
	ctx := context.Background()
	l := memledger.New()
	t0 := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	r := reward.Reward{
		ID: uuid.Must(uuid.NewV7()), HazardID: uuid.Must(uuid.NewV7()), ReporterID: "u-1",
		Policy: "city", PolicyVersion: 1, Amount: reward.Yuan(20), Status: reward.StatusPending,
		IssuedAt: t0, ClaimBy: t0.Add(7 * 24 * time.Hour),
	}
	_, created, _ := l.Issue(ctx, r, reward.Limits{})
	fmt.Println("issued:", created)
	again := r
	again.ID = uuid.Must(uuid.NewV7())
	_, created, _ = l.Issue(ctx, again, reward.Limits{}) // same hazard and policy
	fmt.Println("issued again:", created)

	c, _ := l.BeginClaim(ctx, r.ID, "u-1", t0.Add(time.Hour))
	fmt.Println(c.Status, c.Status.Label())
	s, _, _ := l.Settle(ctx, r.ID, "pay-1", t0.Add(time.Hour))
	fmt.Println(s.Status, s.Amount)
	// Output:
	// issued: true
	// issued again: false
	// claiming 领取中
	// claimed ¥20.00
}
