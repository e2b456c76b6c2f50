package wechatpay

import (
	"encoding/base32"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// State is where a transfer bill stands: WeChat Pay's states, and two of
// this package's own for a bill WeChat Pay has not answered about.
type State string

// The bill states.
const (
	// StateNew: the bill number is reserved and the bill was sent, or is
	// about to be; WeChat Pay's answer was not heard. The next Pay sends
	// the same bill again (WeChat Pay creates one bill per number).
	StateNew State = "NEW"
	// StateRefused: WeChat Pay refused to create the bill with an error
	// code (FailReason) and a query confirmed it has none; nothing was
	// paid. Final.
	StateRefused State = "REFUSED"

	StateAccepted        State = "ACCEPTED"          // 转账已受理
	StateProcessing      State = "PROCESSING"        // 转账锁定资金中
	StateWaitUserConfirm State = "WAIT_USER_CONFIRM" // 待收款用户确认: the app confirms with package_info
	StateTransfering     State = "TRANSFERING"       // 转账中 (WeChat Pay's spelling)
	StateSuccess         State = "SUCCESS"           // 转账成功. Final.
	StateFail            State = "FAIL"              // 转账失败, FailReason says why. Final.
	StateCanceling       State = "CANCELING"         // 撤销中
	StateCancelled       State = "CANCELLED"         // 已撤销. Final.
)

// Known reports whether s is one of the states above.
func (s State) Known() bool {
	switch s {
	case StateNew, StateRefused, StateAccepted, StateProcessing, StateWaitUserConfirm, StateTransfering,
		StateSuccess, StateFail, StateCanceling, StateCancelled:
		return true
	}
	return false
}

// Final reports whether a bill in s never changes again.
func (s State) Final() bool {
	return s == StateSuccess || s == StateFail || s == StateCancelled || s == StateRefused
}

// Closed reports whether a bill in s paid nothing and never will, so that
// the reward's next attempt needs a new bill.
func (s State) Closed() bool { return s == StateFail || s == StateCancelled || s == StateRefused }

// Limits of bill numbers.
const (
	// MaxAttempts is the most bills one reward gets.
	MaxAttempts = 999
	// MaxOutBillNoLen is the longest out_bill_no WeChat Pay accepts.
	MaxOutBillNoLen = 32
)

// billNoEncoding writes a reward ID in 26 upper-case letters and digits.
var billNoEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

var outBillNoPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)

// OutBillNo returns the bill number of a reward's attempt (1 to
// MaxAttempts): the reward ID in base 32 followed by the attempt in three
// digits, 29 letters and digits, e.g. "AGNX4KQAABYABAAAAAAAAAAAAE001".
func OutBillNo(rewardID uuid.UUID, attempt int) (string, error) {
	if attempt < 1 || attempt > MaxAttempts {
		return "", &hazard.Error{Code: hazard.CodeInvalid, Op: "wechatpay.OutBillNo", Field: "attempt",
			Message: fmt.Sprintf("must be 1 to %d", MaxAttempts)}
	}
	return fmt.Sprintf("%s%03d", billNoEncoding.EncodeToString(rewardID[:]), attempt), nil
}

