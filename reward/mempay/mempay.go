package mempay

import (
	"context"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

var _ reward.Payer = (*Payer)(nil)

// Merchant and App are what a payout waiting for confirmation names as
// its payer and app (reward.PayResult), as WeChat Pay's mchId and appId.
const (
	Merchant = "mempay"
	App      = "mempay-app"
)

// Payout is one payout the payer made or holds.
type Payout struct {
	Key        string
	RewardID   uuid.UUID
	ReporterID string
	Amount     reward.Fen
	// Ref is the payment reference, set once settled: "mempay-", the
	// payer's random instance ID (16 hex digits), "-" and a sequence
	// number, so that references are unique across processes and restarts
	// sharing one database.
	Ref string
	// Settled is true once the money was paid; false while it waits for
	// the citizen's confirmation.
	Settled bool
}

// Payer is an in-memory reward.Payer. Use New.
type Payer struct {
	mu       sync.Mutex
	payouts  map[string]*Payout
	order    []string
	calls    int
	instance string
	seq      int
	fail     int
	reject   int
	lose     int
	timeout  int
	confirm  bool
	declined map[string]string
	index    map[string]bool
}

// New returns a payer that settles every payout at once.
func New() *Payer {
	id := uuid.New() // random: two processes, or one restarted, differ
	return &Payer{payouts: make(map[string]*Payout), declined: make(map[string]string), index: make(map[string]bool),
		instance: hex.EncodeToString(id[:8])}
}

// FailNext makes the next n Pay calls answer PayFailed without paying.
func (p *Payer) FailNext(n int) { p.mu.Lock(); p.fail = n; p.mu.Unlock() }

// RejectNext makes the next n Pay calls answer PayRejected without paying.
func (p *Payer) RejectNext(n int) { p.mu.Lock(); p.reject = n; p.mu.Unlock() }

// LoseNext makes the next n Pay calls pay (or find their payout) and then
// return an error, as when the answer is lost on the network.
func (p *Payer) LoseNext(n int) { p.mu.Lock(); p.lose = n; p.mu.Unlock() }

// TimeoutNext makes the next n Pay calls block until their context is done
// and return its error, without paying.
func (p *Payer) TimeoutNext(n int) { p.mu.Lock(); p.timeout = n; p.mu.Unlock() }

// RequireConfirmation makes new payouts wait for Confirm (answering
// PayPending with a package) instead of settling at once.
func (p *Payer) RequireConfirmation(on bool) { p.mu.Lock(); p.confirm = on; p.mu.Unlock() }

// ErrLost is the error of a Pay call whose answer was lost.
var ErrLost = &hazard.Error{Code: hazard.CodeInternal, Message: "the payer's answer was lost"}

// Pay implements reward.Payer.
func (p *Payer) Pay(ctx context.Context, req reward.PayRequest) (reward.PayResult, error) {
	if req.IdempotencyKey == "" || req.Amount <= 0 {
		return reward.PayResult{}, hazard.Errorf(hazard.CodeInvalid, "a payout needs a key and a positive amount")
	}
	p.mu.Lock()
	p.calls++
	if p.timeout > 0 {
		p.timeout--
		p.mu.Unlock()
		<-ctx.Done()
		return reward.PayResult{}, ctx.Err()
	}
	defer p.mu.Unlock()
	if po, ok := p.payouts[req.IdempotencyKey]; ok {
		if po.Amount != req.Amount {
			return reward.PayResult{}, hazard.Errorf(hazard.CodeConflict, "key %s was paid with another amount", req.IdempotencyKey)
		}
		return p.answer(po)
	}
	if p.fail > 0 {
		p.fail--
		return reward.PayResult{Status: reward.PayFailed, Reason: "the payer is unavailable"}, nil
	}
	if p.reject > 0 {
		p.reject--
		return reward.PayResult{Status: reward.PayRejected, Reason: "the payee cannot receive transfers"}, nil
	}
	delete(p.declined, req.IdempotencyKey)
	po := &Payout{Key: req.IdempotencyKey, RewardID: req.RewardID, ReporterID: req.ReporterID, Amount: req.Amount}
	if !p.confirm {
		p.settle(po)
	}
	if _, seen := p.index[po.Key]; !seen {
		p.index[po.Key] = true
		p.order = append(p.order, po.Key)
	}
	p.payouts[po.Key] = po
	return p.answer(po)
}

func (p *Payer) settle(po *Payout) {
	p.seq++
	po.Settled = true
	po.Ref = fmt.Sprintf("mempay-%s-%06d", p.instance, p.seq)
}

// answer returns the state of po, losing the answer when told to.
func (p *Payer) answer(po *Payout) (reward.PayResult, error) {
	if p.lose > 0 {
		p.lose--
		return reward.PayResult{}, ErrLost
	}
	return result(po), nil
}

func result(po *Payout) reward.PayResult {
	if po.Settled {
		return reward.PayResult{Status: reward.PaySettled, PaymentRef: po.Ref}
	}
	return reward.PayResult{Status: reward.PayPending, Package: "package-" + po.Key, Merchant: Merchant, App: App}
}

// Query implements reward.Payer.
func (p *Payer) Query(ctx context.Context, key string) (reward.PayResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reason, ok := p.declined[key]; ok {
		return reward.PayResult{Status: reward.PayFailed, Reason: reason}, nil
	}
	po, ok := p.payouts[key]
	if !ok {
		return reward.PayResult{}, &hazard.Error{Code: hazard.CodeNotFound, Op: "mempay.Query", Message: "no payout under this key"}
	}
	return result(po), nil
}

// Confirm settles a payout waiting for confirmation, as the citizen
// confirming the transfer in the app. A missing key is CodeNotFound.
func (p *Payer) Confirm(key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	po, ok := p.payouts[key]
	if !ok {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: "mempay.Confirm", Message: "no payout under this key"}
	}
	if !po.Settled {
		p.settle(po)
	}
	return nil
}

// Decline drops a payout waiting for confirmation, as a transfer the
// citizen did not confirm in time: Query then answers PayFailed, and a new
// Pay with the key pays afresh. A missing or settled key is CodeNotFound.
func (p *Payer) Decline(key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	po, ok := p.payouts[key]
	if !ok || po.Settled {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: "mempay.Decline", Message: "no payout waiting under this key"}
	}
	delete(p.payouts, key)
	p.declined[key] = "the transfer was not confirmed in time"
	return nil
}

// Payouts returns the settled payouts in the order they were requested.
func (p *Payer) Payouts() []Payout {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Payout
	for _, k := range p.order {
		if po, ok := p.payouts[k]; ok && po.Settled {
			out = append(out, *po)
		}
	}
	return out
}

// Total returns the sum of the settled payouts.
func (p *Payer) Total() reward.Fen {
	var t reward.Fen
	for _, po := range p.Payouts() {
		t += po.Amount
	}
	return t
}

// Calls returns how many Pay calls the payer received.
func (p *Payer) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

var _ hazard.Forgetter = (*Payer)(nil)

// ForgetUser implements hazard.Forgetter: the payouts to e.UserID name
// e.Pseudonym as their reporter; amounts and references stay.
func (p *Payer) ForgetUser(_ context.Context, e hazard.Erasure) error {
	if err := e.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, po := range p.payouts {
		if po.ReporterID == e.UserID {
			po.ReporterID = e.Pseudonym
		}
	}
	return nil
}
