// Package followtest is the conformance kit of follow.Store: one call runs
// every promise of the port's doc comments against an adapter,
//
//	followtest.TestStore(t, func(t *testing.T) followtest.Harness {
//		hs := memstore.New()
//		return followtest.Harness{Store: memfollow.New(hs), Hazards: hs}
//	})
//
// Each subtest opens a fresh harness. A store that is a hazard.Forgetter
// (a citizen's erasure) is checked to delete the person's follows and
// areas.
package followtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// Harness is an empty follow store and the hazard store whose log it
// appends me-too events to.
type Harness struct {
	Store   follow.Store
	Hazards hazard.Store
}

var ctx = context.Background()

// Epoch is the time the kit's follows are made at.
var Epoch = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// newHazard stores a fresh hazard with its submitted event.
func newHazard(t *testing.T, h Harness) hazard.Hazard {
	t.Helper()
	hz := hazardtest.NewHazard()
	ev := hazard.Event{HazardID: hz.ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "citizen-1", Role: "reporter"}, Time: Epoch}
	stored, _, err := h.Hazards.Create(ctx, hz, []hazard.Event{ev}, "")
	require.NoError(t, err, "create hazard")
	return stored
}

// Follow returns a follow of the hazard by user at Epoch.
func Follow(user string, hz hazard.Hazard, meToo bool) follow.Follow {
	return follow.Follow{UserID: user, HazardID: hz.ID, Ref: hz.Ref, MeToo: meToo, Active: true, CreatedAt: Epoch}
}

// MeTooEvent returns the me-too event of user on the hazard.
func MeTooEvent(user string, id uuid.UUID) hazard.Event {
	return hazard.Event{HazardID: id, Type: hazard.EventMeToo, Actor: hazard.Actor{ID: user, Role: "reporter"}, Time: Epoch}
}

func countMeToo(t *testing.T, h Harness, id uuid.UUID) int {
	t.Helper()
	evs, err := h.Hazards.HazardEvents(ctx, id)
	require.NoError(t, err)
	n := 0
	for _, e := range evs {
		if e.Type == hazard.EventMeToo {
			n++
		}
	}
	return n
}

// Area returns a valid circle area of user around hazardtest.BeijingWGS84.
func Area(user string, radius float64) follow.Area {
	c := hazardtest.BeijingWGS84
	return follow.Area{ID: uuid.Must(uuid.NewV7()), UserID: user, Center: &c, RadiusMeters: radius, CreatedAt: Epoch}
}

