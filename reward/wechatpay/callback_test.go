package wechatpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// waiting pays a new reward and returns its request and bill, waiting
// for the user.
func (f *fixture) waiting(t *testing.T) (reward.PayRequest, wechatpay.Bill) {
	t.Helper()
	req := request(5000)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	require.Equal(t, reward.PayPending, res.Status)
	return req, f.latest(t, req.IdempotencyKey)
}

func TestCallbackSuccess(t *testing.T) {
	f := newFixture(t)
	h := f.payer.Callback(f.report)
	req, b := f.waiting(t)
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	w := deliver(h, cb)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, 1, f.reported(req.RewardID))
	got := f.latest(t, req.IdempotencyKey)
	assert.Equal(t, wechatpay.StateSuccess, got.State, "recorded from the callback")

	// A duplicate callback changes nothing and is answered as success.
	cb, err = f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	w = deliver(h, cb)
	assert.Equal(t, http.StatusNoContent, w.Code)
	again := f.latest(t, req.IdempotencyKey)
	assert.Equal(t, got.Version, again.Version, "the duplicate stored nothing")
}

func TestCallbackRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		make   func(s *wechatpaytest.Server, no string) (*http.Request, error)
		status int
	}{
		{"forged signature", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			return s.CallbackRequest(no, wechatpaytest.CallbackOptions{Forged: true})
		}, http.StatusUnauthorized},
		{"replayed after ten minutes", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			return s.CallbackRequest(no, wechatpaytest.CallbackOptions{At: time.Now().Add(-10 * time.Minute)})
		}, http.StatusUnauthorized},
		{"tampered body", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			r, err := s.CallbackRequest(no, wechatpaytest.CallbackOptions{})
			if err != nil {
				return nil, err
			}
			body, _ := io.ReadAll(r.Body)
			body = bytes.Replace(body, []byte(`"summary":"`), []byte(`"summary":"x`), 1)
			r.Body = io.NopCloser(bytes.NewReader(body))
			return r, nil
		}, http.StatusUnauthorized},
		{"another key ID", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			r, err := s.CallbackRequest(no, wechatpaytest.CallbackOptions{})
			if err == nil {
				r.Header.Set("Wechatpay-Serial", "PUB_KEY_ID_OTHER")
			}
			return r, err
		}, http.StatusUnauthorized},
		{"no signature", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			r, err := s.CallbackRequest(no, wechatpaytest.CallbackOptions{})
			if err == nil {
				r.Header.Del("Wechatpay-Signature")
			}
			return r, err
		}, http.StatusUnauthorized},
		{"GET", func(s *wechatpaytest.Server, no string) (*http.Request, error) {
			r, err := s.CallbackRequest(no, wechatpaytest.CallbackOptions{})
			if err == nil {
				r.Method = http.MethodGet
			}
			return r, err
		}, http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			h := f.payer.Callback(f.report)
			req, b := f.waiting(t)
			require.NoError(t, f.srv.Confirm(b.OutBillNo))
			cb, err := tc.make(f.srv, b.OutBillNo)
			require.NoError(t, err)
			w := deliver(h, cb)
			assert.Equal(t, tc.status, w.Code)
			var answer struct{ Code, Message string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &answer), "WeChat Pay's failure answer")
			assert.Equal(t, "FAIL", answer.Code)
			assert.NotEmpty(t, answer.Message)
			assert.Zero(t, f.reported(req.RewardID), "nothing reported")
			got := f.latest(t, req.IdempotencyKey)
			assert.Equal(t, b, got, "the bill is unchanged")
		})
	}
}

func TestCallbackUnknownBill(t *testing.T) {
	f := newFixture(t)
	_, b := f.waiting(t)
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	// Another payer, with its own (empty) store, does not know the bill.
	other := newFixture(t)
	p, err := wechatpay.New(f.srv.Config(), other.bills, payees)
	require.NoError(t, err)
	w := deliver(p.Callback(other.report), cb)
	assert.Equal(t, http.StatusNotFound, w.Code)
}

func TestCallbackReportFailureIsRetried(t *testing.T) {
	f := newFixture(t)
	req, b := f.waiting(t)
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	fails := 1
	h := f.payer.Callback(func(ctx context.Context, id uuid.UUID) error {
		if fails > 0 {
			fails--
			return &hazard.Error{Code: hazard.CodeInternal, Message: "ledger down"}
		}
		return f.report(ctx, id)
	})
	cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, deliver(h, cb).Code, "WeChat Pay sends it again")
	cb, err = f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, deliver(h, cb).Code)
	assert.Equal(t, 1, f.reported(req.RewardID))
}

// claimFixture is a reward service paying through the WeChat Pay payer.
type claimFixture struct {
	*fixture
	svc    *reward.Service
	ledger *memledger.Ledger
	events *eventLog
}

func newClaimFixture(t *testing.T) *claimFixture {
	t.Helper()
	f := &claimFixture{fixture: newFixture(t), ledger: memledger.New(), events: &eventLog{}}
	svc, err := reward.New(reward.Config{Ledger: f.ledger, Payer: f.payer, Policies: []reward.Policy{reward.CityProgramme()},
		Events: f.events, PayTimeout: 5 * time.Second})
	require.NoError(t, err)
	f.svc = svc
	return f
}

