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

	"github.com/hazardloop/hazardloop/workflow"
)

func TestApplyErrorCodes(t *testing.T) {
	desk := workflow.Actor{ID: "d", Role: roleDesk}
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
		{"unknown state", "nope", "assign", desk, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"unknown action", "open", "teleport", desk, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"not allowed here", "fixed", "assign", desk, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"from terminal, not a reopen", "closed", "redo", desk, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"reopen from another terminal", "cancelled", "reopen", workflow.Actor{Role: roleRequester}, fullInput(nil), workflow.ErrConflict, workflow.CodeConflict, ""},
		{"role", "open", "cancel", desk, fullInput(nil), workflow.ErrForbidden, workflow.CodeForbidden, ""},
		{"reopen role", "closed", "reopen", desk, fullInput(nil), workflow.ErrForbidden, workflow.CodeForbidden, ""},
		{"no role", "open", "assign", workflow.Actor{ID: "x"}, fullInput(nil), workflow.ErrForbidden, workflow.CodeForbidden, ""},
		{"missing department", "open", "assign", desk, &workflow.Input{}, workflow.ErrInvalid, workflow.CodeInvalid, "department"},
		{"nil input", "open", "decline", desk, nil, workflow.ErrInvalid, workflow.CodeInvalid, "reason"},
		{"missing photos", "assigned", "fix", workflow.Actor{Role: roleTechnician}, &workflow.Input{Reason: "fixed"}, workflow.ErrInvalid, workflow.CodeInvalid, "photos"},
		{"guard", "fixed", "verify", desk, fullInput(urgent), workflow.ErrInvalid, workflow.CodeInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := workflow.Status{State: tc.state, DeadlineIn: time.Hour, Deadline: now}
			st := before
			err := tickets.Apply(context.Background(), &st, tc.action, tc.actor, tc.in)
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, before, st, "the status is unchanged on error")
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

// TestApplyCheckOrder: state/action, then role, then inputs, then guards.
func TestApplyCheckOrder(t *testing.T) {
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

	_, err := apply(d, "done", "close", stranger, nil)
	require.ErrorIs(t, err, workflow.ErrConflict, "conflict before forbidden")
	_, err = apply(d, "open", "close", stranger, nil)
	require.ErrorIs(t, err, workflow.ErrForbidden, "forbidden before invalid input")
	_, err = apply(d, "open", "close", staff, nil)
	require.ErrorIs(t, err, workflow.ErrInvalid, "input before guard")
	require.False(t, guardRan, "guard ran before inputs were checked")
	_, err = apply(d, "open", "close", staff, &workflow.Input{Reason: "r"})
	require.ErrorIs(t, err, workflow.ErrInvalid)
	require.True(t, guardRan)
}

var errRefuse = errors.New("the site is not safe to inspect")

func TestApplyGuards(t *testing.T) {
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

	_, err := apply(d, "open", "close", actor, &workflow.Input{Reason: "plain", Subject: routine})
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
	require.Equal(t, routine, seen.Subject())
	require.Nil(t, workflow.Request{}.Subject())

	_, err = apply(d, "open", "close", actor, &workflow.Input{Reason: "coded"})
	require.ErrorIs(t, err, workflow.ErrForbidden, "a guard's *Error keeps its code")
	require.ErrorAs(t, err, &we)
	require.Equal(t, "only the owner may close", we.Message)
	require.Equal(t, "close", we.Action)

	_, err = apply(d, "open", "close", actor, &workflow.Input{Reason: "ok"})
	require.NoError(t, err)

	// The ticket's guard: the desk may not verify an urgent ticket.
	_, err = apply(tickets, "fixed", "verify", workflow.Actor{Role: roleDesk}, &workflow.Input{Subject: urgent})
	require.ErrorIs(t, err, errSupervisorVerifies)
	st, err := apply(tickets, "fixed", "verify", workflow.Actor{Role: roleSupervisor}, &workflow.Input{Subject: urgent})
	require.NoError(t, err)
	require.Equal(t, "closed", st.State)
}

func TestApplyFieldInputs(t *testing.T) {
	spec := tiny(t)
	spec.Actions[0].Needs = []workflow.InputKind{"permit_no"}
	d := workflow.MustNew(spec)
	actor := workflow.Actor{Role: "staff"}
	_, err := apply(d, "open", "close", actor, &workflow.Input{Fields: map[string]string{"permit_no": " "}})
	require.ErrorIs(t, err, workflow.ErrInvalid)
	var we *workflow.Error
	require.ErrorAs(t, err, &we)
	require.Equal(t, "permit_no", we.Field)
	_, err = apply(d, "open", "close", actor, &workflow.Input{Fields: map[string]string{"permit_no": "A-1"}})
	require.NoError(t, err)
}

func TestApplyDeadline(t *testing.T) {
	tech := workflow.Actor{Role: roleTechnician}
	desk := workflow.Actor{Role: roleDesk}
	assign := func(subject any, now time.Time) *workflow.Input {
		return &workflow.Input{Department: "plumbing", Subject: subject, Now: now}
	}

	got, err := apply(tickets, "open", "assign", desk, assign(urgent, now))
	require.NoError(t, err)
	require.Equal(t, 4*time.Hour, got.DeadlineIn)
	require.Equal(t, time.UTC, got.Deadline.Location(), "deadlines are UTC")
	require.True(t, got.Deadline.Equal(now.Add(4*time.Hour)))

	got, err = apply(tickets, "open", "assign", desk, assign(routine, time.Time{}))
	require.NoError(t, err)
	require.Equal(t, 72*time.Hour, got.DeadlineIn)
	require.True(t, got.Deadline.IsZero(), "no Now, no Deadline")

	got, err = apply(tickets, "fixed", "redo", desk, &workflow.Input{Reason: "leaks again"})
	require.NoError(t, err)
	require.Equal(t, 72*time.Hour, got.DeadlineIn, "no subject counts as not urgent")

	got, err = apply(tickets, "assigned", "hand_back", tech, &workflow.Input{Reason: "wrong team", Now: now})
	require.NoError(t, err)
	require.Equal(t, 8*time.Hour, got.DeadlineIn)

	// A state without a deadline clears the one the status had.
	st := workflow.Status{State: "fixed", DeadlineIn: 48 * time.Hour, Deadline: now.UTC().Add(48 * time.Hour)}
	require.NoError(t, tickets.Apply(context.Background(), &st, "verify", desk, &workflow.Input{Now: now}))
	require.Equal(t, workflow.Status{State: "closed"}, st, "terminal state has no deadline")
}

// TestApplyReopens: an action leaving a terminal state reopens the subject
// into the state it declares, which gets its deadline; the state left stays
// terminal, and only the declared reopen actions leave it.
func TestApplyReopens(t *testing.T) {
	requester := workflow.Actor{ID: "c1", Role: roleRequester}
	require.True(t, tickets.IsTerminal("closed"))
	require.Equal(t, []string{"reopen"}, actionNamesOf(tickets.Available("closed", roleRequester)))
	require.Empty(t, tickets.Available("closed", roleSupervisor))
	require.Empty(t, tickets.Available("cancelled", roleRequester), "cancelled declares no reopen")

	_, err := apply(tickets, "closed", "reopen", requester, &workflow.Input{Subject: urgent})
	require.ErrorIs(t, err, workflow.ErrInvalid, "reopening needs a reason")
	st, err := apply(tickets, "closed", "reopen", requester, &workflow.Input{Reason: "it drips again", Subject: urgent, Now: now})
	require.NoError(t, err)
	require.Equal(t, workflow.Status{State: "assigned", DeadlineIn: 4 * time.Hour, Deadline: now.UTC().Add(4 * time.Hour)}, st)
	require.False(t, tickets.IsTerminal(st.State))
}

func actionNamesOf(as []workflow.Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

// TestApplyTransitions fires every action from every state of the ticket
// process, as every role and with full, empty and no input, and checks the
// outcome against the table written out by hand: the target and its
// deadline, or the error, with the status unchanged.
func TestApplyTransitions(t *testing.T) {
	for _, state := range append(stateNames(tickets), "nowhere") {
		for _, action := range append(actionNames(tickets), "fly") {
			for _, role := range allRoles {
				for _, in := range []*workflow.Input{nil, {Subject: routine}, fullInput(routine), fullInput(urgent)} {
					where := fmt.Sprintf("Apply(%q, %q) as %q with %+v", state, action, role, in)
					actor := workflow.Actor{ID: "u1", Role: role}
					got, err := apply(tickets, state, action, actor, in)
					target, ok := ticketTargets[[2]string{state, action}]
					switch {
					case !ok:
						require.ErrorIs(t, err, workflow.ErrConflict, where)
					case !slices.Contains(ticketRoles[action], role):
						require.ErrorIs(t, err, workflow.ErrForbidden, where)
					case lacksInput(in, ticketNeeds[action]):
						require.ErrorIs(t, err, workflow.ErrInvalid, where)
					case action == "verify" && role == roleDesk && in != nil && in.Subject == urgent:
						require.ErrorIs(t, err, errSupervisorVerifies, where)
					default:
						require.NoError(t, err, where)
						var subject any
						if in != nil {
							subject = in.Subject
						}
						wantIn := tickets.Deadline(target, subject)
						want := workflow.Status{State: target, DeadlineIn: wantIn}
						if wantIn > 0 && in != nil && !in.Now.IsZero() {
							want.Deadline = in.Now.UTC().Add(wantIn)
						}
						require.Equal(t, want, got, where)
					}
					if err != nil {
						require.Equal(t, workflow.Status{State: state}, got, "%s: status changed on error", where)
					}
				}
			}
		}
	}
}

// lacksInput reports whether in lacks one of needs.
func lacksInput(in *workflow.Input, needs []workflow.InputKind) bool {
	for _, k := range needs {
		switch {
		case in == nil:
			return true
		case k == workflow.NeedReason && in.Reason == "",
			k == workflow.NeedDepartment && in.Department == "",
			k == workflow.NeedPhotos && len(in.Photos) == 0:
			return true
		}
	}
	return false
}

// TestApplyAllocs: no allocation per Apply, on success and on the prepared
// refusals, with names that are string constants and with names that own
// their bytes (as read from a database).
func TestApplyAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	assign := &workflow.Input{Department: "plumbing", Subject: routine, Now: now}
	fix := &workflow.Input{Reason: "fixed", Photos: []string{"p1"}, Subject: urgent, Now: now}
	plain := &workflow.Input{Subject: routine, Now: now}
	reopen := &workflow.Input{Reason: "it is back", Subject: routine, Now: now}
	desk := workflow.Actor{ID: "d", Role: roleDesk}
	tech := workflow.Actor{ID: "h", Role: roleTechnician}
	requester := workflow.Actor{ID: "r", Role: roleRequester}
	for _, owned := range []bool{false, true} {
		name := func(s string) string {
			if owned {
				return string([]byte(s))
			}
			return s
		}
		open, assignA, fixA, verifyA, reopenA := name("open"), name("assign"), name("fix"), name("verify"), name("reopen")
		var st workflow.Status
		allocs := testing.AllocsPerRun(1000, func() {
			st = workflow.Status{State: open}
			err1 := tickets.Apply(ctx, &st, assignA, desk, assign)
			err2 := tickets.Apply(ctx, &st, fixA, tech, fix)
			err3 := tickets.Apply(ctx, &st, verifyA, workflow.Actor{Role: roleSupervisor}, plain) // guarded
			err4 := tickets.Apply(ctx, &st, reopenA, requester, reopen)
			if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
				panic(errors.Join(err1, err2, err3, err4))
			}
		})
		require.Zero(t, allocs, "allocs per cycle of 4 Apply calls, owned names %v", owned)
		require.Equal(t, "assigned", st.State)

		closed, fixed := name("closed"), name("fixed")
		allocs = testing.AllocsPerRun(1000, func() {
			s1 := workflow.Status{State: closed}
			s2 := workflow.Status{State: open}
			s3 := workflow.Status{State: fixed}
			err1 := tickets.Apply(ctx, &s1, assignA, desk, assign)   // conflict
			err2 := tickets.Apply(ctx, &s2, assignA, tech, assign)   // forbidden
			err3 := tickets.Apply(ctx, &s3, verifyA, desk, plain)    // guard passes, then:
			err4 := tickets.Apply(ctx, &s1, reopenA, requester, nil) // invalid: no reason
			if err1 == nil || err2 == nil || err3 != nil || err4 == nil {
				panic("refusal expected")
			}
		})
		require.Zero(t, allocs, "allocs per refusal (conflict, forbidden, invalid input), owned names %v", owned)
	}
}

