package inspection_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

// fields returns the fields of every problem of a CodeInvalid error.
func fields(t *testing.T, err error) []string {
	t.Helper()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.True(t, errors.As(err, &e))
	var out []string
	for _, p := range e.Fields {
		out = append(out, p.Field)
	}
	if len(out) == 0 {
		out = append(out, e.Field)
	}
	return out
}

func TestSamplesLoadAndAreMarked(t *testing.T) {
	ids := inspection.SampleIDs()
	assert.Len(t, ids, 5)
	for _, c := range inspection.Samples() {
		assert.True(t, c.Sample, "%s is marked a sample", c.ID)
		assert.Contains(t, c.Title, "SAMPLE", "%s says so in its title", c.ID)
		assert.NoError(t, c.Validate(), c.ID)
	}
	_, err := inspection.Sample("../etc")
	require.ErrorIs(t, err, hazard.ErrNotFound)
}

func TestParseJSONReportsEveryProblem(t *testing.T) {
	in := `{"id": "x", "title": "T", "industry": "i", "department": "d", "category": "fire", "items": [
		{"code": "A", "text": "one", "basis": {"standard": "S"}, "deadline_days": 3},
		{"code": "A", "text": "", "basis": {"standard": "S"}, "deadline_days": 3},
		{"code": "", "text": "three", "basis": {}, "deadline_days": 0}]}`
	_, err := inspection.ParseJSON(strings.NewReader(in))
	assert.ElementsMatch(t, []string{"items[1].code", "items[1].text", "items[2].code", "items[2].basis.standard", "items[2].deadline_days"}, fields(t, err))

	_, err = inspection.ParseJSON(strings.NewReader(`{"id": "x", "unknown": 1}`))
	assert.Equal(t, []string{"file"}, fields(t, err), "an unknown field")
	_, err = inspection.ParseJSON(strings.NewReader(`{"title": "T"}`))
	assert.ElementsMatch(t, []string{"id", "industry", "department", "category", "items"}, fields(t, err))
}

func TestParseCSV(t *testing.T) {
	meta := inspection.Checklist{ID: "gas", Title: "Gas", Industry: "urban_gas", Department: "gas", Category: "gas"}
	good := "\uFEFFcode,text,standard,article,criterion,deadline_days\nG-1,Alarm works,GB 1,5,城镇燃气经营安全重大隐患判定标准,7\nG-2,Hose short,GB 2,,,15\n"
	c, err := inspection.ParseCSV(strings.NewReader(good), meta)
	require.NoError(t, err)
	require.Len(t, c.Items, 2)
	assert.True(t, c.Items[0].Major())
	assert.False(t, c.Items[1].Major())
	assert.Equal(t, "5", c.Items[0].Basis.Article)

	bad := "code,text,standard,article,criterion,deadline_days\nG-1,Alarm,GB 1,,,7\nG-1,,GB 1,,,x\n,Hose,,,,\n"
	_, err = inspection.ParseCSV(strings.NewReader(bad), meta)
	assert.ElementsMatch(t, []string{"line[3].code", "line[3].text", "line[3].deadline_days", "line[4].code", "line[4].basis.standard", "line[4].deadline_days"}, fields(t, err))

	_, err = inspection.ParseCSV(strings.NewReader("code,text\nA,b\n"), meta)
	assert.ElementsMatch(t, []string{"header", "header", "header", "header"}, fields(t, err), "each missing column")
}

func TestChecklistLimits(t *testing.T) {
	c := inspectiontest.Checklist("big", inspection.MaxItems)
	require.NoError(t, c.Validate())
	c = inspectiontest.Checklist("big", inspection.MaxItems+1)
	assert.Contains(t, fields(t, c.Validate()), "items")
	c = inspectiontest.Checklist("late", 1)
	c.Items[0].DeadlineDays = int(inspection.MaxItemDeadline/hazard.Day) + 1
	assert.Equal(t, []string{"items[0].deadline_days"}, fields(t, c.Validate()))
	c.Items[0].DeadlineDays = int(inspection.MaxItemDeadline / hazard.Day)
	assert.NoError(t, c.Validate())
	_, err := inspection.ParseJSON(strings.NewReader(strings.Repeat(" ", inspection.MaxChecklistFileSize+1)))
	assert.Equal(t, []string{"file"}, fields(t, err))
}

func TestPublishVersionsAreImmutable(t *testing.T) {
	f := newFixture(t)
	next := f.cl.Clone()
	next.Items = next.Items[:2]
	v2, err := f.Inspection.PublishChecklist(ctx, inspectiontest.Officer, next)
	require.NoError(t, err)
	assert.Equal(t, 2, v2.Version)
	v1, err := f.Inspection.Checklist(ctx, inspectiontest.Inspector1, f.cl.ID, 1)
	require.NoError(t, err)
	assert.Len(t, v1.Items, len(f.cl.Items), "version 1 is unchanged")
	_, err = f.Inspection.PublishChecklist(ctx, inspectiontest.Manager(f.unit.ID), next)
	require.ErrorIs(t, err, hazard.ErrForbidden)
}
