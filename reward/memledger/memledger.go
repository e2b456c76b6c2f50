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

// Issue implements reward.Ledger: admit runs under the ledger's lock, so
// that the totals it reads hold until the reward is stored.
func (l *Ledger) Issue(ctx context.Context, r reward.Reward, admit func(reward.Reward, func(reward.Tally) (reward.Total, error)) error) (reward.Reward, bool, error) {
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
	if err := admit(r.Clone(), func(q reward.Tally) (reward.Total, error) { return l.total(q), nil }); err != nil {
		return reward.Reward{}, false, fmt.Errorf("%s: %w", op, err)
	}
	s := r.Clone()
	s.Version = 1
	s.IssuedAt, s.ClaimBy = s.IssuedAt.UTC(), s.ClaimBy.UTC()
	l.byID[s.ID] = &s
	l.byHazard[hazardPolicy{s.HazardID, s.Policy}] = s.ID
	return s.Clone(), true, nil
}

// total adds up the rewards q counts; l.mu must be held.
func (l *Ledger) total(q reward.Tally) reward.Total {
	var t reward.Total
	for _, r := range l.byID {
		if q.Counts(*r) {
			t.Count++
			t.Amount += r.Amount
		}
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
	return l.list(op, p, func(r *reward.Reward) bool {
		return r.ReporterID == reporterID && (status == "" || r.Status == status)
	})
}

// ListIssued implements reward.Ledger.
func (l *Ledger) ListIssued(ctx context.Context, since, until time.Time, p hazard.Page) (reward.List, error) {
	const op = "memledger.ListIssued"
	if !until.After(since) {
		return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "until", Message: "must be after since"}
	}
	return l.list(op, p, func(r *reward.Reward) bool {
		return !r.IssuedAt.Before(since) && r.IssuedAt.Before(until)
	})
}

// list returns one page of the rewards keep selects, newest first.
func (l *Ledger) list(op string, p hazard.Page, keep func(r *reward.Reward) bool) (reward.List, error) {
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
		if !keep(r) {
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
func (l *Ledger) Totals(ctx context.Context, q reward.Tally) (reward.Total, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total(q), nil
}

// CountByStatus implements reward.StatusCounter.
func (l *Ledger) CountByStatus(ctx context.Context, since, until time.Time) (map[reward.Status]reward.Total, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[reward.Status]reward.Total{}
	for _, r := range l.byID {
		if r.IssuedAt.Before(since) || !until.IsZero() && !r.IssuedAt.Before(until) {
			continue
		}
		t := out[r.Status]
		t.Count++
		t.Amount += r.Amount
		out[r.Status] = t
	}
	return out, nil
}

// Update implements reward.Ledger: change runs under the ledger's lock.
func (l *Ledger) Update(ctx context.Context, id uuid.UUID, change func(r *reward.Reward) error) (reward.Reward, error) {
	const op = "memledger.Update"
	l.mu.Lock()
	defer l.mu.Unlock()
	stored, err := l.find(op, id)
	if err != nil {
		return reward.Reward{}, err
	}
	r := stored.Clone()
	if err := change(&r); err != nil {
		// Not hazard.Wrap, which copies: the error may be a sentinel
		// callers match with errors.Is (reward.ErrNotClaimable).
		return reward.Reward{}, fmt.Errorf("%s: %w", op, err)
	}
	r.Version = stored.Version + 1
	*stored = r.Clone()
	return r, nil
}

// UpdateDue implements reward.Ledger: the batch is changed under the
// ledger's lock, all or nothing.
func (l *Ledger) UpdateDue(ctx context.Context, now time.Time, change func(r *reward.Reward) error) ([]reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var due []*reward.Reward
	for _, r := range l.byID {
		if r.Due(now) {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, byTimeThenID(func(r *reward.Reward) time.Time { return r.ClaimBy }))
	due = due[:min(len(due), reward.MaxExpireBatch)]
	out := make([]reward.Reward, 0, len(due))
	for _, stored := range due {
		r := stored.Clone()
		if err := change(&r); err != nil {
			return nil, fmt.Errorf("memledger.UpdateDue: %w", err)
		}
		r.Version = stored.Version + 1
		out = append(out, r)
	}
	for i, stored := range due {
		*stored = out[i].Clone()
	}
	return out, nil
}

// StuckClaims implements reward.Ledger.
func (l *Ledger) StuckClaims(ctx context.Context, startedBefore time.Time) ([]reward.Reward, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var stuck []*reward.Reward
	for _, r := range l.byID {
		if r.Status == reward.StatusClaiming && r.ClaimStartedAt.Before(startedBefore) {
			stuck = append(stuck, r)
		}
	}
	slices.SortFunc(stuck, byTimeThenID(func(r *reward.Reward) time.Time { return r.ClaimStartedAt }))
	out := make([]reward.Reward, 0, min(len(stuck), reward.MaxExpireBatch))
	for _, r := range stuck[:min(len(stuck), reward.MaxExpireBatch)] {
		out = append(out, r.Clone())
	}
	return out, nil
}

// byTimeThenID orders rewards by the time at picks, then by ID.
func byTimeThenID(at func(*reward.Reward) time.Time) func(a, b *reward.Reward) int {
	return func(a, b *reward.Reward) int {
		if c := at(a).Compare(at(b)); c != 0 {
			return c
		}
		return compareID(a.ID, b.ID)
	}
}

var _ hazard.Forgetter = (*Ledger)(nil)

// ForgetUser implements hazard.Forgetter: every reward of e.UserID gets
// e.Pseudonym as its reporter, its version incremented; nothing else
// changes.
func (l *Ledger) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "memledger.ForgetUser"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, r := range l.byID {
		if r.ReporterID == e.UserID {
			next := r.Clone()
			next.ReporterID = e.Pseudonym
			next.Version++
			l.byID[id] = &next
		}
	}
	return nil
}