// TestApplyConcurrent fires on one shared definition from many goroutines;
// run it with -race.
func TestApplyConcurrent(t *testing.T) {
	ctx := context.Background()
	var verified atomic.Int64
	spec := ticketSpec()
	for i := range spec.Actions {
		if spec.Actions[i].Name == "verify" {
			spec.Actions[i].Guards = append(spec.Actions[i].Guards, func(context.Context, workflow.Request) error {
				verified.Add(1)
				return nil
			})
		}
	}
	d := workflow.MustNew(spec)
	actors := map[string]workflow.Actor{
		"assign": {Role: roleDesk},
		"fix":    {Role: roleTechnician},
		"verify": {Role: roleSupervisor},
		"reopen": {Role: roleRequester},
	}
	const goroutines, cycles = 32, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := fullInput(ticket{urgent: g%2 == 0})
			for range cycles {
				st := workflow.Status{State: strings.Clone(d.Initial())}
				for _, a := range []string{"assign", "fix", "verify", "reopen", "fix", "verify"} {
					if err := d.Apply(ctx, &st, a, actors[a], in); err != nil {
						t.Errorf("Apply(%s, %s): %v", st.State, a, err)
						return
					}
				}
				if st.State != "closed" {
					t.Errorf("cycle ended in %q, want closed", st.State)
				}
				_ = d.Available(st.State, roleSupervisor)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(goroutines*cycles*2), verified.Load())
}

