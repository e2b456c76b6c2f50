package rewardtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
)

// OpenPayer returns a payer with no payouts for one subtest of TestPayer.
//
// complete settles the payout waiting under the key as the person the
// payer waits for would (finance paying by hand, the citizen confirming a
// transfer); it is nil for a payer that settles at once. A payer that
// answers reward.PayPending without a complete function fails the suite:
// the suite cannot tell its payouts ever settle.
type OpenPayer func(t *testing.T) (p reward.Payer, complete func(key string) error)

// TestPayer runs the conformance suite of reward.Payer against the payers
// open returns. An adapter's test runs it with one call:
//
//	rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) { return mempay.New(), nil })
//
// It checks the promises of the port: a key is paid at most once, however
// many requests and from however many goroutines; a caller who did not
// hear the answer (a lost answer, a cancelled request) recovers the one
// payout by asking again with the key, or by Query; Query of a key never
// paid is CodeNotFound and pays nothing; each key is its own payout; a
// settled payout's reference is one a ledger records; invalid requests
// and a key reused with another amount are refused and pay nothing.
func TestPayer(t *testing.T, open OpenPayer) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, p reward.Payer, complete func(string) error)
	}{
		{"PaysOncePerKey", testPaysOncePerKey},
		{"PaysOnceUnderConcurrency", testPaysOnceConcurrent},
		{"LostAnswerRecoveredByPayingAgain", testLostAnswerPayAgain},
		{"LostAnswerRecoveredByQuery", testLostAnswerQuery},
		{"CancelledRequest", testPayCancelled},
		{"QueryUnknownKey", testQueryUnknown},
		{"KeysAreSeparate", testKeysSeparate},
		{"SameKeyOtherAmount", testSameKeyOtherAmount},
		{"InvalidRequest", testPayInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, complete := open(t)
			tc.fn(t, p, complete)
		})
	}
}

// payRequest returns a request as Service.Claim makes it: the reward ID as
// the key.
func payRequest(amount reward.Fen) reward.PayRequest {
	id := uuid.Must(uuid.NewV7())
	return reward.PayRequest{IdempotencyKey: id.String(), RewardID: id, ReporterID: reporter(), Amount: amount,
		Remark: "隐患举报奖励 T-20260302-000001"}
}

// settled returns the reference of the payout of req, settling it with
// complete when it waits, and fails the test when the payer does not pay.
func settled(t *testing.T, p reward.Payer, complete func(string) error, req reward.PayRequest) string {
	t.Helper()
	res, err := p.Pay(ctx, req)
	if err != nil {
		t.Fatalf("Pay(%s): %v", req.IdempotencyKey, err)
	}
	if res.Status == reward.PayPending {
		if complete == nil {
			t.Fatalf("Pay answered pending, and the payer has no complete function to settle it")
		}
		if err := complete(req.IdempotencyKey); err != nil {
			t.Fatalf("complete(%s): %v", req.IdempotencyKey, err)
		}
		if res, err = p.Pay(ctx, req); err != nil {
			t.Fatalf("Pay(%s) after complete: %v", req.IdempotencyKey, err)
		}
	}
	if res.Status != reward.PaySettled {
		t.Fatalf("Pay(%s) = %s, want settled", req.IdempotencyKey, res.Status)
	}
	if err := reward.CheckPaymentRef(res.PaymentRef); err != nil {
		t.Errorf("settled payout's PaymentRef %q: %v; a ledger would refuse it", res.PaymentRef, err)
	}
	return res.PaymentRef
}

// sameAnswer checks that res, an answer about req's payout, agrees with
// its settled reference.
func sameAnswer(t *testing.T, call string, res reward.PayResult, err error, ref string) {
	t.Helper()
	if err != nil || res.Status != reward.PaySettled || res.PaymentRef != ref {
		t.Errorf("%s = %s %q, %v; want settled %q, the one payout", call, res.Status, res.PaymentRef, err, ref)
	}
}

