package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

func TestFireErrorCodes(t *testing.T) {
	ctx := context.Background()
	c := hazard.CitizenReport().Definition()
	dispatcher := workflow.Actor{ID: "d", Role: hazard.RoleDispatcher}
	for _, tc := range []struct {
		name   string
		state  string
		action string
		actor  workflow.Actor
		in     *workflow.Input
		want   error
		code   workflow.Code
		field  string
	}{
		{"unknown state", "nope", "dispatch", dispatcher, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"unknown action", "submitted", "teleport", dispatcher, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"not allowed here", "resolved", "dispatch", dispatcher, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"from terminal", "closed_valid", "return", dispatcher, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"role", "submitted", "withdraw", dispatcher, fullInput(nil), workflow.ErrForbidden, workflow.CodeForbidden, ""},
		{"no role", "submitted", "dispatch", workflow.Actor{ID: "x"}, fullInput(nil), workflow.ErrForbidden, workflow.CodeForbidden, ""},
		{"missing department", "submitted", "dispatch", dispatcher, &workflow.Input{}, workflow.ErrInvalid, workflow.CodeInvalid, "department"},
		{"nil input", "submitted", "reject", dispatcher, nil, workflow.ErrInvalid, workflow.CodeInvalid, "reason"},
		{"missing photos", "accepted", "resolve", workflow.Actor{Role: hazard.RoleHandler}, &workflow.Input{Reason: "fixed"}, workflow.ErrInvalid, workflow.CodeInvalid, "photos"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Fire(ctx, tc.state, tc.action, tc.actor, tc.in)
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, workflow.Transition{}, got)
			require.Equal(t, tc.code, workflow.CodeOf(err))
			var we *workflow.Error
			require.ErrorAs(t, err, &we)
			require.Equal(t, tc.field, we.Field)
			require.Equal(t, tc.action, we.Action)
			require.Equal(t, tc.state, we.State)
			require.NotEmpty(t, we.Message)
			for _, other := range []error{workflow.ErrConflict, workflow.ErrForbidden, workflow.ErrInvalid, workflow.ErrNotFound} {
				if other != tc.want {
					require.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestCodeOf(t *testing.T) {
	require.Equal(t, workflow.Code(""), workflow.CodeOf(nil))
	require.Equal(t, workflow.CodeInternal, workflow.CodeOf(errors.New("boom")))
	require.Equal(t, workflow.CodeNotFound, workflow.CodeOf(workflow.ErrNotFound))
	wrapped := errors.Join(errors.New("ctx"), &workflow.Error{Code: workflow.CodeConflict, Message: "x"})
	require.Equal(t, workflow.CodeConflict, workflow.CodeOf(wrapped))
	require.ErrorIs(t, wrapped, workflow.ErrConflict)
	_, err := workflow.New(workflow.Spec{})
	require.Equal(t, workflow.CodeInvalid, workflow.CodeOf(err))
	// A detailed error is not a sentinel: it does not match other errors with the same code.
	require.NotErrorIs(t, workflow.ErrConflict, &workflow.Error{Code: workflow.CodeConflict, Message: "x"})
	require.Equal(t, "workflow: not_found", workflow.ErrNotFound.Error())
}

// TestFireCheckOrder: state/action, then role, then inputs, then guards.
func TestFireCheckOrder(t *testing.T) {
	ctx := context.Background()
	guardRan := false
	spec := tiny(t)
	spec.Actions[0].Needs = []workflow.InputKind{workflow.NeedReason}
	spec.Actions[0].Guards = []workflow.Guard{func(context.Context, workflow.Request) error {
		guardRan = true
		return errors.New("not today")
	}}
	d := workflow.MustNew(spec)
	stranger := workflow.Actor{Role: "stranger"}
	staff := workflow.Actor{Role: "staff"}

	_, err := d.Fire(ctx, "done", "close", stranger, nil)
	require.ErrorIs(t, err, workflow.ErrConflict, "conflict before forbidden")
	_, err = d.Fire(ctx, "open", "close", stranger, nil)
	require.ErrorIs(t, err, workflow.ErrForbidden, "forbidden before invalid input")
	_, err = d.Fire(ctx, "open", "close", staff, nil)
	require.ErrorIs(t, err, workflow.ErrInvalid, "input before guard")
	require.False(t, guardRan, "guard ran before inputs were checked")
	_, err = d.Fire(ctx, "open", "close", staff, &workflow.Input{Reason: "r"})
	require.ErrorIs(t, err, workflow.ErrInvalid)
	require.True(t, guardRan)
}

var errRefuse = errors.New("the site is not safe to inspect")

func TestFireGuards(t *testing.T) {
	ctx := context.Background()
	spec := tiny(t)
	var seen workflow.Request
	spec.Actions[0].Guards = []workflow.Guard{
		func(_ context.Context, r workflow.Request) error { seen = r; return nil },
		func(_ context.Context, r workflow.Request) error {
			switch r.Input.Reason {
			case "plain":
				return errRefuse
			case "coded":
				return &workflow.Error{Code: workflow.CodeForbidden, Message: "only the owner may close"}
			}
			return nil
		},
	}
	d := workflow.MustNew(spec)
	actor := workflow.Actor{ID: "a1", Role: "staff"}

	_, err := d.Fire(ctx, "open", "close", actor, &workflow.Input{Reason: "plain", Subject: general})
	require.ErrorIs(t, err, workflow.ErrInvalid)
	require.ErrorIs(t, err, errRefuse, "the guard's error is the cause")
	var we *workflow.Error
	require.ErrorAs(t, err, &we)
	require.Equal(t, errRefuse.Error(), we.Message, "the guard's message reaches the user")
	require.Equal(t, "close", we.Action)
	require.Equal(t, "open", we.State)
	require.Equal(t, d, seen.Definition)
	require.Equal(t, "open", seen.From)
	require.Equal(t, "close", seen.Action.Name)
	require.Equal(t, actor, seen.Actor)
	require.Equal(t, general, seen.Subject())
	require.Nil(t, workflow.Request{}.Subject())

	_, err = d.Fire(ctx, "open", "close", actor, &workflow.Input{Reason: "coded"})
	require.ErrorIs(t, err, workflow.ErrForbidden, "a guard's *Error keeps its code")
	require.ErrorAs(t, err, &we)
	require.Equal(t, "only the owner may close", we.Message)
	require.Equal(t, "close", we.Action)

	_, err = d.Fire(ctx, "open", "close", actor, &workflow.Input{Reason: "ok"})
	require.NoError(t, err)
}

func TestFireFieldInputs(t *testing.T) {
	spec := tiny(t)
	spec.Actions[0].Needs = []workflow.InputKind{"permit_no"}
	d := workflow.MustNew(spec)
	actor := workflow.Actor{Role: "staff"}
	_, err := d.Fire(context.Background(), "open", "close", actor, &workflow.Input{Fields: map[string]string{"permit_no": " "}})
	require.ErrorIs(t, err, workflow.ErrInvalid)
	var we *workflow.Error
	require.ErrorAs(t, err, &we)
	require.Equal(t, "permit_no", we.Field)
	_, err = d.Fire(context.Background(), "open", "close", actor, &workflow.Input{Fields: map[string]string{"permit_no": "A-1"}})
	require.NoError(t, err)
}

func TestFireDeadline(t *testing.T) {
	ctx := context.Background()
	c := hazard.CitizenReport().Definition()
	handler := workflow.Actor{Role: hazard.RoleHandler}

	got, err := c.Fire(ctx, "dispatched", "accept", handler, &workflow.Input{Subject: major, Now: now})
	require.NoError(t, err)
	require.Equal(t, 48*time.Hour, got.DeadlineIn)
	require.Equal(t, time.UTC, got.Deadline.Location(), "deadlines are UTC")
	require.True(t, got.Deadline.Equal(now.Add(48*time.Hour)))

	got, err = c.Fire(ctx, "dispatched", "accept", handler, &workflow.Input{Subject: general})
	require.NoError(t, err)
	require.Equal(t, 5*24*time.Hour, got.DeadlineIn)
	require.True(t, got.Deadline.IsZero(), "no Now, no Deadline")

	got, err = c.Fire(ctx, "dispatched", "accept", handler, nil)
	require.NoError(t, err)
	require.Equal(t, 5*24*time.Hour, got.DeadlineIn, "nil input counts as general")

	got, err = c.Fire(ctx, "resolved", "approve", workflow.Actor{Role: hazard.RoleReviewer}, &workflow.Input{Now: now})
	require.NoError(t, err)
	require.Zero(t, got.DeadlineIn)
	require.True(t, got.Deadline.IsZero(), "terminal state has no deadline")
}

func TestFireHooks(t *testing.T) {
	ctx := context.Background()
	var calls []string
	record := func(kind string) func(context.Context, workflow.Transition) {
		return func(_ context.Context, tr workflow.Transition) {
			calls = append(calls, kind+":"+tr.From+"->"+tr.To+":"+tr.Action)
		}
	}
	hooks := workflow.Hooks{OnLeave: record("leave"), OnEnter: record("enter"), After: record("after")}
	spec := tiny(t)
	spec.Hooks = hooks
	d := workflow.MustNew(spec)
	staff := workflow.Actor{Role: "staff"}

	_, err := d.Fire(ctx, "open", "close", workflow.Actor{Role: "x"}, nil)
	require.Error(t, err)
	require.Empty(t, calls, "hooks run only on success")

	_, err = d.Fire(ctx, "open", "close", staff, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"leave:open->done:close", "enter:open->done:close", "after:open->done:close"}, calls)

	// Apply runs the same hooks, with the same transition.
	calls = nil
	st := workflow.Status{State: "open"}
	require.Error(t, d.Apply(ctx, &st, "close", workflow.Actor{Role: "x"}, nil))
	require.Empty(t, calls, "hooks run only on success")
	require.NoError(t, d.Apply(ctx, &st, "close", staff, nil))
	require.Equal(t, []string{"leave:open->done:close", "enter:open->done:close", "after:open->done:close"}, calls)

	// WithHooks attaches hooks to a copy; the original keeps its own.
	calls = nil
	c := hazard.CitizenReport().Definition()
	withHooks := c.WithHooks(hooks)
	_, err = c.Fire(ctx, "submitted", "withdraw", workflow.Actor{Role: hazard.RoleReporter}, nil)
	require.NoError(t, err)
	require.Empty(t, calls)
	_, err = withHooks.Fire(ctx, "submitted", "withdraw", workflow.Actor{Role: hazard.RoleReporter}, nil)
	require.NoError(t, err)
	require.Len(t, calls, 3)
	require.Equal(t, c.Name(), withHooks.Name())
}

// TestFireAllocs: no allocation per Fire, on success (no hooks) and on the
// prepared refusals.
func TestFireAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	c := hazard.CitizenReport().Definition()
	dispatch := &workflow.Input{Department: "fire", Subject: general, Now: now}
	resolve := &workflow.Input{Reason: "fixed", Photos: []string{"p1"}, Subject: major, Now: now}
	plain := &workflow.Input{Subject: general, Now: now}
	dispatcher := workflow.Actor{ID: "d", Role: hazard.RoleDispatcher}
	handler := workflow.Actor{ID: "h", Role: hazard.RoleHandler}
	reviewer := workflow.Actor{ID: "r", Role: hazard.RoleReviewer}
	var sink workflow.Transition
	allocs := testing.AllocsPerRun(1000, func() {
		t1, err1 := c.Fire(ctx, "submitted", "dispatch", dispatcher, dispatch)
		t2, err2 := c.Fire(ctx, t1.To, "accept", handler, plain)
		t3, err3 := c.Fire(ctx, t2.To, "resolve", handler, resolve)
		t4, err4 := c.Fire(ctx, t3.To, "approve", reviewer, plain)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			panic("cycle failed")
		}
		sink = t4
	})
	require.Zero(t, allocs, "allocs per cycle of 4 Fire calls")
	require.Equal(t, "closed_valid", sink.To)

	allocs = testing.AllocsPerRun(1000, func() {
		_, err1 := c.Fire(ctx, "closed_valid", "dispatch", dispatcher, dispatch)
		_, err2 := c.Fire(ctx, "submitted", "accept", handler, plain)
		_, err3 := c.Fire(ctx, "submitted", "withdraw", handler, plain)
		_, err4 := c.Fire(ctx, "accepted", "resolve", handler, plain)
		if err1 == nil || err2 == nil || err3 == nil || err4 == nil {
			panic("refusal expected")
		}
	})
	require.Zero(t, allocs, "allocs per refusal (conflict, forbidden, invalid input)")

	// Rectification's guards do not allocate either.
	r := hazard.Rectification().Definition()
	inspector := workflow.Actor{Role: hazard.RoleInspector}
	order := &workflow.Input{Reason: "fix the exit", Subject: general, Now: now}
	allocs = testing.AllocsPerRun(1000, func() {
		if _, err := r.Fire(ctx, "found", "order", inspector, order); err != nil {
			panic(err)
		}
		if _, err := r.Fire(ctx, "rectified", "pass", inspector, order); err != nil {
			panic(err)
		}
	})
	require.Zero(t, allocs, "allocs per guarded Fire")

	// Apply neither, on success or on refusal.
	var st workflow.Status
	allocs = testing.AllocsPerRun(1000, func() {
		st = workflow.Status{State: "submitted"}
		err1 := c.Apply(ctx, &st, "dispatch", dispatcher, dispatch)
		err2 := c.Apply(ctx, &st, "accept", handler, plain)
		err3 := c.Apply(ctx, &st, "resolve", handler, resolve)
		err4 := c.Apply(ctx, &st, "approve", reviewer, plain)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			panic("cycle failed")
		}
		if c.Apply(ctx, &st, "dispatch", dispatcher, dispatch) == nil {
			panic("refusal expected")
		}
	})
	require.Zero(t, allocs, "allocs per cycle of 4 Apply calls and a refusal")
	require.Equal(t, "closed_valid", st.State)
}

