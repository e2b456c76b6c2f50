package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/mempay"
	"github.com/hazardloop/hazardloop/workflow"
)

// streetLight is an integrator's own process, made up for this test: a
// broken street light is reported, triaged by an operator of the lighting
// office, fixed by a lineman, or discarded; a fixed light that fails again
// is reopened. No state, action or role name is shared with the presets,
// and every effect (notices, deadlines, figures, rewards) comes from its
// declarations alone.
func streetLight(t *testing.T) *hazard.Process {
	t.Helper()
	const (
		operator workflow.Role = "light_operator"
		lineman  workflow.Role = "lineman"
	)
	def, err := workflow.New(workflow.Spec{
		Name: "street_light", Version: 1,
		States: []workflow.State{
			{Name: "logged", Kind: workflow.KindInitial, Label: workflow.Label{ZH: "已登记", EN: "Logged"},
				Deadline: func(any) time.Duration { return 2 * time.Hour }},
			{Name: "crew_assigned", Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "已派工", EN: "Crew assigned"},
				Deadline: func(s any) time.Duration {
					if hazard.IsMajor(s) {
						return 4 * time.Hour
					}
					return 24 * time.Hour
				}},
			{Name: "lit_again", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已亮灯", EN: "Lit again"}},
			{Name: "no_fault", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "无故障", EN: "No fault"}},
		},
		Actions: []workflow.Action{
			{Name: "assign_crew", Label: workflow.Label{ZH: "派工", EN: "Assign a crew"}, From: []string{"logged"}, To: "crew_assigned",
				Roles: []workflow.Role{operator}, Needs: []workflow.InputKind{workflow.NeedDepartment}},
			{Name: "close_no_fault", Label: workflow.Label{ZH: "无故障关闭", EN: "Close: no fault"}, From: []string{"logged"}, To: "no_fault",
				Roles: []workflow.Role{operator}, Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: "relamp", Label: workflow.Label{ZH: "更换灯具", EN: "Relamp"}, From: []string{"crew_assigned"}, To: "lit_again",
				Roles: []workflow.Role{lineman}, Needs: []workflow.InputKind{workflow.NeedReason, workflow.NeedPhotos}},
			{Name: "dark_again", Label: workflow.Label{ZH: "再次熄灭", EN: "Dark again"}, From: []string{"lit_again"}, To: "crew_assigned",
				Roles: []workflow.Role{operator}, Needs: []workflow.InputKind{workflow.NeedReason}},
		},
	})
	require.NoError(t, err, "the made-up definition")
	pr, err := hazard.NewProcess(hazard.ProcessSpec{
		Definition: def,
		States: map[string]hazard.StateMeaning{
			"lit_again": {Closes: hazard.OutcomeValid},
			"no_fault":  {Closes: hazard.OutcomeInvalid},
		},
		Notices: []hazard.Notice{
			{On: hazard.EventSubmitted, Audience: hazard.AudienceReporter, Template: "light_logged"},
			{Action: "assign_crew", Audience: hazard.Audience{Role: lineman, Scope: hazard.ScopeDepartment}, Template: "light_job"},
			{To: "lit_again", Audience: hazard.AudienceReporter, Template: "light_fixed"},
			{On: hazard.EventEscalated, Audience: hazard.Audience{Role: operator, Scope: hazard.ScopeAll}, Template: "light_overdue"},
		},
	})
	require.NoError(t, err, "the made-up declarations")
	return pr
}

// lightTexts are the preset texts plus the made-up process's.
func lightTexts() notify.Texts {
	texts := notify.DefaultTexts()
	for _, loc := range slices.Collect(maps.Keys(texts)) {
		texts[loc]["light_logged"] = `路灯报修 {{.ref}} 已登记（{{.state}}）。`
		texts[loc]["light_job"] = `{{.department}}：路灯 {{.ref}} 待维修（{{.action}}）{{with .deadline}}，期限 {{date .}}{{end}}。`
		texts[loc]["light_fixed"] = `路灯 {{.ref}} 已修复。`
		texts[loc]["light_overdue"] = `路灯 {{.ref}}（{{.state}}）已超期。`
	}
	return texts
}