// TestApplyRandomSequences fires random actions, roles, inputs and subjects
// at the test processes: the state is always declared, errors always carry
// a known code, and from a terminal state only its declared reopen actions
// lead out.
func TestApplyRandomSequences(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2025, 3))
	codes := map[workflow.Code]bool{workflow.CodeConflict: true, workflow.CodeForbidden: true, workflow.CodeInvalid: true}
	for _, d := range []*workflow.Definition{tickets, workflow.MustNew(permitSpec())} {
		names := append(actionNames(d), "bogus")
		declared := map[string]bool{}
		for _, s := range stateNames(d) {
			declared[s] = true
		}
		reopens := map[string][]string{} // terminal state -> actions leaving it
		for _, a := range d.Actions() {
			for _, from := range a.From {
				if d.IsTerminal(from) {
					reopens[from] = append(reopens[from], a.Name)
				}
			}
		}
		roles := []workflow.Role{"", "stranger"}
		for _, a := range d.Actions() {
			for _, r := range a.Roles {
				if !slices.Contains(roles, r) {
					roles = append(roles, r)
				}
			}
		}
		reachedTerminal := 0
		for range 2000 {
			st := workflow.Status{State: d.Initial()}
			subject := ticket{urgent: rng.IntN(2) == 0}
			for range 40 {
				in := fullInput(subject)
				if rng.IntN(4) == 0 {
					in = &workflow.Input{Subject: subject}
				}
				actor := workflow.Actor{ID: "u", Role: roles[rng.IntN(len(roles))]}
				action := names[rng.IntN(len(names))]
				before := st
				err := d.Apply(ctx, &st, action, actor, in)
				if err != nil {
					require.True(t, codes[workflow.CodeOf(err)], "Apply(%s, %s) code %q", before.State, action, workflow.CodeOf(err))
					require.Equal(t, before, st)
					continue
				}
				require.True(t, declared[st.State], "Apply(%s, %s) went to undeclared %q", before.State, action, st.State)
				if d.IsTerminal(before.State) {
					require.Contains(t, reopens[before.State], action, "Apply(%s, %s) left a terminal state", before.State, action)
				}
				if d.IsTerminal(st.State) {
					reachedTerminal++
					for _, a := range names {
						if !slices.Contains(reopens[st.State], a) {
							for _, role := range roles {
								_, err := apply(d, st.State, a, workflow.Actor{Role: role}, fullInput(subject))
								require.ErrorIs(t, err, workflow.ErrConflict, "Apply(%s, %s) from terminal", st.State, a)
							}
						}
					}
				}
			}
		}
		require.Positive(t, reachedTerminal, "%s: no random walk reached a terminal state", d.Name())
	}
}

