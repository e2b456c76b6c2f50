package wechatpay_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

func TestPayerConformance(t *testing.T) {
	rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) {
		f := newFixture(t)
		return f.payer, func(key string) error {
			b, err := f.bills.Latest(ctx, key)
			if err != nil {
				return err
			}
			return f.srv.Confirm(b.OutBillNo)
		}
	})
}

func TestPayWaitsForTheUserThenSettles(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status)
	assert.NotEmpty(t, res.Package, "the package_info for wx.requestMerchantTransfer")
	assert.Equal(t, wechatpaytest.MchID, res.Merchant)
	assert.Equal(t, wechatpaytest.AppID, res.App)

	bills := f.srv.Bills()
	require.Len(t, bills, 1)
	b := f.latest(t, req.IdempotencyKey)
	assert.Equal(t, bills[0].OutBillNo, b.OutBillNo)
	assert.Equal(t, 1, b.Attempt)
	assert.LessOrEqual(t, len(b.OutBillNo), wechatpay.MaxOutBillNoLen)
	assert.Equal(t, "o-alice", bills[0].OpenID)
	assert.Equal(t, int64(5000), bills[0].Amount)
	assert.Empty(t, bills[0].UserName, "no real name below ¥2,000")
	assert.Equal(t, res.Package, bills[0].PackageInfo)

	require.NoError(t, f.srv.Confirm(b.OutBillNo))
	q, err := f.payer.Query(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, q.Status)
	assert.Equal(t, bills[0].TransferBillNo, q.PaymentRef)
	require.NoError(t, reward.CheckPaymentRef(q.PaymentRef))
	assert.Zero(t, f.srv.BadSignatures(), "every request of ours was signed right")
}

func TestRealNameFromTwoThousandYuan(t *testing.T) {
	f := newFixture(t)
	req := request(wechatpay.RealNameFrom)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	require.Equal(t, reward.PayPending, res.Status)
	bills := f.srv.Bills()
	require.Len(t, bills, 1)
	assert.Equal(t, RealName, bills[0].UserName, "the fake decrypted the name with its platform key")
	assert.Equal(t, wechatpaytest.PublicKeyID, f.srv.LastHeader().Get("Wechatpay-Serial"))

	// A payee whose real name is unknown gets no bill.
	p, err := wechatpay.New(f.srv.Config(), f.bills, wechatpay.PayeeFunc(
		func(_ context.Context, id string) (wechatpay.Payee, error) {
			return wechatpay.Payee{OpenID: "o-" + id}, nil
		}))
	require.NoError(t, err)
	res, err = p.Pay(ctx, request(wechatpay.RealNameFrom))
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, res.Status)
	assert.Len(t, f.srv.Bills(), 1, "no bill without the real name")
}

func TestUnknownPayeeGetsNoBill(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	req.ReporterID = "stranger"
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, res.Status)
	assert.Empty(t, f.srv.Bills())
	_, err = f.payer.Query(ctx, req.IdempotencyKey)
	assert.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestUserNeverConfirms(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(s *wechatpaytest.Server, no string) error
	}{
		{"cancelled on expiry", func(s *wechatpaytest.Server, no string) error { return s.Expire(no) }},
		{"failed", func(s *wechatpaytest.Server, no string) error { return s.Fail(no, "ACCOUNT_FROZEN") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			req := request(5000)
			_, err := f.payer.Pay(ctx, req)
			require.NoError(t, err)
			first := f.latest(t, req.IdempotencyKey)
			require.NoError(t, tc.close(f.srv, first.OutBillNo))

			q, err := f.payer.Query(ctx, req.IdempotencyKey)
			require.NoError(t, err)
			assert.Equal(t, reward.PayFailed, q.Status, "the reward may be claimed again")

			// The next claim gets a new bill, never the closed one again.
			res, err := f.payer.Pay(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, reward.PayPending, res.Status)
			second := f.latest(t, req.IdempotencyKey)
			assert.Equal(t, 2, second.Attempt)
			assert.NotEqual(t, first.OutBillNo, second.OutBillNo)
			bills := f.srv.Bills()
			require.Len(t, bills, 2)
			assert.Equal(t, []string{first.OutBillNo, second.OutBillNo}, []string{bills[0].OutBillNo, bills[1].OutBillNo})

			require.NoError(t, f.srv.Confirm(second.OutBillNo))
			res, err = f.payer.Pay(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, reward.PaySettled, res.Status)
			assert.Len(t, f.srv.Bills(), 2)
			assert.Equal(t, int64(wechatpaytest.DefaultBalance-5000), f.srv.Balance(), "paid once")
		})
	}
}

