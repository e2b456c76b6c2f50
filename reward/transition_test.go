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
