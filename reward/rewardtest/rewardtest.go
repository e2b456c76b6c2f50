// Package rewardtest holds the conformance suites of package reward's
// ports: TestLedger for reward.Ledger and TestPayer for reward.Payer. Any
// adapter proves it keeps the port's promises with one call,
//
//	rewardtest.TestLedger(t, func(t *testing.T) reward.Ledger { return memledger.New() })
//	rewardtest.TestPayer(t, func(t *testing.T) (reward.Payer, func(string) error) { return mempay.New(), nil })
//
// open is called once per subtest and must return an empty ledger or a
// payer with no payouts: the expiry and reconciliation tests count every
// due reward. Subtests run one after another; several of them run
// Goroutines goroutines against one ledger or payer, so run the suites
// with -race. A broken promise is reported with t.Error; t.Fatal stops a
// subtest only when its setup fails.
//
// The ledger's suite applies package reward's rules (Limits.Admit, the
// Reward methods) through the port, as reward.Service does, and checks
// what only the ledger can keep: atomic steps, exact totals under
// concurrency, copies, and every field stored.
package rewardtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
)

// T0 is the time the suite's rewards are issued at by default.
var T0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// NewReward returns a valid pending reward for reporterID, issued at T0 with
// a 7-day claim window, under policy "test" version 1, for a fresh hazard.
func NewReward(reporterID string, amount reward.Fen) reward.Reward {
	return reward.Reward{
		ID:            uuid.Must(uuid.NewV7()),
		HazardID:      uuid.Must(uuid.NewV7()),
		HazardRef:     "T-20260302-000001",
		ReporterID:    reporterID,
		Policy:        "test",
		PolicyVersion: 1,
		Amount:        amount,
		Status:        reward.StatusPending,
		Explanation: []reward.Line{
			{Rule: "fixed", Contribution: amount, Total: amount, Text: reward.Text{ZH: "固定奖励", EN: "fixed reward"}},
		},
		IssuedAt: T0,
		ClaimBy:  T0.Add(7 * 24 * time.Hour),
	}
}

var reporterSeq atomic.Int64

// reporter returns a reporter ID unique to this run.
func reporter() string {
	return fmt.Sprintf("rt-%s-%d", uuid.NewString()[:8], reporterSeq.Add(1))
}

