package hazard_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/workflow"
)

// closedFixed submits the citizen's fire report and takes it to closed as
// fixed by the fire department.
func closedFixed(t *testing.T, f *fixture) hazard.Hazard {
	t.Helper()
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	h = f.act(t, fireDept, h, "resolve", resolution("cleared"))
	h = f.act(t, reviewer, h, "approve", hazard.ActInput{})
	require.False(t, h.Open())
	return h
}

func TestReopenWindow(t *testing.T) {
	ctx := context.Background()
	back := []hazard.Photo{photo("back")}

	t.Run("reporter needs a photo", func(t *testing.T) {
		f := newFixture(t)
		h := closedFixed(t, f)
		_, err := f.svc.Act(ctx, citizen, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version, Note: "又堵了"})
		require.ErrorIs(t, err, hazard.ErrInvalid)
		var he *hazard.Error
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "photos", he.Field)
	})
	t.Run("reporter within the window", func(t *testing.T) {
		f := newFixture(t)
		h := closedFixed(t, f)
		f.clock.Advance(hazard.DefaultReopenWindow - time.Minute)
		h = f.act(t, citizen, h, hazard.ActionReopen, hazard.ActInput{Note: "又堵了", Photos: back})
		assert.Equal(t, hazard.StateDispatched, h.State)
		assert.Equal(t, "fire", h.Department, "back to the department that handled it")
		assert.Equal(t, 1, h.Aftercare.Reopens)
	})
	t.Run("reporter after the window", func(t *testing.T) {
		f := newFixture(t)
		h := closedFixed(t, f)
		f.clock.Advance(hazard.DefaultReopenWindow + time.Minute)
		_, err := f.svc.Act(ctx, citizen, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: back})
		require.ErrorIs(t, err, hazard.ErrConflict)
		require.ErrorIs(t, err, hazard.ErrReopenWindowPassed)
		got, err := f.store.Get(ctx, h.ID)
		require.NoError(t, err)
		assert.Equal(t, h.Version, got.Version, "a refused reopening changes nothing")
	})
	t.Run("staff at any time without a photo", func(t *testing.T) {
		f := newFixture(t)
		h := closedFixed(t, f)
		f.clock.Advance(3 * hazard.DefaultReopenWindow)
		h = f.act(t, reviewer, h, hazard.ActionReopen, hazard.ActInput{Note: "复核发现问题复现"})
		assert.True(t, h.Open())
		assert.Equal(t, 1, h.Aftercare.Reopens)
	})
	t.Run("configured window", func(t *testing.T) {
		dl := hazard.DefaultCitizenDeadlines()
		dl.ReopenWindow = 2 * hazard.Day
		pr := hazard.MustProcess(hazard.CitizenReportDeclarations(workflow.MustNew(hazard.CitizenReportSpec(dl))))
		ps, err := hazard.NewProcesses(pr, hazard.Rectification())
		require.NoError(t, err)
		f := newFixture(t, func(c *hazard.ServiceConfig) { c.Processes = ps })
		h := closedFixed(t, f)
		f.clock.Advance(3 * hazard.Day)
		_, err = f.svc.Act(ctx, citizen, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: back})
		require.ErrorIs(t, err, hazard.ErrReopenWindowPassed)
	})
}

