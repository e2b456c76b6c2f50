package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/workflow"
)

// The test process of this package: a repair ticket. A requester opens a
// ticket; the desk assigns it to a team (or declines it) and the requester
// may cancel it while it is open; a technician fixes it (or hands it back);
// the desk verifies the fix (a supervisor must, for an urgent ticket) or
// sends it back for rework. A closed ticket is reopened by its requester
// when the fault is back.
const (
	roleRequester  workflow.Role = "requester"
	roleDesk       workflow.Role = "desk"
	roleTechnician workflow.Role = "technician"
	roleSupervisor workflow.Role = "supervisor"
)

// ticket is a test subject that knows whether it is urgent.
type ticket struct{ urgent bool }

func (t ticket) Urgent() bool { return t.urgent }

var (
	routine = ticket{urgent: false}
	urgent  = ticket{urgent: true}
)

// isUrgent reports whether subject is an urgent ticket.
func isUrgent(subject any) bool {
	u, ok := subject.(interface{ Urgent() bool })
	return ok && u.Urgent()
}

var errSupervisorVerifies = errors.New("an urgent ticket is verified by a supervisor")

// supervisorIfUrgent refuses the desk's verification of an urgent ticket.
func supervisorIfUrgent(_ context.Context, r workflow.Request) error {
	if r.Actor.Role == roleDesk && isUrgent(r.Subject()) {
		return errSupervisorVerifies
	}
	return nil
}

// ticketSpec returns the repair ticket process: open (8 h to assign),
// assigned (4 h to fix an urgent ticket, 72 h another), fixed (48 h to
// verify), and the terminals closed and cancelled; reopen leaves closed.
func ticketSpec() workflow.Spec {
	hours := func(h time.Duration) workflow.DeadlineFunc {
		return func(any) time.Duration { return h * time.Hour }
	}
	desk := []workflow.Role{roleDesk, roleSupervisor}
	tech := []workflow.Role{roleTechnician, roleSupervisor}
	reason := []workflow.InputKind{workflow.NeedReason}
	return workflow.Spec{
		Name:    "repair_ticket",
		Version: 1,
		States: []workflow.State{
			{Name: "open", Kind: workflow.KindInitial, Label: workflow.Label{ZH: "待派单", EN: "Open"}, Deadline: hours(8)},
			{Name: "assigned", Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "维修中", EN: "Assigned"},
				Deadline: func(subject any) time.Duration {
					if isUrgent(subject) {
						return 4 * time.Hour
					}
					return 72 * time.Hour
				}},
			{Name: "fixed", Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "待验收", EN: "Fixed"}, Deadline: hours(48)},
			{Name: "closed", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已关闭", EN: "Closed"}},
			{Name: "cancelled", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已取消", EN: "Cancelled"}},
		},
		Actions: []workflow.Action{
			{Name: "assign", Label: workflow.Label{ZH: "派单", EN: "Assign"}, From: []string{"open"}, To: "assigned",
				Roles: desk, Needs: []workflow.InputKind{workflow.NeedDepartment}},
			{Name: "decline", Label: workflow.Label{ZH: "不予受理", EN: "Decline"}, From: []string{"open"}, To: "cancelled",
				Roles: desk, Needs: reason},
			{Name: "cancel", Label: workflow.Label{ZH: "取消", EN: "Cancel"}, From: []string{"open"}, To: "cancelled",
				Roles: []workflow.Role{roleRequester}},
			{Name: "hand_back", Label: workflow.Label{ZH: "退单", EN: "Hand back"}, From: []string{"assigned"}, To: "open",
				Roles: tech, Needs: reason},
			{Name: "fix", Label: workflow.Label{ZH: "完工", EN: "Fix"}, From: []string{"assigned"}, To: "fixed",
				Roles: tech, Needs: []workflow.InputKind{workflow.NeedReason, workflow.NeedPhotos}},
			{Name: "verify", Label: workflow.Label{ZH: "验收", EN: "Verify"}, From: []string{"fixed"}, To: "closed",
				Roles: desk, Guards: []workflow.Guard{supervisorIfUrgent}},
			{Name: "redo", Label: workflow.Label{ZH: "返工", EN: "Redo"}, From: []string{"fixed"}, To: "assigned",
				Roles: desk, Needs: reason},
			{Name: "reopen", Label: workflow.Label{ZH: "重新打开", EN: "Reopen"}, From: []string{"closed"}, To: "assigned",
				Roles: []workflow.Role{roleRequester}, Needs: reason},
		},
	}
}

// ticketTargets is the ticket process's transition table written out by
// hand: (state, action) -> target. Pairs not listed must conflict.
var ticketTargets = map[[2]string]string{
	{"open", "assign"}:        "assigned",
	{"open", "decline"}:       "cancelled",
	{"open", "cancel"}:        "cancelled",
	{"assigned", "hand_back"}: "open",
	{"assigned", "fix"}:       "fixed",
	{"fixed", "verify"}:       "closed",
	{"fixed", "redo"}:         "assigned",
	{"closed", "reopen"}:      "assigned",
}

var ticketRoles = map[string][]workflow.Role{
	"assign":    {roleDesk, roleSupervisor},
	"decline":   {roleDesk, roleSupervisor},
	"cancel":    {roleRequester},
	"hand_back": {roleTechnician, roleSupervisor},
	"fix":       {roleTechnician, roleSupervisor},
	"verify":    {roleDesk, roleSupervisor},
	"redo":      {roleDesk, roleSupervisor},
	"reopen":    {roleRequester},
}

var ticketNeeds = map[string][]workflow.InputKind{
	"assign":    {workflow.NeedDepartment},
	"decline":   {workflow.NeedReason},
	"hand_back": {workflow.NeedReason},
	"fix":       {workflow.NeedReason, workflow.NeedPhotos},
	"redo":      {workflow.NeedReason},
	"reopen":    {workflow.NeedReason},
}

var tickets = workflow.MustNew(ticketSpec())

var allRoles = []workflow.Role{roleRequester, roleDesk, roleTechnician, roleSupervisor, "", "stranger"}

var now = time.Date(2025, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

// fullInput returns an input that satisfies every InputKind the ticket
// process uses.
func fullInput(subject any) *workflow.Input {
	return &workflow.Input{
		Reason:     "done",
		Department: "plumbing",
		Photos:     []string{"blob:1"},
		Subject:    subject,
		Now:        now,
	}
}

// apply fires action at a subject in state from and returns the status it
// ends with, or the error.
func apply(d *workflow.Definition, from, action string, actor workflow.Actor, in *workflow.Input) (workflow.Status, error) {
	st := workflow.Status{State: from}
	err := d.Apply(context.Background(), &st, action, actor, in)
	return st, err
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