type lightPeople struct{}

var lightUsers = map[string]struct{ role, dept string }{
	"caller-1": {"reporter", ""}, "op-1": {"light_operator", ""}, "line-1": {"lineman", "power"}, "line-9": {"lineman", "gas"},
}

func (lightPeople) User(_ context.Context, id string) (notify.Recipient, error) {
	if _, ok := lightUsers[id]; !ok {
		return notify.Recipient{}, hazard.ErrNotFound
	}
	return notify.Recipient{UserID: id}, nil
}

func (lightPeople) Users(_ context.Context, q notify.UserQuery) ([]notify.Recipient, error) {
	var out []notify.Recipient
	for _, id := range slices.Sorted(maps.Keys(lightUsers)) {
		u := lightUsers[id]
		if u.role == q.Role && (q.Department == "" || u.dept == q.Department) && q.Unit == "" {
			out = append(out, notify.Recipient{UserID: id})
		}
	}
	return out, nil
}

func lightPhoto(seed string) hazard.Photo {
	sum := sha256.Sum256([]byte(seed))
	return hazard.Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: hazard.TypeJPEG, Size: 1024}
}

// TestAnIntegratorsOwnProcess wires a made-up process through the hazard
// service, the notify router and the reward service exactly as the example
// server wires the presets (one set of processes given to all three, one
// relay), and shows that its declarations alone give it notices,
// deadlines, figures and rewards, and that a reopened hazard closed again
// earns no second reward. No library code knows the process.
func TestAnIntegratorsOwnProcess(t *testing.T) {
	ctx := context.Background()
	clock := hazardtest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	pr := streetLight(t)
	ps, err := hazard.NewProcesses(pr)
	require.NoError(t, err)
	starts := map[hazard.Source]string{}
	for _, src := range []hazard.Source{hazard.SourceCitizen, hazard.SourceSelfCheck, hazard.SourceInspection, hazard.SourceSupervision} {
		starts[src] = "street_light"
	}
	store := memstore.New()
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: store, Processes: ps, Starts: starts, Clock: clock.Now, DuplicateRadius: -1})
	require.NoError(t, err)

	templates := notify.MustTemplates(lightTexts())
	require.NoError(t, templates.Check(notify.RouterKeys(ps)), "a text for every notice of the process")
	require.Error(t, notify.MustTemplates(notify.DefaultTexts()).Check(notify.RouterKeys(ps)), "the presets' texts lack the process's")
	rec := notify.NewRecorder(notify.ChannelLog, templates)
	router, err := notify.NewRouter(notify.RouterConfig{
		Hazards: store, Directory: lightPeople{}, Processes: ps,
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelLog: rec}, Order: []notify.Channel{notify.ChannelLog},
		Clock: clock.Now,
	})
	require.NoError(t, err)
	ledger := memledger.New()
	rewards, err := reward.New(reward.Config{
		Ledger: ledger, Payer: mempay.New(), Policies: []reward.Policy{reward.CityProgramme()},
		Hazards: store, Events: store, Processes: ps, Clock: clock.Now,
	})
	require.NoError(t, err)
	rl, err := relay.New(store, store, relay.Config{
		Consumers: []relay.Consumer{rewards.Consumer(), router.Consumer("notify")}, Clock: clock.Now,
	})
	require.NoError(t, err)
	// drain delivers every event, including those the consumers append
	// (the reward's), as the server's relay does over its next polls.
	drain := func() {
		t.Helper()
		for range 2 {
			require.NoError(t, rl.Drain(ctx))
		}
	}

	caller := hazard.User{ID: "caller-1", Role: "reporter", Verified: true}
	operator := hazard.User{ID: "op-1", Role: "light_operator"}
	lineman := hazard.User{ID: "line-1", Role: "lineman", Department: "power"}
	act := func(h hazard.Hazard, u hazard.User, action string, in hazard.ActInput) hazard.Hazard {
		t.Helper()
		in.ExpectedVersion = h.Version
		got, err := svc.Act(ctx, u, h.ID, action, in)
		require.NoError(t, err, "%s", action)
		return got
	}

	h, err := svc.Submit(ctx, caller, hazard.SubmitInput{
		Category: "electric_power", Description: "路灯不亮", Photos: []hazard.Photo{lightPhoto("dark")},
		Location: hazard.Location{Address: "光明路 1 号"},
	}, "")
	require.NoError(t, err)
	assert.Equal(t, "logged", h.State)
	assert.Equal(t, clock.Now().Add(2*time.Hour), h.Deadline, "the state's declared deadline")

	h = act(h, operator, "assign_crew", hazard.ActInput{Department: "power"})
	assert.Equal(t, clock.Now().Add(24*time.Hour), h.Deadline)
	clock.Advance(time.Hour)
	h = act(h, lineman, "relamp", hazard.ActInput{Note: "更换了灯泡", Photos: []hazard.Photo{lightPhoto("lit")}})
	assert.False(t, h.Open(), "a terminal state closes the hazard")
	drain()

	type msg struct{ to, key string }
	var got []msg
	for _, s := range rec.Sent() {
		if s.Message.Data["ref"] == h.Ref {
			got = append(got, msg{s.To.UserID, s.Message.Template})
		}
	}
	assert.Equal(t, []msg{{"caller-1", "light_logged"}, {"line-1", "light_job"}, {"caller-1", "light_fixed"}, {"caller-1", notify.KeyRewardPending}}, got,
		"notices from the declarations, the lineman of the department only, and the reward's")
	pending, err := rewards.Mine(ctx, caller, reward.StatusPending, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, pending.Items, 1, "closing as valid (declared) earns a reward")

	st, err := svc.Stats(ctx, clock.Now().Add(-24*time.Hour), clock.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, map[hazard.Outcome]int{hazard.OutcomeValid: 1}, st.ByOutcome)
	assert.Equal(t, 1, st.Closed)

	// Dark again: the hazard reopens, the figures count it open, and its
	// next closure earns nothing more.
	h = act(h, operator, "dark_again", hazard.ActInput{Note: "又不亮了"})
	assert.True(t, h.Open(), "leaving a terminal state reopens")
	st, err = svc.Stats(ctx, clock.Now().Add(-24*time.Hour), clock.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Zero(t, st.Closed, "a reopened hazard is open in the figures")
	clock.Advance(time.Hour)
	h = act(h, lineman, "relamp", hazard.ActInput{Note: "更换了镇流器", Photos: []hazard.Photo{lightPhoto("lit2")}})
	assert.Equal(t, clock.Now(), h.ClosedAt, "the latest closure counts")
	drain()
	all, err := rewards.Mine(ctx, caller, "", hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, all.Items, 1, "no second reward for a hazard closed as valid again")

	// Overdue: the operators are told, by the declaration.
	late, err := svc.Submit(ctx, caller, hazard.SubmitInput{
		Category: "electric_power", Description: "另一盏路灯不亮", Photos: []hazard.Photo{lightPhoto("dark2")},
		Location: hazard.Location{Address: "光明路 9 号"},
	}, "")
	require.NoError(t, err)
	clock.Advance(3 * time.Hour)
	n, err := svc.Escalate(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	drain()
	var overdue []string
	for _, s := range rec.Sent() {
		if s.Message.Data["ref"] == late.Ref && s.Message.Template == "light_overdue" {
			overdue = append(overdue, s.To.UserID)
			assert.Equal(t, "已登记", s.Message.Data["state"], "the state's label, from the definition")
		}
	}
	assert.Equal(t, []string{"op-1"}, overdue)
}
