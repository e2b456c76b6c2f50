package reward_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/mempay"
)

func loopPhoto(seed string) hazard.Photo {
	sum := sha256.Sum256([]byte(seed))
	return hazard.Photo{SHA256: hex.EncodeToString(sum[:]), ContentType: hazard.TypeJPEG, Size: 2048}
}

// TestCitizenLoopWithRewards drives two reports of one fire exit through
// the real hazard service and relay: the first reporter earns the city
// reward and claims it; the second, a duplicate, earns nothing.
func TestCitizenLoopWithRewards(t *testing.T) {
	clk := &clock{t: T0}
	store := memstore.New()
	hs, err := hazard.NewService(hazard.ServiceConfig{Store: store, Clock: clk.Now, Refs: hazard.RefFormat{Prefix: "LC"}})
	require.NoError(t, err)
	payer := mempay.New()
	rs, err := reward.New(reward.Config{
		Ledger: memledger.New(), Payer: payer, Policies: []reward.Policy{reward.CityProgramme()},
		Hazards: store, Events: store, Clock: clk.Now,
	})
	require.NoError(t, err)
	rl, err := relay.New(store, store, relay.Config{Consumers: []relay.Consumer{rs.Consumer()}, Clock: clk.Now})
	require.NoError(t, err)

	alice := hazard.User{ID: "alice", Role: "reporter", Verified: true}
	bob := hazard.User{ID: "bob", Role: "reporter", Verified: true}
	dispatcher := hazard.User{ID: "disp", Role: "dispatcher"}
	handler := hazard.User{ID: "fire-1", Role: "handler", Department: "fire"}
	reviewer := hazard.User{ID: "rev", Role: "reviewer"}
	p := hazard.Point{Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84}
	report := hazard.SubmitInput{
		Category: "fire", Severity: hazard.SeverityGeneral, Description: "安全出口被杂物堵塞",
		Location: hazard.Location{Address: "建国路88号", Point: &p}, Photos: []hazard.Photo{loopPhoto("exit")},
	}
	submit := func(u hazard.User) hazard.Hazard {
		h, err := hs.Submit(ctx, u, report, "")
		require.NoError(t, err)
		return h
	}
	closeValid := func(h hazard.Hazard) hazard.Hazard {
		var err error
		for _, step := range []struct {
			who    hazard.User
			action string
			in     hazard.ActInput
		}{
			{dispatcher, "dispatch", hazard.ActInput{Department: "fire"}},
			{handler, "accept", hazard.ActInput{}},
			{handler, "resolve", hazard.ActInput{Note: "已清理", Photos: []hazard.Photo{loopPhoto("fixed")}}},
			{reviewer, "approve", hazard.ActInput{Verdict: "属实", BonusFen: 3000}},
		} {
			clk.Advance(10 * time.Minute)
			step.in.ExpectedVersion = h.Version
			h, err = hs.Act(ctx, step.who, h.ID, step.action, step.in)
			require.NoError(t, err, step.action)
		}
		return h
	}
	first := submit(alice)
	second := submit(bob)
	require.Equal(t, first.ID, second.DuplicateOf, "the service flags the second report")
	first, second = closeValid(first), closeValid(second)
	require.Equal(t, "closed_valid", second.State)
	require.NoError(t, rl.Drain(ctx))
	require.NoError(t, rl.Drain(ctx), "draining again issues nothing new")

	mine, err := rs.Mine(ctx, alice, reward.StatusPending, hazard.Page{})
	require.NoError(t, err)
	require.Len(t, mine.Items, 1)
	r := mine.Items[0]
	assert.Equal(t, reward.Yuan(50)+3000, r.Amount, "fire ¥50 plus the reviewer's ¥30")
	theirs, err := rs.Mine(ctx, bob, "", hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, theirs.Items, "the duplicate's reporter earns nothing")

	res, err := rs.Claim(ctx, alice, r.ID)
	require.NoError(t, err)
	assert.Equal(t, reward.StatusClaimed, res.Reward.Status)
	assert.Equal(t, r.Amount, payer.Total())

	var types []hazard.EventType
	events, err := store.HazardEvents(ctx, first.ID)
	require.NoError(t, err)
	for _, e := range events {
		if e.Type != hazard.EventTransition && e.Type != hazard.EventSubmitted {
			types = append(types, e.Type)
		}
	}
	assert.Equal(t, []hazard.EventType{hazard.EventRewardIssued, hazard.EventRewardClaimed}, types)

	// The plaza shows the story of the hazard without the reporter.
	pub, err := hs.PublicView(ctx, first.Ref)
	require.NoError(t, err)
	assert.NotContains(t, pub.Ref+pub.Description, "alice")
}
