package wechatpay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxCallbackBytes is the largest callback body read.
const MaxCallbackBytes = 64 << 10

// EventBillFinished is the event type of the callback WeChat Pay sends
// when a transfer bill reaches a final state.
const EventBillFinished = "MCHTRANSFER.BILL.FINISHED"

// Callback returns the handler of WeChat Pay's transfer callbacks, to
// serve at Config.NotifyURL:
//
//	mux.Handle("POST /wechatpay/transfer", payer.Callback(func(ctx context.Context, id uuid.UUID) error {
//		_, err := rewards.Sync(ctx, id)
//		return err
//	}))
//
// It verifies the signature (Wechatpay-Signature, -Timestamp, -Nonce and
// -Serial, with WeChat Pay's public key) before it parses anything, and
// refuses a callback more than five minutes from the host's clock (a
// replay; the SDK checks it with time.Now, not Config.Clock) or forged,
// with a 401 and without changing anything. Bodies over MaxCallbackBytes
// are refused. It decrypts the resource
// (AEAD_AES_256_GCM with the API v3 key), records the bill's final state
// and calls report with the bill's reward; a callback repeated is recorded
// once and reported again, which reward.Service.Sync makes harmless. It
// answers 204 when done, and otherwise a 4xx or 5xx with WeChat Pay's
// {"code":"FAIL","message":...}, so that WeChat Pay sends the callback
// again after a failure of ours (the store, report).
func (p *Payer) Callback(report Report) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodPost {
			fail(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxCallbackBytes)
		var a billAnswer
		// The SDK reads the body, verifies the signature and the time, and
		// only then parses and decrypts it.
		n, err := p.notify.ParseNotifyRequest(ctx, r, &a)
		switch {
		case err != nil && n == nil:
			p.cfg.Logger.WarnContext(ctx, "wechatpay callback refused: bad signature, stale or malformed")
			fail(w, http.StatusUnauthorized, "invalid signature")
			return
		case err != nil:
			p.cfg.Logger.ErrorContext(ctx, "wechatpay callback cannot be decrypted: check the API v3 key", "id", n.ID)
			fail(w, http.StatusInternalServerError, "cannot decrypt")
			return
		case n.EventType != EventBillFinished:
			p.cfg.Logger.InfoContext(ctx, "wechatpay callback ignored", "event_type", n.EventType)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		status, msg := p.finished(ctx, &a, report)
		if status != http.StatusNoContent {
			fail(w, status, msg)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// finished records a verified bill notice and reports it.
func (p *Payer) finished(ctx context.Context, a *billAnswer, report Report) (int, string) {
	if a.MchID != "" && a.MchID != p.cfg.MchID {
		p.cfg.Logger.WarnContext(ctx, "wechatpay callback for another merchant", "out_bill_no", a.OutBillNo)
		return http.StatusBadRequest, "another merchant"
	}
	if !a.State.Known() || a.State == StateNew || a.State == StateRefused {
		return http.StatusBadRequest, "unknown state"
	}
	unlock := func() {}
	b, err := p.bills.Get(ctx, a.OutBillNo)
	if err == nil {
		unlock = p.lock(b.Key)
		b, err = p.bills.Get(ctx, a.OutBillNo)
	}
	defer func() { unlock() }()
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		p.cfg.Logger.WarnContext(ctx, "wechatpay callback for an unknown bill", "out_bill_no", a.OutBillNo)
		return http.StatusNotFound, "unknown bill"
	case err != nil:
		p.cfg.Logger.ErrorContext(ctx, "wechatpay callback: bill store", "error", err)
		return http.StatusInternalServerError, "store unavailable"
	case a.TransferAmount != 0 && a.TransferAmount != int64(b.Amount):
		p.cfg.Logger.ErrorContext(ctx, "wechatpay callback amount differs from the bill", "out_bill_no", a.OutBillNo)
		return http.StatusBadRequest, "amount differs"
	}
	if b.State.Final() && b.State != a.State {
		p.cfg.Logger.ErrorContext(ctx, "wechatpay callback disagrees with the bill's final state; check the merchant platform",
			"reward_id", b.RewardID, "out_bill_no", b.OutBillNo, "state", string(b.State), "notice_state", string(a.State))
	}
	if b, err = p.record(ctx, b, a.observation()); err != nil {
		p.cfg.Logger.ErrorContext(ctx, "wechatpay callback: bill store", "error", err)
		return http.StatusInternalServerError, "store unavailable"
	}
	p.cfg.Logger.InfoContext(ctx, "wechatpay bill finished", "reward_id", b.RewardID, "out_bill_no", b.OutBillNo, "state", string(b.State))
	if report != nil && b.State.Final() {
		unlock()
		unlock = func() {}
		if err := report(ctx, b.RewardID); err != nil {
			p.cfg.Logger.ErrorContext(ctx, "wechatpay callback: report", "reward_id", b.RewardID, "error", err)
			return http.StatusInternalServerError, "not recorded"
		}
	}
	return http.StatusNoContent, ""
}

// fail writes WeChat Pay's failure answer.
func fail(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": "FAIL", "message": message})
}
