package risk_test

import (
	"github.com/google/uuid"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

func TestPlan(t *testing.T) {
	h := newHarness(t)
	// Registered on epoch (2026-03-10): red units are due 2026-04-10,
	// orange 2026-06-10, blue 2027-03-10.
	var red, orange, blue []risk.Unit
	for i := range 4 {
		u := h.register(t, 100+i, "fire")
		_, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "p", Kind: risk.KindPlace, Assess: lecInput(60, 60, 150)})
		require.NoError(t, err)
		red = append(red, h.unit(t, u.ID))
	}
	for i := range 3 {
		u := h.register(t, 200+i, "fire", "gas")
		_, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "p", Kind: risk.KindPlace, Assess: lecInput(10, 20, 1000)}) // 200: orange
		require.NoError(t, err)
		orange = append(orange, h.unit(t, u.ID))
	}
	for i := range 20 {
		blue = append(blue, h.register(t, 300+i, "fire"))
	}
	h.register(t, 400, "gas") // blue, the gas department's alone
	// One red unit was inspected on 2026-04-01: due 2026-05-01.
	_, err := h.svc.RecordInspection(ctx, staff, red[0].ID, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)

	may := risk.PlanQuery{Department: "fire", From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Seed: 7}
	p, err := h.svc.Plan(ctx, staff, may)
	require.NoError(t, err)
	require.Len(t, p.Due, 1, "the red unit inspected in April")
	assert.Equal(t, red[0].ID, p.Due[0].UnitID)
	assert.Len(t, p.Overdue, 3, "red units due in April, never inspected")
	assert.Empty(t, p.Drawn, "no blue unit is due before June")
	assert.Equal(t, 4, p.Visits)
	assert.Equal(t, 8, p.InspectorVisits)

	june := may
	june.From, june.To = may.To, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	p, err = h.svc.Plan(ctx, staff, june)
	require.NoError(t, err)
	require.Len(t, p.Due, 3, "the orange units")
	for i, d := range p.Due {
		assert.Equal(t, orange[i].ID, d.UnitID, "in (due, ID) order")
	}
	assert.Len(t, p.Overdue, 4, "every red unit, red[0] since May")

	// A year on, the blue units are eligible: a tenth drawn, rounded up.
	next := risk.PlanQuery{Department: "fire", From: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), Seed: 7,
		Inspectors: []risk.Inspector{{ID: "i1"}, {ID: "i2"}, {ID: "i3", Conflicts: []uuid.UUID{blue[0].ID}}}}
	p, err = h.svc.Plan(ctx, staff, next)
	require.NoError(t, err)
	assert.Equal(t, 20, p.Eligible)
	require.Len(t, p.Drawn, 2)
	for _, d := range p.Drawn {
		assert.Len(t, d.Inspectors, 2)
		assert.Equal(t, risk.Blue, d.Grade)
	}
	again, err := h.svc.Plan(ctx, staff, next)
	require.NoError(t, err)
	assert.Equal(t, p.Drawn, again.Drawn, "the same seed draws the same units and inspectors")
	next.Sample = 20
	p, err = h.svc.Plan(ctx, staff, next)
	require.NoError(t, err)
	require.Len(t, p.Drawn, 20)
	for _, d := range p.Drawn {
		if d.UnitID == blue[0].ID {
			assert.NotContains(t, d.Inspectors, "i3", "never a conflicted inspector")
		}
	}
	assert.Equal(t, len(p.Due)+len(p.Overdue)+20, p.Visits)

	gas, err := h.svc.Plan(ctx, staff, risk.PlanQuery{Department: "gas", From: june.From, To: june.To})
	require.NoError(t, err)
	assert.Len(t, gas.Due, 3, "the orange units are the gas department's too")

	for name, q := range map[string]risk.PlanQuery{
		"no department": {From: may.From, To: may.To},
		"backwards":     {Department: "fire", From: may.To, To: may.From},
		"too long":      {Department: "fire", From: may.From, To: may.From.AddDate(2, 0, 0)},
		"negative":      {Department: "fire", From: may.From, To: may.To, Sample: -1},
		"twice":         {Department: "fire", From: may.From, To: may.To, Inspectors: []risk.Inspector{{ID: "a"}, {ID: "a"}}},
	} {
		_, err := h.svc.Plan(ctx, staff, q)
		assert.ErrorIs(t, err, hazard.ErrInvalid, name)
	}
	_, err = h.svc.Plan(ctx, citizen, may)
	require.ErrorIs(t, err, hazard.ErrForbidden)
}
