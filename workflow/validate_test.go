package workflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/workflow"
)

func defectKinds(t *testing.T, err error) []workflow.DefectKind {
	t.Helper()
	var de *workflow.DefinitionError
	require.ErrorAs(t, err, &de)
	var kinds []workflow.DefectKind
	for _, d := range de.Defects {
		require.NotEmpty(t, d.Message, "defect %s has no message", d.Kind)
		kinds = append(kinds, d.Kind)
	}
	return kinds
}

func TestNewDefects(t *testing.T) {
	st := func(name string, kind workflow.StateKind) workflow.State {
		return workflow.State{Name: name, Kind: kind}
	}
	act := func(name string, from []string, to string) workflow.Action {
		return workflow.Action{Name: name, From: from, To: to, Roles: []workflow.Role{"staff"}}
	}
	for _, tc := range []struct {
		name   string
		modify func(*workflow.Spec)
		want   []workflow.DefectKind
	}{
		{"empty definition name", func(s *workflow.Spec) { s.Name = " " }, []workflow.DefectKind{workflow.DefectEmptyName}},
		{"version zero", func(s *workflow.Spec) { s.Version = 0 }, []workflow.DefectKind{workflow.DefectBadVersion}},
		{"empty state name", func(s *workflow.Spec) {
			s.States = append(s.States, st("", workflow.KindTerminal))
		}, []workflow.DefectKind{workflow.DefectEmptyName}},
		{"empty action name", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("", []string{"open"}, "done"))
		}, []workflow.DefectKind{workflow.DefectEmptyName}},
		{"unknown kind", func(s *workflow.Spec) { s.States[1].Kind = "final" }, []workflow.DefectKind{workflow.DefectUnknownKind}},
		{"duplicate state", func(s *workflow.Spec) {
			s.States = append(s.States, st("done", workflow.KindTerminal))
		}, []workflow.DefectKind{workflow.DefectDuplicateState}},
		{"no initial state", func(s *workflow.Spec) { s.States[0].Kind = workflow.KindIntermediate }, []workflow.DefectKind{workflow.DefectInitialCount}},
		{"two initial states", func(s *workflow.Spec) {
			s.States = append(s.States, st("other", workflow.KindInitial))
			s.Actions = append(s.Actions, act("go", []string{"other"}, "done"))
		}, []workflow.DefectKind{workflow.DefectInitialCount}},
		{"unknown target", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("jump", []string{"open"}, "limbo"))
		}, []workflow.DefectKind{workflow.DefectUnknownState}},
		{"unknown source", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("jump", []string{"limbo"}, "done"))
		}, []workflow.DefectKind{workflow.DefectUnknownState}},
		{"no source", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("jump", nil, "done"))
		}, []workflow.DefectKind{workflow.DefectNoSource}},
		{"no roles", func(s *workflow.Spec) { s.Actions[0].Roles = nil }, []workflow.DefectKind{workflow.DefectNoRoles}},
		{"empty role", func(s *workflow.Spec) { s.Actions[0].Roles = []workflow.Role{""} }, []workflow.DefectKind{workflow.DefectNoRoles}},
		{"empty input kind", func(s *workflow.Spec) { s.Actions[0].Needs = []workflow.InputKind{""} }, []workflow.DefectKind{workflow.DefectEmptyInput}},
		{"nil guard", func(s *workflow.Spec) { s.Actions[0].Guards = []workflow.Guard{nil} }, []workflow.DefectKind{workflow.DefectNilGuard}},
		{"duplicate action from one state", func(s *workflow.Spec) {
			s.States = append(s.States, st("void", workflow.KindTerminal))
			s.Actions = append(s.Actions, act("close", []string{"open"}, "void"))
		}, []workflow.DefectKind{workflow.DefectDuplicateAction}},
		{"reopen to an unknown state", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("reopen", []string{"done"}, "limbo"))
		}, []workflow.DefectKind{workflow.DefectUnknownState}},
		{"reopen with no role", func(s *workflow.Spec) {
			a := act("reopen", []string{"done"}, "open")
			a.Roles = nil
			s.Actions = append(s.Actions, a)
		}, []workflow.DefectKind{workflow.DefectNoRoles}},
		{"reopen twice from one terminal state", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("reopen", []string{"done"}, "open"), act("reopen", []string{"done"}, "open"))
		}, []workflow.DefectKind{workflow.DefectDuplicateAction}},
		{"reopen into a state with no way to close", func(s *workflow.Spec) {
			s.States = append(s.States, st("limbo", workflow.KindIntermediate), st("loop", workflow.KindIntermediate))
			s.Actions = append(s.Actions,
				act("reopen", []string{"done"}, "limbo"),
				act("spin", []string{"limbo"}, "loop"),
				act("spin", []string{"loop"}, "limbo"))
		}, []workflow.DefectKind{workflow.DefectNoTerminalPath, workflow.DefectNoTerminalPath}},
		{"reopen from an undeclared state", func(s *workflow.Spec) {
			s.Actions = append(s.Actions, act("reopen", []string{"gone"}, "open"))
		}, []workflow.DefectKind{workflow.DefectUnknownState}},
		{"unreachable state", func(s *workflow.Spec) {
			s.States = append(s.States, st("island", workflow.KindIntermediate))
			s.Actions = append(s.Actions, act("leave", []string{"island"}, "done"))
		}, []workflow.DefectKind{workflow.DefectUnreachable}},
		{"dead end", func(s *workflow.Spec) {
			s.States = append(s.States, st("stuck", workflow.KindIntermediate))
			s.Actions = append(s.Actions, act("park", []string{"open"}, "stuck"))
		}, []workflow.DefectKind{workflow.DefectDeadEnd}},
		{"no path to a terminal state", func(s *workflow.Spec) {
			s.States = append(s.States, st("ping", workflow.KindIntermediate), st("pong", workflow.KindIntermediate))
			s.Actions = append(s.Actions,
				act("serve", []string{"open"}, "ping"),
				act("hit", []string{"ping"}, "pong"),
				act("back", []string{"pong"}, "ping"))
		}, []workflow.DefectKind{workflow.DefectNoTerminalPath, workflow.DefectNoTerminalPath}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tiny(t)
			tc.modify(&spec)
			d, err := workflow.New(spec)
			require.Nil(t, d)
			require.ErrorIs(t, err, workflow.ErrInvalid)
			require.Equal(t, tc.want, defectKinds(t, err))
			require.Panics(t, func() { workflow.MustNew(spec) })
		})
	}
}

