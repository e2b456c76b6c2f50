package hazard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/workflow"
)

// resolution is a valid resolve input.
func resolution(seed string) hazard.ActInput {
	return hazard.ActInput{Note: "杂物已清理 cleared", Photos: []hazard.Photo{photo(seed)}}
}

func TestActEffects(t *testing.T) {
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())

	f.clock.Advance(time.Hour)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire", PrivateNote: "call the owner"})
	assert.Equal(t, hazard.StateDispatched, h.State)
	assert.Equal(t, "fire", h.Department)
	assert.Equal(t, int64(2), h.Version)
	assert.Equal(t, t0.Add(time.Hour+hazard.DefaultCitizenDeadlines().Accept), h.Deadline, "the new state's deadline")
	assert.Equal(t, t0.Add(time.Hour), h.UpdatedAt)

	h = f.act(t, fireDept, h, "accept", hazard.ActInput{})
	h = f.act(t, fireDept, h, "resolve", resolution("after"))
	assert.Equal(t, hazard.StateResolved, h.State)
	assert.Equal(t, "杂物已清理 cleared", h.Resolution)
	require.Len(t, h.Evidence, 1)
	assert.Equal(t, photo("after").SHA256, h.Evidence[0].SHA256)

	h = f.act(t, reviewer, h, "approve", hazard.ActInput{Verdict: "属实，已整改", FineFen: 500_000, BonusFen: 20_000})
	assert.Equal(t, hazard.StateClosedValid, h.State)
	assert.Equal(t, "属实，已整改", h.Verdict)
	assert.Equal(t, int64(500_000), h.FineFen)
	assert.Equal(t, int64(20_000), h.BonusFen)
	assert.Equal(t, t0.Add(time.Hour), h.ClosedAt)
	assert.True(t, h.Deadline.IsZero(), "a terminal state has no deadline")
	assert.False(t, h.Open())

	ev := f.events(t, h.ID)
	require.Len(t, ev, 5)
	d := ev[1]
	assert.Equal(t, hazard.EventTransition, d.Type)
	assert.Equal(t, hazard.Actor{ID: dispatcher.ID, Role: "dispatcher"}, d.Actor)
	assert.Equal(t, "dispatch", d.Action)
	assert.Equal(t, hazard.StateSubmitted, d.From)
	assert.Equal(t, hazard.StateDispatched, d.To)
	assert.Equal(t, "call the owner", d.PrivateNote)
	assert.Equal(t, "fire", d.Data[hazard.DataDepartment])
	assert.Len(t, ev[3].Attachments, 1, "the resolution's photos are attached to its event")
	assert.Equal(t, "500000", ev[4].Data[hazard.DataFineFen])
	assert.Equal(t, "20000", ev[4].Data[hazard.DataBonusFen])
}

func TestActRejectRecordsReason(t *testing.T) {
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, dispatcher, h, "reject", hazard.ActInput{Note: "  不属于安全隐患  "})
	assert.Equal(t, hazard.StateClosedInvalid, h.State)
	assert.False(t, h.ClosedAt.IsZero())
	ev := f.events(t, h.ID)
	assert.Equal(t, "不属于安全隐患", ev[1].PublicNote, "the reason is the public note, normalised")
}

func TestActErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	submitted := f.submit(t, citizen, fireReport())
	dispatched := f.act(t, dispatcher, f.submit(t, otherCit, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})
	accepted := f.act(t, fireDept, f.act(t, dispatcher, f.submit(t, otherCit, fireReport()), "dispatch", hazard.ActInput{Department: "fire"}), "accept", hazard.ActInput{})

	tests := []struct {
		name   string
		user   hazard.User
		h      hazard.Hazard
		id     uuid.UUID
		action string
		in     hazard.ActInput
		err    error
		field  string
	}{
		{"unauthenticated", hazard.User{}, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "fire"}, hazard.ErrUnauthenticated, ""},
		{"missing hazard", dispatcher, submitted, uuid.Must(uuid.NewV7()), "dispatch", hazard.ActInput{Department: "fire"}, hazard.ErrNotFound, ""},
		{"no expected version", dispatcher, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "fire", ExpectedVersion: -1}, hazard.ErrInvalid, "expected_version"},
		{"action not allowed in state", dispatcher, submitted, uuid.Nil, "approve", hazard.ActInput{}, hazard.ErrConflict, ""},
		{"unknown action", dispatcher, submitted, uuid.Nil, "teleport", hazard.ActInput{}, hazard.ErrConflict, ""},
		{"role may not", reviewer, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "fire"}, hazard.ErrForbidden, ""},
		{"missing department", dispatcher, submitted, uuid.Nil, "dispatch", hazard.ActInput{}, hazard.ErrInvalid, "department"},
		{"unknown department", dispatcher, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "nasa"}, hazard.ErrInvalid, "department"},
		{"department on an action that assigns none", fireDept, dispatched, uuid.Nil, "accept", hazard.ActInput{Department: "gas"}, hazard.ErrInvalid, "department"},
		{"missing reason", dispatcher, submitted, uuid.Nil, "reject", hazard.ActInput{}, hazard.ErrInvalid, "note"},
		{"resolve without photos", fireDept, accepted, uuid.Nil, "resolve", hazard.ActInput{Note: "done"}, hazard.ErrInvalid, "photos"},
		{"note too long", fireDept, accepted, uuid.Nil, "resolve", hazard.ActInput{Note: strings.Repeat("x", hazard.MaxNoteLen+1), Photos: []hazard.Photo{photo("x")}}, hazard.ErrInvalid, "note"},
		{"verdict outside a sign-off", fireDept, accepted, uuid.Nil, "resolve", hazard.ActInput{Note: "done", Photos: []hazard.Photo{photo("x")}, BonusFen: 100}, hazard.ErrInvalid, "verdict"},
		{"field key the action writes", dispatcher, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "fire", PrivateNote: "staff only", Fields: map[string]string{hazard.DataPrivateNoteTo: "reporter"}}, hazard.ErrInvalid, "fields"},
		{"negative fine", reviewer, accepted, uuid.Nil, "approve", hazard.ActInput{FineFen: -1}, hazard.ErrInvalid, "fine_fen"},
		{"fine too large", reviewer, accepted, uuid.Nil, "approve", hazard.ActInput{FineFen: hazard.MaxAmountFen + 1}, hazard.ErrInvalid, "fine_fen"},
		{"handler of another department", gasDept, dispatched, uuid.Nil, "accept", hazard.ActInput{}, hazard.ErrNotFound, ""},
		{"handler on an unassigned hazard", fireDept, submitted, uuid.Nil, "accept", hazard.ActInput{}, hazard.ErrNotFound, ""},
		{"another citizen withdraws", otherCit, submitted, uuid.Nil, "withdraw", hazard.ActInput{}, hazard.ErrNotFound, ""},
		{"stale version", dispatcher, submitted, uuid.Nil, "dispatch", hazard.ActInput{Department: "fire", ExpectedVersion: 7}, hazard.ErrConflict, "expected_version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id
			if id == uuid.Nil {
				id = tt.h.ID
			}
			in := tt.in
			if in.ExpectedVersion == 0 {
				in.ExpectedVersion = tt.h.Version
			} else if in.ExpectedVersion < 0 {
				in.ExpectedVersion = 0
			}
			_, err := f.svc.Act(ctx, tt.user, id, tt.action, in)
			require.ErrorIs(t, err, tt.err)
			var e *hazard.Error
			require.ErrorAs(t, err, &e)
			if tt.field != "" {
				assert.Equal(t, tt.field, e.Field)
			}
			if tt.id == uuid.Nil {
				got, err := f.store.Get(ctx, tt.h.ID)
				require.NoError(t, err)
				assert.Equal(t, tt.h.Version, got.Version, "a refused action changes nothing")
			}
		})
	}
}

func TestActWorkflowErrorKeepsMessage(t *testing.T) {
	f := newFixture(t)
	in := fireReport()
	in.Severity = hazard.SeverityMajor
	in.Source = hazard.SourceInspection
	h := f.submit(t, inspector, in)
	_, err := f.svc.Act(context.Background(), inspector, h.ID, "order", hazard.ActInput{ExpectedVersion: h.Version, Note: "fix it"})
	require.ErrorIs(t, err, hazard.ErrInvalid, "the guard refuses ordering an unlisted major hazard")
	var we *workflow.Error
	require.ErrorAs(t, err, &we, "the workflow error is the cause")
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, we.Message, e.Message, "the guard's message is kept")
}

func TestActStaleVersionReportsCurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	_, err := f.svc.Act(ctx, dispatcher, h.ID, "reject", hazard.ActInput{ExpectedVersion: h.Version, Note: "dup"})
	require.ErrorIs(t, err, hazard.ErrConflict)
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, int64(2), e.Version, "the conflict names the current version")
}

