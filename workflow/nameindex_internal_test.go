package workflow

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestOwnNamesComeBack checks that the names Fire and Apply hand out are the
// definition's own strings, which the fast path recognises by address, even
// when the spec's names were built at run time rather than written as
// constants; and that equal strings elsewhere in memory are not taken for
// them.
func TestOwnNamesComeBack(t *testing.T) {
	const n = 40
	spec := Spec{Name: "built", Version: 1}
	for i := range n {
		kind := KindIntermediate
		switch i {
		case 0:
			kind = KindInitial
		case n - 1:
			kind = KindTerminal
		}
		spec.States = append(spec.States, State{Name: fmt.Sprintf("state-%d", i), Kind: kind})
		if i > 0 {
			spec.Actions = append(spec.Actions, Action{
				Name: fmt.Sprintf("step-%d", i), From: []string{fmt.Sprintf("state-%d", i-1)},
				To: fmt.Sprintf("state-%d", i), Roles: []Role{"r"},
			})
		}
	}
	d := MustNew(spec)
	own := func(x *nameIndex, name string) bool { return ours(x.ownSlot(name).name, name) }
	ctx := context.Background()
	state := d.Initial()
	st := Status{State: d.Initial()}
	for i := 1; i < n; i++ {
		if !own(&d.stateIdx, state) {
			t.Fatalf("state %q handed out at step %d is not the definition's own string", state, i)
		}
		action := strings.Clone(fmt.Sprintf("step-%d", i))
		if own(&d.nameIdx, action) {
			t.Fatalf("a copy of %q is taken for the definition's own string", action)
		}
		tr, err := d.Fire(ctx, state, action, Actor{Role: "r"}, nil)
		if err != nil {
			t.Fatalf("Fire(%q, %q): %v", state, action, err)
		}
		if !own(&d.stateIdx, tr.From) || !own(&d.nameIdx, tr.Action) {
			t.Fatalf("Transition.From %q or Action %q is not the definition's own string", tr.From, tr.Action)
		}
		if err := d.Apply(ctx, &st, action, Actor{Role: "r"}, nil); err != nil {
			t.Fatalf("Apply(%q, %q): %v", st.State, action, err)
		}
		if !own(&d.stateIdx, st.State) || st.State != tr.To {
			t.Fatalf("Status.State %q after Apply: not the definition's own %q", st.State, tr.To)
		}
		state = tr.To
	}
	if !d.IsTerminal(state) {
		t.Fatalf("ended in %q", state)
	}
}

// BenchmarkFireNames compares the fast path (the definition's own strings)
// with names found by their bytes (copies, as read from a database), for a
// refusal and for a transition.
func BenchmarkFireNames(b *testing.B) {
	ctx := context.Background()
	d := CitizenReport()
	reviewer := Actor{ID: "r", Role: RoleReviewer}
	handler := Actor{ID: "h", Role: RoleHandler}
	for _, tc := range []struct {
		name          string
		state, action string
		actor         Actor
		wantErr       bool
	}{
		{"refusal/own", StateSubmitted, ActionApprove, reviewer, true},
		{"refusal/copied", strings.Clone(StateSubmitted), strings.Clone(ActionApprove), reviewer, true},
		{"transition/own", StateDispatched, ActionAccept, handler, false},
		{"transition/copied", strings.Clone(StateDispatched), strings.Clone(ActionAccept), handler, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Fire(ctx, tc.state, tc.action, tc.actor, nil); (err != nil) != tc.wantErr {
					b.Fatal(err)
				}
			}
		})
	}
}