// TestApplyLookalikeNames checks that names alike in length, first and last
// byte still resolve exactly, in definitions small and large.
func TestApplyLookalikeNames(t *testing.T) {
	for _, n := range []int{2, 40} {
		t.Run(fmt.Sprintf("%d states", n), func(t *testing.T) {
			// s000x, s001x, ...: the same length, first and last byte.
			spec := chain(n, numbered("s%03dx"), numbered("a%03dz"), "staff")
			d := workflow.MustNew(spec)
			actor := workflow.Actor{Role: "staff"}
			for i := 1; i < n; i++ {
				from, action := spec.States[i-1].Name, spec.Actions[i-1].Name
				got, err := apply(d, from, action, actor, nil)
				require.NoError(t, err, "Apply(%s, %s)", from, action)
				require.Equal(t, spec.States[i].Name, got.State)
				if i > 1 {
					_, err = apply(d, from, spec.Actions[i-2].Name, actor, nil)
					require.ErrorIs(t, err, workflow.ErrConflict, "Apply(%s, %s)", from, spec.Actions[i-2].Name)
				}
			}
			_, err := apply(d, "s000x", "a999z", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "unknown action")
			_, err = apply(d, "s999x", "a001z", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "unknown state")
			_, err = apply(d, "", "", actor, nil)
			require.ErrorIs(t, err, workflow.ErrConflict, "empty names")
		})
	}
}

