package wechatpay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

var _ reward.Payer = (*Payer)(nil)

// RealNameFrom is the amount from which WeChat Pay needs the payee's real
// name with a transfer (¥2,000).
const RealNameFrom reward.Fen = 200_000

// Payee is who receives a reward in WeChat.
type Payee struct {
	// OpenID is the payee's openid under Config.AppID.
	OpenID string
	// RealName is the payee's real name, needed from RealNameFrom; it is
	// sent encrypted with WeChat Pay's public key, never stored or logged.
	RealName string
}

// Payees finds the payee of a reporter in the integrator's user store: a
// reporter without a WeChat identity is CodeNotFound.
type Payees interface {
	Payee(ctx context.Context, reporterID string) (Payee, error)
}

// PayeeFunc adapts a function to Payees.
type PayeeFunc func(ctx context.Context, reporterID string) (Payee, error)

// Payee implements Payees.
func (f PayeeFunc) Payee(ctx context.Context, reporterID string) (Payee, error) {
	return f(ctx, reporterID)
}

// Report is how the payer tells the server that a reward's bill reached a
// final state (a callback, a reconciliation): the server records it, e.g.
// with reward.Service.Sync, which asks Query and settles once. An error
// makes WeChat Pay send the callback again.
type Report func(ctx context.Context, rewardID uuid.UUID) error

// Payer pays rewards by WeChat Pay merchant transfer (商家转账). It
// implements reward.Payer; use New. It is safe for concurrent use; all its
// state is in its Store and at WeChat Pay.
type Payer struct {
	cfg    Config
	base   string
	client *core.Client
	notify *notify.Handler
	bills  Store
	payees Payees

	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// New validates cfg and returns a payer that records its bills in bills
// and finds payees with payees.
func New(cfg Config, bills Store, payees Payees) (*Payer, error) {
	priv, pub, err := cfg.keys()
	var p hazard.Problems
	p.Merge("", err)
	if bills == nil {
		p.Add("bills", "is required")
	}
	if payees == nil {
		p.Add("payees", "is required")
	}
	if err := p.Err("wechatpay.New"); err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	client, err := core.NewClient(context.Background(),
		option.WithWechatPayPublicKeyAuthCipher(cfg.MchID, cfg.MchCertSerial, priv, cfg.PlatformPublicKeyID, pub),
		option.WithHTTPClient(cfg.HTTPClient))
	if err != nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "wechatpay.New", Message: "the WeChat Pay client cannot be made"}
	}
	h, err := notify.NewRSANotifyHandler(string(cfg.APIv3Key), verifiers.NewSHA256WithRSAPubkeyVerifier(cfg.PlatformPublicKeyID, *pub))
	if err != nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "wechatpay.New", Field: "api_v3_key", Message: "is not an AES-256 key"}
	}
	return &Payer{cfg: cfg, base: base, client: client, notify: h, bills: bills, payees: payees, locks: map[string]*keyLock{}}, nil
}

// lock serialises the calls about one key in this process, so that
// concurrent claims send WeChat Pay one request; across processes the
// Store and WeChat Pay's one bill per number keep them apart.
func (p *Payer) lock(key string) func() {
	p.mu.Lock()
	l := p.locks[key]
	if l == nil {
		l = &keyLock{}
		p.locks[key] = l
	}
	l.refs++
	p.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		p.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(p.locks, key)
		}
		p.mu.Unlock()
	}
}

func (p *Payer) now() time.Time { return p.cfg.Clock().UTC().Truncate(time.Microsecond) }

// unknown is the error of a call whose outcome is not known: asking again
// with the key finds out, and never pays twice.
func unknown(op string, err error) error {
	code := hazard.CodeInternal
	var ce *callError
	if errors.As(err, &ce) && (ce.Code == "FREQUENCY_LIMITED" || ce.Status == http.StatusTooManyRequests) {
		code = hazard.CodeRateLimited
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &hazard.Error{Code: code, Op: op, Message: "the WeChat Pay call did not finish; ask again with the key", Err: err}
	}
	return &hazard.Error{Code: code, Op: op, Message: "the WeChat Pay outcome is unknown; ask again with the key", Err: err}
}