func TestAskFixed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := closedFixed(t, f)
	other := f.submit(t, otherCit, fireReport()) // open: never asked

	f.clock.Advance(hazard.DefaultFixedCheckAfter - time.Minute)
	n, err := f.svc.AskFixed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "AskFixed before FixedCheckAfter")

	f.clock.Advance(2 * time.Minute)
	n, err = f.svc.AskFixed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "AskFixed after FixedCheckAfter")
	n, err = f.svc.AskFixed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "AskFixed asks once")

	evs := f.events(t, h.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, hazard.EventFixedCheck, last.Type)
	assert.Equal(t, hazard.System, last.Actor)
	assert.Len(t, f.events(t, other.ID), 1)
	h, err = f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	assert.True(t, h.Aftercare.Awaiting())

	_, err = f.svc.AnswerFixed(ctx, otherCit, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
	require.ErrorIs(t, err, hazard.ErrNotFound, "another citizen does not see it")
	_, err = f.svc.AnswerFixed(ctx, reviewer, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
	require.ErrorIs(t, err, hazard.ErrForbidden, "staff do not answer for the reporter")

	h, err = f.svc.AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
	require.NoError(t, err)
	assert.Equal(t, 1, h.Aftercare.FixedYes)
	assert.False(t, h.Open(), "a yes leaves it closed")
	evs = f.events(t, h.ID)
	assert.Equal(t, hazard.EventFixedAnswer, evs[len(evs)-1].Type)
	assert.Equal(t, hazard.FixedYes, evs[len(evs)-1].Data[hazard.DataFixed])

	_, err = f.svc.AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
	require.ErrorIs(t, err, hazard.ErrConflict, "one answer per closure")

	st, err := f.svc.Stats(ctx, t0.Add(-time.Hour), f.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, hazard.AftercareFigures{Asked: 1, FixedYes: 1}, st.Aftercare["fire"])
	figs, err := f.svc.DepartmentFigures(reviewer, st)
	require.NoError(t, err)
	assert.Equal(t, "fire", figs[0].Department)
	assert.Equal(t, 1, figs[0].Aftercare.FixedYes)
}

func TestAnswerFixedNo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := closedFixed(t, f)

	_, err := f.svc.AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Note: "没修好", Photos: []hazard.Photo{photo("n")}})
	require.ErrorIs(t, err, hazard.ErrConflict, "AnswerFixed before the question")

	f.clock.Advance(hazard.DefaultFixedCheckAfter)
	_, err = f.svc.AskFixed(ctx)
	require.NoError(t, err)
	h, err = f.store.Get(ctx, h.ID)
	require.NoError(t, err)

	_, err = f.svc.AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Note: "没修好"})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a no needs a photo, as a reopening does")

	h, err = f.svc.AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Note: "没修好", Photos: []hazard.Photo{photo("n")}})
	require.NoError(t, err)
	assert.True(t, h.Open(), "a no reopens it")
	assert.Equal(t, hazard.StateDispatched, h.State)
	assert.Equal(t, "fire", h.Department)
	assert.Equal(t, hazard.Aftercare{Reopens: 1, FixedNo: 1}, h.Aftercare, "the closure's check is over")
	evs := f.events(t, h.ID)
	last := evs[len(evs)-1]
	assert.Equal(t, hazard.ActionReopen, last.Action)
	assert.Equal(t, hazard.FixedNo, last.Data[hazard.DataFixed])

	_, err = f.svc.Act(ctx, citizen, h.ID, "accept", hazard.ActInput{ExpectedVersion: h.Version, Fields: map[string]string{hazard.DataFixed: "no"}})
	require.ErrorIs(t, err, hazard.ErrInvalid, "Fields may not pass for an answer")

	st, err := f.svc.Stats(ctx, t0.Add(-time.Hour), f.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, hazard.AftercareFigures{Reopened: 1, Reopens: 1, FixedNo: 1}, st.Aftercare["fire"])
}

// TestAskFixedConcurrent runs the sweep from several services sharing one
// store: the reporter is asked once.
func TestAskFixedConcurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := closedFixed(t, f)
	f.clock.Advance(hazard.DefaultFixedCheckAfter)
	var total atomic.Int64
	hazardtest.Together(8, func(int) {
		svc, err := hazard.NewService(hazard.ServiceConfig{Store: f.store, Clock: f.clock.Now, Refs: hazard.RefFormat{Prefix: "LC"},
			Limiter: memlimit.New(memlimit.Config{Clock: f.clock.Now})})
		if err != nil {
			t.Error(err)
			return
		}
		n, err := svc.AskFixed(ctx)
		if err != nil {
			t.Error(err)
		}
		total.Add(int64(n))
	})
	assert.Equal(t, int64(1), total.Load())
	n := 0
	for _, e := range f.events(t, h.ID) {
		if e.Type == hazard.EventFixedCheck {
			n++
		}
	}
	assert.Equal(t, 1, n, "one EventFixedCheck")
}

func TestAskFixedDisabledAndOld(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.FixedCheckAfter = -1 })
	closedFixed(t, f)
	f.clock.Advance(hazard.DefaultFixedCheckAfter)
	n, err := f.svc.AskFixed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "negative FixedCheckAfter never asks")

	g := newFixture(t)
	closedFixed(t, g)
	g.clock.Advance(2 * hazard.DefaultFixedCheckAfter)
	n, err = g.svc.AskFixed(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a closure older than twice FixedCheckAfter is not asked about")
}
