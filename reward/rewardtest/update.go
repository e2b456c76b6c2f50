package rewardtest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
)

// The promises of Issue's admit, Update and UpdateDue: the ledger's side
// of the rules that package reward decides.

// errRefused is the refusal of the suite's own admit and change functions.
var errRefused error = &hazard.Error{Code: hazard.CodeConflict, Message: "refused by the test"}

func testIssueAdmitRefusal(t *testing.T, l reward.Ledger) {
	r := NewReward(reporter(), 100)
	calls := 0
	_, created, err := l.Issue(ctx, r, func(got reward.Reward, _ func(reward.Tally) (reward.Total, error)) error {
		calls++
		if got.ID != r.ID {
			t.Errorf("admit got reward %s, want %s", got.ID, r.ID)
		}
		return errRefused
	})
	if !errors.Is(err, errRefused) || created {
		t.Errorf("Issue with a refusing admit: created %v, err %v; want false and admit's error", created, err)
	}
	if calls == 0 {
		t.Errorf("Issue did not call admit")
	}
	if _, err := l.Get(ctx, r.ID); !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Get after a refused Issue = %v, want not_found", err)
	}
	if list, err := l.ByHazard(ctx, r.HazardID); err != nil || len(list) != 0 {
		t.Errorf("ByHazard after a refused Issue = %d rewards, %v; want none", len(list), err)
	}
	// Once stored, a reward for the hazard is returned without asking admit.
	issue(t, l, r)
	again := NewReward(r.ReporterID, 100)
	again.HazardID = r.HazardID
	s, created, err := l.Issue(ctx, again, func(reward.Reward, func(reward.Tally) (reward.Total, error)) error {
		t.Errorf("Issue called admit for a hazard that has a reward of the policy")
		return errRefused
	})
	if err != nil || created || s.ID != r.ID {
		t.Errorf("Issue again for the hazard = %s, created %v, %v; want the first reward, false, nil", s.ID, created, err)
	}
}