func TestRequires(t *testing.T) {
	tests := []struct {
		name          string
		state, action string
		kind          workflow.InputKind
		want          bool
	}{
		{"assign needs a department", "open", "assign", workflow.NeedDepartment, true},
		{"assign needs no photos", "open", "assign", workflow.NeedPhotos, false},
		{"fix needs photos", "assigned", "fix", workflow.NeedPhotos, true},
		{"fix needs a reason", "assigned", "fix", workflow.NeedReason, true},
		{"verify needs nothing", "fixed", "verify", workflow.NeedReason, false},
		{"reopen needs a reason", "closed", "reopen", workflow.NeedReason, true},
		{"not from this state", "open", "fix", workflow.NeedPhotos, false},
		{"unknown action", "assigned", "fly", workflow.NeedPhotos, false},
		{"unknown state", "nowhere", "fix", workflow.NeedPhotos, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tickets.Requires(tt.state, tt.action, tt.kind)
			require.Equal(t, tt.want, got, "Requires(%q, %q, %q)", tt.state, tt.action, tt.kind)
			var avail bool
			for _, role := range allRoles {
				for _, a := range tickets.Available(tt.state, role) {
					if a.Name == tt.action {
						avail = slices.Contains(a.Needs, tt.kind)
					}
				}
			}
			require.Equal(t, avail, got, "Requires agrees with Available")
		})
	}
}

