package wechatpay_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// A reward paid by merchant transfer: the bill waits for the citizen, who
// confirms in the mini-program; WeChat Pay's callback then settles it.
func Example() {
	ctx := context.Background()
	srv, err := wechatpaytest.Start() // a local WeChat Pay
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	payees := wechatpay.PayeeFunc(func(_ context.Context, reporterID string) (wechatpay.Payee, error) {
		return wechatpay.Payee{OpenID: "o-" + reporterID}, nil // from the user store
	})
	bills := membills.New() // pgbills.New(pool) with PostgreSQL
	payer, err := wechatpay.New(srv.Config(), bills, payees)
	if err != nil {
		panic(err)
	}

	id := uuid.MustParse("019b7e2a-0000-7000-8000-000000000001")
	res, err := payer.Pay(ctx, reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: "alice",
		Amount: reward.Yuan(50), Remark: "隐患举报奖励 LC-20260302-000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.Merchant, res.App, res.Package != "")

	// The citizen confirms with wx.requestMerchantTransfer; WeChat Pay
	// calls back.
	b, _ := bills.Latest(ctx, id.String())
	fmt.Println(b.OutBillNo, b.State)
	_ = srv.Confirm(b.OutBillNo)
	cb, _ := srv.CallbackRequest(b.OutBillNo, wechatpaytest.CallbackOptions{})
	w := httptest.NewRecorder()
	payer.Callback(func(ctx context.Context, rewardID uuid.UUID) error {
		fmt.Println("report", rewardID) // the server calls reward.Service.Sync
		return nil
	}).ServeHTTP(w, cb)
	fmt.Println(w.Code)

	res, _ = payer.Query(ctx, id.String())
	fmt.Println(res.Status)
	// Output:
	// pending 1900000001 wx0000000000fake01 true
	// AGNX4KQAABYABAAAAAAAAAAAAE001 WAIT_USER_CONFIRM
	// report 019b7e2a-0000-7000-8000-000000000001
	// 204
	// settled
}

// Validate names every missing setting, and never a secret.
func ExampleConfig_Validate() {
	cfg := wechatpay.Config{AppID: "wx0000000000fake01", MchID: "1900000001", APIv3Key: "too short"}
	fmt.Println(cfg.Validate())
	fmt.Println(cfg.APIv3Key)
	// Output:
	// wechatpay.Config: invalid: mch_cert_serial: is required (and 7 more problems)
	// [redacted]
}

func ExampleOutBillNo() {
	id := uuid.MustParse("019b7e2a-0000-7000-8000-000000000001")
	for _, n := range []int{1, 2} {
		no, _ := wechatpay.OutBillNo(id, n)
		fmt.Println(no)
	}
	// Output:
	// AGNX4KQAABYABAAAAAAAAAAAAE001
	// AGNX4KQAABYABAAAAAAAAAAAAE002
}
