package inspection_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

// TestSpotChecksListedByScope: supervision groups list every spot check,
// an inspector their department's only; a unit lists none; the filters
// are checked.
func TestSpotChecksListedByScope(t *testing.T) {
	f := newFixture(t)
	period := inspection.SpotQuery{Since: inspectiontest.Epoch.AddDate(0, -1, 0), Until: inspectiontest.Epoch.Add(time.Hour), Size: 1}
	emergency, fire, across := period, period, period
	emergency.Department, fire.Department = "emergency", "fire"
	var drawn []inspection.SpotCheck
	for _, q := range []inspection.SpotQuery{emergency, fire, across} {
		sc, err := f.Inspection.DrawSpotCheck(ctx, inspectiontest.Supervisor, q)
		require.NoError(t, err)
		drawn = append(drawn, sc)
	}
	ids := func(l inspection.SpotCheckList) []uuid.UUID {
		out := []uuid.UUID{}
		for _, sc := range l.Items {
			out = append(out, sc.ID)
		}
		return out
	}
	l, err := f.Inspection.SpotChecks(ctx, inspectiontest.Supervisor, inspection.SpotFilter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{drawn[2].ID, drawn[1].ID, drawn[0].ID}, ids(l), "a supervisor lists every spot check, newest first")
	l, err = f.Inspection.SpotChecks(ctx, inspectiontest.Inspector1, inspection.SpotFilter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{drawn[0].ID}, ids(l), "an inspector lists their department's")
	_, err = f.Inspection.SpotChecks(ctx, inspectiontest.Inspector1, inspection.SpotFilter{Department: "fire"}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrForbidden, "another department's, as an inspector")
	_, err = f.Inspection.SpotChecks(ctx, inspectiontest.Manager(f.unit.ID), inspection.SpotFilter{}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrForbidden, "a unit's safety manager")
	_, err = f.Inspection.SpotChecks(ctx, hazard.User{}, inspection.SpotFilter{}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
	_, err = f.Inspection.SpotChecks(ctx, inspectiontest.Supervisor, inspection.SpotFilter{Status: "lost", Verdict: "maybe",
		Since: inspectiontest.Epoch, Until: inspectiontest.Epoch}, hazard.Page{})
	assert.ElementsMatch(t, []string{"status", "verdict", "until"}, fields(t, err))
	l, err = f.Inspection.SpotChecks(ctx, inspectiontest.Supervisor, inspection.SpotFilter{Status: inspection.SpotDone}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 3, "a spot check that drew nothing is done")

	// One spot check: an inspector reads their department's only.
	_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Inspector1, drawn[0].ID)
	require.NoError(t, err)
	for _, sc := range drawn[1:] {
		_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Inspector1, sc.ID)
		require.ErrorIs(t, err, hazard.ErrForbidden, "another department's or one drawn across departments")
	}
	_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Reviewer, drawn[1].ID)
	require.NoError(t, err)
	_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Manager(f.unit.ID), drawn[0].ID)
	require.ErrorIs(t, err, hazard.ErrForbidden)
}

func TestSpotCheckStatusAndTally(t *testing.T) {
	sc := inspectiontest.SpotCheck("fire", inspectiontest.Epoch, []uuid.UUID{uuid.New(), uuid.New(), uuid.New()},
		inspection.VerdictConfirmed, inspection.VerdictFailed)
	assert.Equal(t, inspection.SpotOpen, sc.Status())
	assert.Equal(t, map[inspection.Verdict]int{inspection.VerdictPending: 1, inspection.VerdictConfirmed: 1, inspection.VerdictFailed: 1}, sc.Tally())
	sc.Items[2].Verdict = inspection.VerdictConfirmed
	assert.Equal(t, inspection.SpotDone, sc.Status())
	assert.True(t, sc.Has(inspection.VerdictFailed))
	for _, c := range []struct {
		limit, want int
	}{{0, hazard.DefaultPageLimit}, {inspection.MaxSpotCheckPageLimit + 1, inspection.MaxSpotCheckPageLimit}, {3, 3}} {
		got, err := inspection.SpotPageLimit(hazard.Page{Limit: c.limit})
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "SpotPageLimit(%d)", c.limit)
	}
	_, err := inspection.SpotPageLimit(hazard.Page{Limit: -1})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}