// TestFireConcurrent fires on one shared definition from many goroutines;
// run it with -race.
func TestFireConcurrent(t *testing.T) {
	ctx := context.Background()
	var after atomic.Int64
	c := hazard.CitizenReport().Definition().WithHooks(workflow.Hooks{After: func(context.Context, workflow.Transition) { after.Add(1) }})
	actors := map[string]workflow.Actor{
		"dispatch": {Role: hazard.RoleDispatcher},
		"accept":   {Role: hazard.RoleHandler},
		"resolve":  {Role: hazard.RoleHandler},
		"approve":  {Role: hazard.RoleReviewer},
	}
	const goroutines, cycles = 32, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := fullInput(subject{major: g%2 == 0})
			for range cycles {
				state := c.Initial()
				for _, a := range []string{"dispatch", "accept", "resolve", "approve"} {
					tr, err := c.Fire(ctx, state, a, actors[a], in)
					if err != nil {
						t.Errorf("Fire(%s, %s): %v", state, a, err)
						return
					}
					state = tr.To
				}
				if state != "closed_valid" {
					t.Errorf("cycle ended in %q, want closed_valid", state)
				}
				_ = c.Available(state, hazard.RoleAdmin)
				st := workflow.Status{State: strings.Clone(c.Initial())}
				for _, a := range []string{"dispatch", "accept", "resolve", "approve"} {
					if err := c.Apply(ctx, &st, a, actors[a], in); err != nil {
						t.Errorf("Apply(%s, %s): %v", st.State, a, err)
						return
					}
				}
				if st.State != "closed_valid" {
					t.Errorf("Apply cycle ended in %q, want closed_valid", st.State)
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(goroutines*cycles*8), after.Load())
}

// TestFireRandomSequences fires random actions, roles, inputs and subjects at
// the presets: the state is always declared, errors always carry a known
// code, and terminal states have no way out.
func TestFireRandomSequences(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2025, 3))
	codes := map[workflow.Code]bool{workflow.CodeConflict: true, workflow.CodeForbidden: true, workflow.CodeInvalid: true}
	for _, d := range []*workflow.Definition{hazard.CitizenReport().Definition(), hazard.Rectification().Definition()} {
		names := append(actionNames(d), "bogus")
		declared := map[string]bool{}
		for _, s := range stateNames(d) {
			declared[s] = true
		}
		reachedTerminal := 0
		for range 2000 {
			state := d.Initial()
			subject := subject{major: rng.IntN(2) == 0}
			for range 40 {
				in := fullInput(subject)
				if rng.IntN(4) == 0 {
					in = &workflow.Input{Subject: subject}
				}
				actor := workflow.Actor{ID: "u", Role: allRoles[rng.IntN(len(allRoles))]}
				action := names[rng.IntN(len(names))]
				tr, err := d.Fire(ctx, state, action, actor, in)
				if err != nil {
					require.True(t, codes[workflow.CodeOf(err)], "Fire(%s, %s) code %q", state, action, workflow.CodeOf(err))
					require.Equal(t, workflow.Transition{}, tr)
					continue
				}
				require.Equal(t, state, tr.From)
				require.True(t, declared[tr.To], "Fire(%s, %s) went to undeclared %q", state, action, tr.To)
				state = tr.To
				if d.IsTerminal(state) {
					reachedTerminal++
					for _, role := range allRoles {
						require.Empty(t, d.Available(state, role), "Available(%s, %s)", state, role)
					}
					for _, a := range names {
						_, err := d.Fire(ctx, state, a, workflow.Actor{Role: hazard.RoleAdmin}, fullInput(subject))
						require.ErrorIs(t, err, workflow.ErrConflict, "Fire(%s, %s) from terminal", state, a)
					}
					break
				}
			}
		}
		require.Positive(t, reachedTerminal, "%s: no random walk reached a terminal state", d.Name())
	}
}

