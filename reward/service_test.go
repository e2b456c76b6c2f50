package reward_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
)

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  reward.Config
	}{
		{"no ledger", reward.Config{Policies: []reward.Policy{reward.National()}}},
		{"no policy", reward.Config{Ledger: memledger.New()}},
		{"invalid policy", reward.Config{Ledger: memledger.New(), Policies: []reward.Policy{{Name: "x"}}}},
		{"policy twice", reward.Config{Ledger: memledger.New(), Policies: []reward.Policy{reward.National(), reward.National()}}},
		{"stuck before timeout", reward.Config{Ledger: memledger.New(), Policies: []reward.Policy{reward.National()},
			PayTimeout: time.Minute, StuckAfter: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reward.New(tc.cfg)
			assert.ErrorIs(t, err, hazard.ErrInvalid)
		})
	}
}

func TestConsumerIssues(t *testing.T) {
	f := newFixture(t, nil)
	h := f.closed("alice", nil)
	r := f.issue(t, h)
	assert.Equal(t, reward.StatusPending, r.Status)
	assert.Equal(t, reward.Yuan(20), r.Amount)
	assert.Equal(t, "city", r.Policy)
	assert.Equal(t, 1, r.PolicyVersion)
	assert.Equal(t, "alice", r.ReporterID)
	assert.Equal(t, h.Ref, r.HazardRef)
	assert.True(t, r.IssuedAt.Equal(T0))
	// Monday 2026-03-02 + 7 working days: ends Wednesday 03-11, 24:00 China time.
	assert.True(t, r.ClaimBy.Equal(time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC)), "ClaimBy %v", r.ClaimBy)
	require.NotEmpty(t, r.Explanation)
	assert.Equal(t, "city_table", r.Explanation[len(r.Explanation)-1].Rule)

	issued := f.hazards.ofType(hazard.EventRewardIssued)
	require.Len(t, issued, 1)
	e := issued[0]
	assert.Equal(t, h.ID, e.HazardID)
	assert.Equal(t, hazard.System, e.Actor, "the reporter never appears as the actor")
	assert.Equal(t, map[string]string{
		"reward_id": r.ID.String(), "amount_fen": "2000", "claim_by": "2026-03-11T16:00:00Z",
		"reporter_id": "alice", "policy": "city",
	}, e.Data)
}

func TestConsumerIsIdempotent(t *testing.T) {
	f := newFixture(t, nil)
	h := f.closed("alice", nil)
	first := f.issue(t, h)
	for range 3 {
		again := f.issue(t, h)
		assert.Equal(t, first.ID, again.ID)
	}
	assert.Len(t, f.hazards.ofType(hazard.EventRewardIssued), 1, "redelivery appends no second event")
}

func TestConsumerNeverLosesTheIssuedEvent(t *testing.T) {
	f := newFixture(t, nil)
	h := f.closed("alice", nil)
	f.hazards.failAppend = 1
	err := f.svc.Consumer().Handle(ctx, closedEvent(h))
	require.ErrorIs(t, err, errAppend, "the relay must retry")
	rs, err := f.ledger.ByHazard(ctx, h.ID)
	require.NoError(t, err)
	require.Len(t, rs, 1, "the reward was issued before the append failed")
	assert.Empty(t, f.hazards.ofType(hazard.EventRewardIssued))

	// The relay redelivers: the reward is found and its event appended.
	require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
	issued := f.hazards.ofType(hazard.EventRewardIssued)
	require.Len(t, issued, 1)
	assert.Equal(t, rs[0].ID.String(), issued[0].Data["reward_id"])
}

func TestConsumerIgnoresOtherEvents(t *testing.T) {
	f := newFixture(t, nil)
	h := f.closed("alice", nil)
	for _, e := range []hazard.Event{
		{HazardID: h.ID, Type: hazard.EventSubmitted},
		{HazardID: h.ID, Type: hazard.EventTransition, To: "dispatched"},
		{HazardID: h.ID, Type: hazard.EventTransition, To: "closed_invalid"},
		{HazardID: h.ID, Type: hazard.EventTransition, To: "withdrawn"},
		{HazardID: h.ID, Type: hazard.EventNote, To: "closed_valid"},
		// An event of another subject, even a transition to a valid closed
		// state (a unit's own process), issues nothing and fails nothing.
		{Subject: hazard.Subject{Kind: "unit", ID: h.ID.String()}, Type: hazard.EventTransition, To: "closed_valid"},
	} {
		require.NoError(t, f.svc.Consumer().Handle(ctx, e))
	}
	rs, err := f.ledger.ByHazard(ctx, h.ID)
	require.NoError(t, err)
	assert.Empty(t, rs)
	assert.Equal(t, "reward", f.svc.Consumer().Name)
}

func TestConsumerDenials(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(h *hazard.Hazard)
	}{
		{"duplicate of an earlier report", func(h *hazard.Hazard) { h.DuplicateOf = uuid.Must(uuid.NewV7()) }},
		{"unverified reporter", func(h *hazard.Hazard) { h.Reporter.Verified = false }},
		{"inspection", func(h *hazard.Hazard) { h.Source = hazard.SourceInspection }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			h := f.closed("alice", tc.change)
			require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
			rs, err := f.ledger.ByHazard(ctx, h.ID)
			require.NoError(t, err)
			assert.Empty(t, rs)
			assert.Empty(t, f.hazards.ofType(hazard.EventRewardIssued))
		})
	}
}

