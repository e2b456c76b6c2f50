package hazard_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// refused marks a (state, action) pair that is allowed by the graph but
// refused by a guard for the subject's severity.
const refused = "<guard>"

// citizenTargets is the citizen preset's transition table, written out by
// hand: (state, action) -> target. Pairs not listed must conflict.
var citizenTargets = map[[2]string]string{
	{"submitted", "dispatch"}:   "dispatched",
	{"submitted", "reject"}:     "closed_invalid",
	{"submitted", "withdraw"}:   "withdrawn",
	{"dispatched", "accept"}:    "accepted",
	{"dispatched", "send_back"}: "submitted",
	{"accepted", "resolve"}:     "resolved",
	{"resolved", "approve"}:     "closed_valid",
	{"resolved", "return"}:      "accepted",
	{"closed_valid", "reopen"}:  "dispatched",
}

var citizenRoles = map[string][]workflow.Role{
	"dispatch":  {hazard.RoleDispatcher, hazard.RoleAdmin},
	"reject":    {hazard.RoleDispatcher, hazard.RoleAdmin},
	"withdraw":  {hazard.RoleReporter},
	"accept":    {hazard.RoleHandler, hazard.RoleAdmin},
	"send_back": {hazard.RoleHandler, hazard.RoleAdmin},
	"resolve":   {hazard.RoleHandler, hazard.RoleAdmin},
	"approve":   {hazard.RoleReviewer, hazard.RoleAdmin},
	"return":    {hazard.RoleReviewer, hazard.RoleAdmin},
	"reopen":    {hazard.RoleReporter, hazard.RoleReviewer, hazard.RoleAdmin},
}

var citizenNeeds = map[string][]workflow.InputKind{
	"dispatch":  {workflow.NeedDepartment},
	"reject":    {workflow.NeedReason},
	"send_back": {workflow.NeedReason},
	"resolve":   {workflow.NeedReason, workflow.NeedPhotos},
	"return":    {workflow.NeedReason},
	"reopen":    {workflow.NeedReason},
}

// rectificationTargets gives, per severity, (state, action) -> target, or
// refused when a guard keeps the hazard off that path.
var rectificationTargets = map[bool]map[[2]string]string{
	false: {
		{"found", "list"}:                refused,
		{"found", "order"}:               "rectifying",
		{"found", "dismiss"}:             "dismissed",
		{"listed", "order"}:              "rectifying",
		{"rectifying", "rectify"}:        "rectified",
		{"rectified", "pass"}:            "closed_out",
		{"rectified", "pass_major"}:      refused,
		{"rectified", "fail"}:            "rectifying",
		{"awaiting_signoff", "sign_off"}: "closed_out",
		{"awaiting_signoff", "return"}:   "rectifying",
		{"closed_out", "reopen"}:         "rectifying",
	},
	true: {
		{"found", "list"}:                "listed",
		{"found", "order"}:               refused,
		{"found", "dismiss"}:             "dismissed",
		{"listed", "order"}:              "rectifying",
		{"rectifying", "rectify"}:        "rectified",
		{"rectified", "pass"}:            refused,
		{"rectified", "pass_major"}:      "awaiting_signoff",
		{"rectified", "fail"}:            "rectifying",
		{"awaiting_signoff", "sign_off"}: "closed_out",
		{"awaiting_signoff", "return"}:   "rectifying",
		{"closed_out", "reopen"}:         "rectifying",
	},
}

var rectificationRoles = map[string][]workflow.Role{
	"list":       {hazard.RoleReviewer, hazard.RoleAdmin},
	"order":      {hazard.RoleInspector, hazard.RoleAdmin},
	"dismiss":    {hazard.RoleInspector, hazard.RoleAdmin},
	"rectify":    {hazard.RoleEnterprise},
	"pass":       {hazard.RoleInspector, hazard.RoleAdmin},
	"pass_major": {hazard.RoleInspector, hazard.RoleAdmin},
	"fail":       {hazard.RoleInspector, hazard.RoleAdmin},
	"sign_off":   {hazard.RoleReviewer, hazard.RoleAdmin},
	"return":     {hazard.RoleReviewer, hazard.RoleAdmin},
	"reopen":     {hazard.RoleSupervisor, hazard.RoleReviewer, hazard.RoleAdmin},
}