// TestStore runs every promise of follow.Store against the store open
// returns.
func TestStore(t *testing.T, open func(t *testing.T) Harness) {
	t.Run("FollowListsAndCopies", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		f, counted, err := h.Store.Follow(ctx, Follow("u1", hz, false), 10, nil)
		require.NoError(t, err)
		assert.False(t, counted, "a plain follow counts no me-too")
		assert.True(t, f.Active)
		fs, err := h.Store.Follows(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, fs, 1)
		assert.Equal(t, hz.ID, fs[0].HazardID)
		assert.Equal(t, hz.Ref, fs[0].Ref)
		assert.True(t, fs[0].CreatedAt.Equal(Epoch), "created_at: got %v", fs[0].CreatedAt)
		fs[0].Ref = "changed"
		again, err := h.Store.Follows(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, hz.Ref, again[0].Ref, "Follows shares memory with its caller")
		none, err := h.Store.Follows(ctx, "u2")
		require.NoError(t, err)
		assert.Empty(t, none)
	})
	t.Run("MeTooCountsOnce", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		f, counted, err := h.Store.Follow(ctx, Follow("u1", hz, true), 10, []hazard.Event{MeTooEvent("u1", hz.ID)})
		require.NoError(t, err)
		assert.True(t, counted)
		assert.True(t, f.MeToo)
		_, counted, err = h.Store.Follow(ctx, Follow("u1", hz, true), 10, []hazard.Event{MeTooEvent("u1", hz.ID)})
		require.NoError(t, err)
		assert.False(t, counted, "a second me-too of the same user")
		require.NoError(t, h.Store.Unfollow(ctx, "u1", hz.ID))
		f, counted, err = h.Store.Follow(ctx, Follow("u1", hz, true), 10, []hazard.Event{MeTooEvent("u1", hz.ID)})
		require.NoError(t, err)
		assert.False(t, counted, "a me-too after an unfollow")
		assert.True(t, f.Active, "following again")
		assert.Equal(t, 1, countMeToo(t, h, hz.ID), "me-too events")
		_, counted, err = h.Store.Follow(ctx, Follow("u2", hz, true), 10, []hazard.Event{MeTooEvent("u2", hz.ID)})
		require.NoError(t, err)
		assert.True(t, counted, "another user's me-too")
		assert.Equal(t, 2, countMeToo(t, h, hz.ID), "me-too events")
	})
	t.Run("FollowThenMeToo", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		_, _, err := h.Store.Follow(ctx, Follow("u1", hz, false), 10, nil)
		require.NoError(t, err)
		f, counted, err := h.Store.Follow(ctx, Follow("u1", hz, true), 10, []hazard.Event{MeTooEvent("u1", hz.ID)})
		require.NoError(t, err)
		assert.True(t, counted, "a follower's first me-too counts")
		assert.True(t, f.MeToo)
		f, _, err = h.Store.Follow(ctx, Follow("u1", hz, false), 10, nil)
		require.NoError(t, err)
		assert.True(t, f.MeToo, "a plain follow keeps the me-too")
		assert.Equal(t, 1, countMeToo(t, h, hz.ID))
	})
	t.Run("ConcurrentMeToo", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		var wins atomic.Int32
		hazardtest.Together(20, func(int) {
			_, counted, err := h.Store.Follow(ctx, Follow("u1", hz, true), 10, []hazard.Event{MeTooEvent("u1", hz.ID)})
			if err == nil && counted {
				wins.Add(1)
			}
		})
		assert.Equal(t, int32(1), wins.Load(), "me-toos counted of 20 at once")
		assert.Equal(t, 1, countMeToo(t, h, hz.ID))
	})
	t.Run("InvalidFollow", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		for _, tc := range []struct {
			name  string
			f     follow.Follow
			max   int
			event []hazard.Event
		}{
			{"no user", Follow("", hz, false), 10, nil},
			{"no hazard", follow.Follow{UserID: "u1", Ref: "x", CreatedAt: Epoch}, 10, nil},
			{"no time", follow.Follow{UserID: "u1", HazardID: hz.ID, Ref: hz.Ref}, 10, nil},
			{"zero max", Follow("u1", hz, false), 0, nil},
			{"event without me-too", Follow("u1", hz, false), 10, []hazard.Event{MeTooEvent("u1", hz.ID)}},
			{"invalid event", Follow("u1", hz, true), 10, []hazard.Event{{HazardID: hz.ID}}},
		} {
			_, _, err := h.Store.Follow(ctx, tc.f, tc.max, tc.event)
			assert.ErrorIs(t, err, hazard.ErrInvalid, tc.name)
		}
		fs, err := h.Store.Follows(ctx, "u1")
		require.NoError(t, err)
		assert.Empty(t, fs, "an invalid follow stored something")
		assert.Equal(t, 0, countMeToo(t, h, hz.ID))
	})
	t.Run("FollowCap", func(t *testing.T) {
		h := open(t)
		a, b, c := newHazard(t, h), newHazard(t, h), newHazard(t, h)
		for _, hz := range []hazard.Hazard{a, b} {
			_, _, err := h.Store.Follow(ctx, Follow("u1", hz, false), 2, nil)
			require.NoError(t, err)
		}
		_, _, err := h.Store.Follow(ctx, Follow("u1", c, true), 2, []hazard.Event{MeTooEvent("u1", c.ID)})
		require.ErrorIs(t, err, hazard.ErrConflict, "a third follow with a cap of 2")
		var he *hazard.Error
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "follows", he.Field)
		assert.Equal(t, 0, countMeToo(t, h, c.ID), "a refused me-too was written")
		_, _, err = h.Store.Follow(ctx, Follow("u1", a, false), 2, nil)
		assert.NoError(t, err, "following again a report followed, at the cap")
		require.NoError(t, h.Store.Unfollow(ctx, "u1", a.ID))
		_, _, err = h.Store.Follow(ctx, Follow("u1", c, false), 2, nil)
		assert.NoError(t, err, "an unfollow frees a place")
		_, _, err = h.Store.Follow(ctx, Follow("u1", a, false), 2, nil)
		assert.ErrorIs(t, err, hazard.ErrConflict, "following again an inactive follow counts against the cap")
	})
	t.Run("Unfollow", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		assert.ErrorIs(t, h.Store.Unfollow(ctx, "u1", hz.ID), hazard.ErrNotFound, "no follow")
		_, _, err := h.Store.Follow(ctx, Follow("u1", hz, false), 10, nil)
		require.NoError(t, err)
		require.NoError(t, h.Store.Unfollow(ctx, "u1", hz.ID))
		assert.NoError(t, h.Store.Unfollow(ctx, "u1", hz.ID), "an inactive follow stays so")
		fs, err := h.Store.Follows(ctx, "u1")
		require.NoError(t, err)
		assert.Empty(t, fs, "an inactive follow is listed")
		fl, err := h.Store.Followers(ctx, hz.ID, "", 0)
		require.NoError(t, err)
		assert.Empty(t, fl, "an inactive follower is listed")
	})
	t.Run("Followers", func(t *testing.T) {
		h := open(t)
		hz, other := newHazard(t, h), newHazard(t, h)
		for _, u := range []string{"u3", "u1", "u2"} {
			_, _, err := h.Store.Follow(ctx, Follow(u, hz, false), 10, nil)
			require.NoError(t, err)
		}
		_, _, err := h.Store.Follow(ctx, Follow("u9", other, false), 10, nil)
		require.NoError(t, err)
		page, err := h.Store.Followers(ctx, hz.ID, "", 2)
		require.NoError(t, err)
		require.Len(t, page, 2)
		assert.Equal(t, []string{"u1", "u2"}, []string{page[0].UserID, page[1].UserID})
		page, err = h.Store.Followers(ctx, hz.ID, "u2", 2)
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, "u3", page[0].UserID)
	})
	t.Run("Areas", func(t *testing.T) {
		h := open(t)
		a := Area("u1", 500)
		stored, err := h.Store.AddArea(ctx, a, 2)
		require.NoError(t, err)
		assert.Equal(t, a.ID, stored.ID)
		_, err = h.Store.AddArea(ctx, a, 2)
		assert.ErrorIs(t, err, hazard.ErrConflict, "an ID taken")
		d := follow.Area{ID: uuid.Must(uuid.NewV7()), UserID: "u1", District: "110101", Category: "gas", CreatedAt: Epoch.Add(time.Second)}
		_, err = h.Store.AddArea(ctx, d, 2)
		require.NoError(t, err)
		_, err = h.Store.AddArea(ctx, Area("u1", 100), 2)
		require.ErrorIs(t, err, hazard.ErrConflict, "a third area with a cap of 2")
		var he *hazard.Error
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "areas", he.Field)
		bad := Area("u1", follow.MaxAreaRadius+1)
		_, err = h.Store.AddArea(ctx, bad, 5)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "a radius too large")
		as, err := h.Store.Areas(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, as, 2)
		assert.Equal(t, a.ID, as[0].ID, "oldest first")
		assert.Equal(t, "110101", as[1].District)
		assert.Equal(t, "gas", as[1].Category)
		require.NotNil(t, as[0].Center)
		assert.InDelta(t, hazardtest.BeijingWGS84.Lat, as[0].Center.Lat, 1e-9)
		assert.ErrorIs(t, h.Store.RemoveArea(ctx, "u2", a.ID), hazard.ErrNotFound, "another user's area")
		require.NoError(t, h.Store.RemoveArea(ctx, "u1", a.ID))
		assert.ErrorIs(t, h.Store.RemoveArea(ctx, "u1", a.ID), hazard.ErrNotFound, "removed twice")
		_, err = h.Store.AddArea(ctx, Area("u1", 100), 2)
		assert.NoError(t, err, "a removal frees a place")
	})
	t.Run("AreasAt", func(t *testing.T) {
		h := open(t)
		near := Area("u1", 300)
		farC := hazard.Point{Lat: 31.23, Lng: 121.47, System: hazard.WGS84}
		far := follow.Area{ID: uuid.Must(uuid.NewV7()), UserID: "u2", Center: &farC, RadiusMeters: 1000, CreatedAt: Epoch}
		dist := follow.Area{ID: uuid.Must(uuid.NewV7()), UserID: "u3", District: "110101", CreatedAt: Epoch}
		other := follow.Area{ID: uuid.Must(uuid.NewV7()), UserID: "u4", District: "310101", CreatedAt: Epoch}
		for _, a := range []follow.Area{near, far, dist, other} {
			_, err := h.Store.AddArea(ctx, a, 5)
			require.NoError(t, err)
		}
		pt := hazardtest.BeijingWGS84
		got, err := h.Store.AreasAt(ctx, hazard.Location{Address: "x", Point: &pt, District: "110101"}, uuid.Nil, 0)
		require.NoError(t, err)
		ids := map[uuid.UUID]bool{}
		for _, a := range got {
			ids[a.ID] = true
		}
		assert.True(t, ids[near.ID], "the circle around the point")
		assert.True(t, ids[dist.ID], "the district")
		assert.False(t, ids[far.ID], "a circle far away")
		assert.False(t, ids[other.ID], "another district")
		page, err := h.Store.AreasAt(ctx, hazard.Location{Address: "x", Point: &pt, District: "110101"}, uuid.Nil, 1)
		require.NoError(t, err)
		require.Len(t, page, 1)
		rest, err := h.Store.AreasAt(ctx, hazard.Location{Address: "x", Point: &pt, District: "110101"}, page[0].ID, 0)
		require.NoError(t, err)
		for _, a := range rest {
			assert.NotEqual(t, page[0].ID, a.ID, "a page repeats the cursor's area")
		}
		assert.Len(t, rest, len(got)-1, "the second page")
		noPoint, err := h.Store.AreasAt(ctx, hazard.Location{Address: "x", District: "310101"}, uuid.Nil, 0)
		require.NoError(t, err)
		require.Len(t, noPoint, 1, "a location without a point, by its district")
		assert.Equal(t, other.ID, noPoint[0].ID)
	})
	t.Run("ManyUsers", func(t *testing.T) {
		h := open(t)
		hz := newHazard(t, h)
		for i := range 5 {
			_, _, err := h.Store.Follow(ctx, Follow(fmt.Sprintf("m%d", i), hz, true), 1, []hazard.Event{MeTooEvent(fmt.Sprintf("m%d", i), hz.ID)})
			require.NoError(t, err, "the cap is per user")
		}
		assert.Equal(t, 5, countMeToo(t, h, hz.ID))
	})
	t.Run("ForgetUser", func(t *testing.T) {
		h := open(t)
		f, ok := h.Store.(hazard.Forgetter)
		if !ok {
			t.Skipf("the store (%T) is no hazard.Forgetter", h.Store)
		}
		hz, other := newHazard(t, h), newHazard(t, h)
		_, _, err := h.Store.Follow(ctx, Follow("gone", hz, true), 10, []hazard.Event{MeTooEvent("gone", hz.ID)})
		require.NoError(t, err)
		_, _, err = h.Store.Follow(ctx, Follow("gone", other, false), 10, nil)
		require.NoError(t, err)
		_, _, err = h.Store.Follow(ctx, Follow("stays", hz, false), 10, nil)
		require.NoError(t, err)
		_, err = h.Store.AddArea(ctx, Area("gone", 500), 5)
		require.NoError(t, err)
		kept, err := h.Store.AddArea(ctx, Area("stays", 500), 5)
		require.NoError(t, err)

		e := hazardtest.NewErasure("gone")
		require.NoError(t, f.ForgetUser(ctx, e), "ForgetUser")
		require.NoError(t, f.ForgetUser(ctx, e), "ForgetUser again")
		for _, who := range []string{"gone", e.Pseudonym} {
			fs, err := h.Store.Follows(ctx, who)
			require.NoError(t, err)
			assert.Empty(t, fs, "follows of %s: deleted", who)
			as, err := h.Store.Areas(ctx, who)
			require.NoError(t, err)
			assert.Empty(t, as, "areas of %s: deleted", who)
		}
		fl, err := h.Store.Followers(ctx, hz.ID, "", 0)
		require.NoError(t, err)
		if assert.Len(t, fl, 1, "followers after ForgetUser") {
			assert.Equal(t, "stays", fl[0].UserID)
		}
		at, err := h.Store.AreasAt(ctx, hazard.Location{Address: "x", Point: &hazardtest.BeijingWGS84}, uuid.Nil, 0)
		require.NoError(t, err)
		if assert.Len(t, at, 1, "areas at a point after ForgetUser") {
			assert.Equal(t, kept.ID, at[0].ID)
		}
		assert.Equal(t, 1, countMeToo(t, h, hz.ID), "the me-too stays counted in the log")
		assert.ErrorIs(t, f.ForgetUser(ctx, hazard.Erasure{UserID: "gone"}), hazard.ErrInvalid, "an invalid erasure")
	})
}