type directory map[string]reward.ReporterFacts

func (d directory) Reporter(_ context.Context, id string) (reward.ReporterFacts, error) {
	r, ok := d[id]
	if !ok {
		return reward.ReporterFacts{}, hazard.ErrNotFound
	}
	return r, nil
}

func TestConsumerUsesReporterDirectory(t *testing.T) {
	dir := directory{
		"inspector": {Verified: true, Departments: []string{"emergency"}},
		"citizen":   {Verified: true},
		"anon":      {Verified: false},
	}
	f := newFixture(t, func(c *reward.Config) { c.Reporters = dir })
	for _, tc := range []struct {
		reporter string
		rewarded bool
	}{{"inspector", false}, {"citizen", true}, {"anon", false}} {
		h := f.closed(tc.reporter, nil) // Hazard says verified; the directory decides.
		require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
		rs, err := f.ledger.ByHazard(ctx, h.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.rewarded, len(rs) == 1, "reporter %s rewarded", tc.reporter)
	}
	h := f.closed("unknown", nil)
	assert.ErrorIs(t, f.svc.Consumer().Handle(ctx, closedEvent(h)), hazard.ErrNotFound)
}

func TestDailyCapThroughTheService(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 4 {
		h := f.closed("alice", nil)
		require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
		rs, err := f.ledger.ByHazard(ctx, h.ID)
		require.NoError(t, err)
		assert.Equal(t, i < 3, len(rs) == 1, "report %d rewarded (3 a day)", i+1)
	}
	f.clock.Advance(24 * time.Hour)
	r := f.issue(t, f.closed("alice", nil))
	assert.Equal(t, reward.StatusPending, r.Status, "a new day, a new allowance")
}

func TestBudgetUnderConcurrency(t *testing.T) {
	// 50 reporters close 50 hazards at once under a budget of ¥500 with
	// ¥20 rewards: 25 are paid, the budget is never exceeded and no hazard
	// gets two rewards, even though every goroutine read the totals before
	// the others issued.
	p := reward.CityProgramme()
	p.Caps.Budget = reward.Yuan(500)
	f := newFixture(t, func(c *reward.Config) { c.Policies = []reward.Policy{p} })
	var hs []hazard.Hazard
	for i := range 50 {
		hs = append(hs, f.closed(fmt.Sprintf("r%02d", i), nil))
	}
	var wg sync.WaitGroup
	for _, h := range hs {
		for range 2 { // each delivered twice, concurrently
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
			}()
		}
	}
	wg.Wait()
	var n int
	for _, h := range hs {
		rs, err := f.ledger.ByHazard(ctx, h.ID)
		require.NoError(t, err)
		require.LessOrEqual(t, len(rs), 1)
		n += len(rs)
	}
	assert.Equal(t, 25, n)
	spent, err := f.ledger.Totals(ctx, reward.Tally{Policy: "city", Since: T0.Add(-24 * time.Hour), Until: T0.Add(24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, reward.Yuan(500), spent.Amount)
	assert.Len(t, f.hazards.ofType(hazard.EventRewardIssued), 25)
	spent, left, err := f.svc.BudgetLeft(ctx, "city")
	require.NoError(t, err)
	assert.Equal(t, reward.Total{Count: 25, Amount: reward.Yuan(500)}, spent)
	assert.Equal(t, reward.Fen(0), left)
	_, _, err = f.svc.BudgetLeft(ctx, "nope")
	assert.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := reward.NewMetrics(reg)
	require.NoError(t, err)
	_, err = reward.NewMetrics(reg)
	assert.ErrorIs(t, err, hazard.ErrConflict, "registering twice")
	f := newFixture(t, func(c *reward.Config) { c.Metrics = m })
	r1 := f.issue(t, f.closed("alice", nil))
	f.issue(t, f.closed("bob", func(h *hazard.Hazard) { h.Category = "fire" }))
	require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(f.closed("carol", func(h *hazard.Hazard) { h.Reporter.Verified = false }))))
	_, err = f.svc.Claim(ctx, citizen("alice"), r1.ID)
	require.NoError(t, err)
	f.clock.Advance(30 * 24 * time.Hour)
	n, err := f.svc.ExpireDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	assert.Equal(t, 2.0, value(t, reg, "hazardloop_rewards_issued_total"))
	assert.Equal(t, 7000.0, value(t, reg, "hazardloop_rewards_issued_fen_total"))
	assert.Equal(t, 1.0, value(t, reg, "hazardloop_rewards_claimed_total"))
	assert.Equal(t, 2000.0, value(t, reg, "hazardloop_rewards_claimed_fen_total"))
	assert.Equal(t, 1.0, value(t, reg, "hazardloop_rewards_expired_total"))
	assert.Equal(t, 5000.0, value(t, reg, "hazardloop_rewards_expired_fen_total"))
	// April's budget is untouched after the expiry sweep ran in April.
	assert.Equal(t, float64(reward.Yuan(100_000)), value(t, reg, "hazardloop_reward_budget_left_fen"))
	assert.Equal(t, 1, testutil.CollectAndCount(reg, "hazardloop_rewards_denied_total"))
}

// value returns the sum of the values of the named metric family.
func value(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var v float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			v += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return v
}