// issue issues a pending reward of ¥50 to alice.
func (f *claimFixture) issue(t *testing.T) reward.Reward {
	t.Helper()
	now := time.Now().UTC()
	r := reward.Reward{ID: uuid.Must(uuid.NewV7()), HazardID: uuid.Must(uuid.NewV7()), HazardRef: "LC-20260302-000001",
		ReporterID: "alice", Policy: "city", PolicyVersion: 1, Amount: 5000, Status: reward.StatusPending,
		IssuedAt: now, ClaimBy: now.Add(30 * 24 * time.Hour)}
	stored, _, err := f.ledger.Issue(ctx, r, func(reward.Reward, func(reward.Tally) (reward.Total, error)) error { return nil })
	require.NoError(t, err)
	return stored
}

// The claim flow through reward.Service: the claim waits with what the
// mini-program needs, the callback settles the reward once, and a
// duplicate callback does not settle it twice.
func TestClaimThroughTheService(t *testing.T) {
	f := newClaimFixture(t)
	alice := hazard.User{ID: "alice", Role: "reporter", Verified: true}
	r := f.issue(t)
	cr, err := f.svc.Claim(ctx, alice, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, cr.Reward.Status)
	assert.NotEmpty(t, cr.Package)
	assert.Equal(t, wechatpaytest.MchID, cr.Merchant)
	assert.Equal(t, wechatpaytest.AppID, cr.App)

	sync := func(ctx context.Context, id uuid.UUID) error { _, err := f.svc.Sync(ctx, id); return err }
	h := f.payer.Callback(sync)
	b := f.latest(t, r.ID.String())
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	for range 2 { // the callback and its duplicate
		cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
		require.NoError(t, err)
		assert.Equal(t, http.StatusNoContent, deliver(h, cb).Code)
	}
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, got.Status)
	assert.Equal(t, f.srv.Bills()[0].TransferBillNo, got.PaymentRef)
	assert.Len(t, f.events.ofType(hazard.EventRewardClaimed), 1, "settled once")
	assert.Equal(t, int64(wechatpaytest.DefaultBalance-5000), f.srv.Balance())
}

// A forged callback of success changes nothing: the reward waits.
func TestForgedCallbackDoesNotSettle(t *testing.T) {
	f := newClaimFixture(t)
	r := f.issue(t)
	_, err := f.svc.Claim(ctx, hazard.User{ID: "alice", Role: "reporter", Verified: true}, r.ID)
	require.NoError(t, err)
	b := f.latest(t, r.ID.String())
	require.NoError(t, f.srv.Confirm(b.OutBillNo)) // to build a SUCCESS notice
	cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{Forged: true})
	require.NoError(t, err)
	h := f.payer.Callback(func(ctx context.Context, id uuid.UUID) error { _, err := f.svc.Sync(ctx, id); return err })
	assert.Equal(t, http.StatusUnauthorized, deliver(h, cb).Code)
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, got.Status)
	assert.Empty(t, f.events.ofType(hazard.EventRewardClaimed))
	assert.Equal(t, wechatpay.StateWaitUserConfirm, f.latest(t, r.ID.String()).State)
}

// The user never confirms: the bill expires, the service's sync makes the
// reward claimable again, and the next claim opens a new bill.
func TestExpiredBillThroughTheService(t *testing.T) {
	f := newClaimFixture(t)
	alice := hazard.User{ID: "alice", Role: "reporter", Verified: true}
	r := f.issue(t)
	_, err := f.svc.Claim(ctx, alice, r.ID)
	require.NoError(t, err)
	first := f.latest(t, r.ID.String())
	require.NoError(t, f.srv.Expire(first.OutBillNo))
	cb, err := f.srv.CallbackRequest(first.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	h := f.payer.Callback(func(ctx context.Context, id uuid.UUID) error { _, err := f.svc.Sync(ctx, id); return err })
	assert.Equal(t, http.StatusNoContent, deliver(h, cb).Code)
	got, err := f.ledger.Get(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusPending, got.Status, "claimable again")

	cr, err := f.svc.Claim(ctx, alice, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaiming, cr.Reward.Status)
	second := f.latest(t, r.ID.String())
	assert.Equal(t, 2, second.Attempt)
	assert.NotEqual(t, first.OutBillNo, second.OutBillNo)
}

func TestReconcile(t *testing.T) {
	f := newFixture(t)
	req, b := f.waiting(t)
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	// No callback arrived: the sweep asks WeChat Pay.
	n, err := f.payer.Reconcile(ctx, -time.Minute, f.report)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, f.reported(req.RewardID))
	assert.Equal(t, wechatpay.StateSuccess, f.latest(t, req.IdempotencyKey).State)
	n, err = f.payer.Reconcile(ctx, -time.Minute, f.report)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left in flight")

	// A bill younger than the age is left alone.
	_, young := f.waiting(t)
	n, err = f.payer.Reconcile(ctx, time.Hour, f.report)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, wechatpay.StateWaitUserConfirm, f.latest(t, young.Key).State)
}

func TestCallbackTooLarge(t *testing.T) {
	f := newFixture(t)
	req, b := f.waiting(t)
	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	cb, err := f.srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	require.NoError(t, err)
	body, err := io.ReadAll(cb.Body)
	require.NoError(t, err)
	padded := append(bytes.TrimSuffix(body, []byte("}")), []byte(`,"pad":"`+strings.Repeat("x", wechatpay.MaxCallbackBytes)+`"}`)...)
	cb.Body = io.NopCloser(bytes.NewReader(padded))
	w := deliver(f.payer.Callback(f.report), cb)
	assert.GreaterOrEqual(t, w.Code, 400)
	assert.Zero(t, f.reported(req.RewardID))
	assert.Equal(t, b, f.latest(t, req.IdempotencyKey))
}
