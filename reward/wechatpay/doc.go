// Package wechatpay pays rewards by WeChat Pay merchant transfer (商家转账,
// the version in which the citizen confirms receipt in the mini-program).
// Payer implements reward.Payer on the official Go SDK
// (github.com/wechatpay-apiv3/wechatpay-go): the SDK signs every request
// with the merchant's key, verifies every answer and callback with WeChat
// Pay's public key (public key mode) and decrypts callbacks with the API v3
// key; this package adds the transfer bill endpoints, which the SDK lacks:
//
//	POST /v3/fund-app/mch-transfer/transfer-bills                            create a bill
//	GET  /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}          query it
//	POST /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no}/cancel   cancel it
//
// # Bills
//
// Each claim of a reward is paid by a bill whose number (out_bill_no)
// derives from the reward ID and an attempt counter (OutBillNo). The bills
// are recorded in a Store before they are sent (membills in memory,
// pgbills in PostgreSQL, shared by every process), so that a bill whose
// answer was lost is sent again under its number, which WeChat Pay pays at
// most once, and a callback's number maps back to its reward. A bill that
// failed, was cancelled or was refused is followed by a new bill, attempt
// n+1; a bill is never paid twice and a reward never has two bills in
// flight.
//
// # Outcomes
//
// The states of a bill and the error codes of a creation map to the
// claim's outcomes (reward.PayStatus) as follows:
//
//	WAIT_USER_CONFIRM                     pending: PayResult.Package is package_info, with Merchant (mchId) and App (appId)
//	ACCEPTED, PROCESSING, TRANSFERING,    pending, without a package (nothing for the citizen to do)
//	CANCELING, and NEW (answer not heard)
//	SUCCESS                               settled: PaymentRef is WeChat Pay's transfer_bill_no
//	FAIL with ACCOUNT_NOT_EXIST,          rejected: the account can never receive it
//	OPENID_INVALID, RECEIVE_ACCOUNT_NOT_PERMMIT
//	FAIL with any other reason            failed: claim again, with a new bill
//	CANCELLED (cancelled, or not          failed: claim again, with a new bill
//	confirmed in time)
//	PARAM_ERROR, INVALID_REQUEST,         failed (the bill is REFUSED, once a query confirmed WeChat Pay
//	SIGN_ERROR, NO_AUTH, NOT_ENOUGH       has no such bill): claim again, with a new bill
//	and any other 4xx code
//	FREQUENCY_LIMITED (429),              an error (outcome unknown; CodeRateLimited or CodeInternal):
//	SYSTEM_ERROR, other 5xx, no answer,   the same bill is sent again on the next claim, and Query asks
//	an answer whose signature fails       WeChat Pay
//
// A reporter without a WeChat identity (Payees answers CodeNotFound), or
// without the real name WeChat Pay needs from RealNameFrom (¥2,000), gets
// PayFailed and no bill.
//
// # Wiring
//
// The server makes the payer, gives it to reward.Config.Payer, serves its
// callback at Config.NotifyURL, and runs Reconcile from time to time:
//
//	payer, err := wechatpay.New(cfg, pgbills.New(pool), payees)
//	sync := func(ctx context.Context, id uuid.UUID) error { _, err := rewards.Sync(ctx, id); return err }
//	mux.Handle("POST /wechatpay/transfer", payer.Callback(sync))
//	n, err := payer.Reconcile(ctx, 10*time.Minute, sync)
//
// reward.Service.Claim then answers a claim waiting for the citizen with
// ClaimResult.Package, Merchant and App: the mini-program passes them to
// wx.requestMerchantTransfer as package, mchId and appId.
//
// # Conventions
//
// Errors are *hazard.Error with a code; an error from Pay, Query, Cancel or
// Reconcile means the outcome is unknown. Nothing secret (keys, the API v3
// key, real names) is in an error or a log: secrets are of type Secret,
// which prints as "[redacted]". A Payer is safe for concurrent use. Package
// wechatpaytest holds a local WeChat Pay for tests and the conformance
// suite of Store.
package wechatpay
