package workflow_test

import (
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/workflow"
)

// hazard is a test subject that knows its severity.
type hazard struct{ major bool }

func (h hazard) Major() bool { return h.major }

var (
	general = hazard{major: false}
	major   = hazard{major: true}
)

var allRoles = []workflow.Role{
	workflow.RoleReporter, workflow.RoleDispatcher, workflow.RoleHandler, workflow.RoleReviewer,
	workflow.RoleAdmin, workflow.RoleInspector, workflow.RoleEnterprise, "", "stranger",
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
