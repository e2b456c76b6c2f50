package inspection_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

func TestOrderClimbsTheLadder(t *testing.T) {
	f := newFixture(t)
	f.inspectAndFail(t, f.unit.ID, 1)
	h := f.unitHazards(t, f.unit.ID)[0]
	in := inspection.OrderInput{HazardID: h.ID, Department: "emergency", Requirement: "rectify now", Deadline: f.Clock.Now().Add(2 * hazard.Day)}
	_, err := f.Inspection.IssueOrder(ctx, inspectiontest.Inspector1, in)
	require.ErrorIs(t, err, hazard.ErrForbidden, "an inspector does not issue orders")
	bad := in
	bad.Deadline, bad.Requirement = f.Clock.Now(), ""
	_, err = f.Inspection.IssueOrder(ctx, inspectiontest.Reviewer, bad)
	assert.ElementsMatch(t, []string{"deadline", "requirement"}, fields(t, err))
	o, err := f.Inspection.IssueOrder(ctx, inspectiontest.Reviewer, in)
	require.NoError(t, err)
	assert.Equal(t, f.unit.ID, o.UnitID, "the hazard's unit")
	assert.Equal(t, inspection.LevelDepartment, o.Level)

	n, err := f.Inspection.SweepOrders(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "not overdue yet")
	for _, want := range []inspection.Level{inspection.LevelDistrict, inspection.LevelCity, inspection.LevelCity} {
		f.Clock.Advance(inspection.DefaultEscalationStep + time.Hour)
		_, err = f.Inspection.SweepOrders(ctx)
		require.NoError(t, err)
		got, err := f.Stores.Inspection.GetOrder(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got.Level)
	}
	evs, err := f.hz.SubjectEvents(ctx, inspection.OrderSubject(o.ID), 0, 0)
	require.NoError(t, err)
	assert.Len(t, evs, 3, "issued, then two escalations: each step an event")
	fg, err := f.Inspection.Figures(ctx, inspectiontest.Officer, "emergency", inspectiontest.Epoch, f.Clock.Now())
	require.NoError(t, err)
	assert.Equal(t, map[inspection.Level]int{inspection.LevelCity: 1}, fg.OrdersOpen, "the figures count orders by rung")
	got, _ := f.Stores.Inspection.GetOrder(ctx, o.ID)
	_, err = f.Inspection.CompleteOrder(ctx, inspectiontest.Inspector1, o.ID, "done and checked", got.Version)
	require.NoError(t, err, "staff of the department complete it")
	_, err = f.Inspection.CompleteOrder(ctx, inspectiontest.Inspector1, o.ID, "again", got.Version+1)
	require.ErrorIs(t, err, hazard.ErrConflict)
}

// The automatic overdue escalation of hazards feeds the same ladder.
func TestHazardEscalationFeedsTheLadder(t *testing.T) {
	f := newFixture(t)
	f.inspectAndFail(t, f.unit.ID, 1)
	h := f.unitHazards(t, f.unit.ID)[0]
	f.Clock.Advance(5 * hazard.Day)
	n, err := f.Hazards.Escalate(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	f.Drain(t)
	l, err := f.Inspection.Orders(ctx, inspectiontest.Officer, inspection.OrderFilter{HazardID: h.ID}, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1, "an escalated hazard opens an order")
	assert.Equal(t, inspection.LevelDepartment, l.Items[0].Level)
	evs, err := f.hz.HazardEvents(ctx, h.ID)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	require.Equal(t, hazard.EventEscalated, last.Type)
	require.NoError(t, f.Inspection.Consumer().Handle(ctx, last), "a redelivered escalation")
	l, err = f.Inspection.Orders(ctx, inspectiontest.Officer, inspection.OrderFilter{HazardID: h.ID}, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, inspection.LevelDepartment, l.Items[0].Level, "changes nothing")
}