// TestLedger runs the conformance suite of reward.Ledger against the
// ledgers open returns, each empty. An adapter's test runs it with one
// call:
//
//	rewardtest.TestLedger(t, func(t *testing.T) reward.Ledger { return memledger.New() })
//
// It checks what only a ledger can keep: every field stored and copied,
// Issue idempotent per hazard and policy and atomic with its admit
// function's totals (caps and budgets exact under concurrency), Update
// and UpdateDue atomic (a refused change stores nothing, no concurrent
// change is lost, each due reward is handed to one sweep), and the
// listings' order and paging, and hazard.Forgetter when the ledger has
// it (a reporter's erasure). The rules applied through it are package
// reward's: Limits.Admit and the Reward methods.
func TestLedger(t *testing.T, open func(t *testing.T) reward.Ledger) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, l reward.Ledger)
	}{
		{"IssueAndGet", testIssueAndGet},
		{"IssueCopies", testIssueCopies},
		{"IssueIdempotentPerHazardAndPolicy", testIssueIdempotent},
		{"IssueInvalid", testIssueInvalid},
		{"IssueIDTaken", testIssueIDTaken},
		{"GetMissing", testGetMissing},
		{"IssueAdmitRefusal", testIssueAdmitRefusal},
		{"IssueAdmitTotals", testIssueAdmitTotals},
		{"ReporterCapCount", testCapCount},
		{"ReporterCapAmount", testCapAmount},
		{"CapsCountOnlyWindowPolicyAndLive", testCapScope},
		{"Budget", testBudget},
		{"BudgetUnderConcurrency", testBudgetConcurrent},
		{"CapUnderConcurrency", testCapConcurrent},
		{"IssueSameHazardConcurrently", testIssueSameHazardConcurrent},
		{"Totals", testTotals},
		{"ByHazard", testByHazard},
		{"ListByReporter", testList},
		{"ListByReporterPaging", testListPaging},
		{"ListByReporterInvalid", testListInvalid},
		{"ListIssued", testListIssued},
		{"CountByStatus", testCountByStatus},
		{"Update", testUpdate},
		{"UpdateCopies", testUpdateCopies},
		{"UpdateRefusal", testUpdateRefusal},
		{"UpdateMissing", testUpdateMissing},
		{"UpdateConcurrently", testUpdateConcurrent},
		{"BeginClaim", testBeginClaim},
		{"BeginClaimRefusals", testBeginClaimRefusals},
		{"BeginClaimConcurrently", testBeginClaimConcurrent},
		{"Settle", testSettle},
		{"SettleLate", testSettleLate},
		{"SettleRefusals", testSettleRefusals},
		{"FailClaim", testFailClaim},
		{"MarkFailed", testMarkFailed},
		{"UpdateDue", testExpire},
		{"UpdateDueConcurrently", testExpireConcurrent},
		{"UpdateDueRefusal", testUpdateDueRefusal},
		{"UpdateDueBatch", testUpdateDueBatch},
		{"StuckClaims", testStuckClaims},
		{"ForgetUser", testForgetUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var ctx = context.Background()

func issue(t *testing.T, l reward.Ledger, r reward.Reward) reward.Reward {
	t.Helper()
	s, created, err := l.Issue(ctx, r, reward.Limits{}.Admit)
	if err != nil {
		t.Fatalf("Issue(%s): %v", r.ID, err)
	}
	if !created {
		t.Fatalf("Issue(%s): created = false, want true", r.ID)
	}
	return s
}

// The claim steps as the Service takes them: the reward's own rule applied
// by Ledger.Update, or by UpdateDue for expiry.

func beginClaim(l reward.Ledger, id uuid.UUID, reporterID string, now time.Time) (reward.Reward, error) {
	return l.Update(ctx, id, func(r *reward.Reward) error { return r.BeginClaim(reporterID, now) })
}

func settle(l reward.Ledger, id uuid.UUID, ref string, now time.Time) (reward.Reward, error) {
	return l.Update(ctx, id, func(r *reward.Reward) error { _, err := r.Settle(ref, now); return err })
}

func failClaim(l reward.Ledger, id uuid.UUID, errText string, claimBy time.Time) (reward.Reward, error) {
	return l.Update(ctx, id, func(r *reward.Reward) error { return r.FailClaim(errText, claimBy) })
}

func markFailed(l reward.Ledger, id uuid.UUID, errText string) (reward.Reward, error) {
	return l.Update(ctx, id, func(r *reward.Reward) error { return r.MarkFailed(errText) })
}

func expire(l reward.Ledger, now time.Time) ([]reward.Reward, error) {
	return l.UpdateDue(ctx, now, func(r *reward.Reward) error { return r.Expire(now) })
}

func get(t *testing.T, l reward.Ledger, id uuid.UUID) reward.Reward {
	t.Helper()
	r, err := l.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return r
}

func claiming(t *testing.T, l reward.Ledger, r reward.Reward) reward.Reward {
	t.Helper()
	c, err := beginClaim(l, r.ID, r.ReporterID, T0.Add(time.Hour))
	if err != nil {
		t.Fatalf("BeginClaim(%s): %v", r.ID, err)
	}
	return c
}

// diff returns the differences between two rewards, times compared with
// Equal, "" when they are the same.
func diff(got, want reward.Reward) string {
	var d string
	add := func(name string, g, w any) { d += fmt.Sprintf("\n  %s: got %v, want %v", name, g, w) }
	// Fields compared with ==; Policy and its version are one field here.
	for _, f := range []struct {
		name string
		g, w any
	}{
		{"ID", got.ID, want.ID},
		{"HazardID", got.HazardID, want.HazardID},
		{"HazardRef", got.HazardRef, want.HazardRef},
		{"ReporterID", got.ReporterID, want.ReporterID},
		{"Policy", fmt.Sprint(got.Policy, got.PolicyVersion), fmt.Sprint(want.Policy, want.PolicyVersion)},
		{"Amount", got.Amount, want.Amount},
		{"Status", got.Status, want.Status},
		{"Explanation", fmt.Sprint(got.Explanation), fmt.Sprint(want.Explanation)},
		{"PaymentRef", got.PaymentRef, want.PaymentRef},
		{"LastError", got.LastError, want.LastError},
		{"Attempts", got.Attempts, want.Attempts},
		{"Version", got.Version, want.Version},
	} {
		if f.g != f.w {
			add(f.name, f.g, f.w)
		}
	}
	// Times compared with Equal.
	for _, p := range []struct {
		name string
		g, w time.Time
	}{
		{"IssuedAt", got.IssuedAt, want.IssuedAt},
		{"ClaimBy", got.ClaimBy, want.ClaimBy},
		{"ClaimStartedAt", got.ClaimStartedAt, want.ClaimStartedAt},
		{"ClaimedAt", got.ClaimedAt, want.ClaimedAt},
		{"ExpiredAt", got.ExpiredAt, want.ExpiredAt},
	} {
		if !p.g.Equal(p.w) {
			add(p.name, p.g, p.w)
		}
	}
	return d
}

func testIssueAndGet(t *testing.T, l reward.Ledger) {
	r := NewReward(reporter(), 2000)
	s, created, err := l.Issue(ctx, r, reward.Limits{}.Admit)
	if err != nil || !created {
		t.Fatalf("Issue: created %v, err %v; want true, nil", created, err)
	}
	want := r
	want.Version = 1
	if d := diff(s, want); d != "" {
		t.Errorf("Issue returned a reward unlike the one given:%s", d)
	}
	if d := diff(get(t, l, r.ID), want); d != "" {
		t.Errorf("Get after Issue:%s", d)
	}
	if loc := get(t, l, r.ID).IssuedAt.Location(); loc != time.UTC {
		t.Errorf("Get: IssuedAt in %v, want UTC", loc)
	}
}

func testIssueCopies(t *testing.T, l reward.Ledger) {
	r := NewReward(reporter(), 2000)
	s, _, err := l.Issue(ctx, r, reward.Limits{}.Admit)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	r.Explanation[0].Rule = "changed-after-issue"
	s.Explanation[0].Rule = "changed-returned"
	g := get(t, l, r.ID)
	g.Explanation[0].Rule = "changed-got"
	if got := get(t, l, r.ID).Explanation[0].Rule; got != "fixed" {
		t.Errorf("Explanation[0].Rule = %q after changing copies, want %q: the ledger shares memory with callers", got, "fixed")
	}
}

func testIssueIdempotent(t *testing.T, l reward.Ledger) {
	first := NewReward(reporter(), 2000)
	issue(t, l, first)
	again := NewReward(first.ReporterID, 9000)
	again.HazardID = first.HazardID
	s, created, err := l.Issue(ctx, again, reward.Limits{Budget: reward.Budget{Since: T0, Amount: 1}}.Admit)
	if err != nil {
		t.Fatalf("Issue again for the same hazard and policy: %v, want the first reward", err)
	}
	if created {
		t.Errorf("Issue again for the same hazard and policy: created = true, want false")
	}
	if s.ID != first.ID || s.Amount != first.Amount {
		t.Errorf("Issue again returned %s (%v), want the first %s (%v)", s.ID, s.Amount, first.ID, first.Amount)
	}
	if _, err := l.Get(ctx, again.ID); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Get(second ID) = %v, want not_found: the second reward was stored", err)
	}
	other := NewReward(first.ReporterID, 3000)
	other.HazardID = first.HazardID
	other.Policy = "other"
	if _, created, err := l.Issue(ctx, other, reward.Limits{}.Admit); err != nil || !created {
		t.Errorf("Issue for the same hazard under another policy: created %v, err %v; want true, nil", created, err)
	}
	if list, err := l.ByHazard(ctx, first.HazardID); err != nil || len(list) != 2 {
		t.Errorf("ByHazard: %d rewards, err %v; want 2, nil", len(list), err)
	}
}

func testIssueInvalid(t *testing.T, l reward.Ledger) {
	for _, tc := range []struct {
		name   string
		change func(r *reward.Reward)
	}{
		{"no ID", func(r *reward.Reward) { r.ID = uuid.Nil }},
		{"no hazard", func(r *reward.Reward) { r.HazardID = uuid.Nil }},
		{"no reporter", func(r *reward.Reward) { r.ReporterID = "" }},
		{"no policy", func(r *reward.Reward) { r.Policy = "" }},
		{"policy version 0", func(r *reward.Reward) { r.PolicyVersion = 0 }},
		{"zero amount", func(r *reward.Reward) { r.Amount = 0 }},
		{"negative amount", func(r *reward.Reward) { r.Amount = -1 }},
		{"amount over the maximum", func(r *reward.Reward) { r.Amount = reward.MaxAmount + 1 }},
		{"not pending", func(r *reward.Reward) { r.Status = reward.StatusClaimed }},
		{"no issue time", func(r *reward.Reward) { r.IssuedAt = time.Time{} }},
		{"claim window before issue", func(r *reward.Reward) { r.ClaimBy = r.IssuedAt }},
		{"with a payment", func(r *reward.Reward) { r.PaymentRef = "x" }},
		{"too many lines", func(r *reward.Reward) {
			r.Explanation = make([]reward.Line, reward.MaxExplanationLines+1)
			for i := range r.Explanation {
				r.Explanation[i].Rule = "r"
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReward(reporter(), 100)
			tc.change(&r)
			if _, _, err := l.Issue(ctx, r, reward.Limits{}.Admit); !errors.Is(err, hazard.ErrInvalid) {
				t.Errorf("Issue = %v, want invalid", err)
			}
			if r.ID != uuid.Nil {
				if _, err := l.Get(ctx, r.ID); !errors.Is(err, hazard.ErrNotFound) {
					t.Errorf("Get after a refused Issue = %v, want not_found", err)
				}
			}
		})
	}
}

func testIssueIDTaken(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	dup := NewReward(r.ReporterID, 100)
	dup.ID = r.ID
	if _, _, err := l.Issue(ctx, dup, reward.Limits{}.Admit); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Issue with a taken ID = %v, want conflict", err)
	}
}

func testGetMissing(t *testing.T, l reward.Ledger) {
	if _, err := l.Get(ctx, uuid.Must(uuid.NewV7())); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want not_found", err)
	}
}

