package manualpay_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/manualpay"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
)

func req(amount reward.Fen, remark string) reward.PayRequest {
	id := uuid.Must(uuid.NewV7())
	return reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "alice", Amount: amount, Remark: remark}
}

func TestPayIsPendingUntilMarkedPaid(t *testing.T) {
	p := manualpay.New(func() time.Time { return t0 })
	r := req(2000, "隐患举报奖励 LC-1")
	res, err := p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status)
	again, err := p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, again.Status)
	assert.Len(t, p.Entries(""), 1, "one entry per key")

	q, err := p.Query(ctx, r.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, q.Status)

	require.NoError(t, p.MarkPaid(r.IdempotencyKey, "BANK-1"))
	require.NoError(t, p.MarkPaid(r.IdempotencyKey, "BANK-1"), "marking paid again is a no-op")
	assert.ErrorIs(t, p.MarkPaid(r.IdempotencyKey, "BANK-2"), hazard.ErrConflict)
	q, err = p.Query(ctx, r.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayResult{Status: reward.PaySettled, PaymentRef: "BANK-1"}, q)
	res, err = p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, res.Status, "asking again after payment returns the payment")

	other := r
	other.Amount = 3000
	_, err = p.Pay(ctx, other)
	assert.ErrorIs(t, err, hazard.ErrConflict, "same key, another amount")
}

func TestCancel(t *testing.T) {
	p := manualpay.New(nil)
	r := req(2000, "")
	_, err := p.Pay(ctx, r)
	require.NoError(t, err)
	require.NoError(t, p.Cancel(r.IdempotencyKey, "account closed"))
	q, err := p.Query(ctx, r.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, q.Status)
	assert.ErrorIs(t, p.MarkPaid(r.IdempotencyKey, "X"), hazard.ErrConflict)
	assert.ErrorIs(t, p.Cancel(r.IdempotencyKey, "again"), hazard.ErrConflict)
	res, err := p.Pay(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status, "a new claim opens the request again")
	assert.Len(t, p.Entries(""), 1)
}

func TestRefusals(t *testing.T) {
	p := manualpay.New(nil)
	_, err := p.Query(ctx, "nope")
	assert.ErrorIs(t, err, hazard.ErrNotFound)
	assert.ErrorIs(t, p.MarkPaid("nope", "X"), hazard.ErrNotFound)
	assert.ErrorIs(t, p.Cancel("nope", ""), hazard.ErrNotFound)
	_, err = p.Pay(ctx, req(0, ""))
	assert.ErrorIs(t, err, hazard.ErrInvalid)
	r := req(1, "")
	_, err = p.Pay(ctx, r)
	require.NoError(t, err)
	assert.ErrorIs(t, p.MarkPaid(r.IdempotencyKey, ""), hazard.ErrInvalid)
}

func TestExportCSV(t *testing.T) {
	p := manualpay.New(func() time.Time { return t0 })
	a := req(123456, "隐患举报奖励 LC-1")
	b := req(5, "=HYPERLINK(\"x\")")
	c := req(100, "paid already")
	for _, r := range []reward.PayRequest{a, b, c} {
		_, err := p.Pay(ctx, r)
		require.NoError(t, err)
	}
	require.NoError(t, p.MarkPaid(c.IdempotencyKey, "BANK-9"))
	var buf bytes.Buffer
	require.NoError(t, p.ExportCSV(&buf))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		manualpay.CSVHeader,
		{a.RewardID.String(), "alice", "1234.56", "123456", "隐患举报奖励 LC-1", "2026-03-02T01:00:00Z"},
		{b.RewardID.String(), "alice", "0.05", "5", "'=HYPERLINK(\"x\")", "2026-03-02T01:00:00Z"},
	}, rows, "pending payouts only, in request order, formulas defused")
}

func TestPayerConformance(t *testing.T) {
	rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) {
		p := manualpay.New(func() time.Time { return t0 })
		// Finance pays by hand and marks the payout paid under its bank
		// reference.
		return p, func(key string) error { return p.MarkPaid(key, "BANK-"+key) }
	})
}

func TestForgetUser(t *testing.T) {
	p := manualpay.New(func() time.Time { return t0 })
	_, err := p.Pay(ctx, req(5000, "奖励"))
	require.NoError(t, err)
	e := hazardtest.NewErasure("alice")
	require.NoError(t, p.ForgetUser(ctx, e))
	entries := p.Entries(manualpay.StatusPending)
	require.Len(t, entries, 1)
	assert.Equal(t, e.Pseudonym, entries[0].ReporterID, "the request names the pseudonym")
	var out bytes.Buffer
	require.NoError(t, p.ExportCSV(&out))
	assert.NotContains(t, out.String(), "alice", "the export")
	require.ErrorIs(t, p.ForgetUser(ctx, hazard.Erasure{UserID: "alice"}), hazard.ErrInvalid)
}