func TestAccountThatCannotReceiveIsRejected(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	_, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	require.NoError(t, f.srv.Fail(f.latest(t, req.IdempotencyKey).OutBillNo, "OPENID_INVALID"))
	q, err := f.payer.Query(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayRejected, q.Status)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayRejected, res.Status)
	assert.Len(t, f.srv.Bills(), 1, "no new bill for an account that cannot receive")
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	_, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	res, err := f.payer.Cancel(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, res.Status)
	assert.Equal(t, "CANCELLED", f.srv.Bills()[0].State)
	assert.Equal(t, int64(wechatpaytest.DefaultBalance), f.srv.Balance(), "the money went back")
	assert.Equal(t, wechatpay.StateCancelled, f.latest(t, req.IdempotencyKey).State)

	// A confirmed bill cannot be cancelled: the answer is its state.
	paid := request(3000)
	_, err = f.payer.Pay(ctx, paid)
	require.NoError(t, err)
	require.NoError(t, f.srv.Confirm(f.latest(t, paid.IdempotencyKey).OutBillNo))
	res, err = f.payer.Cancel(ctx, paid.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, res.Status)
	_, err = f.payer.Cancel(ctx, request(100).IdempotencyKey)
	assert.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestNotEnoughBalance(t *testing.T) {
	f := newFixture(t)
	f.srv.SetBalance(1000)
	req := request(5000)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayFailed, res.Status, "nothing paid; the citizen may claim again")
	b := f.latest(t, req.IdempotencyKey)
	assert.Equal(t, wechatpay.StateRefused, b.State)
	assert.Equal(t, "NOT_ENOUGH", b.FailReason)
	assert.Empty(t, f.srv.Bills())

	f.srv.SetBalance(wechatpaytest.DefaultBalance)
	res, err = f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status)
	assert.Equal(t, 2, f.latest(t, req.IdempotencyKey).Attempt, "a refused bill is followed by a new one")
}

// Every documented error code of the creation maps to a claim outcome:
// a definite refusal is PayFailed with a new bill next time; a rate limit,
// a system error or an unanswered call is an error (outcome unknown) and
// the same bill is sent again.
func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		status  int
		code    string
		refused bool
		errCode hazard.Code
	}{
		{http.StatusBadRequest, "PARAM_ERROR", true, ""},
		{http.StatusBadRequest, "INVALID_REQUEST", true, ""},
		{http.StatusUnauthorized, "SIGN_ERROR", true, ""},
		{http.StatusForbidden, "NO_AUTH", true, ""},
		{http.StatusForbidden, "NOT_ENOUGH", true, ""},
		{http.StatusTooManyRequests, "FREQUENCY_LIMITED", false, hazard.CodeRateLimited},
		{http.StatusInternalServerError, "SYSTEM_ERROR", false, hazard.CodeInternal},
		{http.StatusBadGateway, "", false, hazard.CodeInternal},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newFixture(t)
			req := request(5000)
			f.srv.FailNext(tc.status, tc.code)
			res, err := f.payer.Pay(ctx, req)
			first := f.latest(t, req.IdempotencyKey)
			if tc.refused {
				require.NoError(t, err)
				assert.Equal(t, reward.PayFailed, res.Status)
				assert.Equal(t, wechatpay.StateRefused, first.State)
				assert.Equal(t, tc.code, first.FailReason)
			} else {
				var e *hazard.Error
				require.ErrorAs(t, err, &e, "outcome unknown")
				assert.Equal(t, tc.errCode, e.Code)
				assert.Equal(t, wechatpay.StateNew, first.State)
			}
			assert.Empty(t, f.srv.Bills(), "the fake created nothing")

			res, err = f.payer.Pay(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, reward.PayPending, res.Status)
			next := f.latest(t, req.IdempotencyKey)
			if tc.refused {
				assert.Equal(t, 2, next.Attempt, "a new bill after a refusal")
			} else {
				assert.Equal(t, first.OutBillNo, next.OutBillNo, "the same bill sent again")
			}
			assert.Len(t, f.srv.Bills(), 1)
		})
	}
}

func TestLostAnswerTheQueryDecides(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	f.srv.LoseNext(1)
	_, err := f.payer.Pay(ctx, req)
	require.Error(t, err, "the answer was lost")
	assert.Equal(t, wechatpay.StateNew, f.latest(t, req.IdempotencyKey).State)
	require.Len(t, f.srv.Bills(), 1, "WeChat Pay created the bill")

	q, err := f.payer.Query(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, q.Status, "the query found the bill")
	assert.NotEmpty(t, q.Package)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, q, res)
	assert.Len(t, f.srv.Bills(), 1, "no second bill")
	assert.Equal(t, 1, f.srv.Creates(), "and no second creation")
}

func TestLostAnswerPaidAgainUsesTheSameBill(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	f.srv.LoseNext(1)
	_, err := f.payer.Pay(ctx, req)
	require.Error(t, err)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status)
	assert.Len(t, f.srv.Bills(), 1, "the same bill number, one bill")
	require.NoError(t, f.srv.Confirm(f.latest(t, req.IdempotencyKey).OutBillNo))
	res, err = f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PaySettled, res.Status)
	assert.Equal(t, int64(wechatpaytest.DefaultBalance-5000), f.srv.Balance())
}

