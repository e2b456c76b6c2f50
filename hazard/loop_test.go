package hazard_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// runCitizenLoop drives one report through the whole citizen loop (submit,
// dispatch, accept, resolve, return, resolve, approve), half an hour per
// step, and returns the closed hazard.
func runCitizenLoop(t testing.TB, f *fixture) hazard.Hazard {
	t.Helper()
	step := func() { f.clock.Advance(30 * time.Minute) }
	h := f.submit(t, citizen, fireReport())
	step()
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire", PrivateNote: "reporter " + citizenName + " " + citizenPhone + " is a neighbour"})
	step()
	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	step()
	h = f.act(t, fireDept, h, "resolve", hazard.ActInput{Note: "已清理", Photos: []hazard.Photo{photo("first try")}})
	step()
	h = f.act(t, reviewer, h, "return", hazard.ActInput{Note: "照片不清晰 photo unclear", PrivateNote: "call " + citizenPhone + " to confirm",
		NoteToReporter: true})
	step()
	h = f.act(t, fireDept, h, "resolve", hazard.ActInput{Note: "已清理并加装标识", Photos: []hazard.Photo{photo("second try"), photo("sign")}})
	step()
	return f.act(t, reviewer, h, "approve", hazard.ActInput{Verdict: "属实", BonusFen: 5000})
}

func TestCitizenLoop(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := runCitizenLoop(t, f)

	assert.Equal(t, hazard.StateClosedValid, h.State)
	assert.Equal(t, int64(7), h.Version)
	assert.Equal(t, t0.Add(3*time.Hour), h.ClosedAt)
	assert.Equal(t, "已清理并加装标识", h.Resolution)
	assert.Len(t, h.Evidence, 2)

	ev := f.events(t, h.ID)
	type step struct{ typ, action, from, to, role string }
	var got []step
	for _, e := range ev {
		got = append(got, step{string(e.Type), e.Action, e.From, e.To, e.Actor.Role})
	}
	assert.Equal(t, []step{
		{"submitted", "", "", "", "reporter"},
		{"transition", "dispatch", "submitted", "dispatched", "dispatcher"},
		{"transition", "accept", "dispatched", "accepted", "handler"},
		{"transition", "resolve", "accepted", "resolved", "handler"},
		{"transition", "return", "resolved", "accepted", "reviewer"},
		{"transition", "resolve", "accepted", "resolved", "handler"},
		{"transition", "approve", "resolved", "closed_valid", "reviewer"},
	}, got)
	for i := 1; i < len(ev); i++ {
		assert.Greater(t, ev[i].Seq, ev[i-1].Seq, "events in order")
	}

	// The public view: the whole story, nothing of the reporter.
	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	assert.Equal(t, hazard.StateClosedValid, p.State)
	assert.Equal(t, "fire", p.Department)
	require.Len(t, p.Timeline, 7)
	assert.Equal(t, "照片不清晰 photo unclear", p.Timeline[4].Note, "a return's reason is public")
	assert.Empty(t, p.Timeline[0].Role, "who submitted is not said")
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	for _, secret := range []string{citizen.ID, citizenName, citizenPhone} {
		assert.NotContains(t, string(raw), secret, "the public view leaks %q", secret)
	}
	list, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{})
	require.NoError(t, err)
	raw, err = json.Marshal(list)
	require.NoError(t, err)
	for _, secret := range []string{citizen.ID, citizenName, citizenPhone} {
		assert.NotContains(t, string(raw), secret, "the public list leaks %q", secret)
	}

	// The reporter sees the note addressed to them, not the staff's.
	rv, err := f.svc.ReporterView(ctx, citizen, h.ID)
	require.NoError(t, err)
	require.Len(t, rv.Timeline, 7)
	assert.Equal(t, "call "+citizenPhone+" to confirm", rv.Timeline[4].Message)
	assert.Empty(t, rv.Timeline[1].Message, "a staff note is not shown to the reporter")

	// The stats of the day.
	st, err := f.svc.Stats(ctx, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, st.Total)
	assert.Equal(t, 1, st.Closed)
	assert.Equal(t, 1.0, st.ClosureRate)
	assert.Equal(t, 3*time.Hour, st.MedianTimeToClose)
	assert.Equal(t, 3*time.Hour, st.P90TimeToClose)
	assert.Equal(t, 1, st.ByState[hazard.StateClosedValid])
	assert.Equal(t, 1, st.ByDepartment["fire"])
	assert.Equal(t, 1, st.Rectified)
	assert.Equal(t, 1.0, st.RectifiedOnTimeRate)
	assert.Empty(t, st.Ledger, "nothing open")
}

