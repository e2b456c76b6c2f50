package inspection_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

func TestVisitLimits(t *testing.T) {
	f := newFixture(t)
	ids := []string{inspectiontest.Inspector1.ID}
	for i := 1; i < inspection.MaxInspectors; i++ {
		ids = append(ids, fmt.Sprintf("insp-%d", i+10))
	}
	in := inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: f.unit.ID, Inspectors: ids, Checklist: f.cl.ID}
	_, err := f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	require.NoError(t, err, "MaxInspectors inspectors")
	in.Inspectors = append(ids, "one-more")
	_, err = f.Inspection.Start(ctx, inspectiontest.Inspector1, in)
	assert.Equal(t, []string{"inspectors"}, fields(t, err), "one more than MaxInspectors")

	v := f.start(t)
	res := f.results(0)
	res[0].Note = strings.Repeat("记", inspection.MaxNoteLen+1)
	res[0].Photos = make([]hazard.Photo, inspection.MaxResultPhotos+1)
	for i := range res[0].Photos {
		res[0].Photos[i] = inspectiontest.Photo(i)
	}
	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: res,
		Trained: inspection.Trained{Count: inspection.MaxTrainedCount + 1, Topic: "x"}})
	assert.ElementsMatch(t, []string{"results[0].note", "results[0].photos", "trained.count"}, fields(t, err))
	res = f.results(0)
	res[0].Note = strings.Repeat("记", inspection.MaxNoteLen)
	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: res,
		Trained: inspection.Trained{Count: inspection.MaxTrainedCount, Topic: "x"}})
	require.NoError(t, err, "every limit met exactly")
}

func TestOrderLimits(t *testing.T) {
	f := newFixture(t)
	in := inspection.OrderInput{UnitID: f.unit.ID, Department: "emergency", Requirement: strings.Repeat("整", inspection.MaxRequirementLen),
		Deadline: f.Clock.Now().Add(inspection.MaxOrderDeadline)}
	_, err := f.Inspection.IssueOrder(ctx, inspectiontest.Reviewer, in)
	require.NoError(t, err, "the limits met exactly")
	in.Requirement += "整"
	in.Deadline = in.Deadline.Add(1)
	_, err = f.Inspection.IssueOrder(ctx, inspectiontest.Reviewer, in)
	assert.ElementsMatch(t, []string{"requirement", "deadline"}, fields(t, err))
}