func TestActConcurrentOneWins(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	const n = 20
	errs := make([]error, n)
	hazardtest.Together(n, func(i int) {
		dept := "fire"
		if i%2 == 1 {
			dept = "gas"
		}
		_, errs[i] = f.svc.Act(ctx, dispatcher, h.ID, "dispatch", hazard.ActInput{ExpectedVersion: h.Version, Department: dept})
	})
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, hazard.ErrConflict, "Act %d", i)
		var e *hazard.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, int64(2), e.Version, "Act %d: the conflict names the current version", i)
	}
	assert.Equal(t, 1, wins, "exactly one action wins")
	ev := f.events(t, h.ID)
	assert.Len(t, ev, 2, "one transition event")
}

func TestActWithdraw(t *testing.T) {
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	h = f.act(t, citizen, h, "withdraw", hazard.ActInput{Note: "reported twice"})
	assert.Equal(t, hazard.StateWithdrawn, h.State)
	assert.False(t, h.ClosedAt.IsZero())
}

func TestActDepartmentScope(t *testing.T) {
	f := newFixture(t)
	h := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "gas"})
	h = f.act(t, gasDept, h, "accept", hazard.ActInput{})
	assert.Equal(t, hazard.StateAccepted, h.State)
	h = f.act(t, admin, h, "resolve", resolution("admin"))
	assert.Equal(t, hazard.StateResolved, h.State, "an admin acts on any department's hazard")
}

func TestActClearsEscalation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	f.clock.Advance(hazard.DefaultCitizenDeadlines().Dispatch + time.Minute)
	n, err := f.svc.Escalate(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	h, err = f.store.Get(ctx, h.ID)
	require.NoError(t, err)
	require.Equal(t, hazard.StateSubmitted, h.Escalated)
	ev := f.events(t, h.ID)
	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	assert.Empty(t, h.Escalated, "a new state clears the escalation")
	ev = f.events(t, h.ID)[len(ev):]
	require.Len(t, ev, 1)
	assert.Equal(t, "true", ev[0].Data[hazard.DataLate], "an action after the deadline is marked late")
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.submit(t, citizen, fireReport())
	names := func(u hazard.User) []string {
		t.Helper()
		acts, err := f.svc.Actions(ctx, u, h.ID)
		require.NoError(t, err)
		var out []string
		for _, a := range acts {
			out = append(out, a.Name)
		}
		return out
	}
	assert.Equal(t, []string{"dispatch", "reject"}, names(dispatcher))
	assert.Equal(t, []string{"withdraw"}, names(citizen))
	// A hazard the user may not see answers as a missing one: no actions
	// listed, the same error.
	missing, missingErr := f.svc.Actions(ctx, otherCit, uuid.New())
	require.ErrorIs(t, missingErr, hazard.ErrNotFound, "Actions of a missing hazard")
	for _, u := range []hazard.User{otherCit, fireDept} {
		acts, err := f.svc.Actions(ctx, u, h.ID)
		require.ErrorIs(t, err, hazard.ErrNotFound, "Actions of a hazard %s may not see", u.ID)
		assert.Equal(t, missing, acts, "Actions of a hazard %s may not see", u.ID)
		assert.Equal(t, hazard.ErrorMessage(missingErr), hazard.ErrorMessage(err), "the answer is a missing hazard's")
	}
	acts, err := f.svc.Actions(ctx, dispatcher, h.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"department"}, acts[0].Needs)
	assert.Equal(t, "转办", acts[0].Label.ZH)
	// Inputs are named as Act takes them: a reason is the note.
	assert.Equal(t, []string{"note"}, acts[1].Needs, "needs of %s", acts[1].Name)

	h = f.act(t, dispatcher, h, "dispatch", hazard.ActInput{Department: "fire"})
	assert.Equal(t, []string{"accept", "send_back"}, names(fireDept))
	_, err = f.svc.Actions(ctx, gasDept, h.ID)
	require.ErrorIs(t, err, hazard.ErrNotFound, "another department does not see the hazard")
	assert.Empty(t, names(citizen), "too late to withdraw")

	_, err = f.svc.Actions(ctx, dispatcher, uuid.Must(uuid.NewV7()))
	require.ErrorIs(t, err, hazard.ErrNotFound)
	_, err = f.svc.Actions(ctx, hazard.User{}, h.ID)
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
}

func TestInputField(t *testing.T) {
	for k, want := range map[workflow.InputKind]string{
		workflow.NeedReason: "note", workflow.NeedDepartment: "department", workflow.NeedPhotos: "photos",
		"inspection_no": "fields.inspection_no",
	} {
		assert.Equal(t, want, hazard.InputField(k), "InputField(%s)", k)
	}
}