func day() reward.Cap { return reward.Cap{Since: T0.Add(-time.Hour), Until: T0.Add(23 * time.Hour)} }

func testCapCount(t *testing.T, l reward.Ledger) {
	who := reporter()
	c := day()
	c.MaxCount = 2
	lim := reward.Limits{Reporter: []reward.Cap{c}}
	for i := range 2 {
		if _, _, err := l.Issue(ctx, NewReward(who, 100), lim.Admit); err != nil {
			t.Fatalf("Issue #%d under a cap of 2: %v", i+1, err)
		}
	}
	r := NewReward(who, 100)
	_, _, err := l.Issue(ctx, r, lim.Admit)
	if !errors.Is(err, reward.ErrCapReached) || !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Issue #3 under a cap of 2 = %v, want ErrCapReached (conflict)", err)
	}
	if _, err := l.Get(ctx, r.ID); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Get after a capped Issue = %v, want not_found", err)
	}
	if _, _, err := l.Issue(ctx, NewReward(reporter(), 100), lim.Admit); err != nil {
		t.Errorf("Issue to another reporter under the same cap: %v, want nil (caps are per reporter)", err)
	}
}

func testCapAmount(t *testing.T, l reward.Ledger) {
	who := reporter()
	c := day()
	c.MaxAmount = 1000
	lim := reward.Limits{Reporter: []reward.Cap{c}}
	if _, _, err := l.Issue(ctx, NewReward(who, 600), lim.Admit); err != nil {
		t.Fatalf("Issue 600 under a cap of 1000: %v", err)
	}
	if _, _, err := l.Issue(ctx, NewReward(who, 401), lim.Admit); !errors.Is(err, reward.ErrCapReached) {
		t.Errorf("Issue 401 more under a cap of 1000 = %v, want ErrCapReached", err)
	}
	if _, _, err := l.Issue(ctx, NewReward(who, 400), lim.Admit); err != nil {
		t.Errorf("Issue 400 more under a cap of 1000 = %v, want nil (exactly the cap is allowed)", err)
	}
}

