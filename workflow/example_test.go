package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/workflow"
)

// A small process: a hot-work permit is requested, then approved or
// refused by a safety officer; a refusal needs a reason. A refused permit
// is closed, but the welder may resubmit it, which reopens it.
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
			{Name: "resubmit", Label: workflow.Label{ZH: "重新申请", EN: "Resubmit"},
				From: []string{"refused"}, To: "requested", Roles: []workflow.Role{"welder"},
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
	// The permit's record keeps its Status; a real one is read from storage.
	permit := workflow.Status{State: permits.Initial()}

	// A refusal without a reason is invalid; the message is fit for users.
	err = permits.Apply(ctx, &permit, "refuse", officer, &workflow.Input{})
	fmt.Println(errors.Is(err, workflow.ErrInvalid), err)

	// A welder may not approve their own permit.
	err = permits.Apply(ctx, &permit, "approve", workflow.Actor{ID: "u7", Role: "welder"}, nil)
	fmt.Println(workflow.CodeOf(err), permit.State)

	err = permits.Apply(ctx, &permit, "approve", officer, nil)
	fmt.Println(permit.State, err, permits.IsTerminal(permit.State))

	// Nothing leaves approved: it declares no action.
	err = permits.Apply(ctx, &permit, "refuse", officer, &workflow.Input{Reason: "changed my mind"})
	fmt.Println(workflow.CodeOf(err))
	// Output:
	// true workflow: "refuse" needs a reason (invalid)
	// forbidden requested
	// approved <nil> true
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
	//     refused --> requested : resubmit 重新申请 [welder]
	//     approved --> [*]
	//     refused --> [*]
}

// A subject stored by the caller keeps a Status; Apply advances it in place,
// with the new state's deadline, and leaves it as it was when the action is
// refused. A terminal state closes the subject; the actions it declares
// reopen it.
func ExampleDefinition_Apply() {
	type permit struct {
		ID string
		workflow.Status
	}
	permits := workflow.MustNew(permitSpec())
	ctx := context.Background()
	// The state as read from a database row owns its bytes: it is found by
	// them, exactly as a constant is.
	p := permit{ID: "HW-1", Status: workflow.Status{State: string([]byte("refused"))}}
	fmt.Println(p.State, permits.IsTerminal(p.State))

	officer := workflow.Actor{ID: "u42", Role: "safety_officer"}
	err := permits.Apply(ctx, &p.Status, "approve", officer, nil)
	fmt.Println(p.State, workflow.CodeOf(err))

	welder := workflow.Actor{ID: "u7", Role: "welder"}
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	err = permits.Apply(ctx, &p.Status, "resubmit", welder, &workflow.Input{Reason: "the fire watch is booked", Now: now})
	fmt.Println(p.State, p.DeadlineIn, p.Deadline.Format(time.RFC3339), err)
	// Output:
	// refused true
	// refused conflict
	// requested 4h0m0s 2025-03-01T12:00:00Z <nil>
}

func ExampleDefinition_Available() {
	permits := workflow.MustNew(permitSpec())
	for _, a := range permits.Available("requested", "safety_officer") {
		fmt.Println(a.Name, a.Label.ZH, a.Label.EN, a.Needs)
	}
	// Output:
	// approve 批准 Approve []
	// refuse 驳回 Refuse [reason]
}

func ExampleRegistry() {
	reg, err := workflow.NewRegistry(workflow.MustNew(permitSpec()))
	if err != nil {
		panic(err)
	}
	// A subject records the definition's name and version when it starts,
	// and is always fired with that version.
	d, err := reg.Get("hot_work_permit", 1)
	fmt.Println(d.Name(), d.Version(), err)
	_, err = reg.Get("hot_work_permit", 2)
	fmt.Println(workflow.CodeOf(err))
	// Output:
	// hot_work_permit 1 <nil>
	// not_found
}