// TestFireLookalikeNames checks that names alike in length, first and last
// byte (which defeat the fast name lookup) still resolve exactly, in
// definitions small and large.
func TestFireLookalikeNames(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{2, 40} {
		t.Run(fmt.Sprintf("%d states", n), func(t *testing.T) {
			// s000x, s001x, ...: the same length, first and last byte.
			spec := chain(n, numbered("s%03dx"), numbered("a%03dz"), "staff")
			d := workflow.MustNew(spec)
			actor := workflow.Actor{Role: "staff"}
			for i := 1; i < n; i++ {
				from, action := spec.States[i-1].Name, spec.Actions[i-1].Name
				got, err := d.Fire(ctx, from, action, actor, nil)
				require.NoError(t, err, "Fire(%s, %s)", from, action)
				require.Equal(t, spec.States[i].Name, got.To)
				if i > 1 {
					_, err = d.Fire(ctx, from, spec.Actions[i-2].Name, actor, nil)
					require.ErrorIs(t, err, workflow.ErrConflict, "Fire(%s, %s)", from, spec.Actions[i-2].Name)
				}
			}
			_, err := d.Fire(ctx, "s000x", "a999z", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "unknown action")
			_, err = d.Fire(ctx, "s999x", "a001z", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "unknown state")
			_, err = d.Fire(ctx, "", "", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "empty names")
		})
	}
}

