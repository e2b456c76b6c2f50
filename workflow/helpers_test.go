package workflow_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// subject is a test subject that knows its severity.
type subject struct{ major bool }

func (h subject) Major() bool { return h.major }

var (
	general = subject{major: false}
	major   = subject{major: true}
)

var allRoles = []workflow.Role{
	hazard.RoleReporter, hazard.RoleDispatcher, hazard.RoleHandler, hazard.RoleReviewer,
	hazard.RoleAdmin, hazard.RoleInspector, hazard.RoleEnterprise, "", "stranger",
}

var now = time.Date(2025, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// fullInput returns an input that satisfies every InputKind the presets use.
func fullInput(subject any) *workflow.Input {
	return &workflow.Input{
		Reason:     "done",
		Department: "fire",
		Photos:     []string{"blob:1"},
		Subject:    subject,
		Now:        now,
	}
}

// actionNames returns the distinct action names of d in declaration order.
func actionNames(d *workflow.Definition) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range d.Actions() {
		if !seen[a.Name] {
			seen[a.Name] = true
			names = append(names, a.Name)
		}
	}
	return names
}

// stateNames returns the state names of d in declaration order.
func stateNames(d *workflow.Definition) []string {
	var names []string
	for _, s := range d.States() {
		names = append(names, s.Name)
	}
	return names
}

// tiny returns a small valid spec: open -> done via close.
func tiny(t *testing.T) workflow.Spec {
	t.Helper()
	return workflow.Spec{
		Name:    "tiny",
		Version: 1,
		States: []workflow.State{
			{Name: "open", Kind: workflow.KindInitial},
			{Name: "done", Kind: workflow.KindTerminal},
		},
		Actions: []workflow.Action{
			{Name: "close", From: []string{"open"}, To: "done", Roles: []workflow.Role{"staff"}},
		},
	}
}

// chain returns a valid spec of n states in a line, named by state(i) (the
// first initial, the last terminal), joined by the actions action(i), from
// state i-1 to state i, which role may take.
func chain(n int, state, action func(i int) string, role workflow.Role) workflow.Spec {
	spec := workflow.Spec{Name: "chain", Version: 1}
	for i := range n {
		kind := workflow.KindIntermediate
		switch i {
		case 0:
			kind = workflow.KindInitial
		case n - 1:
			kind = workflow.KindTerminal
		}
		spec.States = append(spec.States, workflow.State{Name: state(i), Kind: kind})
		if i > 0 {
			spec.Actions = append(spec.Actions, workflow.Action{
				Name: action(i), From: []string{state(i - 1)}, To: state(i), Roles: []workflow.Role{role},
			})
		}
	}
	return spec
}

// numbered returns a name function for chain: format applied to i.
func numbered(format string) func(i int) string {
	return func(i int) string { return fmt.Sprintf(format, i) }
}