// TestNewReportsEveryDefect builds one spec with many defects and expects
// them all in one error.
func TestNewReportsEveryDefect(t *testing.T) {
	spec := workflow.Spec{
		Name: "",
		States: []workflow.State{
			{Name: "a", Kind: workflow.KindInitial},
			{Name: "b", Kind: workflow.KindInitial},
			{Name: "a", Kind: workflow.KindIntermediate},
			{Name: "stuck", Kind: workflow.KindIntermediate},
			{Name: "end", Kind: workflow.KindTerminal},
		},
		Actions: []workflow.Action{
			{Name: "go", From: []string{"a", "ghost"}, To: "end"},
			{Name: "go", From: []string{"a"}, To: "end", Roles: []workflow.Role{"r"}},
			{Name: "out", From: []string{"end"}, To: "a", Roles: []workflow.Role{"r"}},
		},
	}
	_, err := workflow.New(spec)
	kinds := defectKinds(t, err)
	for _, k := range []workflow.DefectKind{
		workflow.DefectEmptyName, workflow.DefectBadVersion, workflow.DefectDuplicateState,
		workflow.DefectInitialCount, workflow.DefectUnknownState, workflow.DefectNoRoles,
		workflow.DefectDuplicateAction, workflow.DefectDeadEnd,
	} {
		require.Contains(t, kinds, k)
	}
	var de *workflow.DefinitionError
	require.ErrorAs(t, err, &de)
	require.True(t, de.Has(workflow.DefectDeadEnd))
	require.False(t, de.Has(workflow.DefectNilGuard))
	require.Contains(t, err.Error(), "defect")

	// The same spec gives the same defects in the same order.
	_, again := workflow.New(spec)
	require.Equal(t, err, again)
}

