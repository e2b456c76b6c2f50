package reward_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

func TestClaimPays(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.clock.Advance(time.Hour)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.True(t, res.Reward.ClaimedAt.Equal(T0.Add(time.Hour)))
	assert.Empty(t, res.Package)
	payouts := f.payer.Payouts()
	require.Len(t, payouts, 1)
	assert.Equal(t, payouts[0].Ref, res.Reward.PaymentRef, "the payer's reference")
	assert.Equal(t, r.ID.String(), payouts[0].Key, "the reward ID is the idempotency key")
	assert.Equal(t, r.Amount, payouts[0].Amount)
	assert.Equal(t, "alice", payouts[0].ReporterID)

	claimed := f.hazards.ofType(hazard.EventRewardClaimed)
	require.Len(t, claimed, 1)
	assert.Equal(t, r.ID.String(), claimed[0].Data["reward_id"])

	_, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrNotClaimable, "claiming twice")
	assert.Len(t, f.payer.Payouts(), 1)
}

func TestClaimRefusals(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	_, err := f.svc.Claim(ctx, citizen("bob"), r.ID)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "someone else's reward answers as a missing one")
	_, missing := f.svc.Claim(ctx, citizen("bob"), uuid.Must(uuid.NewV7()))
	assert.Equal(t, hazard.ErrorMessage(missing), hazard.ErrorMessage(err), "someone else's reward and a missing one: one message")
	_, err = f.svc.Claim(ctx, hazard.User{}, r.ID)
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)
	_, err = f.svc.Claim(ctx, citizen("alice"), uuid.Must(uuid.NewV7()))
	assert.ErrorIs(t, err, hazard.ErrNotFound)
	f.clock.t = r.ClaimBy
	_, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrClaimWindowClosed)
	assert.Zero(t, f.payer.Calls(), "no refused claim reaches the payer")
}

func TestClaimPayerFails(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.FailNext(1)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err, "a failed payout is an outcome, not an error")
	assert.Equal(t, reward.StatusPending, res.Reward.Status)
	assert.NotEmpty(t, res.Reward.LastError)
	assert.Empty(t, f.payer.Payouts())
	assert.True(t, res.Reward.ClaimBy.Equal(r.ClaimBy), "a failure early in the window does not move it")

	res, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.Empty(t, res.Reward.LastError)
	assert.Equal(t, 2, res.Reward.Attempts)
	assert.Len(t, f.payer.Payouts(), 1)
}

func TestClaimFailureNearTheEndKeepsARetry(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.clock.t = r.ClaimBy.Add(-time.Minute)
	f.payer.FailNext(1)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.True(t, res.Reward.ClaimBy.Equal(f.clock.Now().Add(reward.DefaultRetryGrace)), "ClaimBy %v", res.Reward.ClaimBy)
	f.clock.Advance(time.Hour) // past the original window
	res, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
}

func TestClaimPayerTimesOut(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.TimeoutNext(1)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusPending, res.Reward.Status)
	assert.Contains(t, res.Reward.LastError, "unknown", "the outcome of a timeout is unknown")
	res, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.Len(t, f.payer.Payouts(), 1)
}

func TestClaimLostAnswerPaysOnce(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.LoseNext(1)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusPending, res.Reward.Status, "the answer was lost: claimable again")
	require.Len(t, f.payer.Payouts(), 1, "but the payer paid")
	ref := f.payer.Payouts()[0].Ref

	res, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.Equal(t, ref, res.Reward.PaymentRef, "the second ask returns the first payout")
	assert.Len(t, f.payer.Payouts(), 1, "paid once")
	assert.Equal(t, 2, f.payer.Calls())
}

func TestLostAnswerNeverRetriedIsRecordedAtExpiry(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.LoseNext(1)
	_, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	f.clock.t = r.ClaimBy.Add(reward.DefaultRetryGrace)
	n, err := f.svc.ExpireDue(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "paid, so not expired")
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Equal(t, f.payer.Total(), got.Amount)
	assert.Empty(t, f.hazards.ofType(hazard.EventRewardExpired))
	assert.Len(t, f.hazards.ofType(hazard.EventRewardClaimed), 1)
}

func TestClaimRejected(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.RejectNext(1)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusFailed, res.Reward.Status)
	_, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrNotClaimable)
	assert.Empty(t, f.payer.Payouts())
}

func TestClaimNeedsConfirmation(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.RequireConfirmation(true)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, res.Reward.Status)
	assert.Equal(t, "package-"+r.ID.String(), res.Package)
	assert.Equal(t, "mempay", res.Merchant, "the claim carries the payer's merchant")
	assert.Equal(t, "mempay-app", res.App, "the claim carries the payer's app")

	// The app was closed: the citizen asks for the package again.
	again, err := f.svc.Pending(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, res.Package, again.Package)
	assert.Equal(t, res.Merchant, again.Merchant)
	assert.Equal(t, res.App, again.App)
	_, err = f.svc.Pending(ctx, citizen("bob"), r.ID)
	assert.ErrorIs(t, err, hazard.ErrNotFound)
	_, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrNotClaimable, "a second claim while waiting")

	// Not confirmed yet: Sync and Reconcile leave it claiming.
	got, err := f.svc.Sync(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, got.Status)
	f.clock.Advance(time.Hour)
	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err = f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, got.Status)
	assert.Empty(t, f.payer.Payouts())

	// The citizen confirms; the callback (or the sweep) settles it.
	require.NoError(t, f.payer.Confirm(r.ID.String()))
	n, err = f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err = f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Len(t, f.payer.Payouts(), 1)
	assert.Len(t, f.hazards.ofType(hazard.EventRewardClaimed), 1)
	got, err = f.svc.Sync(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Len(t, f.hazards.ofType(hazard.EventRewardClaimed), 1, "syncing again announces nothing new")
	_, err = f.svc.Pending(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrNotClaimable, "nothing waits once claimed")
}