func TestRequires(t *testing.T) {
	c := hazard.CitizenReport().Definition()
	tests := []struct {
		name          string
		state, action string
		kind          workflow.InputKind
		want          bool
	}{
		{"dispatch needs a department", "submitted", "dispatch", workflow.NeedDepartment, true},
		{"dispatch needs no photos", "submitted", "dispatch", workflow.NeedPhotos, false},
		{"resolve needs photos", "accepted", "resolve", workflow.NeedPhotos, true},
		{"resolve needs a reason", "accepted", "resolve", workflow.NeedReason, true},
		{"accept needs nothing", "dispatched", "accept", workflow.NeedReason, false},
		{"not from this state", "submitted", "resolve", workflow.NeedPhotos, false},
		{"unknown action", "accepted", "fly", workflow.NeedPhotos, false},
		{"unknown state", "nowhere", "resolve", workflow.NeedPhotos, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Requires(tt.state, tt.action, tt.kind)
			require.Equal(t, tt.want, got, "Requires(%q, %q, %q)", tt.state, tt.action, tt.kind)
			var avail bool
			for _, a := range c.Available(tt.state, hazard.RoleAdmin) {
				if a.Name == tt.action {
					avail = slices.Contains(a.Needs, tt.kind)
				}
			}
			require.Equal(t, avail, got, "Requires agrees with Available")
		})
	}
}

