package wechatpaytest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

// Goroutines is how many goroutines the concurrency tests of TestBills
// run.
const Goroutines = 20

var ctx = context.Background()

// TestBills runs the conformance suite of wechatpay.Store against the
// stores open returns, one empty store per subtest. An adapter's test
// runs it with one call:
//
//	wechatpaytest.TestBills(t, func(t *testing.T) wechatpay.Store { return membills.New() })
func TestBills(t *testing.T, open func(t *testing.T) wechatpay.Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s wechatpay.Store)
	}{
		{"OpenThenRead", testOpenRead},
		{"OpenSameAttemptReturnsTheBill", testOpenSameAttempt},
		{"OpenOnceUnderConcurrency", testOpenConcurrent},
		{"LatestIsTheHighestAttempt", testLatest},
		{"MissingIsNotFound", testMissing},
		{"OpenInvalid", testOpenInvalid},
		{"NumberUsedByAnotherKey", testNumberUsed},
		{"UpdateWithVersion", testUpdate},
		{"UpdateOnceUnderConcurrency", testUpdateConcurrent},
		{"InFlight", testInFlight},
		{"InFlightBatchLimit", testInFlightLimit},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// newBill returns attempt n of a new reward's bills.
func newBill(t *testing.T, id uuid.UUID, n int) wechatpay.Bill {
	t.Helper()
	no, err := wechatpay.OutBillNo(id, n)
	if err != nil {
		t.Fatalf("OutBillNo: %v", err)
	}
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	return wechatpay.Bill{OutBillNo: no, Key: id.String(), RewardID: id, Attempt: n, Amount: 5000,
		State: wechatpay.StateNew, CreatedAt: at, UpdatedAt: at}
}

func open(t *testing.T, s wechatpay.Store, b wechatpay.Bill) wechatpay.Bill {
	t.Helper()
	got, created, err := s.Open(ctx, b)
	if err != nil || !created {
		t.Fatalf("Open(%s) = created %v, %v; want a new bill", b.OutBillNo, created, err)
	}
	return got
}

// same checks that got is want as stored (times compared as instants).
func same(t *testing.T, call string, got, want wechatpay.Bill) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("%s times = %v %v, want %v %v", call, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s = %+v, want %+v", call, got, want)
	}
}

func testOpenRead(t *testing.T, s wechatpay.Store) {
	b := newBill(t, uuid.Must(uuid.NewV7()), 1)
	got := open(t, s, b)
	want := b
	want.Version = 1
	same(t, "Open", got, want)
	l, err := s.Latest(ctx, b.Key)
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	same(t, "Latest", l, want)
	g, err := s.Get(ctx, b.OutBillNo)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	same(t, "Get", g, want)
}

func testOpenSameAttempt(t *testing.T, s wechatpay.Store) {
	b := newBill(t, uuid.Must(uuid.NewV7()), 1)
	first := open(t, s, b)
	again := b
	again.Amount = 9999 // another process's view: the stored bill wins
	got, created, err := s.Open(ctx, again)
	if err != nil || created {
		t.Fatalf("Open of an attempt stored already = created %v, %v; want the stored bill", created, err)
	}
	same(t, "Open again", got, first)
}

func testOpenConcurrent(t *testing.T, s wechatpay.Store) {
	b := newBill(t, uuid.Must(uuid.NewV7()), 2)
	var created atomic.Int32
	var mu sync.Mutex
	versions := map[int64]int{}
	hazardtest.Together(Goroutines, func(int) {
		got, c, err := s.Open(ctx, b)
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
			return
		}
		if c {
			created.Add(1)
		}
		mu.Lock()
		versions[got.Version]++
		mu.Unlock()
	})
	if created.Load() != 1 || len(versions) != 1 {
		t.Errorf("%d concurrent Opens of one attempt created %d bills (versions %v), want 1", Goroutines, created.Load(), versions)
	}
}

func testLatest(t *testing.T, s wechatpay.Store) {
	id := uuid.Must(uuid.NewV7())
	open(t, s, newBill(t, id, 1))
	second := open(t, s, newBill(t, id, 2))
	other := newBill(t, uuid.Must(uuid.NewV7()), 3)
	open(t, s, other)
	got, err := s.Latest(ctx, id.String())
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	same(t, "Latest", got, second)
}

func testMissing(t *testing.T, s wechatpay.Store) {
	if _, err := s.Latest(ctx, uuid.Must(uuid.NewV7()).String()); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Latest of a key without bills = %v, want not_found", err)
	}
	if _, err := s.Get(ctx, "NOSUCHBILL001"); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Get of a missing number = %v, want not_found", err)
	}
	b := newBill(t, uuid.Must(uuid.NewV7()), 1)
	b.Version = 1
	if _, err := s.Update(ctx, b); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Update of a missing bill = %v, want not_found", err)
	}
}

