package hazard_test

import (
	"context"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// subject is a test subject of the presets that knows its severity.
type subject struct{ major bool }

func (s subject) Major() bool { return s.major }

var (
	general = subject{major: false}
	major   = subject{major: true}
)

var allRoles = []workflow.Role{
	hazard.RoleReporter, hazard.RoleDispatcher, hazard.RoleHandler, hazard.RoleReviewer,
	hazard.RoleAdmin, hazard.RoleInspector, hazard.RoleEnterprise, hazard.RoleSupervisor, "", "stranger",
}

var presetNow = time.Date(2025, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// fullInput returns an input that satisfies every InputKind the presets use.
func fullInput(subject any) *workflow.Input {
	return &workflow.Input{
		Reason:     "done",
		Department: "fire",
		Photos:     []string{"blob:1"},
		Subject:    subject,
		Now:        presetNow,
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

// apply fires action at a subject in state from and returns the status it
// ends with (from, unchanged, on error) and the error.
func apply(d *workflow.Definition, from, action string, actor workflow.Actor, in *workflow.Input) (workflow.Status, error) {
	st := workflow.Status{State: from}
	err := d.Apply(context.Background(), &st, action, actor, in)
	return st, err
}
