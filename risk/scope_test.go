package risk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// TestDepartmentScope: an inspector of one department lists, plans and
// acts on that department's units only; acting on another's is
// CodeForbidden and changes nothing. Unconfined staff see every unit.
func TestDepartmentScope(t *testing.T) {
	h := newHarness(t)
	mine := h.register(t, 1, "emergency")
	theirs := h.register(t, 2, "fire")
	insp := hazard.User{ID: "inspector-1", Role: string(hazard.RoleInspector), Department: "emergency"}

	assert.True(t, risk.Confined(insp))
	assert.False(t, risk.Confined(staff))
	assert.False(t, risk.Confined(hazard.User{ID: "s", Role: string(hazard.RoleSupervisor), Department: "emergency"}))

	l, err := h.svc.ListUnits(ctx, insp, risk.UnitFilter{}, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, mine.ID, l.Items[0].ID)
	_, err = h.svc.ListUnits(ctx, insp, risk.UnitFilter{Department: "fire"}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrForbidden)
	l, err = h.svc.ListUnits(ctx, staff, risk.UnitFilter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2)

	_, err = h.svc.Plan(ctx, insp, risk.PlanQuery{Department: "fire", From: epoch, To: epoch.Add(24 * time.Hour)})
	require.ErrorIs(t, err, hazard.ErrForbidden)
	p, err := h.svc.Plan(ctx, insp, risk.PlanQuery{From: epoch, To: epoch.Add(30 * 24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, "emergency", p.Department)

	_, err = h.svc.SetOverride(ctx, insp, theirs.ID, risk.Red, "found out", theirs.Version)
	require.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = h.svc.AddPoint(ctx, insp, theirs.ID, risk.PointInput{Name: "tank", Kind: risk.KindPlace, Assess: lecInput(60, 60, 150)})
	require.ErrorIs(t, err, hazard.ErrForbidden)
	after, err := h.svc.GetUnit(ctx, staff, theirs.ID)
	require.NoError(t, err)
	assert.Equal(t, theirs.Version, after.Version, "nothing changed")
	assert.Nil(t, after.Override)
	ps, err := h.svc.Points(ctx, staff, theirs.ID)
	require.NoError(t, err)
	assert.Empty(t, ps)

	pt, err := h.svc.AddPoint(ctx, staff, theirs.ID, risk.PointInput{Name: "tank", Kind: risk.KindPlace, Assess: lecInput(10, 10, 10)})
	require.NoError(t, err)
	_, err = h.svc.Assess(ctx, insp, pt.ID, lecInput(60, 60, 150), pt.Version)
	require.ErrorIs(t, err, hazard.ErrForbidden)

	u, err := h.svc.SetOverride(ctx, insp, mine.ID, risk.Red, "found out", mine.Version)
	require.NoError(t, err)
	assert.Equal(t, risk.Red, u.Override.Grade)
}

// TestPublicUnits: anyone lists the units' public views by the public
// filters only.
func TestPublicUnits(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	l, err := h.svc.PublicUnits(ctx, risk.UnitFilter{Industry: "chemicals"}, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, u.Public(), l.Items[0])
	l, err = h.svc.PublicUnits(ctx, risk.UnitFilter{Industry: "mining"}, hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
	_, err = h.svc.PublicUnits(ctx, risk.UnitFilter{Department: "emergency", Grid: "g"}, hazard.Page{})
	var he *hazard.Error
	require.ErrorAs(t, err, &he)
	assert.Equal(t, hazard.CodeInvalid, he.Code)
	assert.Len(t, he.Fields, 2)
}

// TestUnitDetailAndPointOfUnit: a unit with its points to its reader; a
// point named under another unit is not found, and nothing changes.
func TestUnitDetailAndPointOfUnit(t *testing.T) {
	h := newHarness(t)
	u := h.register(t, 1)
	other := h.register(t, 2)
	pt, err := h.svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "tank", Kind: risk.KindPlace, Assess: lecInput(10, 10, 10)})
	require.NoError(t, err)

	own := hazard.User{ID: "boss", Role: string(hazard.RoleEnterprise), UnitID: u.ID.String()}
	got, ps, err := h.svc.UnitDetail(ctx, own, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	require.Len(t, ps, 1)
	_, _, err = h.svc.UnitDetail(ctx, own, other.ID)
	require.ErrorIs(t, err, hazard.ErrForbidden)

	_, err = h.svc.AssessUnitPoint(ctx, staff, other.ID, pt.ID, lecInput(60, 60, 150), pt.Version)
	require.ErrorIs(t, err, hazard.ErrNotFound)
	_, err = h.svc.UnitPointAssessments(ctx, staff, other.ID, pt.ID, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrNotFound)
	l, err := h.svc.UnitPointAssessments(ctx, staff, u.ID, pt.ID, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 1, "nothing assessed under the other unit")
	p2, err := h.svc.AssessUnitPoint(ctx, staff, u.ID, pt.ID, lecInput(60, 60, 150), pt.Version)
	require.NoError(t, err)
	assert.Equal(t, risk.Red, p2.Grade)
}