func TestForgedAnswerIsNotBelieved(t *testing.T) {
	// An answer signed with another key (a man in the middle): the outcome
	// is unknown, and the bill is sent again under its number.
	f := newFixture(t)
	cfg := f.srv.Config()
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&stranger.PublicKey)
	require.NoError(t, err)
	cfg.PlatformPublicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	p, err := wechatpay.New(cfg, f.bills, payees)
	require.NoError(t, err)
	req := request(5000)
	_, err = p.Pay(ctx, req)
	require.Error(t, err)
	assert.Equal(t, wechatpay.StateNew, f.latest(t, req.IdempotencyKey).State)
}

func TestOutBillNo(t *testing.T) {
	id := request(1).RewardID
	a, err := wechatpay.OutBillNo(id, 1)
	require.NoError(t, err)
	b, err := wechatpay.OutBillNo(id, wechatpay.MaxAttempts)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.LessOrEqual(t, len(b), wechatpay.MaxOutBillNoLen)
	assert.Equal(t, a[:len(a)-3], b[:len(b)-3], "one prefix per reward")
	assert.Equal(t, strings.Trim(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567019"), "", "letters and digits only")
	for _, n := range []int{0, -1, wechatpay.MaxAttempts + 1} {
		_, err := wechatpay.OutBillNo(id, n)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "attempt %d", n)
	}
}

func TestPayInvalidKey(t *testing.T) {
	f := newFixture(t)
	req := request(100)
	req.IdempotencyKey = "not-a-reward-id"
	_, err := f.payer.Pay(ctx, req)
	assert.ErrorIs(t, err, hazard.ErrInvalid)
	assert.True(t, errors.Is(err, hazard.ErrInvalid))
	assert.Empty(t, f.srv.Bills())
}

func TestQueryOfABillWeChatPayNeverHeardOf(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	f.srv.FailNext(http.StatusInternalServerError, "SYSTEM_ERROR")
	_, err := f.payer.Pay(ctx, req)
	require.Error(t, err)
	_, err = f.payer.Query(ctx, req.IdempotencyKey)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "nothing was paid")
	assert.Equal(t, wechatpay.StateNew, f.latest(t, req.IdempotencyKey).State, "the bill number stays reserved")
}

func TestAttemptsRunOut(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	no, err := wechatpay.OutBillNo(req.RewardID, wechatpay.MaxAttempts)
	require.NoError(t, err)
	_, _, err = f.bills.Open(ctx, wechatpay.Bill{OutBillNo: no, Key: req.IdempotencyKey, RewardID: req.RewardID,
		Attempt: wechatpay.MaxAttempts, Amount: req.Amount, State: wechatpay.StateCancelled})
	require.NoError(t, err)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayRejected, res.Status)
	assert.Empty(t, f.srv.Bills())
}

// Every state of a bill maps to a claim outcome.
func TestEveryStateMaps(t *testing.T) {
	for _, tc := range []struct {
		state, reason string
		want          reward.PayStatus
		pkg           bool
	}{
		{"ACCEPTED", "", reward.PayPending, false},
		{"PROCESSING", "", reward.PayPending, false},
		{"WAIT_USER_CONFIRM", "", reward.PayPending, true},
		{"TRANSFERING", "", reward.PayPending, false},
		{"CANCELING", "", reward.PayPending, false},
		{"SUCCESS", "", reward.PaySettled, false},
		{"FAIL", "ACCOUNT_FROZEN", reward.PayFailed, false},
		{"FAIL", "OVERDUE_CLOSE", reward.PayFailed, false},
		{"FAIL", "ACCOUNT_NOT_EXIST", reward.PayRejected, false},
		{"FAIL", "OPENID_INVALID", reward.PayRejected, false},
		{"FAIL", "RECEIVE_ACCOUNT_NOT_PERMMIT", reward.PayRejected, false},
		{"CANCELLED", "", reward.PayFailed, false},
	} {
		t.Run(tc.state+tc.reason, func(t *testing.T) {
			f := newFixture(t)
			req := request(5000)
			_, err := f.payer.Pay(ctx, req)
			require.NoError(t, err)
			no := f.latest(t, req.IdempotencyKey).OutBillNo
			require.NoError(t, f.srv.SetState(no, tc.state, tc.reason))
			res, err := f.payer.Query(ctx, req.IdempotencyKey)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Status)
			assert.Equal(t, tc.state, string(f.latest(t, req.IdempotencyKey).State))
			if tc.want == reward.PayPending {
				assert.Equal(t, tc.pkg, res.Package != "", "a package only while the user can confirm")
			}
		})
	}
}

func TestLongRemarkIsCut(t *testing.T) {
	f := newFixture(t)
	req := request(5000)
	req.Remark = strings.Repeat("奖", wechatpay.MaxRemarkLen+8)
	res, err := f.payer.Pay(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, reward.PayPending, res.Status, "the fake refuses a remark over %d characters", wechatpay.MaxRemarkLen)
}
