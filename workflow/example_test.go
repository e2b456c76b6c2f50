package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// A small custom process: a hot-work permit is requested, then approved or
// refused by a safety officer; a refusal needs a reason.
func permitSpec() workflow.Spec {
	return workflow.Spec{
		Name:    "hot_work_permit",
		Version: 1,
		States: []workflow.State{
			{Name: "requested", Kind: workflow.KindInitial, Label: workflow.Label{ZH: "已申请", EN: "Requested"},
				Deadline: func(any) time.Duration { return 4 * time.Hour }},
			{Name: "approved", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已批准", EN: "Approved"}},
			{Name: "refused", Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "不予批准", EN: "Refused"}},
		},
		Actions: []workflow.Action{
			{Name: "approve", Label: workflow.Label{ZH: "批准", EN: "Approve"},
				From: []string{"requested"}, To: "approved", Roles: []workflow.Role{"safety_officer"}},
			{Name: "refuse", Label: workflow.Label{ZH: "驳回", EN: "Refuse"},
				From: []string{"requested"}, To: "refused", Roles: []workflow.Role{"safety_officer"},
				Needs: []workflow.InputKind{workflow.NeedReason}},
		},
	}
}

func Example() {
	permits, err := workflow.New(permitSpec())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	officer := workflow.Actor{ID: "u42", Role: "safety_officer"}

	// A refusal without a reason is invalid; the message is fit for users.
	_, err = permits.Fire(ctx, "requested", "refuse", officer, &workflow.Input{})
	fmt.Println(errors.Is(err, workflow.ErrInvalid), err)

	// A welder may not approve their own permit.
	_, err = permits.Fire(ctx, "requested", "approve", workflow.Actor{ID: "u7", Role: "welder"}, nil)
	fmt.Println(workflow.CodeOf(err))

	t, err := permits.Fire(ctx, "requested", "approve", officer, nil)
	fmt.Println(t.From, "->", t.To, err, permits.IsTerminal(t.To))

	// Nothing leaves a terminal state.
	_, err = permits.Fire(ctx, t.To, "refuse", officer, &workflow.Input{Reason: "changed my mind"})
	fmt.Println(workflow.CodeOf(err))
	// Output:
	// true workflow: "refuse" needs a reason (invalid)
	// forbidden
	// requested -> approved <nil> true
	// conflict
}

func ExampleNew_defects() {
	spec := permitSpec()
	spec.Actions[0].To = "aproved" // a typo
	spec.Actions[1].Roles = nil
	_, err := workflow.New(spec)
	var de *workflow.DefinitionError
	if errors.As(err, &de) {
		for _, d := range de.Defects {
			fmt.Println(d.Kind, "-", d.Message)
		}
	}
	// Output:
	// unknown_state - action "approve" leads to unknown state "aproved"
	// no_roles - action "refuse" has no role
	// unreachable - state "approved" cannot be reached from initial state "requested"
}

func ExampleDefinition_Mermaid() {
	permits := workflow.MustNew(permitSpec())
	fmt.Print(permits.Mermaid())
	// Output:
	// stateDiagram-v2
	//     %% hot_work_permit v1
	//     state "已申请 requested" as requested
	//     state "已批准 approved" as approved
	//     state "不予批准 refused" as refused
	//     [*] --> requested
	//     requested --> approved : approve 批准 [safety_officer]
	//     requested --> refused : refuse 驳回 [safety_officer]
	//     approved --> [*]
	//     refused --> [*]
}

func ExampleDefinition_Fire_deadline() {
	c := hazard.CitizenReport().Definition()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t, err := c.Fire(context.Background(), "dispatched", "accept",
		workflow.Actor{ID: "dept-fire", Role: hazard.RoleHandler},
		&workflow.Input{Subject: subject{major: true}, Now: now})
	fmt.Println(t.To, t.DeadlineIn, t.Deadline.Format(time.RFC3339), err)
	// Output:
	// accepted 48h0m0s 2025-03-03T09:00:00Z <nil>
}

// A subject stored by the caller keeps a Status; Apply advances it in place
// and leaves it as it was when the action is refused.
func ExampleDefinition_Apply() {
	type ticket struct {
		ID string
		workflow.Status
	}
	c := hazard.CitizenReport().Definition()
	ctx := context.Background()
	tk := ticket{ID: "HZ-1", Status: workflow.Status{State: c.Initial()}}
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

	dispatcher := workflow.Actor{ID: "d-7", Role: hazard.RoleDispatcher}
	err := c.Apply(ctx, &tk.Status, "dispatch", dispatcher, &workflow.Input{Department: "fire", Now: now})
	fmt.Println(tk.State, tk.DeadlineIn, tk.Deadline.Format(time.RFC3339), err)

	err = c.Apply(ctx, &tk.Status, "approve", workflow.Actor{ID: "r-1", Role: hazard.RoleReviewer}, nil)
	fmt.Println(tk.State, workflow.CodeOf(err))
	// Output:
	// dispatched 24h0m0s 2025-03-02T08:00:00Z <nil>
	// dispatched conflict
}

func ExampleDefinition_Available() {
	c := hazard.CitizenReport().Definition()
	for _, a := range c.Available("dispatched", hazard.RoleHandler) {
		fmt.Println(a.Name, a.Label.ZH, a.Label.EN, a.Needs)
	}
	// Output:
	// accept 受理 Accept []
	// send_back 退回转办 Send back [reason]
}

func ExampleRegistry() {
	reg, err := workflow.NewRegistry(hazard.CitizenReport().Definition())
	if err != nil {
		panic(err)
	}
	// A hazard records the definition's name and version when it is
	// submitted, and is always fired with that version.
	d, err := reg.Get(hazard.CitizenReportName, 1)
	fmt.Println(d.Name(), d.Version(), err)
	_, err = reg.Get(hazard.CitizenReportName, 2)
	fmt.Println(workflow.CodeOf(err))
	// Output:
	// citizen_report 1 <nil>
	// not_found
}