func testCapScope(t *testing.T, l reward.Ledger) {
	who := reporter()
	// Outside the window, another policy, and an expired reward do not count.
	old := NewReward(who, 100)
	old.IssuedAt = T0.Add(-48 * time.Hour)
	old.ClaimBy = T0.Add(-47 * time.Hour)
	issue(t, l, old)
	other := NewReward(who, 100)
	other.Policy = "other"
	issue(t, l, other)
	gone := NewReward(who, 100)
	gone.IssuedAt = T0.Add(-30 * time.Minute)
	gone.ClaimBy = T0.Add(-29 * time.Minute)
	issue(t, l, gone)
	if _, err := expire(l, T0); err != nil {
		t.Fatalf("Expire: %v", err)
	}
	if got := get(t, l, gone.ID).Status; got != reward.StatusExpired {
		t.Fatalf("status of a reward past its window after Expire = %s, want expired", got)
	}
	c := day()
	c.MaxCount = 1
	if _, _, err := l.Issue(ctx, NewReward(who, 100), reward.Limits{Reporter: []reward.Cap{c}}.Admit); err != nil {
		t.Errorf("Issue under a day cap of 1 with only an old, another policy's and an expired reward: %v, want nil", err)
	}
}

func testBudget(t *testing.T, l reward.Ledger) {
	b := reward.Limits{Budget: reward.Budget{Since: T0.Add(-time.Hour), Until: T0.Add(time.Hour), Amount: 1000}}
	if _, _, err := l.Issue(ctx, NewReward(reporter(), 700), b.Admit); err != nil {
		t.Fatalf("Issue 700 of a budget of 1000: %v", err)
	}
	_, _, err := l.Issue(ctx, NewReward(reporter(), 301), b.Admit)
	if !errors.Is(err, reward.ErrBudgetExhausted) || !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Issue 301 more of a budget of 1000 = %v, want ErrBudgetExhausted (conflict)", err)
	}
	if _, _, err := l.Issue(ctx, NewReward(reporter(), 300), b.Admit); err != nil {
		t.Errorf("Issue 300 more of a budget of 1000 = %v, want nil", err)
	}
	spent, err := l.Totals(ctx, reward.Tally{Policy: "test", Since: b.Budget.Since, Until: b.Budget.Until})
	if err != nil || spent.Amount != 1000 || spent.Count != 2 {
		t.Errorf("Totals(budget) = %+v, %v; want 2 rewards, 1000 fen", spent, err)
	}
}

// Goroutines is how many goroutines the concurrency tests run.
const Goroutines = 50

func testBudgetConcurrent(t *testing.T, l reward.Ledger) {
	policy := "budget-" + uuid.NewString()[:8]
	b := reward.Limits{Budget: reward.Budget{Since: T0.Add(-time.Hour), Until: T0.Add(time.Hour), Amount: 1000}}
	var ok atomic.Int64
	errs := make(chan error, Goroutines)
	hazardtest.Together(Goroutines, func(int) {
		r := NewReward(reporter(), 70)
		r.Policy = policy
		_, _, err := l.Issue(ctx, r, b.Admit)
		switch {
		case err == nil:
			ok.Add(1)
		case !errors.Is(err, reward.ErrBudgetExhausted):
			errs <- err
		}
	})
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Issue: %v, want nil or ErrBudgetExhausted", err)
	}
	if ok.Load() != 14 {
		t.Errorf("%d of %d concurrent rewards of 70 fen issued under a budget of 1000, want 14", ok.Load(), Goroutines)
	}
	spent, err := l.Totals(ctx, reward.Tally{Policy: policy, Since: b.Budget.Since, Until: b.Budget.Until})
	if err != nil || spent.Amount > 1000 {
		t.Errorf("Totals after concurrent issues = %+v, %v; want at most 1000 fen", spent, err)
	}
}

func testCapConcurrent(t *testing.T, l reward.Ledger) {
	who := reporter()
	c := day()
	c.MaxCount = 3
	var ok atomic.Int64
	hazardtest.Together(Goroutines, func(int) {
		_, _, err := l.Issue(ctx, NewReward(who, 100), reward.Limits{Reporter: []reward.Cap{c}}.Admit)
		if err == nil {
			ok.Add(1)
		} else if !errors.Is(err, reward.ErrCapReached) {
			t.Errorf("concurrent Issue: %v, want nil or ErrCapReached", err)
		}
	})
	if ok.Load() != 3 {
		t.Errorf("%d concurrent rewards issued to one reporter under a cap of 3, want 3", ok.Load())
	}
}

func testIssueSameHazardConcurrent(t *testing.T, l reward.Ledger) {
	hz := uuid.Must(uuid.NewV7())
	who := reporter()
	var created atomic.Int64
	ids := make(chan uuid.UUID, Goroutines)
	hazardtest.Together(Goroutines, func(int) {
		r := NewReward(who, 100)
		r.HazardID = hz
		s, c, err := l.Issue(ctx, r, reward.Limits{}.Admit)
		if err != nil {
			t.Errorf("concurrent Issue for one hazard: %v, want nil", err)
			return
		}
		if c {
			created.Add(1)
		}
		ids <- s.ID
	})
	close(ids)
	if created.Load() != 1 {
		t.Errorf("%d of %d concurrent Issue calls for one hazard created a reward, want 1", created.Load(), Goroutines)
	}
	var first uuid.UUID
	for id := range ids {
		if first == uuid.Nil {
			first = id
		} else if id != first {
			t.Errorf("concurrent Issue for one hazard returned rewards %s and %s, want one", first, id)
			break
		}
	}
}

