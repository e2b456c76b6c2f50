package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/reward"
)

func TestLedgerCountByStatus(t *testing.T) {
	ctx := context.Background()
	l := newDB(t).Ledger()
	got, err := l.CountByStatus(ctx)
	require.NoError(t, err)
	assert.Empty(t, got, "CountByStatus of an empty ledger")

	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	var ids []uuid.UUID
	for i, amount := range []reward.Fen{2000, 5000, 20000} {
		r := reward.Reward{ID: uuid.Must(uuid.NewV7()), HazardID: uuid.Must(uuid.NewV7()), HazardRef: fmt.Sprintf("R%d", i),
			ReporterID: "citizen-1", Policy: "city", PolicyVersion: 1, Amount: amount, Status: reward.StatusPending,
			Explanation: []reward.Line{{Rule: "table", Contribution: amount, Total: amount}},
			IssuedAt:    now, ClaimBy: now.Add(60 * 24 * time.Hour), Version: 1}
		_, created, err := l.Issue(ctx, r, reward.Limits{}.Admit)
		require.NoError(t, err, "Issue %d", i)
		require.True(t, created)
		ids = append(ids, r.ID)
	}
	_, err = l.Update(ctx, ids[1], func(r *reward.Reward) error { return r.BeginClaim("citizen-1", now.Add(time.Hour)) })
	require.NoError(t, err, "BeginClaim")
	_, err = l.Update(ctx, ids[1], func(r *reward.Reward) error { _, err := r.Settle("pay-1", now.Add(time.Hour)); return err })
	require.NoError(t, err, "Settle")

	got, err = l.CountByStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[reward.Status]reward.Total{
		reward.StatusPending: {Count: 2, Amount: 22000},
		reward.StatusClaimed: {Count: 1, Amount: 5000},
	}, got, "CountByStatus")
}
