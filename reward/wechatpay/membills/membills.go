// Package membills is an in-memory wechatpay.Store for tests, demos and a
// single process. A server with PostgreSQL uses pgbills, shared by every
// process.
package membills

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

var _ wechatpay.Store = (*Store)(nil)

// Store is an in-memory wechatpay.Store. Use New.
type Store struct {
	mu    sync.Mutex
	bills map[string]wechatpay.Bill // by OutBillNo
	keys  map[string][]string       // key -> OutBillNo by attempt order
}

// New returns an empty store.
func New() *Store {
	return &Store{bills: map[string]wechatpay.Bill{}, keys: map[string][]string{}}
}

func notFound(op string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such bill"}
}

// Open implements wechatpay.Store.
func (s *Store) Open(ctx context.Context, b wechatpay.Bill) (wechatpay.Bill, bool, error) {
	const op = "membills.Open"
	if err := b.Validate(); err != nil {
		return wechatpay.Bill{}, false, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, no := range s.keys[b.Key] {
		if have := s.bills[no]; have.Attempt == b.Attempt {
			return have, false, nil
		}
	}
	if _, ok := s.bills[b.OutBillNo]; ok {
		return wechatpay.Bill{}, false, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "out_bill_no", Message: "the bill number is used"}
	}
	b.Version = 1
	s.bills[b.OutBillNo] = b
	s.keys[b.Key] = append(s.keys[b.Key], b.OutBillNo)
	return b, true, nil
}

// Latest implements wechatpay.Store.
func (s *Store) Latest(ctx context.Context, key string) (wechatpay.Bill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var latest wechatpay.Bill
	for _, no := range s.keys[key] {
		if b := s.bills[no]; b.Attempt > latest.Attempt {
			latest = b
		}
	}
	if latest.Attempt == 0 {
		return wechatpay.Bill{}, notFound("membills.Latest")
	}
	return latest, nil
}

// Get implements wechatpay.Store.
func (s *Store) Get(ctx context.Context, outBillNo string) (wechatpay.Bill, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bills[outBillNo]
	if !ok {
		return wechatpay.Bill{}, notFound("membills.Get")
	}
	return b, nil
}

// Update implements wechatpay.Store.
func (s *Store) Update(ctx context.Context, b wechatpay.Bill) (wechatpay.Bill, error) {
	const op = "membills.Update"
	if err := b.Validate(); err != nil {
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	have, ok := s.bills[b.OutBillNo]
	if !ok {
		return wechatpay.Bill{}, notFound(op)
	}
	if have.Version != b.Version {
		return wechatpay.Bill{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the bill changed meanwhile", Version: have.Version}
	}
	have.State, have.TransferBillNo, have.PackageInfo, have.FailReason = b.State, b.TransferBillNo, b.PackageInfo, b.FailReason
	have.UpdatedAt = b.UpdatedAt
	have.Version++
	s.bills[b.OutBillNo] = have
	return have, nil
}

// InFlight implements wechatpay.Store.
func (s *Store) InFlight(ctx context.Context, before time.Time, limit int) ([]wechatpay.Bill, error) {
	limit = min(max(limit, 0), wechatpay.MaxInFlightBatch)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []wechatpay.Bill
	for _, b := range s.bills {
		if !b.State.Final() && b.UpdatedAt.Before(before) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b wechatpay.Bill) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.OutBillNo, b.OutBillNo))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