func TestRectificationLoop(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := fireReport()
	in.Category = "hazardous_chemicals"
	in.Severity = hazard.SeverityMajor
	in.Source = hazard.SourceInspection
	in.UnitID = enterprise.UnitID
	in.Description = "储罐区未设置可燃气体报警装置"
	h := f.submit(t, inspector, in)
	require.Equal(t, hazard.StateFound, h.State)
	require.Equal(t, "emergency", h.Department)

	step := func() { f.clock.Advance(24 * time.Hour) }
	step()
	h = f.act(t, reviewer, h, "list", hazard.ActInput{Note: "重大隐患挂牌督办"})
	step()
	h = f.act(t, inspector, h, "order", hazard.ActInput{Note: "限期90日整改"})
	assert.Equal(t, f.clock.Now().Add(hazard.DefaultRectificationDeadlines().RectifyMajor), h.Deadline)
	step()
	_, err := f.svc.Act(ctx, hazard.User{ID: "ent-2", Role: "enterprise", UnitID: "other-co"}, h.ID, "rectify",
		hazard.ActInput{ExpectedVersion: h.Version, Note: "done", Photos: []hazard.Photo{photo("x")}})
	require.ErrorIs(t, err, hazard.ErrNotFound, "another enterprise may not report the rectification (nor see the hazard)")
	h = f.act(t, enterprise, h, "rectify", hazard.ActInput{Note: "已安装报警装置", Photos: []hazard.Photo{photo("alarm")}})
	step()
	h = f.act(t, inspector, h, "pass_major", hazard.ActInput{Verdict: "复查合格", FineFen: 3_000_000})
	step()
	h = f.act(t, reviewer, h, "sign_off", hazard.ActInput{Verdict: "准予销号"})
	assert.Equal(t, hazard.StateClosedOut, h.State)
	assert.Equal(t, "准予销号", h.Verdict)
	assert.Equal(t, t0.Add(5*24*time.Hour), h.ClosedAt)

	ev := f.events(t, h.ID)
	var actions []string
	for _, e := range ev[1:] {
		actions = append(actions, e.Action)
	}
	assert.Equal(t, []string{"list", "order", "rectify", "pass_major", "sign_off"}, actions)

	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	for _, secret := range []string{inspector.ID, enterprise.ID, citizenName, citizenPhone} {
		assert.NotContains(t, string(raw), secret)
	}

	st, err := f.svc.Stats(ctx, t0, t0.Add(30*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, st.Total)
	assert.Equal(t, 1, st.BySource[hazard.SourceInspection])
	assert.Equal(t, 1, st.ByCategory["hazardous_chemicals"])
	assert.Equal(t, 5*24*time.Hour, st.MedianTimeToClose)
	assert.Equal(t, 1, st.RectifiedOnTime)
}

// TestReporterReopens: a report closed as fixed is reopened by its
// reporter ("it is back"); its closure ends, the same department handles it
// again, and its next closure is the one that counts.
func TestReporterReopens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	h = f.act(t, fireDept, h, "resolve", resolution("cleared"))
	h = f.act(t, reviewer, h, "approve", hazard.ActInput{})
	require.False(t, h.Open())

	_, err := f.svc.Act(ctx, otherCit, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version, Note: "又堵了"})
	require.ErrorIs(t, err, hazard.ErrNotFound, "only its reporter reports it back (another citizen does not see it)")
	_, err = f.svc.Act(ctx, citizen, h.ID, hazard.ActionReopen, hazard.ActInput{ExpectedVersion: h.Version})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a reason is needed")
	acts, err := f.svc.Actions(ctx, citizen, h.ID)
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, hazard.ActionReopen, acts[0].Name)

	f.clock.Advance(24 * time.Hour)
	h = f.act(t, citizen, h, hazard.ActionReopen, hazard.ActInput{Note: "杂物又堆回来了", Photos: []hazard.Photo{photo("back")}})
	assert.Equal(t, hazard.StateDispatched, h.State)
	assert.True(t, h.Open(), "reopened")
	assert.Equal(t, "fire", h.Department, "the same department handles it again")
	assert.Equal(t, f.clock.Now().Add(hazard.DefaultCitizenDeadlines().Accept), h.Deadline)
	st, err := f.svc.Stats(ctx, t0.Add(-time.Hour), t0.Add(72*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, st.Closed, "a reopened hazard counts as open")

	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	h = f.act(t, fireDept, h, "resolve", resolution("cleared for good"))
	f.clock.Advance(time.Hour)
	h = f.act(t, reviewer, h, "approve", hazard.ActInput{})
	assert.Equal(t, f.clock.Now(), h.ClosedAt, "the latest closure counts")
	st, err = f.svc.Stats(ctx, t0.Add(-time.Hour), t0.Add(72*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, st.Closed)
	assert.Equal(t, map[hazard.Outcome]int{hazard.OutcomeValid: 1}, st.ByOutcome)

	p, err := f.svc.PublicView(ctx, h.Ref)
	require.NoError(t, err)
	var reopened int
	for _, e := range p.Timeline {
		if e.Action == hazard.ActionReopen {
			reopened++
		}
	}
	assert.Equal(t, 1, reopened, "the reopening is on the public timeline")
}