var rectificationNeeds = map[string][]workflow.InputKind{
	"order":   {workflow.NeedReason},
	"dismiss": {workflow.NeedReason},
	"rectify": {workflow.NeedReason, workflow.NeedPhotos},
	"fail":    {workflow.NeedReason},
	"return":  {workflow.NeedReason},
	"reopen":  {workflow.NeedReason},
}

type presetCase struct {
	name    string
	def     *workflow.Definition
	subject any
	targets map[[2]string]string
	roles   map[string][]workflow.Role
	needs   map[string][]workflow.InputKind
}

func presetCases() []presetCase {
	return []presetCase{
		{"citizen/general", hazard.CitizenReport().Definition(), general, citizenTargets, citizenRoles, citizenNeeds},
		{"citizen/major", hazard.CitizenReport().Definition(), major, citizenTargets, citizenRoles, citizenNeeds},
		{"rectification/general", hazard.Rectification().Definition(), general, rectificationTargets[false], rectificationRoles, rectificationNeeds},
		{"rectification/major", hazard.Rectification().Definition(), major, rectificationTargets[true], rectificationRoles, rectificationNeeds},
	}
}

func TestPresetNamesAndStates(t *testing.T) {
	c := hazard.CitizenReport().Definition()
	require.Equal(t, hazard.CitizenReportName, c.Name())
	require.Equal(t, 1, c.Version())
	require.Equal(t, "submitted", c.Initial())
	require.Equal(t, []string{"submitted", "dispatched", "accepted", "resolved", "closed_valid", "closed_invalid", "withdrawn"}, stateNames(c))
	require.ElementsMatch(t, []string{"dispatch", "accept", "resolve", "approve", "return", "reject", "send_back", "withdraw", "reopen"}, actionNames(c))
	for _, s := range []string{"closed_valid", "closed_invalid", "withdrawn"} {
		require.True(t, c.IsTerminal(s), "IsTerminal(%q)", s)
	}
	require.False(t, c.IsTerminal("resolved"))
	require.False(t, c.IsTerminal("nope"))

	r := hazard.Rectification().Definition()
	require.Equal(t, hazard.RectificationName, r.Name())
	require.Equal(t, 1, r.Version())
	require.Equal(t, "found", r.Initial())
	require.Equal(t, []string{"found", "listed", "rectifying", "rectified", "awaiting_signoff", "closed_out", "dismissed"}, stateNames(r))
	for _, d := range []*workflow.Definition{c, r} {
		for _, s := range d.States() {
			require.NotEmpty(t, s.Label.ZH, "%s state %s ZH label", d.Name(), s.Name)
			require.NotEmpty(t, s.Label.EN, "%s state %s EN label", d.Name(), s.Name)
		}
		for _, a := range d.Actions() {
			require.NotEmpty(t, a.Label.ZH, "%s action %s ZH label", d.Name(), a.Name)
			require.NotEmpty(t, a.Label.EN, "%s action %s EN label", d.Name(), a.Name)
		}
	}
}

// TestPresetTransitions fires every action from every state of both presets,
// with an allowed role and full input: allowed pairs reach their target,
// guarded ones are invalid, all others conflict.
func TestPresetTransitions(t *testing.T) {
	for _, pc := range presetCases() {
		t.Run(pc.name, func(t *testing.T) {
			for _, state := range stateNames(pc.def) {
				for _, action := range actionNames(pc.def) {
					role := pc.roles[action][0]
					actor := workflow.Actor{ID: "u1", Role: role}
					got, err := apply(pc.def, state, action, actor, fullInput(pc.subject))
					want, ok := pc.targets[[2]string{state, action}]
					switch {
					case !ok:
						require.ErrorIs(t, err, workflow.ErrConflict, "Apply(%s, %s)", state, action)
						require.Equal(t, workflow.Status{State: state}, got, "unchanged on error")
					case want == refused:
						require.ErrorIs(t, err, workflow.ErrInvalid, "Apply(%s, %s)", state, action)
					default:
						require.NoError(t, err, "Apply(%s, %s)", state, action)
						require.Equal(t, workflow.Status{
							State:      want,
							DeadlineIn: pc.def.Deadline(want, pc.subject),
							Deadline:   deadlineAt(pc.def.Deadline(want, pc.subject)),
						}, got, "Apply(%s, %s)", state, action)
					}
				}
			}
		})
	}
}

