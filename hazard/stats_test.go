package hazard_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = -1 })
	// Ten reports an hour apart: close i after i+1 hours for i < 6; the
	// fifth is resolved late (after its five-day deadline).
	var hs []hazard.Hazard
	for range 10 {
		hs = append(hs, f.submit(t, citizen, fireReport()))
		f.clock.Advance(time.Hour)
	}
	for i := range 6 {
		h := f.act(t, dispatcher, hs[i], "dispatch", hazard.ActInput{Department: "fire"})
		h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
		if i == 4 {
			f.clock.Advance(6 * hazard.Day)
		}
		h = f.act(t, fireDept, h, "resolve", resolution("r"))
		f.act(t, reviewer, h, "approve", hazard.ActInput{})
	}
	f.act(t, dispatcher, hs[6], "reject", hazard.ActInput{Note: "duplicate"})
	f.act(t, dispatcher, hs[7], "dispatch", hazard.ActInput{Department: "gas"})

	st, err := f.svc.Stats(ctx, t0, t0.Add(10*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 10, st.Total)
	assert.Equal(t, 7, st.Closed)
	assert.InDelta(t, 0.7, st.ClosureRate, 1e-9)
	assert.Equal(t, map[string]int{"closed_valid": 6, "closed_invalid": 1, "dispatched": 1, "submitted": 2}, st.ByState)
	assert.Equal(t, map[hazard.Outcome]int{hazard.OutcomeValid: 6, hazard.OutcomeInvalid: 1}, st.ByOutcome)
	assert.Equal(t, map[string]int{"fire": 6, "gas": 1, hazard.NoDepartment: 3}, st.ByDepartment)
	assert.Equal(t, 10, st.BySource[hazard.SourceCitizen])
	assert.Equal(t, 10, st.ByCategory["fire"])
	assert.Equal(t, 6, st.Rectified)
	assert.Equal(t, 5, st.RectifiedOnTime, "one was late")
	assert.InDelta(t, 5.0/6, st.RectifiedOnTimeRate, 1e-9)
	// Times to close, sorted: 7h, 8h, 9h, 10h, then 6d+4h (the rejection),
	// 6d+5h and 6d+6h: the nearest-rank median is the 4th, the p90 the 7th.
	assert.Equal(t, 10*time.Hour, st.MedianTimeToClose)
	assert.Equal(t, 6*hazard.Day+6*time.Hour, st.P90TimeToClose)

	// The ledger: open now, per department, oldest first.
	require.Len(t, st.Ledger, 2)
	assert.Equal(t, "gas", st.Ledger[0].Department)
	assert.Equal(t, 1, st.Ledger[0].Open)
	assert.Equal(t, hazard.NoDepartment, st.Ledger[1].Department)
	assert.Equal(t, 2, st.Ledger[1].Open)
	assert.Equal(t, 2, st.Ledger[1].Overdue)
	require.Len(t, st.Ledger[1].Oldest, 2)
	assert.Equal(t, hs[8].Ref, st.Ledger[1].Oldest[0].Ref)
	assert.Equal(t, hs[9].Ref, st.Ledger[1].Oldest[1].Ref)

	// A narrower period counts fewer.
	st, err = f.svc.Stats(ctx, t0, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 2, st.Total)

	_, err = f.svc.Stats(ctx, t0, t0)
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestStatsEmpty(t *testing.T) {
	f := newFixture(t)
	st, err := f.svc.Stats(context.Background(), t0, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, st.Total)
	assert.Zero(t, st.ClosureRate)
	assert.Zero(t, st.MedianTimeToClose)
}

// statsStore has the StatsStore capability.
type statsStore struct {
	hazard.Store
	calls int
}

func (s *statsStore) Stats(_ context.Context, _ *hazard.Processes, since, until, _ time.Time) (hazard.Stats, error) {
	s.calls++
	return hazard.Stats{Since: since, Until: until, Total: 42}, nil
}

func TestStatsUsesCapability(t *testing.T) {
	f := newFixture(t)
	ss := &statsStore{Store: f.store}
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: ss, Clock: f.clock.Now, Limiter: memlimit.New(memlimit.Config{Clock: f.clock.Now})})
	require.NoError(t, err)
	st, err := svc.Stats(context.Background(), t0, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 42, st.Total)
	assert.Equal(t, 1, ss.calls)
}

func TestDepartmentFigures(t *testing.T) {
	f := newFixture(t, func(c *hazard.ServiceConfig) {
		c.Departments = []hazard.Department{{Code: "fire"}, {Code: "gas"}, {Code: "emergency"}}
	})
	oldest := []hazard.LedgerItem{{Ref: "LC-1"}}
	st := hazard.Stats{
		ByDepartment: map[string]int{"fire": 6, "gas": 1, hazard.NoDepartment: 3, "old-dept": 2},
		Ledger: []hazard.DepartmentLedger{
			{Department: "gas", Open: 1, Oldest: oldest},
			{Department: "old-dept", Open: 2, Overdue: 1},
			{Department: hazard.NoDepartment, Open: 2, Overdue: 2},
		},
	}
	got, err := f.svc.DepartmentFigures(dispatcher, st)
	require.NoError(t, err)
	assert.Equal(t, []hazard.DepartmentFigures{
		{Department: "fire", Assigned: 6},
		{Department: "gas", Assigned: 1, Open: 1, Oldest: oldest},
		{Department: "emergency"},
		// Then every other code with hazards, sorted: a department since
		// removed from the configuration is not left out.
		{Department: "old-dept", Assigned: 2, Open: 2, Overdue: 1},
		{Department: hazard.NoDepartment, Assigned: 3, Open: 2, Overdue: 2},
	}, got)

	_, err = f.svc.DepartmentFigures(citizen, st)
	require.ErrorIs(t, err, hazard.ErrForbidden, "a reporter")
	_, err = f.svc.DepartmentFigures(hazard.User{}, st)
	require.ErrorIs(t, err, hazard.ErrUnauthenticated, "no user")
}