func testTotals(t *testing.T, l reward.Ledger) {
	who := reporter()
	issue(t, l, NewReward(who, 100))
	issue(t, l, NewReward(who, 250))
	issue(t, l, NewReward(reporter(), 1000))
	late := NewReward(who, 5000)
	late.IssuedAt = T0.Add(time.Hour)
	late.ClaimBy = T0.Add(48 * time.Hour)
	issue(t, l, late)
	for _, tc := range []struct {
		name         string
		reporter     string
		since, until time.Time
		want         reward.Total
	}{
		{"reporter at T0", who, T0, T0.Add(time.Hour), reward.Total{Count: 2, Amount: 350}},
		{"reporter, until is exclusive", who, T0, T0.Add(time.Hour + time.Nanosecond), reward.Total{Count: 3, Amount: 5350}},
		{"everyone at T0", "", T0, T0.Add(time.Hour), reward.Total{Count: 3, Amount: 1350}},
		{"before", who, T0.Add(-time.Hour), T0, reward.Total{}},
		{"unknown reporter", "nobody-" + who, T0, T0.Add(time.Hour), reward.Total{}},
	} {
		got, err := l.Totals(ctx, reward.Tally{Policy: "test", ReporterID: tc.reporter, Since: tc.since, Until: tc.until})
		if err != nil || got != tc.want {
			t.Errorf("%s: Totals = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	if got, err := l.Totals(ctx, reward.Tally{Policy: "no-such-policy", Since: T0, Until: T0.Add(time.Hour)}); err != nil || got != (reward.Total{}) {
		t.Errorf("Totals(another policy) = %+v, %v; want zero", got, err)
	}
}

func testByHazard(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	got, err := l.ByHazard(ctx, r.HazardID)
	if err != nil || len(got) != 1 || got[0].ID != r.ID {
		t.Errorf("ByHazard = %d rewards, %v; want the one issued", len(got), err)
	}
	got, err = l.ByHazard(ctx, uuid.Must(uuid.NewV7()))
	if err != nil || len(got) != 0 {
		t.Errorf("ByHazard(unknown hazard) = %d rewards, %v; want none, nil", len(got), err)
	}
}

func testList(t *testing.T, l reward.Ledger) {
	who := reporter()
	a := issue(t, l, NewReward(who, 100))
	b := issue(t, l, NewReward(who, 200))
	c := issue(t, l, NewReward(who, 300))
	issue(t, l, NewReward(reporter(), 400))
	claiming(t, l, b)
	ids := func(list reward.List) []uuid.UUID {
		var out []uuid.UUID
		for _, r := range list.Items {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		status reward.Status
		want   []uuid.UUID
	}{
		{"all, newest first", "", []uuid.UUID{c.ID, b.ID, a.ID}},
		{"pending", reward.StatusPending, []uuid.UUID{c.ID, a.ID}},
		{"claiming", reward.StatusClaiming, []uuid.UUID{b.ID}},
		{"claimed", reward.StatusClaimed, nil},
	} {
		got, err := l.ListByReporter(ctx, who, tc.status, hazard.Page{})
		if err != nil {
			t.Errorf("%s: ListByReporter: %v", tc.name, err)
			continue
		}
		if fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) || got.Next != "" {
			t.Errorf("%s: ListByReporter = %v (next %q), want %v", tc.name, ids(got), got.Next, tc.want)
		}
	}
}

func testListPaging(t *testing.T, l reward.Ledger) {
	who := reporter()
	var want []uuid.UUID
	for range 7 {
		r := issue(t, l, NewReward(who, 100))
		want = append([]uuid.UUID{r.ID}, want...)
	}
	var got []uuid.UUID
	p := hazard.Page{Limit: 3}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatalf("ListByReporter: more than 5 pages of 3 for 7 rewards")
		}
		list, err := l.ListByReporter(ctx, who, "", p)
		if err != nil {
			t.Fatalf("ListByReporter page %d: %v", pages+1, err)
		}
		if len(list.Items) > 3 {
			t.Errorf("ListByReporter page %d: %d items, want at most 3", pages+1, len(list.Items))
		}
		for _, r := range list.Items {
			got = append(got, r.ID)
		}
		if list.Next == "" {
			break
		}
		// A reward added during the walk is newer than the cursor: it
		// neither shows up nor shifts the pages.
		issue(t, l, NewReward(who, 100))
		p.Cursor = list.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("walking the pages gave %v, want %v", got, want)
	}
}

func testListInvalid(t *testing.T, l reward.Ledger) {
	for _, tc := range []struct {
		name   string
		status reward.Status
		page   hazard.Page
	}{
		{"unknown status", "paid", hazard.Page{}},
		{"negative limit", "", hazard.Page{Limit: -1}},
		{"foreign cursor", "", hazard.Page{Cursor: "not-a-cursor"}},
	} {
		if _, err := l.ListByReporter(ctx, "someone", tc.status, tc.page); !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("%s: ListByReporter = %v, want invalid", tc.name, err)
		}
	}
}

func testBeginClaim(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	now := T0.Add(time.Hour)
	c, err := beginClaim(l, r.ID, r.ReporterID, now)
	if err != nil {
		t.Fatalf("BeginClaim: %v", err)
	}
	want := r
	want.Status = reward.StatusClaiming
	want.ClaimStartedAt = now
	want.Attempts = 1
	want.Version = 2
	if d := diff(c, want); d != "" {
		t.Errorf("BeginClaim returned:%s", d)
	}
	if d := diff(get(t, l, r.ID), want); d != "" {
		t.Errorf("Get after BeginClaim:%s", d)
	}
}