// TestApplyOwnedNames checks that Apply answers the same for names that
// are string constants (the definition's own strings, for the states) and
// for equal strings that own their bytes (read from a database, say).
func TestApplyOwnedNames(t *testing.T) {
	for _, d := range []*workflow.Definition{tickets, workflow.MustNew(permitSpec())} {
		t.Run(d.Name(), func(t *testing.T) {
			states := append(stateNames(d), "nowhere", "")
			actions := append(actionNames(d), "fly", "")
			for _, state := range states {
				for _, action := range actions {
					for _, role := range append(allRoles, "safety_officer", "welder") {
						actor := workflow.Actor{ID: "u1", Role: role}
						for _, in := range []*workflow.Input{nil, fullInput(urgent)} {
							want, wantErr := apply(d, state, action, actor, in)
							got, gotErr := apply(d, strings.Clone(state), strings.Clone(action), actor, in)
							require.Equal(t, want, got, "Apply(%q, %q) as %s", state, action, role)
							require.Equal(t, wantErr, gotErr, "Apply(%q, %q) as %s", state, action, role)
							mixed, mixedErr := apply(d, state, strings.Clone(action), actor, in)
							require.Equal(t, want, mixed, "Apply(%q, copied %q) as %s", state, action, role)
							require.Equal(t, wantErr, mixedErr, "Apply(%q, copied %q) as %s", state, action, role)
						}
					}
				}
			}
		})
	}
}

// TestApplySharedBytes checks names that share bytes in memory: a state
// that is a prefix of an action name, sliced from one string, must not be
// taken for it.
func TestApplySharedBytes(t *testing.T) {
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
	got, err := apply(d, open, closeAct, workflow.Actor{Role: "staff"}, nil)
	require.NoError(t, err)
	require.Equal(t, "closed", got.State)
	_, err = apply(d, open, closeNow, workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrForbidden, "close_now is the boss's")
	_, err = apply(d, open, base[4:13], workflow.Actor{Role: "boss"}, nil)
	require.NoError(t, err)
	_, err = apply(d, base[:5], closeAct, workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict, "%q is no state", base[:5])
}

// TestApplyManyExits: a state with more ways out than Apply compares one by
// one still finds each, and refuses the others.
func TestApplyManyExits(t *testing.T) {
	spec := tiny(t)
	for i := range 20 {
		spec.Actions = append(spec.Actions, workflow.Action{
			Name: fmt.Sprintf("close_%02d", i), From: []string{"open"}, To: "done", Roles: []workflow.Role{workflow.Role(fmt.Sprintf("r%02d", i))},
		})
	}
	spec.Actions = append(spec.Actions, workflow.Action{Name: "reopen", From: []string{"done"}, To: "open", Roles: []workflow.Role{"staff"}})
	d := workflow.MustNew(spec)
	for i := range 20 {
		name := string([]byte(fmt.Sprintf("close_%02d", i)))
		st, err := apply(d, "open", name, workflow.Actor{Role: workflow.Role(fmt.Sprintf("r%02d", i))}, nil)
		require.NoError(t, err, "Apply(open, %s)", name)
		require.Equal(t, "done", st.State)
		_, err = apply(d, "open", name, workflow.Actor{Role: "staff"}, nil)
		require.ErrorIs(t, err, workflow.ErrForbidden, "Apply(open, %s) as staff", name)
		_, err = apply(d, "done", name, workflow.Actor{Role: workflow.Role(fmt.Sprintf("r%02d", i))}, nil)
		require.ErrorIs(t, err, workflow.ErrConflict, "Apply(done, %s)", name)
	}
	_, err := apply(d, "open", "reopen", workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)
	_, err = apply(d, "open", "close_20", workflow.Actor{Role: "r20"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)
}