// Bill is one transfer bill of one reward: the durable record that maps a
// bill number to its reward and keeps what WeChat Pay said about it.
type Bill struct {
	// OutBillNo is the bill number (OutBillNo of RewardID and Attempt).
	OutBillNo string
	// Key is the payout's idempotency key (reward.PayRequest), the reward
	// ID.
	Key      string
	RewardID uuid.UUID
	// Attempt counts the reward's bills from 1.
	Attempt int
	Amount  reward.Fen
	State   State
	// TransferBillNo is WeChat Pay's number of the bill, once known.
	TransferBillNo string
	// PackageInfo is what the mini-program passes to
	// wx.requestMerchantTransfer while the bill waits for confirmation.
	PackageInfo string
	// FailReason is WeChat Pay's fail_reason of a failed bill, or the
	// error code of a refused one.
	FailReason string
	// Version counts the bill's changes from 1; Store.Update expects it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a bill before it is stored.
func (b *Bill) Validate() error {
	var p hazard.Problems
	if !outBillNoPattern.MatchString(b.OutBillNo) {
		p.Add("out_bill_no", "must be 1 to %d letters and digits", MaxOutBillNoLen)
	}
	if b.Key == "" {
		p.Add("key", "is required")
	}
	if b.RewardID == uuid.Nil {
		p.Add("reward_id", "is required")
	}
	if b.Attempt < 1 || b.Attempt > MaxAttempts {
		p.Add("attempt", "must be 1 to %d", MaxAttempts)
	}
	if b.Amount <= 0 {
		p.Add("amount", "must be positive")
	}
	if !b.State.Known() {
		p.Add("state", "unknown state %q", b.State)
	}
	return p.Err("wechatpay.Bill")
}

// observation is what WeChat Pay said about a bill.
type observation struct {
	State          State
	TransferBillNo string
	PackageInfo    string
	FailReason     string
}

// observe records o on b and reports whether b changed. A final bill
// never changes; WeChat Pay's later word otherwise wins, fields it left
// out are kept, and the package goes once the bill no longer waits for the
// user.
func (b *Bill) observe(o observation, now time.Time) bool {
	if b.State.Final() || !o.State.Known() {
		return false
	}
	next := *b
	next.State = o.State
	if o.TransferBillNo != "" {
		next.TransferBillNo = o.TransferBillNo
	}
	switch {
	case o.State != StateWaitUserConfirm:
		next.PackageInfo = "" // nothing for the citizen to confirm any more
	case o.PackageInfo != "":
		next.PackageInfo = o.PackageInfo
	}
	if o.FailReason != "" {
		next.FailReason = o.FailReason
	}
	if next == *b {
		return false
	}
	next.UpdatedAt = now
	*b = next
	return true
}

// rejecting are the fail reasons after which the payee can never receive
// the reward: the claim fails for good (reward.PayRejected). Any other
// failure lets the citizen claim again, with a new bill.
var rejecting = map[string]bool{
	"ACCOUNT_NOT_EXIST":           true, // the openid has no WeChat Pay account
	"OPENID_INVALID":              true, // the openid is not the app's
	"RECEIVE_ACCOUNT_NOT_PERMMIT": true, // the payee may not receive merchant transfers
}

// result is what the payer answers about b.
func (p *Payer) result(b *Bill) reward.PayResult {
	switch b.State {
	case StateSuccess:
		ref := b.TransferBillNo
		if ref == "" {
			ref = b.OutBillNo
		}
		return reward.PayResult{Status: reward.PaySettled, PaymentRef: ref}
	case StateWaitUserConfirm:
		if b.PackageInfo == "" {
			return reward.PayResult{Status: reward.PayPending}
		}
		return reward.PayResult{Status: reward.PayPending, Package: b.PackageInfo, Merchant: p.cfg.MchID, App: p.cfg.AppID}
	case StateFail:
		if rejecting[b.FailReason] {
			return reward.PayResult{Status: reward.PayRejected, Reason: "WeChat Pay cannot pay this account (" + b.FailReason + ")"}
		}
		return reward.PayResult{Status: reward.PayFailed, Reason: "the WeChat Pay transfer failed (" + b.FailReason + ")"}
	case StateCancelled:
		return reward.PayResult{Status: reward.PayFailed, Reason: "the WeChat Pay transfer was cancelled"}
	case StateRefused:
		return reward.PayResult{Status: reward.PayFailed, Reason: refusalReason(b.FailReason)}
	default: // NEW, ACCEPTED, PROCESSING, TRANSFERING, CANCELING
		return reward.PayResult{Status: reward.PayPending}
	}
}

// refusalReason says why WeChat Pay refused to create a bill.
func refusalReason(code string) string {
	switch code {
	case "NOT_ENOUGH":
		return "the programme's WeChat Pay balance is insufficient (NOT_ENOUGH)"
	case "NO_AUTH":
		return "the merchant may not make this transfer (NO_AUTH)"
	default:
		return "WeChat Pay refused the transfer (" + code + ")"
	}
}
