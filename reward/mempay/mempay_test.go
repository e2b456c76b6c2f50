package mempay_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/mempay"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

var ctx = context.Background()

func req(amount reward.Fen) reward.PayRequest {
	id := uuid.Must(uuid.NewV7())
	return reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "alice", Amount: amount}
}

func TestPaysOncePerKey(t *testing.T) {
	p := mempay.New()
	r := req(2000)
	var wg sync.WaitGroup
	refs := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Pay(ctx, r)
			assert.NoError(t, err)
			refs <- res.PaymentRef
		}()
	}
	wg.Wait()
	close(refs)
	first := p.Payouts()[0].Ref
	for ref := range refs {
		assert.Equal(t, first, ref)
	}
	assert.Len(t, p.Payouts(), 1)
	assert.Equal(t, reward.Fen(2000), p.Total())
	assert.Equal(t, 20, p.Calls())
	other := r
	other.Amount = 1
	_, err := p.Pay(ctx, other)
	assert.ErrorIs(t, err, hazard.ErrConflict)
}

func TestModes(t *testing.T) {
	p := mempay.New()
	r := req(100)

	p.FailNext(1)
	res, err := p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, res.Status)
	_, err = p.Query(ctx, r.IdempotencyKey)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a failed payout leaves nothing")

	p.RejectNext(1)
	res, err = p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayRejected, res.Status)

	p.TimeoutNext(1)
	tctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	_, err = p.Pay(tctx, r)
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, p.Payouts(), "a timeout pays nothing")

	p.LoseNext(1)
	_, err = p.Pay(ctx, r)
	assert.ErrorIs(t, err, mempay.ErrLost)
	assert.Len(t, p.Payouts(), 1, "a lost answer paid")
	q, err := p.Query(ctx, r.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, q.Status)
}

func TestConfirmation(t *testing.T) {
	p := mempay.New()
	p.RequireConfirmation(true)
	r := req(100)
	res, err := p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status)
	assert.NotEmpty(t, res.Package)
	assert.Empty(t, p.Payouts())
	require.NoError(t, p.Confirm(r.IdempotencyKey))
	q, err := p.Query(ctx, r.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, q.Status)
	assert.ErrorIs(t, p.Decline(r.IdempotencyKey), hazard.ErrNotFound, "a settled payout cannot be declined")
	assert.ErrorIs(t, p.Confirm("nope"), hazard.ErrNotFound)

	d := req(100)
	_, err = p.Pay(ctx, d)
	require.NoError(t, err)
	require.NoError(t, p.Decline(d.IdempotencyKey))
	q, err = p.Query(ctx, d.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, q.Status)
	p.RequireConfirmation(false)
	res, err = p.Pay(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, res.Status, "a declined key pays afresh")
	assert.Len(t, p.Payouts(), 2)
}

func TestPayerConformance(t *testing.T) {
	t.Run("SettlesAtOnce", func(t *testing.T) {
		rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) { return mempay.New(), nil })
	})
	t.Run("WaitsForConfirmation", func(t *testing.T) {
		rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) {
			p := mempay.New()
			p.RequireConfirmation(true)
			return p, p.Confirm
		})
	})
}

// TestRefsUniqueAcrossPayers: two payers (two processes, or one restarted)
// sharing a database never issue the same payment reference.
func TestRefsUniqueAcrossPayers(t *testing.T) {
	seen := map[string]bool{}
	for range 3 {
		p := mempay.New()
		for range 3 {
			res, err := p.Pay(ctx, req(100))
			require.NoError(t, err)
			assert.False(t, seen[res.PaymentRef], "reference %s issued twice", res.PaymentRef)
			seen[res.PaymentRef] = true
		}
	}
}

func TestForgetUser(t *testing.T) {
	p := mempay.New()
	_, err := p.Pay(ctx, req(2000))
	require.NoError(t, err)
	e := hazardtest.NewErasure("alice")
	require.NoError(t, p.ForgetUser(ctx, e))
	require.Len(t, p.Payouts(), 1)
	assert.Equal(t, e.Pseudonym, p.Payouts()[0].ReporterID, "the payout names the pseudonym")
	assert.Equal(t, reward.Fen(2000), p.Payouts()[0].Amount)
	require.ErrorIs(t, p.ForgetUser(ctx, hazard.Erasure{UserID: "alice"}), hazard.ErrInvalid)
}
