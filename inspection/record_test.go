package inspection_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

// TestRecordResultItemByItemThenFinish: results recorded one by one are
// kept in checklist order, a second answer replaces the first, and Finish
// with no results takes the recorded ones and raises their hazards.
func TestRecordResultItemByItemThenFinish(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	all := f.results(1)
	// Record in reverse order, the non-compliant one first as compliant.
	first := all[1]
	first.Outcome, first.Photos = inspection.Compliant, nil
	v, err := f.Inspection.RecordResult(ctx, inspectiontest.Inspector2, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: first})
	require.NoError(t, err)
	for i := len(all) - 1; i >= 0; i-- {
		v, err = f.Inspection.RecordResult(ctx, inspectiontest.Inspector1, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: all[i]})
		require.NoError(t, err, "RecordResult(%s)", all[i].Item)
	}
	require.Len(t, v.Results, len(f.cl.Items), "one result per item")
	for i, r := range v.Results {
		assert.Equal(t, f.cl.Items[i].Code, r.Item, "Results[%d] in checklist order", i)
	}
	assert.Equal(t, inspection.NonCompliant, v.Results[1].Outcome, "the second answer replaced the first")
	assert.Equal(t, hazard.SeverityMajor, v.Results[1].Severity, "resolved from the item's criterion")

	v, err = f.Inspection.RecordTrained(ctx, inspectiontest.Inspector1, v.ID, inspection.TrainedInput{ExpectedVersion: v.Version, Trained: inspection.Trained{Count: 4, Topic: " 储罐 安全 "}})
	require.NoError(t, err)
	assert.Equal(t, inspection.Trained{Count: 4, Topic: "储罐 安全"}, v.Trained)

	got, err := f.Inspection.Inspection(ctx, inspectiontest.Officer, v.ID)
	require.NoError(t, err)
	assert.Equal(t, v, got, "the server keeps the progress")

	done, err := f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: v.Version})
	require.NoError(t, err)
	assert.Equal(t, inspection.StatusFinished, done.Status)
	assert.Equal(t, v.Results, done.Results)
	assert.Equal(t, 4, done.Trained.Count, "the recorded people trained")
	f.Drain(t)
	assert.Len(t, f.unitHazards(t, f.unit.ID), 1, "the recorded non-compliant item raised its hazard")

	var types []hazard.EventType
	for _, e := range f.events(t, v.ID) {
		types = append(types, e.Type)
	}
	assert.Equal(t, inspection.EventStarted, types[0])
	assert.Equal(t, inspection.EventFinished, types[len(types)-1])
	assert.Contains(t, types, inspection.EventResultRecorded)
	assert.Contains(t, types, inspection.EventTrainedRecorded)
}

// TestFinishGivenResultReplacesRecorded: a result given at Finish wins
// over its item's recorded one; the others still count.
func TestFinishGivenResultReplacesRecorded(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	all := f.results()
	var err error
	for _, r := range all {
		v, err = f.Inspection.RecordResult(ctx, inspectiontest.Inspector1, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: r})
		require.NoError(t, err)
	}
	failed := f.results(2)[2]
	done, err := f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: v.Version, Results: []inspection.Result{failed}})
	require.NoError(t, err)
	assert.Len(t, done.Results, len(f.cl.Items))
	assert.Equal(t, []inspection.Result{done.Results[2]}, done.NonCompliant())
}

func TestRecordResultRefusesAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	other := f.register(t, 2, "110102")
	good := f.results(0)[0]
	for _, tc := range []struct {
		name   string
		user   hazard.User
		in     inspection.RecordInput
		code   error
		fields []string
	}{
		{"not an inspector of the visit", inspectiontest.Reviewer, inspection.RecordInput{ExpectedVersion: 1, Result: good}, hazard.ErrForbidden, []string{"inspectors"}},
		{"another unit's manager", inspectiontest.Manager(other.ID), inspection.RecordInput{ExpectedVersion: 1, Result: good}, hazard.ErrForbidden, []string{"inspectors"}},
		{"signed out", hazard.User{}, inspection.RecordInput{ExpectedVersion: 1, Result: good}, hazard.ErrUnauthenticated, nil},
		{"item not on the checklist", inspectiontest.Inspector1, inspection.RecordInput{ExpectedVersion: 1, Result: inspection.Result{Item: "Z-99", Outcome: inspection.Compliant}}, hazard.ErrInvalid, []string{"result.item"}},
		{"non-compliant without photo, bad outcome fields", inspectiontest.Inspector1, inspection.RecordInput{Result: inspection.Result{Item: good.Item, Outcome: inspection.NonCompliant, Severity: "tiny"}}, hazard.ErrInvalid, []string{"expected_version", "result.photos", "result.severity"}},
		{"unknown outcome", inspectiontest.Inspector1, inspection.RecordInput{ExpectedVersion: 1, Result: inspection.Result{Item: good.Item, Outcome: "maybe"}}, hazard.ErrInvalid, []string{"result.outcome"}},
		{"stale version", inspectiontest.Inspector1, inspection.RecordInput{ExpectedVersion: 7, Result: good}, hazard.ErrConflict, []string{"expected_version"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Inspection.RecordResult(ctx, tc.user, v.ID, tc.in)
			require.ErrorIs(t, err, tc.code)
			if tc.fields != nil {
				assert.ElementsMatch(t, tc.fields, errFields(t, err))
			}
		})
	}
	_, err := f.Inspection.RecordTrained(ctx, inspectiontest.Inspector1, v.ID, inspection.TrainedInput{ExpectedVersion: 1, Trained: inspection.Trained{Count: inspection.MaxTrainedCount + 1}})
	assert.ElementsMatch(t, []string{"trained.count", "trained.topic"}, fields(t, err))
	_, err = f.Inspection.RecordTrained(ctx, inspectiontest.Reviewer, v.ID, inspection.TrainedInput{ExpectedVersion: 1})
	require.ErrorIs(t, err, hazard.ErrForbidden)

	got, err := f.Inspection.Inspection(ctx, inspectiontest.Officer, v.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Results, "nothing stored")
	assert.Equal(t, int64(1), got.Version)
	assert.Len(t, f.events(t, v.ID), 1, "no recording event")

	// A finished visit takes no more results.
	v, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: f.results()})
	require.NoError(t, err)
	_, err = f.Inspection.RecordResult(ctx, inspectiontest.Inspector1, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: good})
	require.ErrorIs(t, err, hazard.ErrConflict)
	assert.Equal(t, []string{"status"}, errFields(t, err))
}