func testBeginClaimRefusals(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	now := T0.Add(time.Hour)
	if _, err := beginClaim(l, uuid.Must(uuid.NewV7()), r.ReporterID, now); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("BeginClaim(missing) = %v, want not_found", err)
	}
	if _, err := beginClaim(l, r.ID, "someone-else", now); !errors.Is(err, hazard.ErrForbidden) {
		t.Errorf("BeginClaim by another user = %v, want forbidden", err)
	}
	if _, err := beginClaim(l, r.ID, r.ReporterID, r.ClaimBy); !errors.Is(err, reward.ErrClaimWindowClosed) {
		t.Errorf("BeginClaim at ClaimBy = %v, want ErrClaimWindowClosed", err)
	}
	claiming(t, l, r)
	if _, err := beginClaim(l, r.ID, r.ReporterID, now); !errors.Is(err, reward.ErrNotClaimable) || !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("BeginClaim while claiming = %v, want ErrNotClaimable (conflict)", err)
	}
	if _, err := beginClaim(l, r.ID, "someone-else", now); !errors.Is(err, hazard.ErrForbidden) {
		t.Errorf("BeginClaim by another user while claiming = %v, want forbidden (checked first)", err)
	}
	if got := get(t, l, r.ID); got.Attempts != 1 || got.Version != 2 {
		t.Errorf("after refused claims: Attempts %d, Version %d; want 1, 2 (refusals change nothing)", got.Attempts, got.Version)
	}
}

func testBeginClaimConcurrent(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	var ok atomic.Int64
	hazardtest.Together(Goroutines, func(int) {
		_, err := beginClaim(l, r.ID, r.ReporterID, T0.Add(time.Hour))
		if err == nil {
			ok.Add(1)
		} else if !errors.Is(err, reward.ErrNotClaimable) {
			t.Errorf("concurrent BeginClaim: %v, want nil or ErrNotClaimable", err)
		}
	})
	if ok.Load() != 1 {
		t.Errorf("%d of %d concurrent BeginClaim calls succeeded, want 1", ok.Load(), Goroutines)
	}
	if got := get(t, l, r.ID); got.Attempts != 1 {
		t.Errorf("Attempts after concurrent claims = %d, want 1", got.Attempts)
	}
}

func testSettle(t *testing.T, l reward.Ledger) {
	r := claiming(t, l, issue(t, l, NewReward(reporter(), 100)))
	now := T0.Add(2 * time.Hour)
	s, err := settle(l, r.ID, "pay-1", now)
	if err != nil {
		t.Fatalf("Settle: %v", err)
	}
	want := r
	want.Status = reward.StatusClaimed
	want.PaymentRef = "pay-1"
	want.ClaimedAt = now
	want.Version = 3
	if d := diff(s, want); d != "" {
		t.Errorf("Settle returned:%s", d)
	}
	if d := diff(get(t, l, r.ID), want); d != "" {
		t.Errorf("Get after Settle:%s", d)
	}
	if _, err := settle(l, r.ID, "pay-2", now); !errors.Is(err, hazard.ErrConflict) {
		t.Errorf("Settle again with another ref = %v, want conflict", err)
	}
	if d := diff(get(t, l, r.ID), want); d != "" {
		t.Errorf("Get after a refused Settle:%s", d)
	}
	if _, err := beginClaim(l, r.ID, r.ReporterID, now); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("BeginClaim of a claimed reward = %v, want ErrNotClaimable", err)
	}
}

func testSettleLate(t *testing.T, l reward.Ledger) {
	// A payout confirmed after the claim was failed back to pending, or
	// after the reward expired, is still recorded.
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, r reward.Reward)
	}{
		{"pending after a failed claim", func(t *testing.T, r reward.Reward) {
			claiming(t, l, r)
			if _, err := failClaim(l, r.ID, "timeout", time.Time{}); err != nil {
				t.Fatalf("FailClaim: %v", err)
			}
		}},
		{"expired", func(t *testing.T, r reward.Reward) {
			if _, err := expire(l, r.ClaimBy); err != nil {
				t.Fatalf("Expire: %v", err)
			}
		}},
		{"failed", func(t *testing.T, r reward.Reward) {
			claiming(t, l, r)
			if _, err := markFailed(l, r.ID, "refused"); err != nil {
				t.Fatalf("MarkFailed: %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := issue(t, l, NewReward(reporter(), 100))
			tc.setup(t, r)
			s, err := settle(l, r.ID, "late", T0.Add(9*24*time.Hour))
			if err != nil || s.Status != reward.StatusClaimed || s.PaymentRef != "late" {
				t.Errorf("Settle = %s %q, %v; want claimed \"late\", nil", s.Status, s.PaymentRef, err)
			}
			if !s.ExpiredAt.IsZero() || s.LastError != "" {
				t.Errorf("Settle kept ExpiredAt %v, LastError %q; want both cleared", s.ExpiredAt, s.LastError)
			}
		})
	}
}

func testSettleRefusals(t *testing.T, l reward.Ledger) {
	r := claiming(t, l, issue(t, l, NewReward(reporter(), 100)))
	if _, err := settle(l, uuid.Must(uuid.NewV7()), "p", T0); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Settle(missing) = %v, want not_found", err)
	}
	long := make([]byte, reward.MaxPaymentRefLen+1)
	for i := range long {
		long[i] = 'x'
	}
	for _, ref := range []string{"", string(long)} {
		if _, err := settle(l, r.ID, ref, T0); !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("Settle with a %d-byte ref = %v, want invalid", len(ref), err)
		}
	}
	if got := get(t, l, r.ID).Status; got != reward.StatusClaiming {
		t.Errorf("status after refused Settle calls = %s, want claiming", got)
	}
}

