package memledger

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

var _ reward.Ledger = (*Ledger)(nil)

type hazardPolicy struct {
	hazard uuid.UUID
	policy string
}

// Ledger is an in-memory reward.Ledger. The zero value is not ready: use
// New.
type Ledger struct {
	mu       sync.Mutex
	byID     map[uuid.UUID]*reward.Reward
	byHazard map[hazardPolicy]uuid.UUID
}

// New returns an empty Ledger.
func New() *Ledger {
	return &Ledger{
		byID:     make(map[uuid.UUID]*reward.Reward),
		byHazard: make(map[hazardPolicy]uuid.UUID),
	}
}

// Issue implements reward.Ledger.
func (l *Ledger) Issue(ctx context.Context, r reward.Reward, limits reward.Limits) (reward.Reward, bool, error) {
	const op = "memledger.Issue"
	if err := ctx.Err(); err != nil {
		return reward.Reward{}, false, hazard.Wrap(op, err)
	}
	if err := r.Validate(); err != nil {
		return reward.Reward{}, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if id, ok := l.byHazard[hazardPolicy{r.HazardID, r.Policy}]; ok {
		return l.byID[id].Clone(), false, nil
	}
	if _, ok := l.byID[r.ID]; ok {
		return reward.Reward{}, false, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "a reward with this ID exists"}
	}
	for _, c := range limits.Reporter {
		if !c.Applies(r.IssuedAt) {
			continue // counting would not change the answer
		}
		if !c.Admits(l.totals(r.Policy, r.ReporterID, c.Since, c.Until), r.Amount) {
			return reward.Reward{}, false, reward.ErrCapReached
		}
	}
	if b := limits.Budget; b.Applies(r.IssuedAt) && !b.Admits(l.totals(r.Policy, "", b.Since, b.Until), r.Amount) {
		return reward.Reward{}, false, reward.ErrBudgetExhausted
	}
	s := r.Clone()
	s.Version = 1
	s.IssuedAt, s.ClaimBy = s.IssuedAt.UTC(), s.ClaimBy.UTC()
	l.byID[s.ID] = &s
	l.byHazard[hazardPolicy{s.HazardID, s.Policy}] = s.ID
	return s.Clone(), true, nil
}

func (l *Ledger) totals(policy, reporterID string, since, until time.Time) reward.Total {
	var t reward.Total
	for _, r := range l.byID {
		if r.Policy != policy || r.Status == reward.StatusExpired {
			continue
		}
		if reporterID != "" && r.ReporterID != reporterID {
			continue
		}
		if !reward.InWindow(r.IssuedAt, since, until) {
			continue
		}
		t.Count++
		t.Amount += r.Amount
	}
	return t
}

// Get implements reward.Ledger.
func (l *Ledger) Get(ctx context.Context, id uuid.UUID) (reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, err := l.find("memledger.Get", id)
	if err != nil {
		return reward.Reward{}, err
	}
	return r.Clone(), nil
}

func (l *Ledger) find(op string, id uuid.UUID) (*reward.Reward, error) {
	r, ok := l.byID[id]
	if !ok {
		return nil, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such reward"}
	}
	return r, nil
}

// ByHazard implements reward.Ledger.
func (l *Ledger) ByHazard(ctx context.Context, hazardID uuid.UUID) ([]reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []reward.Reward{}
	for _, r := range l.byID {
		if r.HazardID == hazardID {
			out = append(out, r.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].IssuedAt.Equal(out[j].IssuedAt) {
			return out[i].IssuedAt.Before(out[j].IssuedAt)
		}
		return compareID(out[i].ID, out[j].ID) < 0
	})
	return out, nil
}

// ListByReporter implements reward.Ledger.
func (l *Ledger) ListByReporter(ctx context.Context, reporterID string, status reward.Status, p hazard.Page) (reward.List, error) {
	const op = "memledger.ListByReporter"
	if status != "" && !status.Valid() {
		return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "status", Message: "is not a known status"}
	}
	if p.Limit < 0 {
		return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: "must not be negative"}
	}
	limit := p.Limit
	if limit == 0 {
		limit = hazard.DefaultPageLimit
	}
	limit = min(limit, hazard.MaxPageLimit)
	var after uuid.UUID
	if p.Cursor != "" {
		c, err := uuid.Parse(p.Cursor)
		if err != nil {
			return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "cursor", Message: "is not a cursor of this listing"}
		}
		after = c
	}
	l.mu.Lock()
	var items []reward.Reward
	for _, r := range l.byID {
		if r.ReporterID != reporterID || (status != "" && r.Status != status) {
			continue
		}
		if p.Cursor != "" && compareID(r.ID, after) >= 0 {
			continue
		}
		items = append(items, r.Clone())
	}
	l.mu.Unlock()
	slices.SortFunc(items, func(a, b reward.Reward) int { return compareID(b.ID, a.ID) })
	var next string
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].ID.String()
	}
	return reward.List{Items: items, Next: next}, nil
}

