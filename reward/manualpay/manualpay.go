package manualpay

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

var _ reward.Payer = (*Payer)(nil)

// Status is where a manual payout stands.
type Status string

// The statuses of a manual payout.
const (
	StatusPending   Status = "pending"   // waiting for finance
	StatusPaid      Status = "paid"      // finance paid it
	StatusCancelled Status = "cancelled" // finance will not pay it under this request
)

// Entry is one payout request.
type Entry struct {
	Key         string
	RewardID    uuid.UUID
	ReporterID  string
	Amount      reward.Fen
	Remark      string
	RequestedAt time.Time
	Status      Status
	// Ref is finance's reference of the payment (a bank or voucher number).
	Ref    string
	PaidAt time.Time
	// Reason says why it was cancelled.
	Reason string
}

// Payer records payouts for manual settlement. Use New.
type Payer struct {
	mu      sync.Mutex
	clock   func() time.Time
	entries map[string]*Entry
	order   []string
}

// New returns an empty Payer; clock nil means time.Now.
func New(clock func() time.Time) *Payer {
	if clock == nil {
		clock = time.Now
	}
	return &Payer{clock: clock, entries: make(map[string]*Entry)}
}

func notFound(op string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no payout under this key"}
}

// Pay implements reward.Payer: it records the request (once per key; a
// cancelled request is opened again) and answers PayPending, or the state
// of the earlier request with the key.
func (p *Payer) Pay(ctx context.Context, req reward.PayRequest) (reward.PayResult, error) {
	if req.IdempotencyKey == "" || req.Amount <= 0 {
		return reward.PayResult{}, hazard.Errorf(hazard.CodeInvalid, "a payout needs a key and a positive amount")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[req.IdempotencyKey]; ok && e.Status != StatusCancelled {
		if e.Amount != req.Amount {
			return reward.PayResult{}, hazard.Errorf(hazard.CodeConflict, "key %s was requested with another amount", req.IdempotencyKey)
		}
		return result(e), nil
	} else if !ok {
		p.order = append(p.order, req.IdempotencyKey)
	}
	e := &Entry{Key: req.IdempotencyKey, RewardID: req.RewardID, ReporterID: req.ReporterID, Amount: req.Amount,
		Remark: req.Remark, RequestedAt: p.clock().UTC(), Status: StatusPending}
	p.entries[e.Key] = e
	return result(e), nil
}

func result(e *Entry) reward.PayResult {
	switch e.Status {
	case StatusPaid:
		return reward.PayResult{Status: reward.PaySettled, PaymentRef: e.Ref}
	case StatusCancelled:
		return reward.PayResult{Status: reward.PayFailed, Reason: e.Reason}
	}
	return reward.PayResult{Status: reward.PayPending}
}

// Query implements reward.Payer.
func (p *Payer) Query(ctx context.Context, key string) (reward.PayResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok {
		return reward.PayResult{}, notFound("manualpay.Query")
	}
	return result(e), nil
}

// MarkPaid records that finance paid the pending payout with the key under
// ref. Marking it paid again with the same ref does nothing; a missing key
// is CodeNotFound; a cancelled payout, another ref or an empty or too long
// ref is CodeConflict or CodeInvalid.
func (p *Payer) MarkPaid(key, ref string) error {
	const op = "manualpay.MarkPaid"
	if err := reward.CheckPaymentRef(ref); err != nil {
		return hazard.Wrap(op, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[key]; ok && e.Status == StatusPaid && e.Ref == ref {
		return nil
	}
	e, err := p.pending(op, key)
	if err != nil {
		return err
	}
	e.Status, e.Ref, e.PaidAt = StatusPaid, ref, p.clock().UTC()
	return nil
}

// Cancel records that finance will not pay the pending payout with the
// key; the reward becomes claimable again once synced. A missing key is
// CodeNotFound; a payout not pending is CodeConflict.
func (p *Payer) Cancel(key, reason string) error {
	const op = "manualpay.Cancel"
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.pending(op, key)
	if err != nil {
		return err
	}
	e.Status, e.Reason = StatusCancelled, reason
	return nil
}

// pending returns the entry with the key if it is pending: a missing key is
// CodeNotFound, another status CodeConflict. p.mu must be held.
func (p *Payer) pending(op, key string) (*Entry, error) {
	e, ok := p.entries[key]
	switch {
	case !ok:
		return nil, notFound(op)
	case e.Status != StatusPending:
		return nil, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the payout is " + string(e.Status)}
	}
	return e, nil
}

// Entries returns the payout requests with the status (all when empty), in
// the order they were first requested.
func (p *Payer) Entries(status Status) []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Entry
	for _, k := range p.order {
		if e := p.entries[k]; status == "" || e.Status == status {
			out = append(out, *e)
		}
	}
	return out
}

// CSVHeader is the header row of ExportCSV.
var CSVHeader = []string{"reward_id", "reporter_id", "amount_yuan", "amount_fen", "remark", "requested_at"}

// ExportCSV writes the pending payouts as CSV for finance: a header row
// (CSVHeader), then one row per payout in request order, with the amount in
// yuan with two decimals (computed from integer fen) and in fen, and the
// request time in RFC 3339 UTC. Text that a spreadsheet would take for a
// formula (starting with = + - @) is prefixed with a single quote.
func (p *Payer) ExportCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return hazard.Wrap("manualpay.ExportCSV", err)
	}
	for _, e := range p.Entries(StatusPending) {
		row := []string{
			e.RewardID.String(), safe(e.ReporterID), e.Amount.Decimal(),
			strconv.FormatInt(int64(e.Amount), 10), safe(e.Remark), e.RequestedAt.Format(time.RFC3339),
		}
		if err := cw.Write(row); err != nil {
			return hazard.Wrap("manualpay.ExportCSV", err)
		}
	}
	cw.Flush()
	return hazard.Wrap("manualpay.ExportCSV", cw.Error())
}

// safe defuses spreadsheet formulas (CSV injection).
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

var _ hazard.Forgetter = (*Payer)(nil)

// ForgetUser implements hazard.Forgetter: the requests to pay e.UserID
// name e.Pseudonym as their reporter, in the payer and in its later
// exports; amounts, references and dates stay for finance.
func (p *Payer) ForgetUser(_ context.Context, e hazard.Erasure) error {
	if err := e.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, en := range p.entries {
		if en.ReporterID == e.UserID {
			en.ReporterID = e.Pseudonym
		}
	}
	return nil
}