func testIssueAdmitTotals(t *testing.T, l reward.Ledger) {
	who := reporter()
	issue(t, l, NewReward(who, 100))
	issue(t, l, NewReward(who, 250))
	issue(t, l, NewReward(reporter(), 1000))
	queries := []reward.Tally{
		{Policy: "test", ReporterID: who, Since: T0, Until: T0.Add(time.Hour)},
		{Policy: "test", Since: T0, Until: T0.Add(time.Hour)},
		{Policy: "test", Since: T0.Add(time.Hour)},
		{Policy: "other", Since: T0},
	}
	var want []reward.Total
	for _, q := range queries {
		tot, err := l.Totals(ctx, q)
		if err != nil {
			t.Fatalf("Totals(%+v): %v", q, err)
		}
		want = append(want, tot)
	}
	_, _, err := l.Issue(ctx, NewReward(who, 100), func(_ reward.Reward, total func(reward.Tally) (reward.Total, error)) error {
		for i, q := range queries {
			got, err := total(q)
			if err != nil || got != want[i] {
				t.Errorf("admit's total(%+v) = %+v, %v; want %+v as Totals says", q, got, err, want[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("Issue: %v", err)
	}
}

func testUpdate(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	at := T0.Add(time.Hour)
	var seen reward.Reward
	u, err := l.Update(ctx, r.ID, func(x *reward.Reward) error {
		seen = x.Clone()
		x.Status = reward.StatusClaiming
		x.ClaimStartedAt = at
		x.ClaimBy = r.ClaimBy.Add(time.Hour)
		x.LastError = "an earlier payout failed"
		x.Attempts = 7
		x.Version = 99 // the ledger's, not change's
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if d := diff(seen, r); d != "" {
		t.Errorf("Update handed change a reward unlike the stored one:%s", d)
	}
	want := r
	want.Status = reward.StatusClaiming
	want.ClaimStartedAt = at
	want.ClaimBy = r.ClaimBy.Add(time.Hour)
	want.LastError = "an earlier payout failed"
	want.Attempts = 7
	want.Version = 2
	if d := diff(u, want); d != "" {
		t.Errorf("Update returned:%s", d)
	}
	if d := diff(get(t, l, r.ID), want); d != "" {
		t.Errorf("Get after Update:%s", d)
	}
	// Every claim field round-trips, the times in UTC.
	paid := T0.Add(2 * time.Hour).In(time.FixedZone("CST", 8*60*60))
	u, err = l.Update(ctx, r.ID, func(x *reward.Reward) error {
		x.Status = reward.StatusClaimed
		x.ClaimedAt = paid
		x.ExpiredAt = paid.Add(-time.Minute)
		x.PaymentRef = "pay-7"
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want.Status = reward.StatusClaimed
	want.ClaimedAt = paid
	want.ExpiredAt = paid.Add(-time.Minute)
	want.PaymentRef = "pay-7"
	want.Version = 3
	g := get(t, l, r.ID)
	if d := diff(g, want); d != "" {
		t.Errorf("Get after a second Update:%s", d)
	}
	if d := diff(u, want); d != "" {
		t.Errorf("second Update returned:%s", d)
	}
}

func testUpdateCopies(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	var kept *reward.Reward
	u, err := l.Update(ctx, r.ID, func(x *reward.Reward) error {
		kept = x
		x.Attempts = 1
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	kept.Attempts = 50
	kept.Explanation[0].Rule = "changed-through-change"
	u.Explanation[0].Rule = "changed-returned"
	u.Attempts = 60
	g := get(t, l, r.ID)
	if g.Attempts != 1 || g.Explanation[0].Rule != "fixed" {
		t.Errorf("after changing the copies: Attempts %d, rule %q; want 1, %q: the ledger shares memory with callers", g.Attempts, g.Explanation[0].Rule, "fixed")
	}
}

func testUpdateRefusal(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	// A coded error (a sentinel such as reward.ErrNotClaimable) and a
	// plain one both reach the caller, matched with errors.Is.
	for _, refusal := range []error{errRefused, errors.New("a plain refusal")} {
		_, err := l.Update(ctx, r.ID, func(x *reward.Reward) error {
			x.Status = reward.StatusFailed
			x.Attempts = 3
			return refusal
		})
		if !errors.Is(err, refusal) {
			t.Errorf("Update with a change refusing with %q = %v, want change's error", refusal, err)
		}
		if d := diff(get(t, l, r.ID), r); d != "" {
			t.Errorf("Get after a refused Update (nothing may be stored):%s", d)
		}
	}
}

func testUpdateMissing(t *testing.T, l reward.Ledger) {
	_, err := l.Update(ctx, uuid.Must(uuid.NewV7()), func(*reward.Reward) error {
		t.Errorf("Update called change for a missing reward")
		return nil
	})
	if !errors.Is(err, hazard.ErrNotFound) {
		t.Errorf("Update(missing) = %v, want not_found", err)
	}
}

func testUpdateConcurrent(t *testing.T, l reward.Ledger) {
	r := issue(t, l, NewReward(reporter(), 100))
	hazardtest.Together(Goroutines, func(int) {
		if _, err := l.Update(ctx, r.ID, func(x *reward.Reward) error { x.Attempts++; return nil }); err != nil {
			t.Errorf("concurrent Update: %v", err)
		}
	})
	if g := get(t, l, r.ID); g.Attempts != Goroutines || g.Version != 1+Goroutines {
		t.Errorf("after %d concurrent Updates each adding an attempt: Attempts %d, Version %d; want %d, %d (no update lost)",
			Goroutines, g.Attempts, g.Version, Goroutines, 1+Goroutines)
	}
}

func testUpdateDueRefusal(t *testing.T, l reward.Ledger) {
	base := T0.Add(-4000 * time.Hour)
	var ids []uuid.UUID
	for i := range 3 {
		r := NewReward(reporter(), 100)
		r.IssuedAt = base
		r.ClaimBy = base.Add(time.Duration(i+1) * time.Minute)
		ids = append(ids, issue(t, l, r).ID)
	}
	n := 0
	_, err := l.UpdateDue(ctx, base.Add(time.Hour), func(x *reward.Reward) error {
		n++
		if n == 3 {
			return errRefused
		}
		return x.Expire(base.Add(time.Hour))
	})
	if !errors.Is(err, errRefused) {
		t.Errorf("UpdateDue with a change refusing the third reward = %v, want change's error", err)
	}
	for _, id := range ids {
		if g := get(t, l, id); g.Status != reward.StatusPending || g.Version != 1 {
			t.Errorf("after a refused batch: %s v%d, want pending v1 (nothing of the batch stored)", g.Status, g.Version)
		}
	}
}

func testUpdateDueBatch(t *testing.T, l reward.Ledger) {
	base := T0.Add(-5000 * time.Hour)
	for range reward.MaxExpireBatch + 1 {
		r := NewReward(reporter(), 100)
		r.IssuedAt = base
		r.ClaimBy = base.Add(time.Hour)
		issue(t, l, r)
	}
	now := base.Add(time.Hour)
	got, err := expire(l, now)
	if err != nil || len(got) != reward.MaxExpireBatch {
		t.Errorf("UpdateDue with %d due = %d rewards, %v; want %d", reward.MaxExpireBatch+1, len(got), err, reward.MaxExpireBatch)
	}
	got, err = expire(l, now)
	if err != nil || len(got) != 1 {
		t.Errorf("UpdateDue again = %d rewards, %v; want the 1 left", len(got), err)
	}
}