func compareID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// Totals implements reward.Ledger.
func (l *Ledger) Totals(ctx context.Context, policy, reporterID string, since, until time.Time) (reward.Total, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.totals(policy, reporterID, since, until), nil
}

// BeginClaim implements reward.Ledger.
func (l *Ledger) BeginClaim(ctx context.Context, id uuid.UUID, reporterID string, now time.Time) (reward.Reward, error) {
	r, _, err := l.change("memledger.BeginClaim", id, func(r *reward.Reward) (bool, error) {
		return true, r.BeginClaim(reporterID, now)
	})
	return r, err
}

// Settle implements reward.Ledger.
func (l *Ledger) Settle(ctx context.Context, id uuid.UUID, paymentRef string, now time.Time) (reward.Reward, bool, error) {
	const op = "memledger.Settle"
	if err := reward.CheckPaymentRef(paymentRef); err != nil {
		return reward.Reward{}, false, hazard.Wrap(op, err)
	}
	return l.change(op, id, func(r *reward.Reward) (bool, error) { return r.Settle(paymentRef, now) })
}

// FailClaim implements reward.Ledger.
func (l *Ledger) FailClaim(ctx context.Context, id uuid.UUID, errText string, claimBy time.Time) (reward.Reward, error) {
	return l.endClaim("memledger.FailClaim", id, errText, func(r *reward.Reward) error { return r.FailClaim(errText, claimBy) })
}

// MarkFailed implements reward.Ledger.
func (l *Ledger) MarkFailed(ctx context.Context, id uuid.UUID, errText string) (reward.Reward, error) {
	return l.endClaim("memledger.MarkFailed", id, errText, func(r *reward.Reward) error { return r.MarkFailed(errText) })
}

// endClaim ends a claim that did not pay with end, after checking errText
// before anything else.
func (l *Ledger) endClaim(op string, id uuid.UUID, errText string, end func(r *reward.Reward) error) (reward.Reward, error) {
	if err := reward.CheckErrorText(errText); err != nil {
		return reward.Reward{}, hazard.Wrap(op, err)
	}
	r, _, err := l.change(op, id, func(r *reward.Reward) (bool, error) { return true, end(r) })
	return r, err
}

// change applies fn to a copy of the reward id under the lock and, when fn
// succeeds and reports a change, stores it with the next version.
func (l *Ledger) change(op string, id uuid.UUID, fn func(r *reward.Reward) (bool, error)) (reward.Reward, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	stored, err := l.find(op, id)
	if err != nil {
		return reward.Reward{}, false, err
	}
	r := stored.Clone()
	changed, err := fn(&r)
	if err != nil {
		// Not hazard.Wrap, which copies: the error may be a sentinel
		// callers match with errors.Is (reward.ErrNotClaimable).
		return reward.Reward{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if !changed {
		return stored.Clone(), false, nil
	}
	r.Version++
	*stored = r
	return r.Clone(), true, nil
}

// Expire implements reward.Ledger.
func (l *Ledger) Expire(ctx context.Context, now time.Time, limit int) ([]reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var due []*reward.Reward
	for _, r := range l.byID {
		if r.Status == reward.StatusPending && !r.ClaimBy.After(now) {
			due = append(due, r)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].ClaimBy.Equal(due[j].ClaimBy) {
			return due[i].ClaimBy.Before(due[j].ClaimBy)
		}
		return compareID(due[i].ID, due[j].ID) < 0
	})
	out := []reward.Reward{}
	for _, r := range due[:min(len(due), reward.ExpireBatch(limit))] {
		r.Status = reward.StatusExpired
		r.ExpiredAt = now.UTC()
		r.Version++
		out = append(out, r.Clone())
	}
	return out, nil
}

// StuckClaims implements reward.Ledger.
func (l *Ledger) StuckClaims(ctx context.Context, startedBefore time.Time, limit int) ([]reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []reward.Reward{}
	for _, r := range l.byID {
		if r.Status == reward.StatusClaiming && r.ClaimStartedAt.Before(startedBefore) {
			out = append(out, r.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ClaimStartedAt.Equal(out[j].ClaimStartedAt) {
			return out[i].ClaimStartedAt.Before(out[j].ClaimStartedAt)
		}
		return compareID(out[i].ID, out[j].ID) < 0
	})
	return out[:min(len(out), reward.ExpireBatch(limit))], nil
}
