package inspection_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

func TestStartNeedsTwoInspectorsIncludingYou(t *testing.T) {
	f := newFixture(t)
	in := inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: f.unit.ID, Inspectors: []string{inspectiontest.Inspector1.ID}, Checklist: f.cl.ID}
	_, err := f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	assert.Equal(t, []string{"inspectors"}, fields(t, err))
	in.Inspectors = []string{"a", "b"}
	_, err = f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	assert.Equal(t, []string{"inspectors"}, fields(t, err), "the acting inspector must be one of them")
	in.Inspectors = []string{inspectiontest.Inspector1.ID, inspectiontest.Inspector1.ID}
	_, err = f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	assert.Equal(t, []string{"inspectors[1]"}, fields(t, err))
	in.Inspectors = []string{inspectiontest.Inspector1.ID, inspectiontest.Inspector2.ID}
	in.Checklist = "none"
	_, err = f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	require.ErrorIs(t, err, hazard.ErrNotFound)
	in.Checklist = f.cl.ID
	_, err = f.Inspection.Start(ctx, inspectiontest.Manager(f.unit.ID), in)
	require.ErrorIs(t, err, hazard.ErrForbidden, "a unit does not run an enforcement visit")
}

func TestFinishRefusesBadInputAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	good := f.results(0)

	_, err := f.Inspection.Finish(ctx, inspectiontest.Reviewer, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: good})
	require.ErrorIs(t, err, hazard.ErrForbidden, "not an inspector of the visit")
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "inspectors", e.Field)

	bad := f.results(0, 2)
	bad[2].Photos = nil
	bad = append(bad, inspection.Result{Item: "Z-99", Outcome: inspection.Compliant})
	bad[1].Outcome = "maybe"
	bad[0].Severity = hazard.SeverityGeneral // C-01 is major under its criterion
	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: bad, Trained: inspection.Trained{Count: 3}})
	assert.ElementsMatch(t, []string{"results[0].severity_reason", "results[1].outcome", "results[2].photos", "results[4].item", "trained.topic"}, fields(t, err))

	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: good[1:]})
	assert.Equal(t, []string{"results"}, fields(t, err), "an unanswered item")

	got, err := f.Inspection.Inspection(ctx, inspectiontest.Officer, v.ID)
	require.NoError(t, err)
	assert.Equal(t, inspection.StatusOpen, got.Status, "nothing stored")
	assert.Len(t, f.events(t, v.ID), 1, "no finish event")

	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 7, Results: good})
	require.ErrorIs(t, err, hazard.ErrConflict)
}

func TestSeverityRaisedFreelyLoweredWithReason(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	res := f.results(0, 2)
	res[0].Severity, res[0].SeverityReason = hazard.SeverityGeneral, "a small quantity, separated the same day"
	res[2].Severity = hazard.SeverityMajor
	_, err := f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: res})
	require.NoError(t, err)
	f.Drain(t)
	bySev := map[hazard.Severity]int{}
	for _, h := range f.unitHazards(t, f.unit.ID) {
		bySev[h.Severity]++
	}
	assert.Equal(t, map[hazard.Severity]int{hazard.SeverityGeneral: 1, hazard.SeverityMajor: 1}, bySev)
}

func TestFinishRetriedIsIdempotent(t *testing.T) {
	f := newFixture(t)
	v := f.start(t)
	in := inspection.FinishInput{ExpectedVersion: 1, Results: f.results(0, 1)}
	first, err := f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, in)
	require.NoError(t, err)
	again, err := f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, in)
	require.NoError(t, err)
	assert.Equal(t, first, again, "a retried finish returns the finished visit")
	assert.Len(t, f.events(t, v.ID), 2, "one start and one finish event")
	f.Drain(t)
	require.NoError(t, f.Inspection.Consumer().Handle(ctx, f.events(t, v.ID)[1]), "a redelivered finish event")
	assert.Len(t, f.unitHazards(t, f.unit.ID), 2, "one hazard per non-compliant item")
}

// A consumer that crashes after its first hazard is retried and raises
// exactly one hazard per non-compliant item.
func TestCrashAfterNthHazardRecovers(t *testing.T) {
	for _, n := range []int{0, 1, 2} {
		f := newFixture(t)
		crashy := &flaky{HazardActor: f.Hazards, n: n}
		svc, err := inspection.New(inspection.Config{Store: f.Stores.Inspection, Units: f.Stores.Risk, Hazards: crashy,
			HazardStore: f.Stores.Hazards, Risk: f.Risk, Clock: f.Clock.Now})
		require.NoError(t, err)
		v := f.start(t)
		_, err = svc.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: f.results(0, 1, 2)})
		require.NoError(t, err)
		finish := f.events(t, v.ID)[1]
		require.ErrorIs(t, svc.Consumer().Handle(ctx, finish), errCrash, "the crash after %d hazards", n)
		assert.Len(t, f.unitHazards(t, f.unit.ID), n, "%d hazards before the crash", n)
		crashy.heal()
		require.NoError(t, svc.Consumer().Handle(ctx, finish), "redelivered after the crash")
		require.NoError(t, svc.Consumer().Handle(ctx, finish), "and once more")
		hs := f.unitHazards(t, f.unit.ID)
		assert.Len(t, hs, 3, "exactly one hazard per item after recovery (crash after %d)", n)
		descs := map[string]bool{}
		for _, h := range hs {
			descs[h.Description[:6]] = true
		}
		assert.Len(t, descs, 3, "one for each item")
	}
}

func TestSelfCheckRaisesSelfCheckHazards(t *testing.T) {
	f := newFixture(t)
	mgr := inspectiontest.Manager(f.unit.ID)
	other := f.register(t, 2, "110102")
	_, err := f.Inspection.Start(ctx, mgr, inspection.StartInput{Kind: inspection.KindSelfCheck, UnitID: other.ID, Checklist: f.cl.ID})
	require.ErrorIs(t, err, hazard.ErrForbidden, "another unit's self-check")
	v, err := f.Inspection.Start(ctx, mgr, inspection.StartInput{Kind: inspection.KindSelfCheck, UnitID: f.unit.ID, Checklist: f.cl.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{mgr.ID}, v.Inspectors)
	_, err = f.Inspection.Finish(ctx, inspectiontest.Manager(other.ID), v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: f.results(3)})
	require.ErrorIs(t, err, hazard.ErrForbidden)
	_, err = f.Inspection.Finish(ctx, mgr, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: f.results(3)})
	require.NoError(t, err)
	f.Drain(t)
	hs := f.unitHazards(t, f.unit.ID)
	require.Len(t, hs, 1)
	assert.Equal(t, hazard.SourceSelfCheck, hs[0].Source)
	assert.Equal(t, hazard.RectificationName, hs[0].Workflow, "supervised the same way")
	u, err := f.Stores.Risk.GetUnit(ctx, f.unit.ID)
	require.NoError(t, err)
	assert.True(t, u.LastInspected.IsZero(), "a self-check is not an inspection visit")
}
