package pgstore_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// TestAskFixedAcrossPools: the "is it fixed?" sweep run by two processes
// (two pools on one schema) at once asks the reporter once, and the answer
// and the reopening it makes are kept in PostgreSQL.
func TestAskFixedAcrossPools(t *testing.T) {
	ctx := context.Background()
	a, b := twoProcesses(t)
	clock := hazardtest.NewClock(hazardtest.Epoch)
	svcs := make([]*hazard.Service, 2)
	for i, st := range []hazard.Store{a.Hazards(), b.Hazards()} {
		svc, err := hazard.NewService(hazard.ServiceConfig{Store: st, Clock: clock.Now, Refs: hazard.RefFormat{Prefix: "PG"}})
		require.NoError(t, err)
		svcs[i] = svc
	}
	citizen := hazard.User{ID: "citizen-pg", Role: "reporter", Verified: true}
	pt := hazardtest.BeijingWGS84
	h, err := svcs[0].Submit(ctx, citizen, hazard.SubmitInput{Category: "fire", Description: "消防通道被堵",
		Location: hazard.Location{Address: "东长安街1号", Point: &pt}, Photos: []hazard.Photo{hazardtest.NewPhoto("pg-fixed")}}, "")
	require.NoError(t, err)
	for _, step := range []struct {
		u      hazard.User
		action string
		in     hazard.ActInput
	}{
		{hazard.User{ID: "d", Role: "dispatcher"}, "dispatch", hazard.ActInput{Department: "fire"}},
		{hazard.User{ID: "f", Role: "handler", Department: "fire"}, "accept", hazard.ActInput{}},
		{hazard.User{ID: "f", Role: "handler", Department: "fire"}, "resolve", hazard.ActInput{Note: "已清理", Photos: []hazard.Photo{hazardtest.NewPhoto("pg-ev")}}},
		{hazard.User{ID: "r", Role: "reviewer"}, "approve", hazard.ActInput{}},
	} {
		step.in.ExpectedVersion = h.Version
		h, err = svcs[0].Act(ctx, step.u, h.ID, step.action, step.in)
		require.NoError(t, err, step.action)
	}
	clock.Advance(hazard.DefaultFixedCheckAfter + time.Minute)
	var asked atomic.Int64
	hazardtest.Together(6, func(i int) {
		n, err := svcs[i%2].AskFixed(ctx)
		if err != nil {
			t.Error(err)
		}
		asked.Add(int64(n))
	})
	assert.Equal(t, int64(1), asked.Load(), "asked once across processes")
	h, err = a.Hazards().Get(ctx, h.ID)
	require.NoError(t, err)
	require.True(t, h.Aftercare.Awaiting())
	h, err = svcs[1].AnswerFixed(ctx, citizen, h.ID, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: []hazard.Photo{hazardtest.NewPhoto("pg-back")}})
	require.NoError(t, err)
	got, err := b.Hazards().Get(ctx, h.ID)
	require.NoError(t, err)
	assert.Equal(t, hazard.StateDispatched, got.State)
	assert.Equal(t, hazard.Aftercare{Reopens: 1, FixedNo: 1}, got.Aftercare)
}