func testFailClaim(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	if _, err := failClaim(l, r.ID, "x", time.Time{}); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("FailClaim of a pending reward = %v, want ErrNotClaimable", err)
	}
	c := claiming(t, l, r)
	long := make([]rune, reward.MaxErrorLen+1)
	for i := range long {
		long[i] = '错'
	}
	if _, err := failClaim(l, r.ID, string(long), time.Time{}); !errors.Is(err, hazard.ErrInvalid) {
		t.Errorf("FailClaim with a too long error = %v, want invalid", err)
	}
	later := r.ClaimBy.Add(24 * time.Hour)
	f, err := failClaim(l, r.ID, "payer timed out", later)
	if err != nil {
		t.Fatalf("FailClaim: %v", err)
	}
	want := c
	want.Status = reward.StatusPending
	want.LastError = "payer timed out"
	want.ClaimBy = later
	want.Version = 3
	if d := diff(f, want); d != "" {
		t.Errorf("FailClaim returned:%s", d)
	}
	// Claimable again; an earlier claimBy does not shorten the window.
	c2, err := beginClaim(l, r.ID, r.ReporterID, r.ClaimBy.Add(time.Hour))
	if err != nil || c2.Attempts != 2 {
		t.Fatalf("BeginClaim after FailClaim, within the extended window: attempts %d, err %v; want 2, nil", c2.Attempts, err)
	}
	f, err = failClaim(l, r.ID, "again", r.ClaimBy)
	if err != nil || !f.ClaimBy.Equal(later) {
		t.Errorf("FailClaim with an earlier claimBy: ClaimBy %v, err %v; want %v kept", f.ClaimBy, err, later)
	}
}

func testMarkFailed(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	if _, err := markFailed(l, r.ID, "x"); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("MarkFailed of a pending reward = %v, want ErrNotClaimable", err)
	}
	claiming(t, l, r)
	f, err := markFailed(l, r.ID, "account closed")
	if err != nil || f.Status != reward.StatusFailed || f.LastError != "account closed" || f.Version != 3 {
		t.Errorf("MarkFailed = %s %q v%d, %v; want failed \"account closed\" v3, nil", f.Status, f.LastError, f.Version, err)
	}
	if _, err := beginClaim(l, r.ID, r.ReporterID, T0.Add(time.Hour)); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("BeginClaim of a failed reward = %v, want ErrNotClaimable", err)
	}
	if _, err := failClaim(l, r.ID, "x", time.Time{}); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("FailClaim of a failed reward = %v, want ErrNotClaimable", err)
	}
}

func testExpire(t *testing.T, l reward.Ledger) {
	// Each reward here has its own hour so that the ledger's other rewards
	// (from an adapter that shares storage) sort around them predictably.
	base := T0.Add(-1000 * time.Hour)
	mk := func(claimBy time.Duration) reward.Reward {
		r := NewReward(reporter(), 100)
		r.IssuedAt = base
		r.ClaimBy = base.Add(claimBy)
		return issue(t, l, r)
	}
	a := mk(2 * time.Hour)
	b := mk(time.Hour)
	c := mk(3 * time.Hour) // due exactly at now
	d := mk(4 * time.Hour) // not due
	e := mk(30 * time.Minute)
	if _, err := beginClaim(l, e.ID, e.ReporterID, base); err != nil { // claiming: not expired
		t.Fatalf("BeginClaim: %v", err)
	}
	now := base.Add(3 * time.Hour)
	got, err := expire(l, now)
	if err != nil {
		t.Fatalf("UpdateDue: %v", err)
	}
	if len(got) != 3 || got[0].ID != b.ID || got[1].ID != a.ID || got[2].ID != c.ID {
		t.Fatalf("UpdateDue = %d rewards, want b, a, then c (oldest ClaimBy first; c is due at now)", len(got))
	}
	want := b
	want.Status = reward.StatusExpired
	want.ExpiredAt = now
	want.Version = 2
	if d := diff(got[0], want); d != "" {
		t.Errorf("UpdateDue returned:%s", d)
	}
	if d := diff(get(t, l, b.ID), want); d != "" {
		t.Errorf("Get after UpdateDue:%s", d)
	}
	got, err = expire(l, now)
	if err != nil || len(got) != 0 {
		t.Errorf("UpdateDue again = %d rewards, %v; want none (each reward expires once)", len(got), err)
	}
	if s := get(t, l, d.ID).Status; s != reward.StatusPending {
		t.Errorf("a reward not yet due: %s, want pending", s)
	}
	if s := get(t, l, e.ID).Status; s != reward.StatusClaiming {
		t.Errorf("a claiming reward past its window: %s, want claiming (only pending rewards expire)", s)
	}
	if _, err := beginClaim(l, a.ID, a.ReporterID, base); !errors.Is(err, reward.ErrNotClaimable) {
		t.Errorf("BeginClaim of an expired reward = %v, want ErrNotClaimable", err)
	}
}

func testExpireConcurrent(t *testing.T, l reward.Ledger) {
	base := T0.Add(-2000 * time.Hour)
	want := map[uuid.UUID]bool{}
	for range 10 {
		r := NewReward(reporter(), 100)
		r.IssuedAt = base
		r.ClaimBy = base.Add(time.Hour)
		want[issue(t, l, r).ID] = true
	}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	hazardtest.Together(10, func(int) {
		got, err := expire(l, base.Add(time.Hour))
		if err != nil {
			t.Errorf("concurrent Expire: %v", err)
			return
		}
		mu.Lock()
		for _, r := range got {
			seen[r.ID]++
		}
		mu.Unlock()
	})
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("reward %s returned by %d concurrent Expire calls, want 1", id, seen[id])
		}
	}
}

