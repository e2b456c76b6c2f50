package wechatpay

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
)

// The merchant transfer endpoints (商家转账, the version with the user's
// confirmation).
const (
	pathBills      = "/v3/fund-app/mch-transfer/transfer-bills"
	pathByOutBill  = pathBills + "/out-bill-no/"
	pathCancelTail = "/cancel"
)

// createBill is the body of POST /v3/fund-app/mch-transfer/transfer-bills.
type createBill struct {
	AppID          string `json:"appid"`
	OutBillNo      string `json:"out_bill_no"`
	SceneID        string `json:"transfer_scene_id"`
	OpenID         string `json:"openid"`
	UserName       string `json:"user_name,omitempty" encryption:"EM_APIV3"`
	TransferAmount int64  `json:"transfer_amount"`
	Remark         string `json:"transfer_remark"`
	NotifyURL      string `json:"notify_url,omitempty"`
	Perception     string `json:"user_recv_perception,omitempty"`
	// ReportInfos is transfer_scene_report_infos.
	ReportInfos []ReportInfo `json:"transfer_scene_report_infos"`
}

// billAnswer is WeChat Pay's answer about a bill: to a creation, a query,
// a cancellation, and the decrypted resource of a callback.
type billAnswer struct {
	MchID          string `json:"mch_id"`
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	AppID          string `json:"appid"`
	State          State  `json:"state"`
	TransferAmount int64  `json:"transfer_amount"`
	PackageInfo    string `json:"package_info"`
	FailReason     string `json:"fail_reason"`
	OpenID         string `json:"openid"`
	CreateTime     string `json:"create_time"`
	UpdateTime     string `json:"update_time"`
}

func (a *billAnswer) observation() observation {
	return observation{State: a.State, TransferBillNo: a.TransferBillNo, PackageInfo: a.PackageInfo, FailReason: a.FailReason}
}

// callError classifies a failed call to WeChat Pay.
type callError struct {
	// Code is WeChat Pay's error code (NOT_ENOUGH, PARAM_ERROR, ...), empty
	// when no answer was heard or it could not be trusted.
	Code   string
	Status int
	Err    error
}

func (e *callError) Error() string {
	if e.Code != "" {
		return "wechat pay answered " + e.Code
	}
	return "wechat pay call failed: " + e.Err.Error()
}

func (e *callError) Unwrap() error { return e.Err }

// definite reports whether the answer says for sure that the request did
// nothing: a 4xx with an error code, except the rate limit (the request
// may be sent again as it was) and NOT_FOUND.
func (e *callError) definite() bool {
	return e.Code != "" && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests &&
		e.Code != "FREQUENCY_LIMITED" && e.Code != "NOT_FOUND" && e.Code != "SYSTEM_ERROR"
}

// notFound reports whether WeChat Pay has no such bill.
func (e *callError) notFound() bool {
	return e.Status == http.StatusNotFound || e.Code == "NOT_FOUND"
}

func classify(err error) *callError {
	var api *core.APIError
	if errors.As(err, &api) {
		return &callError{Code: api.Code, Status: api.StatusCode, Err: err}
	}
	return &callError{Err: err}
}

// create sends a bill. The SDK signs the request, encrypts the user name
// with WeChat Pay's public key and verifies the answer's signature.
func (p *Payer) create(ctx context.Context, body *createBill) (billAnswer, error) {
	if body.UserName != "" {
		if _, err := p.client.EncryptRequest(ctx, body); err != nil {
			return billAnswer{}, &callError{Err: err}
		}
	}
	res, err := p.client.Post(ctx, p.base+pathBills, body)
	return decode(res, err)
}

// get queries a bill by its number.
func (p *Payer) get(ctx context.Context, outBillNo string) (billAnswer, error) {
	res, err := p.client.Get(ctx, p.base+pathByOutBill+url.PathEscape(outBillNo))
	return decode(res, err)
}

// cancel asks WeChat Pay to cancel a bill not yet confirmed.
func (p *Payer) cancel(ctx context.Context, outBillNo string) (billAnswer, error) {
	res, err := p.client.Post(ctx, p.base+pathByOutBill+url.PathEscape(outBillNo)+pathCancelTail, struct{}{})
	return decode(res, err)
}

func decode(res *core.APIResult, err error) (billAnswer, error) {
	if err != nil {
		return billAnswer{}, classify(err)
	}
	var a billAnswer
	if err := core.UnMarshalResponse(res.Response, &a); err != nil {
		return billAnswer{}, &callError{Err: err}
	}
	if !a.State.Known() || a.State == StateNew || a.State == StateRefused {
		return billAnswer{}, &callError{Err: errors.New("unknown bill state " + string(a.State))}
	}
	return a, nil
}