func deadlineAt(d time.Duration) time.Time {
	if d == 0 {
		return time.Time{}
	}
	return presetNow.UTC().Add(d)
}

// TestPresetRoleMatrix tries every role on every allowed pair.
func TestPresetRoleMatrix(t *testing.T) {
	for _, pc := range presetCases() {
		t.Run(pc.name, func(t *testing.T) {
			for pair, target := range pc.targets {
				state, action := pair[0], pair[1]
				for _, role := range allRoles {
					_, err := apply(pc.def, state, action, workflow.Actor{ID: "u", Role: role}, fullInput(pc.subject))
					allowed := slices.Contains(pc.roles[action], role)
					switch {
					case !allowed:
						require.ErrorIs(t, err, workflow.ErrForbidden, "Apply(%s, %s) as %q", state, action, role)
					case target == refused:
						require.ErrorIs(t, err, workflow.ErrInvalid, "Apply(%s, %s) as %q", state, action, role)
					default:
						require.NoError(t, err, "Apply(%s, %s) as %q", state, action, role)
					}
					require.Equal(t, allowed, pc.def.Can(state, action, role), "Can(%s, %s, %q)", state, action, role)
				}
			}
		})
	}
}

// TestPresetNeeds drops each required input in turn.
func TestPresetNeeds(t *testing.T) {
	for _, pc := range presetCases() {
		t.Run(pc.name, func(t *testing.T) {
			for pair, target := range pc.targets {
				if target == refused {
					continue
				}
				state, action := pair[0], pair[1]
				actor := workflow.Actor{ID: "u", Role: pc.roles[action][0]}
				needs := pc.needs[action]
				if len(needs) == 0 {
					_, err := apply(pc.def, state, action, actor, &workflow.Input{Subject: pc.subject})
					require.NoError(t, err, "Apply(%s, %s) with no input", state, action)
					continue
				}
				_, err := apply(pc.def, state, action, actor, nil)
				require.ErrorIs(t, err, workflow.ErrInvalid, "Apply(%s, %s, nil input)", state, action)
				for _, k := range needs {
					in := fullInput(pc.subject)
					switch k {
					case workflow.NeedReason:
						in.Reason = "  "
					case workflow.NeedDepartment:
						in.Department = ""
					case workflow.NeedPhotos:
						in.Photos = nil
					}
					_, err := apply(pc.def, state, action, actor, in)
					require.ErrorIs(t, err, workflow.ErrInvalid, "Apply(%s, %s) without %s", state, action, k)
					var we *workflow.Error
					require.ErrorAs(t, err, &we)
					require.Equal(t, string(k), we.Field, "Field of Fire(%s, %s) without %s", state, action, k)
				}
			}
		})
	}
}

func TestPresetAvailable(t *testing.T) {
	c := hazard.CitizenReport().Definition()
	names := func(as []workflow.Action) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	require.Equal(t, []string{"dispatch", "reject"}, names(c.Available("submitted", hazard.RoleDispatcher)))
	require.Equal(t, []string{"withdraw"}, names(c.Available("submitted", hazard.RoleReporter)))
	require.Equal(t, []string{"dispatch", "reject"}, names(c.Available("submitted", hazard.RoleAdmin)))
	require.Equal(t, []string{"accept", "send_back"}, names(c.Available("dispatched", hazard.RoleHandler)))
	require.Equal(t, []string{"approve", "return"}, names(c.Available("resolved", hazard.RoleReviewer)))
	require.Empty(t, c.Available("resolved", hazard.RoleHandler))
	require.Equal(t, []string{"reopen"}, names(c.Available("closed_valid", hazard.RoleAdmin)), "a closed report may be reopened")
	require.Empty(t, c.Available("closed_valid", hazard.RoleHandler))
	require.Empty(t, c.Available("closed_invalid", hazard.RoleAdmin))
	require.Nil(t, c.Available("nope", hazard.RoleAdmin))

	r := hazard.Rectification().Definition()
	require.Equal(t, []string{"order", "dismiss"}, names(r.Available("found", hazard.RoleInspector)))
	require.Equal(t, []string{"pass", "pass_major", "fail"}, names(r.Available("rectified", hazard.RoleInspector)))
	require.Equal(t, []string{"rectify"}, names(r.Available("rectifying", hazard.RoleEnterprise)))

	// Available returns copies.
	a := c.Available("submitted", hazard.RoleDispatcher)
	a[0].Roles[0] = hazard.RoleReporter
	a[0].From[0] = "closed_valid"
	require.Equal(t, []string{"withdraw"}, names(c.Available("submitted", hazard.RoleReporter)))
	require.Equal(t, []string{"dispatch", "reject"}, names(c.Available("submitted", hazard.RoleDispatcher)))
}