// TestSelfCheckRecordedByItsManager: the unit's safety manager records a
// self-check item by item and finishes it; the result raises a self-check
// hazard.
func TestSelfCheckRecordedByItsManager(t *testing.T) {
	f := newFixture(t)
	manager := inspectiontest.Manager(f.unit.ID)
	v, err := f.Inspection.Start(ctx, manager, inspection.StartInput{Kind: inspection.KindSelfCheck, UnitID: f.unit.ID, Checklist: f.cl.ID})
	require.NoError(t, err)
	_, err = f.Inspection.RecordResult(ctx, inspectiontest.Inspector1, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: f.results()[0]})
	require.ErrorIs(t, err, hazard.ErrForbidden, "an inspector does not fill a unit's self-check")
	for _, r := range f.results(3) {
		v, err = f.Inspection.RecordResult(ctx, manager, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: r})
		require.NoError(t, err)
	}
	v, err = f.Inspection.Finish(ctx, manager, v.ID, inspection.FinishInput{ExpectedVersion: v.Version})
	require.NoError(t, err)
	f.Drain(t)
	hz := f.unitHazards(t, f.unit.ID)
	require.Len(t, hz, 1)
	assert.Equal(t, hazard.SourceSelfCheck, hz[0].Source)
}

// TestRecordResultConcurrentOneWins: of inspectors recording at the same
// version, exactly one wins; the others are told to reload.
func TestRecordResultConcurrentOneWins(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			r := f.results()[i%len(f.cl.Items)]
			_, err := f.Inspection.RecordResult(ctx, inspectiontest.Inspector1, v.ID, inspection.RecordInput{ExpectedVersion: v.Version, Result: r})
			errs <- err
		}()
	}
	won := 0
	for range n {
		if err := <-errs; err == nil {
			won++
		} else {
			require.ErrorIs(t, err, hazard.ErrConflict)
		}
	}
	assert.Equal(t, 1, won)
	got, err := f.Inspection.Inspection(ctx, inspectiontest.Officer, v.ID)
	require.NoError(t, err)
	assert.Len(t, got.Results, 1)
	assert.Equal(t, int64(2), got.Version)
}

// errFields returns the fields an error of any code names.
func errFields(t *testing.T, err error) []string {
	t.Helper()
	var e *hazard.Error
	require.True(t, errors.As(err, &e), "a *hazard.Error: %v", err)
	var out []string
	for _, p := range e.Fields {
		out = append(out, p.Field)
	}
	if len(out) == 0 {
		out = append(out, e.Field)
	}
	return out
}

func TestSpotCheckReadBySupervisorsOnly(t *testing.T) {
	f := newFixture(t)
	sc, err := f.Inspection.DrawSpotCheck(ctx, inspectiontest.Supervisor, inspection.SpotQuery{Since: inspectiontest.Epoch.Add(-24 * time.Hour), Until: inspectiontest.Epoch.Add(24 * time.Hour), Size: 3})
	require.NoError(t, err)
	got, err := f.Inspection.SpotCheck(ctx, inspectiontest.Supervisor, sc.ID)
	require.NoError(t, err)
	assert.Equal(t, sc, got)
	_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Inspector1, sc.ID)
	require.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = f.Inspection.SpotCheck(ctx, inspectiontest.Supervisor, uuid.Must(uuid.NewV7()))
	require.ErrorIs(t, err, hazard.ErrNotFound)
}
