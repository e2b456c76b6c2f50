package hazard_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestQueue(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *hazard.ServiceConfig) { c.DuplicateRadius = -1 })
	s1 := f.submit(t, citizen, fireReport())
	f.clock.Advance(time.Hour)
	s2 := f.submit(t, otherCit, fireReport())
	f.clock.Advance(time.Hour)
	d1 := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})
	f.clock.Advance(time.Hour)
	g1 := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "gas"})
	f.clock.Advance(time.Hour)
	a1 := f.act(t, fireDept, f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"}), "accept", hazard.ActInput{})
	r1 := f.act(t, fireDept, f.act(t, fireDept, f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"}), "accept", hazard.ActInput{}), "resolve", resolution("r"))
	f.act(t, reviewer, r1, "approve", hazard.ActInput{}) // closed: in nobody's queue
	r2 := f.act(t, fireDept, f.act(t, fireDept, f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"}), "accept", hazard.ActInput{}), "resolve", resolution("r2"))

	ids := func(u hazard.User, limit int) []string {
		t.Helper()
		q, err := f.svc.Queue(ctx, u, limit)
		require.NoError(t, err)
		out := []string{}
		for _, h := range q {
			out = append(out, h.Ref)
		}
		return out
	}
	tests := []struct {
		name  string
		user  hazard.User
		limit int
		want  []string
	}{
		{"dispatcher: submitted, oldest deadline first", dispatcher, 0, []string{s1.Ref, s2.Ref}},
		{"limit", dispatcher, 1, []string{s1.Ref}},
		// d1 (dispatched) is due in a day; a1 (accepted, general) in five.
		{"fire handler: own department", fireDept, 0, []string{d1.Ref, a1.Ref}},
		{"gas handler", gasDept, 0, []string{g1.Ref}},
		{"reviewer: resolved", reviewer, 0, []string{r2.Ref}},
		{"reporter: what they may withdraw", otherCit, 0, []string{s2.Ref}},
		{"inspector: no citizen reports", inspector, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ids(tt.user, tt.limit))
		})
	}
	_, err := f.svc.Queue(ctx, dispatcher, -1)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	_, err = f.svc.Queue(ctx, hazard.User{}, 0)
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
}
