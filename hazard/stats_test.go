package hazard_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
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

// listOnly hides the store's StatsReader capability, so that the service
// walks Store.List.
type listOnly struct{ hazard.Store }

// statsReader has the StatsReader capability and counts its calls.
type statsReader struct {
	*memstore.Store
	calls int
}

func (s *statsReader) StatsRows(ctx context.Context, f hazard.StatsFilter, yield func(*hazard.StatsRow) error) error {
	s.calls++
	return s.Store.StatsRows(ctx, f, yield)
}

func TestStatsUsesCapability(t *testing.T) {
	f := newFixture(t)
	f.submit(t, citizen, fireReport())
	ss := &statsReader{Store: f.store}
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: ss, Clock: f.clock.Now, Limiter: memlimit.New(memlimit.Config{Clock: f.clock.Now})})
	require.NoError(t, err)
	st, err := svc.Stats(context.Background(), t0, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, st.Total)
	assert.Equal(t, 2, ss.calls, "the period's hazards, then the open ones")
}

// TestStatsOf counts a scope of units and a department through the
// capability and through Store.List, with stages, items and overdue.
func TestStatsOf(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	unitA := enterprise.UnitID
	raise := func(unit string, major bool) hazard.Hazard {
		in := fireReport()
		in.Source = hazard.SourceInspection
		in.UnitID = unit
		if major {
			in.Severity = hazard.SeverityMajor
		}
		h := f.submit(t, inspector, in)
		f.clock.Advance(time.Hour)
		return h
	}
	a1, a2 := raise(unitA, true), raise(unitA, false)
	raise("unit-b", false)
	f.submit(t, citizen, fireReport()) // not at a unit
	a1 = f.act(t, reviewer, a1, "list", hazard.ActInput{Note: "major"})
	a1 = f.act(t, inspector, a1, "order", hazard.ActInput{Note: "fix it"})
	a1 = f.act(t, enterprise, a1, "rectify", hazard.ActInput{Note: "fixed", Photos: []hazard.Photo{photo("x")}})
	f.act(t, inspector, a2, "order", hazard.ActInput{Note: "fix it"})
	f.clock.Advance(60 * hazard.Day) // a2 is overdue now

	svcs := map[string]*hazard.Service{"reader": f.svc}
	plain, err := hazard.NewService(hazard.ServiceConfig{Store: listOnly{f.store}, Clock: f.clock.Now, Limiter: memlimit.New(memlimit.Config{Clock: f.clock.Now})})
	require.NoError(t, err)
	svcs["list"] = plain
	for name, svc := range svcs {
		t.Run(name, func(t *testing.T) {
			st, err := svc.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{UnitIDs: []string{unitA}}, Items: 10, Ledger: true})
			require.NoError(t, err)
			assert.Equal(t, 2, st.Total)
			assert.Equal(t, 1, st.Major)
			assert.Equal(t, 2, st.Open)
			assert.Equal(t, 2, st.Overdue, "both past their states' deadlines 60 days on")
			assert.Equal(t, map[hazard.Stage]int{hazard.StageOrdered: 2, hazard.StageRectified: 1}, st.ByStage)
			require.Len(t, st.Items, 2)
			assert.Equal(t, a1.ID, st.Items[0].ID, "oldest first")
			assert.Equal(t, hazard.StageRectified, st.Items[0].Stage)
			assert.Equal(t, unitA, st.Items[1].UnitID)
			assert.True(t, st.Items[1].Overdue)
			require.Len(t, st.Ledger, 1)
			assert.Equal(t, 2, st.Ledger[0].Open)

			st, err = svc.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{AtUnits: true}, Items: 1})
			require.NoError(t, err)
			assert.Equal(t, 3, st.Total, "every hazard found at a unit")
			assert.Len(t, st.Items, 1, "at most Items")
			assert.Nil(t, st.Ledger, "not asked for")

			st, err = svc.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{UnitIDs: []string{}}})
			require.NoError(t, err)
			assert.Zero(t, st.Total, "an empty list of units keeps none")

			st, err = svc.StatsOf(ctx, hazard.StatsQuery{Filter: hazard.StatsFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour), AtUnits: true}})
			require.NoError(t, err)
			assert.Equal(t, 2, st.Total, "a2 and b1 in the period")
		})
	}
}

func TestStatsOfInvalid(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name  string
		q     hazard.StatsQuery
		field string
	}{
		{"open", hazard.StatsQuery{Filter: hazard.StatsFilter{Open: true}}, "open"},
		{"items", hazard.StatsQuery{Items: hazard.MaxStatsItems + 1}, "items"},
		{"negative items", hazard.StatsQuery{Items: -1}, "items"},
		{"units", hazard.StatsQuery{Filter: hazard.StatsFilter{UnitIDs: make([]string, hazard.MaxStatsUnitIDs+1)}}, "filter.unit_ids"},
		{"period", hazard.StatsQuery{Filter: hazard.StatsFilter{Since: t0, Until: t0}}, "filter.until"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.StatsOf(context.Background(), c.q)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var he *hazard.Error
			require.ErrorAs(t, err, &he)
			var fields []string
			for _, fe := range he.Fields {
				fields = append(fields, fe.Field)
			}
			assert.Contains(t, fields, c.field)
		})
	}
	_, err := f.svc.StatsOf(context.Background(), hazard.StatsQuery{Items: hazard.MaxStatsItems,
		Filter: hazard.StatsFilter{UnitIDs: make([]string, hazard.MaxStatsUnitIDs)}})
	require.NoError(t, err, "the limits themselves are allowed")
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