// Pay implements reward.Payer. The key must be a reward ID (its bills'
// numbers derive from it). The reward's latest bill answers while it
// succeeded or is in flight (asking WeChat Pay where it stands); a bill
// whose answer was lost is sent again under its number; a bill that
// failed, was cancelled or was refused is followed by a new bill, attempt
// n+1. Payees are looked up only when a bill is sent; a reporter without
// a WeChat identity, or without the real name an amount from RealNameFrom
// needs, gets PayFailed and no bill.
func (p *Payer) Pay(ctx context.Context, req reward.PayRequest) (reward.PayResult, error) {
	const op = "wechatpay.Pay"
	rewardID, err := uuid.Parse(req.IdempotencyKey)
	if err != nil || req.Amount <= 0 {
		return reward.PayResult{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "idempotency_key",
			Message: "a payout needs the reward ID as its key and a positive amount"}
	}
	defer p.lock(req.IdempotencyKey)()
	b, err := p.bills.Latest(ctx, req.IdempotencyKey)
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		b = Bill{}
	case err != nil:
		return reward.PayResult{}, hazard.Wrap(op, err)
	case b.Amount != req.Amount:
		return reward.PayResult{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "amount",
			Message: "the reward was asked for with another amount"}
	}
	if b.Attempt > 0 && !b.State.Final() && b.State != StateNew {
		if b, err = p.refresh(ctx, b); err != nil {
			return reward.PayResult{}, unknown(op, err)
		}
	}
	if b.Attempt > 0 && b.State != StateNew && (!b.State.Closed() || rejecting[b.FailReason]) {
		return p.result(&b), nil // paid, in flight, or rejected for good
	}
	payee, err := p.payees.Payee(ctx, req.ReporterID)
	if b.State == StateNew && (err != nil || payee.OpenID == "" || (req.Amount >= RealNameFrom && payee.RealName == "")) {
		// The bill may exist at WeChat Pay: it is sent again, never
		// declared failed, once the payee is known again.
		return reward.PayResult{}, &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the payee cannot be found to send the bill again", Err: err}
	}
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		return reward.PayResult{Status: reward.PayFailed, Reason: "the reporter has no WeChat account to pay"}, nil
	case err != nil:
		return reward.PayResult{}, hazard.Wrap(op, err)
	case payee.OpenID == "":
		return reward.PayResult{Status: reward.PayFailed, Reason: "the reporter has no WeChat account to pay"}, nil
	case req.Amount >= RealNameFrom && payee.RealName == "":
		return reward.PayResult{Status: reward.PayFailed, Reason: "a transfer from ¥2,000 needs the payee's real name"}, nil
	}
	if b.Attempt == 0 || b.State.Closed() {
		if b.Attempt >= MaxAttempts {
			return reward.PayResult{Status: reward.PayRejected, Reason: "the reward used all its WeChat Pay attempts"}, nil
		}
		if b, err = p.open(ctx, rewardID, req, b.Attempt+1); err != nil {
			return reward.PayResult{}, hazard.Wrap(op, err)
		}
		if b.State != StateNew {
			// Another process opened this attempt and heard its answer.
			return p.result(&b), nil
		}
	}
	b, err = p.send(ctx, b, req, payee)
	if err != nil {
		return reward.PayResult{}, unknown(op, err)
	}
	return p.result(&b), nil
}

// open reserves the bill of attempt n in the store.
func (p *Payer) open(ctx context.Context, rewardID uuid.UUID, req reward.PayRequest, n int) (Bill, error) {
	no, err := OutBillNo(rewardID, n)
	if err != nil {
		return Bill{}, err
	}
	now := p.now()
	b, _, err := p.bills.Open(ctx, Bill{OutBillNo: no, Key: req.IdempotencyKey, RewardID: rewardID, Attempt: n,
		Amount: req.Amount, State: StateNew, CreatedAt: now, UpdatedAt: now})
	return b, err
}

// send creates bill b at WeChat Pay and records the answer. A definite
// refusal is checked with a query (an earlier send whose answer was lost
// may have created the bill) before the bill is closed as refused.
func (p *Payer) send(ctx context.Context, b Bill, req reward.PayRequest, payee Payee) (Bill, error) {
	body := &createBill{
		AppID: p.cfg.AppID, OutBillNo: b.OutBillNo, SceneID: p.cfg.SceneID, OpenID: payee.OpenID,
		TransferAmount: int64(b.Amount), Remark: remark(req.Remark), NotifyURL: p.cfg.NotifyURL,
		Perception: p.cfg.Perception, ReportInfos: p.cfg.ReportInfos,
	}
	if b.Amount >= RealNameFrom {
		body.UserName = payee.RealName
	}
	a, err := p.create(ctx, body)
	var ce *callError
	switch {
	case err == nil:
		return p.record(ctx, b, a.observation())
	case errors.As(err, &ce) && ce.definite():
		a, qerr := p.get(ctx, b.OutBillNo)
		var qe *callError
		switch {
		case qerr == nil:
			return p.record(ctx, b, a.observation())
		case errors.As(qerr, &qe) && qe.notFound():
			p.cfg.Logger.WarnContext(ctx, "wechatpay transfer refused", "reward_id", b.RewardID, "out_bill_no", b.OutBillNo, "code", ce.Code)
			return p.record(ctx, b, observation{State: StateRefused, FailReason: ce.Code})
		default:
			return b, qerr
		}
	default:
		return b, err
	}
}

