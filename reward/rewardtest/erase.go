package rewardtest

import (
	"errors"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/reward"
)

// testForgetUser pins hazard.Forgetter on a ledger that has it: every
// reward of the person passes to the pseudonym with its version
// incremented and nothing else changed (finance keeps amount, status,
// payment reference and dates); another reporter's rewards are untouched;
// a second call changes nothing; an invalid erasure is CodeInvalid.
func testForgetUser(t *testing.T, l reward.Ledger) {
	f, ok := l.(hazard.Forgetter)
	if !ok {
		t.Skipf("the ledger (%T) is no hazard.Forgetter", l)
	}
	person, other := reporter(), reporter()
	pending := issue(t, l, NewReward(person, 1000))
	paid := claiming(t, l, issue(t, l, NewReward(person, 2000)))
	paid, err := settle(l, paid.ID, "pay-ref-1", T0.Add(2*time.Hour))
	if err != nil {
		t.Fatalf("Settle (setup): %v", err)
	}
	old := NewReward(person, 3000)
	old.ClaimBy = T0.Add(time.Minute)
	old = issue(t, l, old)
	if _, err := expire(l, T0.Add(time.Hour)); err != nil {
		t.Fatalf("UpdateDue (setup): %v", err)
	}
	old = get(t, l, old.ID)
	theirs := issue(t, l, NewReward(other, 4000))

	e := hazardtest.NewErasure(person)
	if err := f.ForgetUser(ctx, e); err != nil {
		t.Fatalf("ForgetUser: %v", err)
	}
	for _, r := range []reward.Reward{pending, paid, old} {
		want := r.Clone()
		want.ReporterID = e.Pseudonym
		want.Version = r.Version + 1
		if d := diff(get(t, l, r.ID), want); d != "" {
			t.Errorf("reward %s (%s) after ForgetUser:%s", r.ID, r.Status, d)
		}
	}
	if d := diff(get(t, l, theirs.ID), theirs); d != "" {
		t.Errorf("another reporter's reward after ForgetUser:%s", d)
	}
	if got, err := l.ListByReporter(ctx, person, "", hazard.Page{}); err != nil || len(got.Items) != 0 {
		t.Errorf("ListByReporter(the person) = %d rewards, %v; want none", len(got.Items), err)
	}
	if got, err := l.ListByReporter(ctx, e.Pseudonym, "", hazard.Page{}); err != nil || len(got.Items) != 3 {
		t.Errorf("ListByReporter(the pseudonym) = %d rewards, %v; want 3", len(got.Items), err)
	}
	total, err := l.Totals(ctx, reward.Tally{Policy: "test", ReporterID: e.Pseudonym})
	if err != nil || total != (reward.Total{Count: 2, Amount: 3000}) {
		t.Errorf("Totals(the pseudonym) = %+v, %v; want the pending and the paid rewards", total, err)
	}

	if err := f.ForgetUser(ctx, e); err != nil {
		t.Fatalf("ForgetUser again: %v", err)
	}
	if got := get(t, l, pending.ID); got.Version != pending.Version+1 {
		t.Errorf("version after ForgetUser twice = %d, want %d", got.Version, pending.Version+1)
	}
	if err := f.ForgetUser(ctx, hazard.Erasure{UserID: person}); !errors.Is(err, hazard.ErrInvalid) {
		t.Errorf("ForgetUser of an invalid erasure = %v, want CodeInvalid", err)
	}
}
