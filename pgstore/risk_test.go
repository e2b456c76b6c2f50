package pgstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/relay"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

func TestRiskStore(t *testing.T) {
	risktest.TestStore(t, func(t *testing.T) (risk.Store, hazard.EventLog) {
		db := newDB(t)
		return db.Risk(), db.Hazards()
	})
}

// TestRiskServiceOnPostgres runs the risk service over PostgreSQL: a unit
// graded by its point, regraded through the relay when a major hazard is
// found at it (the change logged in the one event log), and planned from
// the due-date index.
func TestRiskServiceOnPostgres(t *testing.T) {
	ctx := t.Context()
	db := newDB(t)
	hz := db.Hazards()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	svc, err := risk.New(risk.Config{Store: db.Risk(), Hazards: hz, Clock: func() time.Time { return now }})
	require.NoError(t, err)
	rl, err := relay.New(hz, hz, relay.Config{Consumers: []relay.Consumer{svc.Consumer()}})
	require.NoError(t, err)
	staff := hazard.User{ID: "admin-1", Role: "admin"}

	u, err := svc.RegisterUnit(ctx, staff, risk.UnitInput{CreditCode: risktest.CreditCode(1), Name: "Works", Industry: "dust",
		Size: risk.SizeSmall, Location: hazard.Location{Address: "2 Mill Lane"}, Departments: []string{"emergency"}})
	require.NoError(t, err)
	_, err = svc.AddPoint(ctx, staff, u.ID, risk.PointInput{Name: "silo", Kind: risk.KindDevice,
		Assess: risk.AssessInput{Method: risk.MethodLS, Values: map[string]risk.Tenths{"l": 30, "s": 30}}}) // 9: yellow
	require.NoError(t, err)
	got, err := svc.GetUnit(ctx, staff, u.ID)
	require.NoError(t, err)
	assert.Equal(t, risk.Yellow, got.Grade)

	h := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()))
	h.Severity = hazard.SeverityMajor
	_, _, err = hz.Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	require.NoError(t, rl.Drain(ctx))
	got, err = svc.GetUnit(ctx, staff, u.ID)
	require.NoError(t, err)
	assert.Equal(t, risk.Orange, got.Grade)
	evs, err := hz.SubjectEvents(ctx, risk.UnitSubject(u.ID), 0, 0)
	require.NoError(t, err)
	var types []hazard.EventType
	for _, e := range evs {
		types = append(types, e.Type)
	}
	assert.Equal(t, []hazard.EventType{risk.EventUnitRegistered, risk.EventGradeChanged, risk.EventGradeChanged}, types)

	// Orange, shortened by the open major hazard: monthly, due 2026-04-10.
	plan, err := svc.Plan(ctx, staff, risk.PlanQuery{Department: "emergency",
		From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Len(t, plan.Due, 1)
	assert.Equal(t, u.ID, plan.Due[0].UnitID)
	assert.Equal(t, time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), plan.Due[0].DueAt)
}
