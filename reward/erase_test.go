package reward_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

func erasureOf(userID string) hazard.Erasure {
	return hazard.Erasure{UserID: userID, Pseudonym: hazard.PseudonymPrefix + strings.Repeat("ab", 16), RequestedAt: T0}
}

func TestForgetUserKeepsPaidRewardsUnderThePseudonym(t *testing.T) {
	f := newFixture(t, nil)
	paid := f.issue(t, f.closed("alice", nil))
	_, err := f.svc.Claim(ctx, citizen("alice"), paid.ID)
	require.NoError(t, err, "Claim (setup)")
	pending := f.issue(t, f.closed("alice", nil))
	bobs := f.issue(t, f.closed("bob", nil))
	paid, err = f.ledger.Get(ctx, paid.ID)
	require.NoError(t, err)

	e := erasureOf("alice")
	require.NoError(t, f.svc.CheckErasure(ctx, citizen("alice")), "CheckErasure with nothing being paid")
	require.NoError(t, f.svc.ForgetUser(ctx, e), "ForgetUser")

	got, err := f.ledger.Get(ctx, paid.ID)
	require.NoError(t, err)
	assert.Equal(t, e.Pseudonym, got.ReporterID, "the paid reward's reporter")
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Equal(t, paid.Amount, got.Amount, "finance keeps the amount")
	assert.Equal(t, paid.PaymentRef, got.PaymentRef, "finance keeps the payment reference")
	assert.True(t, paid.ClaimedAt.Equal(got.ClaimedAt), "finance keeps the date")

	got, err = f.ledger.Get(ctx, pending.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusExpired, got.Status, "the pending reward is forfeited")
	assert.Equal(t, e.Pseudonym, got.ReporterID)
	assert.True(t, got.ExpiredAt.Equal(T0), "forfeited now")
	forfeited := f.hazards.ofType(hazard.EventRewardForfeited)
	require.Len(t, forfeited, 1, "one forfeited event")
	assert.Equal(t, pending.ID.String(), forfeited[0].Data[reward.DataRewardID])
	assert.Equal(t, e.Pseudonym, forfeited[0].Data[reward.DataReporterID], "the event names the pseudonym")

	got, err = f.ledger.Get(ctx, bobs.ID)
	require.NoError(t, err)
	assert.Equal(t, "bob", got.ReporterID, "another reporter's reward")
	assert.Equal(t, reward.StatusPending, got.Status)

	mine, err := f.svc.Mine(ctx, citizen("alice"), "", hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, mine.Items, "the person's ID has no rewards left")

	require.NoError(t, f.svc.ForgetUser(ctx, e), "ForgetUser again")
	assert.Len(t, f.hazards.ofType(hazard.EventRewardForfeited), 1, "no second forfeited event")
	require.ErrorIs(t, f.svc.ForgetUser(ctx, hazard.Erasure{UserID: "alice"}), hazard.ErrInvalid)
}

func TestErasureWaitsForAPayoutInFlight(t *testing.T) {
	f := newFixture(t, nil)
	f.payer.RequireConfirmation(true)
	r := f.issue(t, f.closed("alice", nil))
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err, "Claim (setup)")
	require.Equal(t, reward.StatusClaiming, res.Reward.Status, "the transfer waits for the citizen")

	require.ErrorIs(t, f.svc.CheckErasure(ctx, citizen("alice")), reward.ErrPayoutInFlight)
	require.ErrorIs(t, f.svc.CheckErasure(ctx, citizen("alice")), hazard.ErrConflict)
	require.ErrorIs(t, f.svc.ForgetUser(ctx, erasureOf("alice")), reward.ErrPayoutInFlight, "ForgetUser during a payout")
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice", got.ReporterID, "nothing changed")
	require.NoError(t, f.svc.CheckErasure(ctx, citizen("bob")), "another citizen may be erased")
}

func TestErasedReporterEarnsNothing(t *testing.T) {
	f := newFixture(t, nil)
	h := f.closed(erasureOf("alice").Pseudonym, nil)
	require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)), "the consumer on an erased reporter's report")
	rs, err := f.ledger.ByHazard(ctx, h.ID)
	require.NoError(t, err)
	assert.Empty(t, rs, "no reward for a pseudonym")
	out, err := f.svc.IssueFor(ctx, h)
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.False(t, out[0].Decision.Pays(), "the decision")
	lines := out[0].Decision.Lines
	assert.Equal(t, "erased", lines[len(lines)-1].Rule)
}

func TestForfeit(t *testing.T) {
	r := reward.Reward{Status: reward.StatusPending}
	now := T0.Add(time.Hour)
	require.NoError(t, r.Forfeit(now))
	assert.Equal(t, reward.StatusExpired, r.Status)
	assert.Equal(t, now, r.ExpiredAt)
	for _, st := range []reward.Status{reward.StatusClaiming, reward.StatusClaimed, reward.StatusExpired, reward.StatusFailed} {
		r := reward.Reward{Status: st}
		require.ErrorIs(t, r.Forfeit(now), reward.ErrNotClaimable, "Forfeit of a %s reward", st)
	}
}
