package hazard_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// A citizen naming a company in the receiving unit exposes nothing to the
// company: enterprise scope is the unit a hazard was found at (UnitID),
// which only staff set.
func TestCitizenNamingACompanyExposesNothingToIt(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := fireReport()
	in.Unit = enterprise.UnitID // the citizen names the company
	h := f.submit(t, citizen, in)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	assert.Empty(t, h.UnitID, "a citizen's text sets no unit")

	for _, u := range []hazard.User{
		enterprise,
		{ID: "ent-old", Role: "enterprise", Department: enterprise.UnitID}, // the old rule: department equals Unit
	} {
		_, err := f.svc.StaffView(ctx, u, h.ID)
		require.ErrorIs(t, err, hazard.ErrNotFound, "StaffView by %+v", u)
		sight, err := f.svc.SightOf(ctx, u, h.ID)
		require.NoError(t, err)
		assert.Equal(t, hazard.SightPublic, sight, "SightOf %+v", u)
		q, err := f.svc.Queue(ctx, u, 0)
		require.NoError(t, err)
		assert.Empty(t, q, "Queue of %+v", u)
		acts, err := f.svc.Actions(ctx, u, h.ID)
		require.ErrorIs(t, err, hazard.ErrNotFound, "Actions of %+v", u)
		assert.Empty(t, acts, "Actions of %+v", u)
	}

	_, err := f.svc.Submit(ctx, citizen, hazard.SubmitInput{Category: "fire", Description: "x", UnitID: enterprise.UnitID,
		Location: in.Location, Photos: in.Photos}, "")
	require.ErrorIs(t, err, hazard.ErrForbidden, "a citizen may not set unit_id")
	var he *hazard.Error
	require.ErrorAs(t, err, &he)
	assert.Equal(t, "unit_id", he.Field)
}

// Once staff link a report to the unit, the unit's safety manager sees it,
// never who reported it.
func TestLinkedUnitSeesTheHazardWithoutItsReporter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire", PrivateNote: "called " + citizenName})

	_, err := f.svc.LinkUnit(ctx, citizen, h.ID, enterprise.UnitID, h.Version)
	require.ErrorIs(t, err, hazard.ErrForbidden, "a reporter may not link")
	_, err = f.svc.LinkUnit(ctx, gasDept, h.ID, enterprise.UnitID, h.Version)
	require.ErrorIs(t, err, hazard.ErrNotFound, "staff out of scope may not link (nor see the hazard)")
	_, err = f.svc.LinkUnit(ctx, fireDept, h.ID, "", h.Version)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	_, err = f.svc.LinkUnit(ctx, fireDept, h.ID, enterprise.UnitID, h.Version-1)
	require.ErrorIs(t, err, hazard.ErrConflict)
	h, err = f.svc.LinkUnit(ctx, fireDept, h.ID, enterprise.UnitID, h.Version)
	require.NoError(t, err)
	assert.Equal(t, enterprise.UnitID, h.UnitID)

	v, err := f.svc.StaffView(ctx, enterprise, h.ID)
	require.NoError(t, err, "StaffView by the unit")
	assert.Equal(t, hazard.Reporter{}, v.Hazard.Reporter)
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	for _, secret := range []string{citizen.ID, citizenName, citizenPhone} {
		assert.NotContains(t, string(raw), secret, "the unit's view")
	}
	sight, err := f.svc.SightOf(ctx, enterprise, h.ID)
	require.NoError(t, err)
	assert.Equal(t, hazard.SightPublic, sight, "a unit never gets a citizen's originals")

	full, err := f.svc.StaffView(ctx, fireDept, h.ID)
	require.NoError(t, err)
	assert.Equal(t, citizen.ID, full.Hazard.Reporter.UserID, "staff still see the reporter")
	pub, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	for _, e := range pub.Timeline {
		assert.NotEqual(t, hazard.EventUnitLinked, e.Type, "linking is not on the plaza")
	}
}

func TestSelfCheckIsAtTheEnterprisesOwnUnit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := fireReport()
	in.Source = hazard.SourceSelfCheck
	in.UnitID = "someone-else"
	h := f.submit(t, enterprise, in)
	assert.Equal(t, enterprise.UnitID, h.UnitID)
	_, err := f.svc.Submit(ctx, hazard.User{ID: "ent-x", Role: "enterprise"}, in, "")
	require.ErrorIs(t, err, hazard.ErrForbidden, "an enterprise without a unit")

	in.UnitID = "acme-other"
	in.Source = hazard.SourceInspection
	h = f.submit(t, inspector, in)
	assert.Equal(t, "acme-other", h.UnitID, "staff name the unit")
}