// TestNewCopiesSpec: changing the spec after New does not change the
// definition, nor does changing what accessors return.
func TestNewCopiesSpec(t *testing.T) {
	spec := tiny(t)
	d := workflow.MustNew(spec)
	spec.States[0].Name = "changed"
	spec.Actions[0].Roles[0] = "other"
	spec.Actions[0].From[0] = "changed"

	require.Equal(t, "open", d.Initial())
	require.True(t, d.Can("open", "close", "staff"))
	states := d.States()
	states[0].Name = "x"
	actions := d.Actions()
	actions[0].Roles[0] = "x"
	actions[0].From[0] = "x"
	s, ok := d.State("open")
	require.True(t, ok)
	require.Equal(t, workflow.KindInitial, s.Kind)
	require.True(t, d.Can("open", "close", "staff"))
	_, ok = d.State("x")
	require.False(t, ok)
}

// TestLargeDefinition walks a definition of 40 states that share one
// action name.
func TestLargeDefinition(t *testing.T) {
	const n = 40
	name := func(i int) string { return "s" + string(rune('A'+i/26)) + string(rune('a'+i%26)) }
	spec := chain(n, name, func(int) string { return "next" }, "r")
	d := workflow.MustNew(spec)
	st := workflow.Status{State: d.Initial()}
	for !d.IsTerminal(st.State) {
		require.NoError(t, d.Apply(t.Context(), &st, "next", workflow.Actor{Role: "r"}, nil))
	}
	require.Equal(t, name(n-1), st.State)
	_, err := apply(d, "nope", "next", workflow.Actor{Role: "r"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)
}

// TestReopenAllowed: a definition whose terminal states declare reopen
// actions is valid; they stay terminal, and only the declared actions
// leave them.
func TestReopenAllowed(t *testing.T) {
	spec := tiny(t)
	spec.Actions = append(spec.Actions, workflow.Action{Name: "reopen", From: []string{"done"}, To: "open", Roles: []workflow.Role{"owner"}})
	d, err := workflow.New(spec)
	require.NoError(t, err)
	require.True(t, d.IsTerminal("done"))
	require.True(t, d.Can("done", "reopen", "owner"))
	require.False(t, d.Can("done", "close", "staff"))
	st, err := apply(d, "done", "reopen", workflow.Actor{Role: "owner"}, nil)
	require.NoError(t, err)
	require.Equal(t, "open", st.State)
	_, err = apply(d, "done", "close", workflow.Actor{Role: "staff"}, nil)
	require.ErrorIs(t, err, workflow.ErrConflict)
}

func TestLimits(t *testing.T) {
	t.Run("at the limit", func(t *testing.T) {
		spec := chain(workflow.MaxStates, numbered("s%d"), numbered("a%d"), "r")
		d, err := workflow.New(spec)
		require.NoError(t, err)
		actor := workflow.Actor{Role: "r"}
		state := d.Initial()
		for i, a := range spec.Actions {
			// Every other step with names that own their bytes.
			s, name := state, a.Name
			if i%2 == 1 {
				s, name = strings.Clone(s), strings.Clone(name)
			}
			st, err := apply(d, s, name, actor, nil)
			require.NoError(t, err, "step %d", i+1)
			if i > 0 {
				_, err = apply(d, st.State, spec.Actions[i-1].Name, actor, nil)
				require.ErrorIs(t, err, workflow.ErrConflict, "step %d backwards", i+1)
			}
			state = st.State
		}
		require.True(t, d.IsTerminal(state))
	})
	t.Run("too many states", func(t *testing.T) {
		_, err := workflow.New(chain(workflow.MaxStates+1, numbered("s%d"), numbered("a%d"), "r"))
		require.Equal(t, []workflow.DefectKind{workflow.DefectTooMany}, defectKinds(t, err))
	})
	t.Run("too many actions", func(t *testing.T) {
		spec := tiny(t)
		for i := range workflow.MaxActions {
			spec.Actions = append(spec.Actions, workflow.Action{
				Name: fmt.Sprintf("close%d", i), From: []string{"open"}, To: "done", Roles: []workflow.Role{"staff"},
			})
		}
		_, err := workflow.New(spec)
		require.Equal(t, []workflow.DefectKind{workflow.DefectTooMany}, defectKinds(t, err))
	})
}