// TestFireCopiedNames checks that Fire answers the same for names that are
// the definition's own strings and for equal strings elsewhere in memory
// (read from a database, say), which take a different path.
func TestFireCopiedNames(t *testing.T) {
	ctx := context.Background()
	for _, d := range []*workflow.Definition{hazard.CitizenReport().Definition(), hazard.Rectification().Definition()} {
		t.Run(d.Name(), func(t *testing.T) {
			states := append(stateNames(d), "nowhere", "")
			actions := append(actionNames(d), "fly", "")
			for _, state := range states {
				for _, action := range actions {
					for _, role := range []workflow.Role{hazard.RoleAdmin, hazard.RoleReporter, hazard.RoleEnterprise} {
						actor := workflow.Actor{ID: "u1", Role: role}
						for _, in := range []*workflow.Input{nil, fullInput(major)} {
							want, wantErr := d.Fire(ctx, state, action, actor, in)
							got, gotErr := d.Fire(ctx, strings.Clone(state), strings.Clone(action), actor, in)
							require.Equal(t, want, got, "Fire(%q, %q) as %s", state, action, role)
							require.Equal(t, wantErr, gotErr, "Fire(%q, %q) as %s", state, action, role)
							mixed, mixedErr := d.Fire(ctx, state, strings.Clone(action), actor, in)
							require.Equal(t, want, mixed, "Fire(%q, copied %q) as %s", state, action, role)
							require.Equal(t, wantErr, mixedErr, "Fire(%q, copied %q) as %s", state, action, role)
						}
					}
				}
			}
		})
	}
}