func testPaysOncePerKey(t *testing.T, p reward.Payer, complete func(string) error) {
	req := payRequest(2000)
	ref := settled(t, p, complete, req)
	for i := range 3 {
		res, err := p.Pay(ctx, req)
		sameAnswer(t, fmt.Sprintf("Pay again #%d", i+1), res, err, ref)
	}
	res, err := p.Query(ctx, req.IdempotencyKey)
	sameAnswer(t, "Query", res, err, ref)
}

func testPaysOnceConcurrent(t *testing.T, p reward.Payer, complete func(string) error) {
	req := payRequest(2000)
	var mu sync.Mutex
	answers := map[reward.PayResult]int{}
	hazardtest.Together(Goroutines, func(int) {
		res, err := p.Pay(ctx, req)
		if err != nil {
			t.Errorf("concurrent Pay: %v", err)
			return
		}
		mu.Lock()
		answers[res]++
		mu.Unlock()
	})
	if len(answers) != 1 {
		t.Errorf("%d concurrent Pay calls with one key gave %d different answers, want one: %v", Goroutines, len(answers), answers)
	}
	ref := settled(t, p, complete, req)
	for res := range answers {
		if res.Status == reward.PaySettled && res.PaymentRef != ref {
			t.Errorf("a concurrent Pay answered payout %q, and the key's payout is %q: paid twice", res.PaymentRef, ref)
		}
	}
}

func testLostAnswerPayAgain(t *testing.T, p reward.Payer, complete func(string) error) {
	req := payRequest(3000)
	first, err := p.Pay(ctx, req) // the caller never hears this answer
	if err != nil {
		t.Fatalf("Pay: %v", err)
	}
	again, err := p.Pay(ctx, req)
	if err != nil || again.Status != first.Status || again.PaymentRef != first.PaymentRef {
		t.Errorf("Pay again after a lost answer = %s %q, %v; want the first answer %s %q", again.Status, again.PaymentRef, err, first.Status, first.PaymentRef)
	}
	ref := settled(t, p, complete, req)
	if first.Status == reward.PaySettled && first.PaymentRef != ref {
		t.Errorf("the lost answer was payout %q, the key's payout is %q: paid twice", first.PaymentRef, ref)
	}
}

func testLostAnswerQuery(t *testing.T, p reward.Payer, complete func(string) error) {
	req := payRequest(3000)
	first, err := p.Pay(ctx, req) // the caller never hears this answer
	if err != nil {
		t.Fatalf("Pay: %v", err)
	}
	q, err := p.Query(ctx, req.IdempotencyKey)
	if err != nil || q.Status != first.Status || q.PaymentRef != first.PaymentRef {
		t.Errorf("Query after a lost answer = %s %q, %v; want the payout's state %s %q", q.Status, q.PaymentRef, err, first.Status, first.PaymentRef)
	}
	ref := settled(t, p, complete, req)
	q, err = p.Query(ctx, req.IdempotencyKey)
	sameAnswer(t, "Query after the payout settled", q, err, ref)
}

func testPayCancelled(t *testing.T, p reward.Payer, complete func(string) error) {
	// A request whose caller gave up: it may or may not have paid, and
	// asking again with the key finds out without paying twice.
	req := payRequest(4000)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	first, firstErr := p.Pay(cctx, req)
	q, err := p.Query(ctx, req.IdempotencyKey)
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		if firstErr == nil && first.Status != reward.PayFailed && first.Status != reward.PayRejected {
			t.Errorf("Query after a cancelled Pay that answered %s = not found; want the payout", first.Status)
		}
	case err != nil:
		t.Errorf("Query after a cancelled Pay: %v", err)
	case firstErr == nil && (q.Status != first.Status || q.PaymentRef != first.PaymentRef):
		t.Errorf("Query after a cancelled Pay = %s %q, want its answer %s %q", q.Status, q.PaymentRef, first.Status, first.PaymentRef)
	}
	ref := settled(t, p, complete, req)
	if firstErr == nil && first.Status == reward.PaySettled && first.PaymentRef != ref {
		t.Errorf("the cancelled Pay paid %q, the retry %q: paid twice", first.PaymentRef, ref)
	}
}