func testStuckClaims(t *testing.T, l reward.Ledger) {
	base := T0.Add(-3000 * time.Hour)
	mk := func(started time.Duration) reward.Reward {
		r := NewReward(reporter(), 100)
		r.IssuedAt = base
		r.ClaimBy = base.Add(100 * time.Hour)
		r = issue(t, l, r)
		c, err := beginClaim(l, r.ID, r.ReporterID, base.Add(started))
		if err != nil {
			t.Fatalf("BeginClaim: %v", err)
		}
		return c
	}
	a := mk(2 * time.Hour)
	b := mk(time.Hour)
	mk(5 * time.Hour) // recent
	got, err := l.StuckClaims(ctx, base.Add(3*time.Hour))
	if err != nil {
		t.Fatalf("StuckClaims: %v", err)
	}
	if len(got) != 2 || got[0].ID != b.ID || got[1].ID != a.ID {
		t.Errorf("StuckClaims = %d rewards, want b then a (oldest claim first)", len(got))
	}
}

func testListIssued(t *testing.T, l reward.Ledger) {
	// A period of its own, far from the other tests' rewards.
	base := T0.AddDate(5, 0, int(reporterSeq.Add(1)%1000))
	at := func(h time.Duration) reward.Reward {
		r := NewReward(reporter(), 100)
		r.IssuedAt, r.ClaimBy = base.Add(h), base.Add(h+7*24*time.Hour)
		return issue(t, l, r)
	}
	at(-time.Nanosecond) // just before the period
	first := at(0)
	mid := at(time.Hour)
	last := at(24*time.Hour - time.Nanosecond)
	at(24 * time.Hour) // at its end: outside
	want := []uuid.UUID{last.ID, mid.ID, first.ID}
	var got []uuid.UUID
	p := hazard.Page{Limit: 2}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatalf("ListIssued: more than 3 pages of 2 for 3 rewards")
		}
		list, err := l.ListIssued(ctx, base, base.Add(24*time.Hour), p)
		if err != nil {
			t.Fatalf("ListIssued: %v", err)
		}
		for _, r := range list.Items {
			got = append(got, r.ID)
		}
		if list.Next == "" {
			break
		}
		p.Cursor = list.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListIssued = %v, want the rewards issued in [since, until), newest first: %v", got, want)
	}
	for _, tc := range []struct {
		name         string
		since, until time.Time
		p            hazard.Page
	}{
		{"until equal to since", base, base, hazard.Page{}},
		{"until before since", base, base.Add(-time.Hour), hazard.Page{}},
		{"negative limit", base, base.Add(time.Hour), hazard.Page{Limit: -1}},
		{"foreign cursor", base, base.Add(time.Hour), hazard.Page{Cursor: "not-a-cursor"}},
	} {
		if _, err := l.ListIssued(ctx, tc.since, tc.until, tc.p); !errors.Is(err, hazard.ErrInvalid) {
			t.Errorf("ListIssued with %s: %v, want CodeInvalid", tc.name, err)
		}
	}
}

func testCountByStatus(t *testing.T, l reward.Ledger) {
	base := T0.AddDate(7, 0, int(reporterSeq.Add(1)%1000))
	at := func(h time.Duration, amount reward.Fen) reward.Reward {
		r := NewReward(reporter(), amount)
		r.IssuedAt, r.ClaimBy = base.Add(h), base.Add(h+60*24*time.Hour)
		return issue(t, l, r)
	}
	at(-time.Hour, 700) // before the period
	at(0, 2000)
	paid := at(time.Hour, 5000)
	at(2*time.Hour, 20000)
	at(24*time.Hour, 900) // after it
	if _, err := l.Update(ctx, paid.ID, func(r *reward.Reward) error { return r.BeginClaim(r.ReporterID, base.Add(3*time.Hour)) }); err != nil {
		t.Fatalf("BeginClaim: %v", err)
	}
	if _, err := l.Update(ctx, paid.ID, func(r *reward.Reward) error { _, err := r.Settle("pay-1", base.Add(3*time.Hour)); return err }); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	want := map[reward.Status]reward.Total{
		reward.StatusPending: {Count: 2, Amount: 22000},
		reward.StatusClaimed: {Count: 1, Amount: 5000},
	}
	since, until := base, base.Add(24*time.Hour)
	got, err := reward.CountByStatus(ctx, l, since, until)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reward.CountByStatus = %v, %v; want %v", got, err, want)
	}
	c, ok := l.(reward.StatusCounter)
	if !ok {
		return
	}
	got, err = c.CountByStatus(ctx, since, until)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("StatusCounter.CountByStatus = %v, %v; want %v (what reward.CountByStatus counts)", got, err, want)
	}
	open, err := c.CountByStatus(ctx, since, time.Time{})
	if err != nil || open[reward.StatusPending].Count != 3 || open[reward.StatusPending].Amount != 22900 {
		t.Errorf("StatusCounter.CountByStatus with an open end = %v, %v; want 3 pending of 229.00 yuan", open, err)
	}
	all, err := c.CountByStatus(ctx, time.Time{}, time.Time{})
	if err != nil || all[reward.StatusPending].Count < 4 {
		t.Errorf("StatusCounter.CountByStatus of all time = %v, %v; want at least the 4 pending rewards", all, err)
	}
	fallback, err := reward.CountByStatus(ctx, l, time.Time{}, time.Time{})
	if err != nil || fmt.Sprint(fallback) != fmt.Sprint(all) {
		t.Errorf("of all time: reward.CountByStatus = %v, %v; StatusCounter = %v", fallback, err, all)
	}
}