// remark cuts a reward's remark to what WeChat Pay takes.
func remark(s string) string {
	r := []rune(s)
	if len(r) > MaxRemarkLen {
		r = r[:MaxRemarkLen]
	}
	if len(r) == 0 {
		return "奖励"
	}
	return string(r)
}

// refresh asks WeChat Pay where bill b stands and records it.
func (p *Payer) refresh(ctx context.Context, b Bill) (Bill, error) {
	a, err := p.get(ctx, b.OutBillNo)
	if err != nil {
		return b, err
	}
	return p.record(ctx, b, a.observation())
}

// MaxUpdateTries bounds the retries of a bill update that lost a race.
const MaxUpdateTries = 5

// record stores what WeChat Pay said about b: when another process
// changed the bill meanwhile, it is read again and the observation applied
// to it (a final bill stays as it is).
func (p *Payer) record(ctx context.Context, b Bill, o observation) (Bill, error) {
	for range MaxUpdateTries {
		if !b.observe(o, p.now()) {
			return b, nil
		}
		saved, err := p.bills.Update(ctx, b)
		if !errors.Is(err, hazard.ErrConflict) {
			return saved, err
		}
		if b, err = p.bills.Get(ctx, b.OutBillNo); err != nil {
			return b, err
		}
	}
	return b, &hazard.Error{Code: hazard.CodeConflict, Op: "wechatpay.record", Message: "the bill kept changing"}
}

// Query implements reward.Payer: the state of the reward's latest bill,
// asked of WeChat Pay while it is in flight. A key without bills is
// CodeNotFound, and so is a bill whose creation WeChat Pay never heard of
// (the next Pay sends it again under its number).
func (p *Payer) Query(ctx context.Context, key string) (reward.PayResult, error) {
	const op = "wechatpay.Query"
	defer p.lock(key)()
	b, err := p.bills.Latest(ctx, key)
	if err != nil {
		return reward.PayResult{}, hazard.Wrap(op, err)
	}
	if !b.State.Final() {
		nb, err := p.refresh(ctx, b)
		var ce *callError
		switch {
		case b.State == StateNew && errors.As(err, &ce) && ce.notFound():
			return reward.PayResult{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "WeChat Pay has no bill for this reward"}
		case err != nil:
			return reward.PayResult{}, unknown(op, err)
		}
		b = nb
	}
	return p.result(&b), nil
}

// Cancel asks WeChat Pay to cancel the reward's bill while it waits for
// the citizen (e.g. the reward expired): the answer is the bill's state
// after it, PayFailed once cancelled. A bill WeChat Pay will not cancel
// any more (the citizen confirmed) answers its state. A key without bills
// is CodeNotFound.
func (p *Payer) Cancel(ctx context.Context, key string) (reward.PayResult, error) {
	const op = "wechatpay.Cancel"
	defer p.lock(key)()
	b, err := p.bills.Latest(ctx, key)
	if err != nil {
		return reward.PayResult{}, hazard.Wrap(op, err)
	}
	if b.State.Final() {
		return p.result(&b), nil
	}
	a, err := p.cancel(ctx, b.OutBillNo)
	var ce *callError
	switch {
	case err == nil:
		b, err = p.record(ctx, b, a.observation())
	case errors.As(err, &ce) && ce.definite():
		b, err = p.refresh(ctx, b) // not cancellable: where does it stand?
	}
	if err != nil {
		return reward.PayResult{}, unknown(op, err)
	}
	return p.result(&b), nil
}

// Reconcile asks WeChat Pay about up to MaxInFlightBatch bills in flight
// whose last change is older than age, records their state, and reports
// each bill that reached a final state to report. It returns how many bills
// it asked about. Run it from a periodic job; it is safe from several
// processes.
func (p *Payer) Reconcile(ctx context.Context, age time.Duration, report Report) (int, error) {
	const op = "wechatpay.Reconcile"
	bills, err := p.bills.InFlight(ctx, p.now().Add(-age), MaxInFlightBatch)
	if err != nil {
		return 0, hazard.Wrap(op, err)
	}
	var errs []error
	n := 0
	for _, b := range bills {
		unlock := p.lock(b.Key)
		nb, err := p.refresh(ctx, b)
		unlock()
		var ce *callError
		switch {
		case b.State == StateNew && errors.As(err, &ce) && ce.notFound():
			n++ // never created: the reward's next claim sends it again
			continue
		case err != nil:
			errs = append(errs, unknown(op, err))
			continue
		}
		n++
		if nb.State.Final() && report != nil {
			if err := report(ctx, nb.RewardID); err != nil {
				errs = append(errs, hazard.Wrap(op, err))
			}
		}
	}
	return n, errors.Join(errs...)
}

// Bills returns the payer's store, e.g. to look a bill up by its number.
func (p *Payer) Bills() Store { return p.bills }