func testQueryUnknown(t *testing.T, p reward.Payer, complete func(string) error) {
	key := uuid.Must(uuid.NewV7()).String()
	for i := range 2 {
		if _, err := p.Query(ctx, key); !errors.Is(err, hazard.ErrNotFound) {
			t.Errorf("Query #%d of a key never paid = %v, want not_found", i+1, err)
		}
	}
	// Query did not open a payout: the key still pays, once.
	req := payRequest(100)
	req.IdempotencyKey = key
	settled(t, p, complete, req)
}

func testKeysSeparate(t *testing.T, p reward.Payer, complete func(string) error) {
	a, b := payRequest(100), payRequest(100)
	b.ReporterID = a.ReporterID
	ra, err := p.Pay(ctx, a)
	if err != nil {
		t.Fatalf("Pay(a): %v", err)
	}
	if _, err := p.Query(ctx, b.IdempotencyKey); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Query(b) after paying only a = %v, want not_found", err)
	}
	refA := settled(t, p, complete, a)
	if ra.Status == reward.PayPending {
		// Settling a must not have settled b, which was never asked for.
		if _, err := p.Query(ctx, b.IdempotencyKey); !errors.Is(err, hazard.ErrNotFound) {
			t.Errorf("Query(b) after settling a = %v, want not_found", err)
		}
	}
	refB := settled(t, p, complete, b)
	qa, err := p.Query(ctx, a.IdempotencyKey)
	sameAnswer(t, "Query(a) after paying b", qa, err, refA)
	qb, err := p.Query(ctx, b.IdempotencyKey)
	sameAnswer(t, "Query(b)", qb, err, refB)
}

func testSameKeyOtherAmount(t *testing.T, p reward.Payer, complete func(string) error) {
	req := payRequest(2000)
	first, err := p.Pay(ctx, req)
	if err != nil {
		t.Fatalf("Pay: %v", err)
	}
	other := req
	other.Amount = 9000
	if _, err := p.Pay(ctx, other); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Pay with the key and another amount = %v, want conflict", err)
	}
	q, err := p.Query(ctx, req.IdempotencyKey)
	if err != nil || q.Status != first.Status || q.PaymentRef != first.PaymentRef {
		t.Errorf("Query after a refused Pay = %s %q, %v; want the first payout %s %q", q.Status, q.PaymentRef, err, first.Status, first.PaymentRef)
	}
	ref := settled(t, p, complete, req)
	if _, err := p.Pay(ctx, other); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Pay a settled key with another amount = %v, want conflict", err)
	}
	q, err = p.Query(ctx, req.IdempotencyKey)
	sameAnswer(t, "Query after a refused Pay of a settled key", q, err, ref)
}

func testPayInvalid(t *testing.T, p reward.Payer, _ func(string) error) {
	for _, tc := range []struct {
		name   string
		change func(r *reward.PayRequest)
	}{
		{"no key", func(r *reward.PayRequest) { r.IdempotencyKey = "" }},
		{"zero amount", func(r *reward.PayRequest) { r.Amount = 0 }},
		{"negative amount", func(r *reward.PayRequest) { r.Amount = -100 }},
	} {
		req := payRequest(100)
		tc.change(&req)
		if _, err := p.Pay(ctx, req); !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("%s: Pay = %v, want invalid", tc.name, err)
		}
		if req.IdempotencyKey != "" {
			if _, err := p.Query(ctx, req.IdempotencyKey); !errors.Is(err, hazard.ErrNotFound) {
				t.Errorf("%s: Query after a refused Pay = %v, want not_found (nothing paid)", tc.name, err)
			}
		}
	}
}