func TestPresetDeadlines(t *testing.T) {
	c := hazard.CitizenReport().Definition()
	day := 24 * time.Hour
	for _, tc := range []struct {
		state   string
		subject any
		want    time.Duration
	}{
		{"submitted", nil, day},
		{"dispatched", general, day},
		{"accepted", general, 5 * day},
		{"accepted", nil, 5 * day},
		{"accepted", major, 2 * day},
		{"resolved", major, 3 * day},
		{"closed_valid", major, 0},
		{"nope", major, 0},
	} {
		require.Equal(t, tc.want, c.Deadline(tc.state, tc.subject), "citizen Deadline(%s, %v)", tc.state, tc.subject)
	}
	r := hazard.Rectification().Definition()
	for _, tc := range []struct {
		state   string
		subject any
		want    time.Duration
	}{
		{"found", general, 3 * day},
		{"found", major, 1 * day},
		{"listed", major, 3 * day},
		{"rectifying", general, 30 * day},
		{"rectifying", major, 90 * day},
		{"rectified", major, 7 * day},
		{"awaiting_signoff", major, 7 * day},
		{"closed_out", major, 0},
	} {
		require.Equal(t, tc.want, r.Deadline(tc.state, tc.subject), "rectification Deadline(%s, %v)", tc.state, tc.subject)
	}

	// Deadlines are configuration.
	dl := hazard.DefaultCitizenDeadlines()
	dl.HandleMajor = 12 * time.Hour
	dl.Review = 0
	custom := workflow.MustNew(hazard.CitizenReportSpec(dl))
	require.Equal(t, 12*time.Hour, custom.Deadline("accepted", major))
	require.Equal(t, time.Duration(0), custom.Deadline("resolved", major))
}

// TestRectificationPaths walks both paths end to end.
func TestRectificationPaths(t *testing.T) {
	r := hazard.Rectification().Definition()
	inspector := workflow.Actor{ID: "i", Role: hazard.RoleInspector}
	reviewer := workflow.Actor{ID: "r", Role: hazard.RoleReviewer}
	enterprise := workflow.Actor{ID: "e", Role: hazard.RoleEnterprise}
	walk := func(subject any, steps []struct {
		action string
		actor  workflow.Actor
		want   string
	}) {
		t.Helper()
		state := r.Initial()
		for _, s := range steps {
			got, err := apply(r, state, s.action, s.actor, fullInput(subject))
			require.NoError(t, err, "Apply(%s, %s)", state, s.action)
			require.Equal(t, s.want, got.State, "Apply(%s, %s)", state, s.action)
			state = got.State
		}
		require.True(t, r.IsTerminal(state))
	}
	type step = struct {
		action string
		actor  workflow.Actor
		want   string
	}
	walk(general, []step{
		{"order", inspector, "rectifying"},
		{"rectify", enterprise, "rectified"},
		{"fail", inspector, "rectifying"},
		{"rectify", enterprise, "rectified"},
		{"pass", inspector, "closed_out"},
	})
	walk(major, []step{
		{"list", reviewer, "listed"},
		{"order", inspector, "rectifying"},
		{"rectify", enterprise, "rectified"},
		{"pass_major", inspector, "awaiting_signoff"},
		{"return", reviewer, "rectifying"},
		{"rectify", enterprise, "rectified"},
		{"pass_major", inspector, "awaiting_signoff"},
		{"sign_off", reviewer, "closed_out"},
	})

	// The guard's message reaches the user.
	_, err := apply(r, "found", "order", inspector, fullInput(major))
	require.ErrorIs(t, err, workflow.ErrInvalid)
	require.Contains(t, err.Error(), "挂牌督办")
}
