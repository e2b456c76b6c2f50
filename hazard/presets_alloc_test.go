//go:build !race

package hazard_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/workflow"
)

// TestPresetsApplyAllocs: firing the presets allocates nothing, on success
// (guards and severity deadlines included) or on refusal, with states and
// actions that own their bytes, as Service.Act passes them (a state read
// from the store, an action from a request). The race detector allocates,
// so this file is left out of -race builds.
func TestPresetsApplyAllocs(t *testing.T) {
	ctx := context.Background()
	owned := func(s string) string { return string([]byte(s)) }
	c, r := hazard.CitizenReport().Definition(), hazard.Rectification().Definition()
	submitted, dispatch, accept, resolve, approve := owned("submitted"), owned("dispatch"), owned("accept"), owned("resolve"), owned("approve")
	found, order, rectify, pass := owned("found"), owned("order"), owned("rectify"), owned("pass")
	h := &hazard.Hazard{}
	in := &workflow.Input{Reason: "fixed", Department: "fire", Photos: []string{"p1"}, Subject: h, Now: presetNow}
	dispatcher := workflow.Actor{ID: "d", Role: hazard.RoleDispatcher}
	handler := workflow.Actor{ID: "h", Role: hazard.RoleHandler}
	reviewer := workflow.Actor{ID: "r", Role: hazard.RoleReviewer}
	inspector := workflow.Actor{ID: "i", Role: hazard.RoleInspector}
	enterprise := workflow.Actor{ID: "e", Role: hazard.RoleEnterprise}

	var st workflow.Status
	allocs := testing.AllocsPerRun(1000, func() {
		st = workflow.Status{State: submitted}
		for _, step := range []struct {
			action string
			actor  workflow.Actor
		}{{dispatch, dispatcher}, {accept, handler}, {resolve, handler}, {approve, reviewer}} {
			if err := c.Apply(ctx, &st, step.action, step.actor, in); err != nil {
				panic(err)
			}
		}
	})
	require.Zero(t, allocs, "allocs per citizen cycle")
	require.Equal(t, hazard.StateClosedValid, st.State)

	allocs = testing.AllocsPerRun(1000, func() {
		st = workflow.Status{State: found}
		for _, step := range []struct {
			action string
			actor  workflow.Actor
		}{{order, inspector}, {rectify, enterprise}, {pass, inspector}} { // order and pass have guards
			if err := r.Apply(ctx, &st, step.action, step.actor, in); err != nil {
				panic(err)
			}
		}
	})
	require.Zero(t, allocs, "allocs per rectification cycle")
	require.Equal(t, hazard.StateClosedOut, st.State)

	empty := &workflow.Input{}
	allocs = testing.AllocsPerRun(1000, func() {
		s1 := workflow.Status{State: submitted}
		if c.Apply(ctx, &s1, approve, reviewer, in) == nil || // conflict
			c.Apply(ctx, &s1, dispatch, handler, in) == nil || // forbidden
			c.Apply(ctx, &s1, dispatch, dispatcher, empty) == nil { // invalid: no department
			panic("refusal expected")
		}
	})
	require.Zero(t, allocs, "allocs per refusal")
}
