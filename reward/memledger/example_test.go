package memledger_test

import (
	"context"
	"errors"
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
	_, created, _ := l.Issue(ctx, r, reward.Limits{}.Admit)
	fmt.Println("issued:", created)
	again := r
	again.ID = uuid.Must(uuid.NewV7())
	_, created, _ = l.Issue(ctx, again, reward.Limits{}.Admit) // same hazard and policy
	fmt.Println("issued again:", created)

	// The rules of a claim are the reward's; the ledger applies them atomically.
	c, _ := l.Update(ctx, r.ID, func(r *reward.Reward) error { return r.BeginClaim("u-1", t0.Add(time.Hour)) })
	fmt.Println(c.Status, c.Status.Label())
	_, err := l.Update(ctx, r.ID, func(r *reward.Reward) error { return r.BeginClaim("u-1", t0.Add(time.Hour)) })
	fmt.Println(errors.Is(err, reward.ErrNotClaimable))
	s, _ := l.Update(ctx, r.ID, func(r *reward.Reward) error { _, err := r.Settle("pay-1", t0.Add(time.Hour)); return err })
	fmt.Println(s.Status, s.Amount, s.Version)
	// Output:
	// issued: true
	// issued again: false
	// claiming 领取中
	// true
	// claimed ¥20.00 3
}