// TestFireSharedBytes checks names that share bytes in memory: a state that
// is a prefix of an action name, sliced from one string, must not be taken
// for it.
func TestFireSharedBytes(t *testing.T) {
	base := strings.Clone("openclose_now")
	open, closed, closeNow, closeAct := base[:4], strings.Clone("closed"), base[4:13], base[4:9]
	d := workflow.MustNew(workflow.Spec{
		Name: "shared", Version: 1,
		States: []workflow.State{{Name: open, Kind: workflow.KindInitial}, {Name: closed, Kind: workflow.KindTerminal}},
		Actions: []workflow.Action{
			{Name: closeAct, From: []string{open}, To: closed, Roles: []workflow.Role{"staff"}},
			{Name: closeNow, From: []string{open}, To: closed, Roles: []workflow.Role{"boss"}},
		},
	})
	ctx := context.Background()
	got, err := d.Fire(ctx, open, closeAct, workflow.Actor{Role: "staff"}, nil)
	require.NoError(t, err)
	require.Equal(t, "close", got.Action)
	_, err = d.Fire(ctx, open, closeNow, workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrForbidden, "close_now is the boss's")
	got, err = d.Fire(ctx, open, base[4:13], workflow.Actor{Role: "boss"}, nil)
	require.NoError(t, err)
	require.Equal(t, "close_now", got.Action)
	_, err = d.Fire(ctx, base[:5], closeAct, workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict, "%q is no state", base[:5])
}

// TestApplyAgreesWithFire checks Apply against Fire for every state, action,
// role and input of both presets, with the definition's own names and with
// copies: the same error, or a status holding the transition's target and
// deadline; on error the status is left as it was.
func TestApplyAgreesWithFire(t *testing.T) {
	ctx := context.Background()
	for _, d := range []*workflow.Definition{hazard.CitizenReport().Definition(), hazard.Rectification().Definition()} {
		t.Run(d.Name(), func(t *testing.T) {
			for _, state := range append(stateNames(d), "nowhere") {
				for _, action := range append(actionNames(d), "fly") {
					for _, role := range allRoles {
						actor := workflow.Actor{ID: "u1", Role: role}
						for _, in := range []*workflow.Input{nil, fullInput(general), fullInput(major)} {
							tr, fireErr := d.Fire(ctx, state, action, actor, in)
							for _, copied := range []bool{false, true} {
								s, a := state, action
								if copied {
									s, a = strings.Clone(s), strings.Clone(a)
								}
								before := workflow.Status{State: s, DeadlineIn: time.Minute, Deadline: now}
								st := before
								err := d.Apply(ctx, &st, a, actor, in)
								where := fmt.Sprintf("Apply(%q, %q) as %q, copied %v", state, action, role, copied)
								require.Equal(t, fireErr, err, where)
								if err != nil {
									require.Equal(t, before, st, "%s: status changed on error", where)
									continue
								}
								require.Equal(t, workflow.Status{State: tr.To, DeadlineIn: tr.DeadlineIn, Deadline: tr.Deadline}, st, where)
							}
						}
					}
				}
			}
		})
	}
}
