package reward_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// TestClaimTransitions checks the state changes every ledger applies, on a
// reward value, without a ledger.
func TestClaimTransitions(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	pending := reward.Reward{ReporterID: "u1", Status: reward.StatusPending, ClaimBy: now.Add(time.Hour)}

	r := pending
	require.ErrorIs(t, r.BeginClaim("u2", now), hazard.ErrForbidden, "another reporter")
	require.True(t, errors.Is(r.BeginClaim("u1", now.Add(time.Hour)), reward.ErrClaimWindowClosed), "at ClaimBy")
	assert.Equal(t, pending, r, "refusals change nothing")
	require.NoError(t, r.BeginClaim("u1", now))
	assert.Equal(t, reward.StatusClaiming, r.Status)
	assert.Equal(t, 1, r.Attempts)
	require.True(t, errors.Is(r.BeginClaim("u1", now), reward.ErrNotClaimable), "claiming already")

	failed := r
	require.ErrorIs(t, failed.FailClaim(strings.Repeat("x", reward.MaxErrorLen+1), time.Time{}), hazard.ErrInvalid)
	require.NoError(t, failed.FailClaim("timeout", now.Add(2*time.Hour)))
	assert.Equal(t, reward.StatusPending, failed.Status)
	assert.Equal(t, "timeout", failed.LastError)
	assert.Equal(t, now.Add(2*time.Hour), failed.ClaimBy, "ClaimBy moves later")
	require.True(t, errors.Is(failed.MarkFailed("no"), reward.ErrNotClaimable), "not claiming")

	changed, err := r.Settle("wx-1", now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, reward.StatusClaimed, r.Status)
	changed, err = r.Settle("wx-1", now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, changed, "the same reference again")
	_, err = r.Settle("wx-2", now)
	require.ErrorIs(t, err, hazard.ErrConflict, "another reference")
	_, err = r.Settle("", now)
	require.ErrorIs(t, err, hazard.ErrInvalid, "no reference")
}

// TestLimitsApplyAndAdmit checks the limit rules every ledger applies.
func TestLimitsApplyAndAdmit(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := reward.Cap{Since: day, Until: day.Add(24 * time.Hour), MaxCount: 2, MaxAmount: reward.Yuan(100)}
	assert.True(t, c.Applies(day), "from Since")
	assert.False(t, c.Applies(day.Add(24*time.Hour)), "not at Until")
	assert.False(t, reward.Cap{Since: day}.Applies(day), "a cap that sets nothing")
	assert.True(t, c.Admits(reward.Total{Count: 1, Amount: reward.Yuan(50)}, reward.Yuan(50)), "the last that fits")
	assert.False(t, c.Admits(reward.Total{Count: 2}, reward.Yuan(1)), "one count too many")
	assert.False(t, c.Admits(reward.Total{Count: 1, Amount: reward.Yuan(60)}, reward.Yuan(50)), "over the amount")
	b := reward.Budget{Since: day, Amount: reward.Yuan(1000)}
	assert.True(t, b.Applies(day.AddDate(1, 0, 0)), "a zero Until is open")
	assert.False(t, reward.Budget{Since: day}.Applies(day), "no amount, no budget")
	assert.True(t, b.Admits(reward.Total{Amount: reward.Yuan(900)}, reward.Yuan(100)))
	assert.False(t, b.Admits(reward.Total{Amount: reward.Yuan(901)}, reward.Yuan(100)))
	assert.Equal(t, reward.MaxExpireBatch, reward.ExpireBatch(0))
	assert.Equal(t, reward.MaxExpireBatch, reward.ExpireBatch(reward.MaxExpireBatch+1))
	assert.Equal(t, 7, reward.ExpireBatch(7))
}