func testOpenInvalid(t *testing.T, s wechatpay.Store) {
	for _, tc := range []struct {
		name   string
		change func(b *wechatpay.Bill)
	}{
		{"no number", func(b *wechatpay.Bill) { b.OutBillNo = "" }},
		{"number with a dash", func(b *wechatpay.Bill) { b.OutBillNo = "AB-001" }},
		{"number too long", func(b *wechatpay.Bill) { b.OutBillNo += "ABCD" }},
		{"no key", func(b *wechatpay.Bill) { b.Key = "" }},
		{"attempt 0", func(b *wechatpay.Bill) { b.Attempt = 0 }},
		{"attempt over the limit", func(b *wechatpay.Bill) { b.Attempt = wechatpay.MaxAttempts + 1 }},
		{"no amount", func(b *wechatpay.Bill) { b.Amount = 0 }},
		{"unknown state", func(b *wechatpay.Bill) { b.State = "PAID" }},
	} {
		b := newBill(t, uuid.Must(uuid.NewV7()), 1)
		tc.change(&b)
		if _, _, err := s.Open(ctx, b); !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("%s: Open = %v, want invalid", tc.name, err)
		}
		if b.Key != "" {
			if _, err := s.Latest(ctx, b.Key); !errors.Is(err, hazard.ErrNotFound) {
				t.Errorf("%s: Latest after a refused Open = %v, want not_found", tc.name, err)
			}
		}
	}
}

func testNumberUsed(t *testing.T, s wechatpay.Store) {
	b := newBill(t, uuid.Must(uuid.NewV7()), 1)
	open(t, s, b)
	other := b
	other.Key = uuid.Must(uuid.NewV7()).String()
	if _, _, err := s.Open(ctx, other); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Open of a number used by another key = %v, want conflict", err)
	}
}

func testUpdate(t *testing.T, s wechatpay.Store) {
	b := open(t, s, newBill(t, uuid.Must(uuid.NewV7()), 1))
	next := b
	next.State, next.TransferBillNo, next.PackageInfo = wechatpay.StateWaitUserConfirm, "1330000071100999", "pkg"
	next.UpdatedAt = b.UpdatedAt.Add(time.Minute)
	next.Amount = 1 // not changed by Update
	got, err := s.Update(ctx, next)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := next
	want.Amount, want.Version = b.Amount, 2
	same(t, "Update", got, want)
	read, err := s.Get(ctx, b.OutBillNo)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	same(t, "Get after Update", read, want)
	if _, err := s.Update(ctx, next); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Update with a stale version = %v, want conflict", err)
	} else if e := (*hazard.Error)(nil); errors.As(err, &e) && e.Version != 2 {
		t.Errorf("stale Update's error Version = %d, want the current 2", e.Version)
	}
	bad := got
	bad.State = "PAID"
	if _, err := s.Update(ctx, bad); !errors.Is(err, hazard.ErrInvalid) {
		t.Errorf("Update to an unknown state = %v, want invalid", err)
	}
}

func testUpdateConcurrent(t *testing.T, s wechatpay.Store) {
	b := open(t, s, newBill(t, uuid.Must(uuid.NewV7()), 1))
	var won atomic.Int32
	hazardtest.Together(Goroutines, func(i int) {
		next := b
		next.State = wechatpay.StateSuccess
		_, err := s.Update(ctx, next)
		switch {
		case err == nil:
			won.Add(1)
		case !errors.Is(err, hazard.ErrConflict):
			t.Errorf("concurrent Update: %v, want nil or conflict", err)
		}
	})
	if won.Load() != 1 {
		t.Errorf("%d concurrent Updates of version 1: %d won, want 1", Goroutines, won.Load())
	}
}

func testInFlight(t *testing.T, s wechatpay.Store) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var want []string
	for i, st := range []wechatpay.State{wechatpay.StateWaitUserConfirm, wechatpay.StateSuccess, wechatpay.StateNew,
		wechatpay.StateCancelled, wechatpay.StateTransfering, wechatpay.StateFail, wechatpay.StateRefused, wechatpay.StateAccepted} {
		b := newBill(t, uuid.Must(uuid.NewV7()), 1)
		b.CreatedAt = at
		b = open(t, s, b)
		b.State = st
		b.UpdatedAt = at.Add(time.Duration(20-i) * time.Minute) // later bills older
		if _, err := s.Update(ctx, b); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if !st.Final() {
			want = append([]string{b.OutBillNo}, want...)
		}
	}
	late := newBill(t, uuid.Must(uuid.NewV7()), 1)
	late.UpdatedAt = at.Add(time.Hour)
	open(t, s, late)
	got, err := s.InFlight(ctx, at.Add(30*time.Minute), 10)
	if err != nil {
		t.Fatalf("InFlight: %v", err)
	}
	var nos []string
	for _, b := range got {
		nos = append(nos, b.OutBillNo)
	}
	if len(nos) != len(want) {
		t.Fatalf("InFlight = %v, want the %d bills in flight updated before the time, oldest first: %v", nos, len(want), want)
	}
	for i := range nos {
		if nos[i] != want[i] {
			t.Errorf("InFlight[%d] = %s, want %s (oldest first)", i, nos[i], want[i])
		}
	}
	got, err = s.InFlight(ctx, at.Add(30*time.Minute), 2)
	if err != nil || len(got) != 2 || got[0].OutBillNo != want[0] {
		t.Errorf("InFlight with limit 2 = %d bills, %v; want the 2 oldest", len(got), err)
	}
}

func testInFlightLimit(t *testing.T, s wechatpay.Store) {
	for range wechatpay.MaxInFlightBatch + 1 {
		open(t, s, newBill(t, uuid.Must(uuid.NewV7()), 1))
	}
	got, err := s.InFlight(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 10*wechatpay.MaxInFlightBatch)
	if err != nil {
		t.Fatalf("InFlight: %v", err)
	}
	if len(got) != wechatpay.MaxInFlightBatch {
		t.Errorf("InFlight with a limit over MaxInFlightBatch = %d bills, want %d", len(got), wechatpay.MaxInFlightBatch)
	}
}