func TestClaimNotConfirmedInTime(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.payer.RequireConfirmation(true)
	_, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	require.NoError(t, f.payer.Decline(r.ID.String()))
	got, err := f.svc.Sync(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusPending, got.Status, "claimable again")
	f.payer.RequireConfirmation(false)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.Len(t, f.payer.Payouts(), 1)
}

func TestReconcileStuckClaimWithoutPayout(t *testing.T) {
	// A process died between BeginClaim and Pay: the payer never heard of
	// the claim. Reconcile makes the reward claimable again.
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	now := f.clock.Now()
	_, err := f.ledger.Update(ctx, r.ID, func(r *reward.Reward) error { return r.BeginClaim("alice", now) })
	require.NoError(t, err)
	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "too recent to be stuck")
	f.clock.Advance(reward.DefaultStuckAfter + time.Second)
	n, err = f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusPending, got.Status)
	assert.NotEmpty(t, got.LastError)
}

func TestConcurrentClaimsPayOnce(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	var wg sync.WaitGroup
	var paid, refused atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
			switch {
			case err == nil && res.Reward.Status == reward.StatusClaimed:
				paid.Add(1)
			case assert.ErrorIs(t, err, reward.ErrNotClaimable):
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(1), paid.Load())
	assert.Equal(t, int64(49), refused.Load())
	assert.Len(t, f.payer.Payouts(), 1)
	assert.Equal(t, 1, f.payer.Calls())
}

func TestExpireOnce(t *testing.T) {
	f := newFixture(t, nil)
	r := f.issue(t, f.closed("alice", nil))
	f.clock.t = r.ClaimBy.Add(-time.Second)
	n, err := f.svc.ExpireDue(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	f.clock.t = r.ClaimBy
	n, err = f.svc.ExpireDue(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = f.svc.ExpireDue(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "expires once")
	expired := f.hazards.ofType(hazard.EventRewardExpired)
	require.Len(t, expired, 1)
	assert.Equal(t, r.ID.String(), expired[0].Data["reward_id"])
	_, err = f.svc.Claim(ctx, citizen("alice"), r.ID)
	assert.ErrorIs(t, err, reward.ErrNotClaimable)
}

func TestMineAndGet(t *testing.T) {
	f := newFixture(t, nil)
	a := f.issue(t, f.closed("alice", nil))
	b := f.issue(t, f.closed("alice", nil))
	f.issue(t, f.closed("bob", nil))
	_, err := f.svc.Claim(ctx, citizen("alice"), a.ID)
	require.NoError(t, err)
	l, err := f.svc.Mine(ctx, citizen("alice"), reward.StatusPending, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, b.ID, l.Items[0].ID)
	l, err = f.svc.Mine(ctx, citizen("alice"), "", hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2)
	_, err = f.svc.Mine(ctx, hazard.User{}, "", hazard.Page{})
	assert.ErrorIs(t, err, hazard.ErrUnauthenticated)

	got, err := f.svc.Get(ctx, citizen("alice"), a.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, got.Status)
	_, err = f.svc.Get(ctx, citizen("bob"), a.ID)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "another reporter's reward does not exist for bob")
}

// staleLedger answers Get with the reward as it was once read: what a
// process that read the reward just before another recorded its payout
// sees.
type staleLedger struct {
	reward.Ledger
	stale *reward.Reward
}

func (l staleLedger) Get(ctx context.Context, id uuid.UUID) (reward.Reward, error) {
	if l.stale != nil && l.stale.ID == id {
		return *l.stale, nil
	}
	return l.Ledger.Get(ctx, id)
}

func TestLateSyncOfRecordedPayoutChangesNothing(t *testing.T) {
	// Two callbacks for one payout: the second read the reward claiming,
	// before the first recorded it. Its settle finds the payout recorded
	// under the same reference and stores nothing, counts nothing, logs
	// no second event.
	var stale reward.Reward
	f := newFixture(t, func(c *reward.Config) { c.Ledger = staleLedger{Ledger: c.Ledger, stale: &stale} })
	r := f.issue(t, f.closed("alice", nil))
	f.payer.RequireConfirmation(true)
	res, err := f.svc.Claim(ctx, citizen("alice"), r.ID)
	require.NoError(t, err)
	require.Equal(t, reward.StatusClaiming, res.Reward.Status)
	require.NoError(t, f.payer.Confirm(r.ID.String()))
	first, err := f.svc.Sync(ctx, r.ID)
	require.NoError(t, err, "the first callback")
	require.Equal(t, reward.StatusClaimed, first.Status)
	require.Len(t, f.hazards.ofType(hazard.EventRewardClaimed), 1, "claimed events after the first callback")

	stale = res.Reward // the second callback read the reward while claiming
	got, err := f.svc.Sync(ctx, r.ID)
	require.NoError(t, err, "the late callback")
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Equal(t, first.Version, got.Version, "the late callback returns the stored reward")
	stored, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, first.Version, stored.Version, "version after the late callback: nothing stored")
	assert.Len(t, f.hazards.ofType(hazard.EventRewardClaimed), 1, "claimed events after the late callback")
}
