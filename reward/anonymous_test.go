package reward_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

// TestAnonymousReportRewards drives anonymous reports through the real
// hazard service and relay: an anonymous report closed as valid earns
// nothing until a verified citizen binds it with its claim code; binding
// after the closure re-evaluates the rules then, binding before it lets the
// closure decide, and a duplicate's binding earns nothing (first reporter).
func TestAnonymousReportRewards(t *testing.T) {
	clk := &clock{t: T0}
	store := memstore.New()
	hs, err := hazard.NewService(hazard.ServiceConfig{Store: store, Clock: clk.Now, Refs: hazard.RefFormat{Prefix: "LC"},
		Limiter: memlimit.New(memlimit.Config{Clock: clk.Now})})
	require.NoError(t, err)
	rs, err := reward.New(reward.Config{
		Ledger: memledger.New(), Payer: mempay.New(), Policies: []reward.Policy{reward.CityProgramme()},
		Hazards: store, Events: store, Clock: clk.Now,
	})
	require.NoError(t, err)
	rl, err := relay.New(store, store, relay.Config{Consumers: []relay.Consumer{rs.Consumer()}, Clock: clk.Now})
	require.NoError(t, err)

	dispatcher := hazard.User{ID: "disp", Role: "dispatcher"}
	handler := hazard.User{ID: "fire-1", Role: "handler", Department: "fire"}
	reviewer := hazard.User{ID: "rev", Role: "reviewer"}
	carol := hazard.User{ID: "carol", Role: "reporter", Verified: true}
	dave := hazard.User{ID: "dave", Role: "reporter", Verified: true}
	submit := func(device string, p hazard.Point) (hazard.Hazard, string) {
		h, code, err := hs.SubmitAnonymous(ctx, hazard.Origin{Address: "203.0.113.1", Device: device},
			hazard.SubmitInput{Category: "fire", Description: "安全出口被杂物堵塞",
				Location: hazard.Location{Address: "建国路88号", Point: &p}, Photos: []hazard.Photo{loopPhoto(device)}}, "")
		require.NoError(t, err)
		return h, code
	}
	closeValid := func(h hazard.Hazard) hazard.Hazard {
		h, err := store.Get(ctx, h.ID) // a binding changed its version
		require.NoError(t, err)
		for _, step := range []struct {
			who    hazard.User
			action string
			in     hazard.ActInput
		}{
			{dispatcher, "dispatch", hazard.ActInput{Department: "fire"}},
			{handler, "accept", hazard.ActInput{}},
			{handler, "resolve", hazard.ActInput{Note: "已清理", Photos: []hazard.Photo{loopPhoto("fixed")}}},
			{reviewer, "approve", hazard.ActInput{Verdict: "属实"}},
		} {
			clk.Advance(10 * time.Minute)
			step.in.ExpectedVersion = h.Version
			h, err = hs.Act(ctx, step.who, h.ID, step.action, step.in)
			require.NoError(t, err, step.action)
		}
		return h
	}
	pending := func(u hazard.User) []reward.Reward {
		t.Helper()
		l, err := rs.Mine(ctx, u, "", hazard.Page{})
		require.NoError(t, err)
		return l.Items
	}

	// Closed first, bound a month later.
	first, code := submit("device-first-000000", hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84})
	first = closeValid(first)
	require.NoError(t, rl.Drain(ctx))
	got, err := rs.Ledger().ByHazard(ctx, first.ID)
	require.NoError(t, err)
	assert.Empty(t, got, "an unbound anonymous report earns nothing")

	clk.Advance(30 * 24 * time.Hour)
	_, err = hs.BindClaim(ctx, carol, "198.51.100.2", code)
	require.NoError(t, err, "BindClaim")
	require.NoError(t, rl.Drain(ctx))
	mine := pending(carol)
	require.Len(t, mine, 1, "binding re-evaluates the rules")
	assert.Equal(t, first.ID, mine[0].HazardID)
	assert.Equal(t, reward.StatusPending, mine[0].Status)
	assert.Equal(t, clk.Now(), mine[0].IssuedAt, "decided at the binding")
	require.NoError(t, rl.Drain(ctx))
	assert.Len(t, pending(carol), 1, "redelivery issues nothing more")

	// Bound before its closure: the closure decides for the bound user.
	second, secondCode := submit("device-second-00000", hazard.Point{Lat: 31.2304, Lng: 121.4737, System: hazard.WGS84})
	_, err = hs.BindClaim(ctx, dave, "198.51.100.3", secondCode)
	require.NoError(t, err)
	require.NoError(t, rl.Drain(ctx))
	assert.Empty(t, pending(dave), "an open report earns nothing at binding")
	closeValid(second)
	require.NoError(t, rl.Drain(ctx))
	mine = pending(dave)
	require.Len(t, mine, 1, "the closure decides for the bound user")
	assert.Equal(t, second.ID, mine[0].HazardID)

	// A duplicate (close to an open report of the same category) bound
	// to a citizen: the first-reporter rule holds as for anyone.
	erin := hazard.User{ID: "erin", Role: "reporter", Verified: true}
	third, _ := submit("device-third-000000", hazard.Point{Lat: 22.5431, Lng: 114.0579, System: hazard.WGS84})
	dup, dupCode := submit("device-fourth-00000", hazard.Point{Lat: 22.5431, Lng: 114.0580, System: hazard.WGS84})
	require.Equal(t, third.ID, dup.DuplicateOf)
	_, err = hs.BindClaim(ctx, erin, "198.51.100.4", dupCode)
	require.NoError(t, err)
	closeValid(third)
	closeValid(dup)
	require.NoError(t, rl.Drain(ctx))
	assert.Empty(t, pending(erin), "a duplicate earns nothing")
	got, err = rs.Ledger().ByHazard(ctx, third.ID)
	require.NoError(t, err)
	assert.Empty(t, got, "the unbound first report earns nothing either")
}
