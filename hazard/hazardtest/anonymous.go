package hazardtest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// AnonymousStores opens what TestAnonymous needs of an adapter, empty: a
// Store and a Limiter reading the clock now. Two services built over them
// stand for two processes sharing their state.
type AnonymousStores func(t *testing.T, now func() time.Time) (hazard.Store, hazard.Limiter)

// TestAnonymous checks the anonymous reports and claim codes of
// hazard.Service (SubmitAnonymous, FollowClaim, BindClaim, ReopenClaim,
// AnswerFixedClaim) over a store
// and a limiter, as two services sharing them (two processes) see them:
// codes are stored only as hashes, wrong codes and spent limits are
// refused alike by both services, idempotency keys are scoped to the
// device, binding is once and within the claim window, and a code's
// holder reopens a report closed as fixed once however many race. An adapter
// runs it with one line:
//
//	hazardtest.TestAnonymous(t, func(t *testing.T, now func() time.Time) (hazard.Store, hazard.Limiter) { ... })
func TestAnonymous(t *testing.T, open AnonymousStores) {
	ctx := context.Background()
	alice := hazard.Origin{Address: "203.0.113.7", Device: "device-alice-0123456789"}
	bob := hazard.Origin{Address: "198.51.100.9", Device: "device-bob-0123456789ab"}
	verified := hazard.User{ID: "citizen-claims", Role: "reporter", Verified: true}

	type env struct {
		a, b  *hazard.Service
		store hazard.Store
		clock *Clock
	}
	setup := func(t *testing.T, limits hazard.AnonymousLimits) env {
		t.Helper()
		clock := NewClock(Epoch)
		st, lim := open(t, clock.Now)
		mk := func() *hazard.Service {
			svc, err := hazard.NewService(hazard.ServiceConfig{Store: st, Limiter: lim, Clock: clock.Now, Anonymous: limits})
			require.NoError(t, err, "NewService")
			return svc
		}
		return env{a: mk(), b: mk(), store: st, clock: clock}
	}
	report := func(seed string) hazard.SubmitInput {
		pt := BeijingWGS84
		return hazard.SubmitInput{Category: "fire", Description: "消防通道被堵 " + seed,
			Location: hazard.Location{Address: "北京市东城区东长安街1号", Point: &pt},
			Photos:   []hazard.Photo{NewPhoto("anon-" + seed)}}
	}

	t.Run("code", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		h, code, err := e.a.SubmitAnonymous(ctx, alice, report("code"), "")
		require.NoError(t, err, "SubmitAnonymous")
		ref, secret, ok := strings.Cut(code, ".")
		require.True(t, ok, "code %q is <ref>.<secret>", code)
		assert.Equal(t, h.Ref, ref)
		assert.GreaterOrEqual(t, len(secret)*5, 100, "the secret carries at least 100 bits")
		assert.True(t, hazard.IsAnonymous(h.Reporter.UserID), "the reporter is anonymous")
		assert.False(t, h.Reporter.Verified)
		assert.Equal(t, hazard.AnonymousUser(alice).ID, h.Reporter.UserID)
		assert.NotContains(t, h.Reporter.UserID, alice.Device, "the device ID is not stored")

		events, err := e.store.HazardEvents(ctx, h.ID)
		require.NoError(t, err)
		for _, ev := range events {
			for k, v := range ev.Data {
				assert.NotContains(t, v, secret, "event data %s holds the code", k)
			}
		}
		assert.NotEmpty(t, events[0].Data[hazard.DataClaimHash], "the submitted event keeps the hash")

		v, err := e.b.FollowClaim(ctx, bob.Address, code)
		require.NoError(t, err, "FollowClaim on the other service")
		assert.Equal(t, h.ID, v.Hazard.ID)
		assert.False(t, v.Bound)
		v, err = e.a.FollowClaim(ctx, bob.Address, strings.ToLower(ref+"."+secret[:4]+"-"+secret[4:]))
		if assert.NoError(t, err, "FollowClaim ignores case and dashes of the secret") {
			assert.Equal(t, h.ID, v.Hazard.ID)
		}

		flip := []byte(secret)
		flip[0] = "01"[(flip[0]-'0'+1)%2] // another first digit
		if flip[0] == secret[0] {
			flip[0] = '2'
		}
		for name, bad := range map[string]string{
			"wrong secret": ref + "." + string(flip),
			"other ref":    "HZ-20000101-000001." + secret,
			"malformed":    "not a code",
			"empty":        "",
		} {
			_, err := e.a.FollowClaim(ctx, bob.Address, bad)
			if !errors.Is(err, hazard.ErrNotFound) {
				t.Errorf("FollowClaim(%s) = %v, want not_found", name, err)
			}
		}

		h2, code2, err := e.a.SubmitAnonymous(ctx, alice, report("code-2"), "")
		require.NoError(t, err)
		assert.NotEqual(t, code, code2, "every report gets its own code")
		_, secret2, _ := strings.Cut(code2, ".")
		_, err = e.a.FollowClaim(ctx, bob.Address, h.Ref+"."+secret2)
		assert.ErrorIs(t, err, hazard.ErrNotFound, "a code opens its own report only")
		_ = h2
	})

	t.Run("idempotency per device", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		first, code, err := e.a.SubmitAnonymous(ctx, alice, report("idem"), "same-key")
		require.NoError(t, err)
		require.NotEmpty(t, code)
		again, code2, err := e.b.SubmitAnonymous(ctx, alice, report("idem"), "same-key")
		require.NoError(t, err, "a retry")
		assert.Equal(t, first.ID, again.ID, "a retry from the device returns its report")
		assert.Empty(t, code2, "a retry shows no code: the code is shown once")
		other, code3, err := e.a.SubmitAnonymous(ctx, bob, report("idem"), "same-key")
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, other.ID, "another device's key never collides")
		assert.NotEmpty(t, code3)
		_, _, err = e.a.SubmitAnonymous(ctx, alice, report("idem-changed"), "same-key")
		assert.ErrorIs(t, err, hazard.ErrConflict, "the same key with another report")
	})

	t.Run("invalid input", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		_, _, err := e.a.SubmitAnonymous(ctx, hazard.Origin{Address: alice.Address, Device: "short"}, report("x"), "")
		assert.ErrorIs(t, err, hazard.ErrInvalid, "a short device ID")
		bad := report("x")
		bad.Category = "no-such-category"
		_, _, err = e.a.SubmitAnonymous(ctx, alice, bad, "")
		assert.ErrorIs(t, err, hazard.ErrInvalid, "the same validation as a signed-in report")
		bad = report("x")
		bad.UnitID = "unit-1"
		_, _, err = e.a.SubmitAnonymous(ctx, alice, bad, "")
		assert.ErrorIs(t, err, hazard.ErrForbidden, "an anonymous reporter names no unit")
	})

	t.Run("submit limits", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{
			SubmitsPerAddress: hazard.Limit{Max: 3, Per: time.Hour},
			SubmitsPerDevice:  hazard.Limit{Max: 2, Per: time.Hour},
		})
		for i := range 2 {
			_, _, err := e.a.SubmitAnonymous(ctx, alice, report("dev"+string(rune('a'+i))), "")
			require.NoError(t, err, "submit %d", i)
		}
		_, _, err := e.b.SubmitAnonymous(ctx, alice, report("dev-c"), "")
		assert.ErrorIs(t, err, hazard.ErrRateLimited, "a third report from the device, on the other service")
		other := hazard.Origin{Address: alice.Address, Device: "device-carol-0123456789"}
		_, _, err = e.b.SubmitAnonymous(ctx, other, report("addr-a"), "")
		require.NoError(t, err, "another device at the address")
		_, _, err = e.a.SubmitAnonymous(ctx, hazard.Origin{Address: alice.Address, Device: "device-dave-0123456789"}, report("addr-b"), "")
		assert.ErrorIs(t, err, hazard.ErrRateLimited, "the address's limit")
		e.clock.Advance(time.Hour + time.Second)
		_, _, err = e.a.SubmitAnonymous(ctx, alice, report("later"), "")
		assert.NoError(t, err, "the window has passed")
	})

	t.Run("attempts limited across services", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{ClaimAttemptsPerAddress: hazard.Limit{Max: 3, Per: 10 * time.Minute}})
		h, code, err := e.a.SubmitAnonymous(ctx, alice, report("attempts"), "")
		require.NoError(t, err)
		wrong := h.Ref + ".00000000000000000000000"
		for i, svc := range []*hazard.Service{e.a, e.b, e.a} {
			_, err := svc.FollowClaim(ctx, bob.Address, wrong)
			require.ErrorIs(t, err, hazard.ErrNotFound, "attempt %d", i)
		}
		_, err = e.b.FollowClaim(ctx, bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrRateLimited, "the right code once the address's attempts are spent")
		_, err = e.b.BindClaim(ctx, verified, bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrRateLimited, "binding counts as an attempt")
		_, err = e.a.FollowClaim(ctx, alice.Address, code)
		assert.NoError(t, err, "another address")
		e.clock.Advance(10*time.Minute + time.Second)
		_, err = e.b.FollowClaim(ctx, bob.Address, code)
		assert.NoError(t, err, "the window has passed")
	})

	t.Run("bind", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		h, code, err := e.a.SubmitAnonymous(ctx, alice, report("bind"), "")
		require.NoError(t, err)

		_, err = e.a.BindClaim(ctx, hazard.User{ID: "citizen-unverified", Role: "reporter"}, bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrForbidden, "an unverified citizen")
		_, err = e.a.BindClaim(ctx, hazard.AnonymousUser(bob), bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrForbidden, "an anonymous reporter")
		_, err = e.a.BindClaim(ctx, hazard.User{ID: "disp", Role: "dispatcher", Verified: true}, bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrForbidden, "staff")

		users := []hazard.User{verified, {ID: "citizen-rival", Role: "reporter", Verified: true}}
		var won atomic.Int64
		Together(10, func(i int) {
			svc := e.a
			if i%2 == 1 {
				svc = e.b
			}
			if _, err := svc.BindClaim(ctx, users[i%2], bob.Address, code); err == nil {
				won.Add(1)
			} else if !errors.Is(err, hazard.ErrConflict) {
				t.Errorf("BindClaim: %v, want nil or conflict", err)
			}
		})
		assert.GreaterOrEqual(t, won.Load(), int64(1), "one user binds")
		events, err := e.store.HazardEvents(ctx, h.ID)
		require.NoError(t, err)
		n := 0
		for _, ev := range events {
			if ev.Type == hazard.EventClaimBound {
				n++
			}
		}
		assert.Equal(t, 1, n, "one binding however many race")
		bound, ok := hazard.BoundReporter(events)
		require.True(t, ok)
		winner := users[0]
		if bound == users[1].ID {
			winner, users[1] = users[1], users[0]
		}
		_, err = e.b.BindClaim(ctx, winner, bob.Address, code)
		assert.NoError(t, err, "binding the same user again")
		_, err = e.b.BindClaim(ctx, users[1], bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrConflict, "another user after the binding")
		v, err := e.a.FollowClaim(ctx, alice.Address, code)
		require.NoError(t, err)
		assert.True(t, v.Bound)
		got, err := e.store.Get(ctx, h.ID)
		require.NoError(t, err)
		assert.Equal(t, h.Reporter, got.Reporter, "the report stays anonymous")
	})

	t.Run("claim window", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		h, code, err := e.a.SubmitAnonymous(ctx, alice, report("window"), "")
		require.NoError(t, err)
		h.State, h.ClosedAt, h.UpdatedAt = "closed_valid", e.clock.Now(), e.clock.Now()
		_, err = e.store.Update(ctx, h, h.Version, nil)
		require.NoError(t, err, "closing the report")
		e.clock.Advance(hazard.DefaultClaimWindow + time.Minute)
		_, err = e.a.BindClaim(ctx, verified, bob.Address, code)
		assert.ErrorIs(t, err, hazard.ErrConflict)
		assert.ErrorIs(t, err, hazard.ErrClaimWindowPassed)
		v, err := e.a.FollowClaim(ctx, bob.Address, code)
		require.NoError(t, err, "the code still follows the report")
		assert.Equal(t, h.ClosedAt.Add(hazard.DefaultClaimWindow), v.ClaimBy)
	})

	t.Run("aftercare", func(t *testing.T) {
		e := setup(t, hazard.AnonymousLimits{})
		h, code, err := e.a.SubmitAnonymous(ctx, alice, report("aftercare"), "")
		require.NoError(t, err)
		closeFixed := func(h hazard.Hazard) hazard.Hazard {
			t.Helper()
			h.State, h.Department, h.ClosedAt, h.UpdatedAt = "closed_valid", "fire", e.clock.Now(), e.clock.Now()
			got, err := e.store.Update(ctx, h, h.Version, nil)
			require.NoError(t, err, "closing the report")
			return got
		}
		h = closeFixed(h)
		back := hazard.ReopenInput{ExpectedVersion: h.Version, Note: "又堵了", Photos: []hazard.Photo{NewPhoto("back")}}
		var won atomic.Int64
		Together(6, func(i int) {
			svc := e.a
			if i%2 == 1 {
				svc = e.b
			}
			if _, err := svc.ReopenClaim(ctx, bob.Address, code, back); err == nil {
				won.Add(1)
			} else if !errors.Is(err, hazard.ErrConflict) {
				t.Errorf("ReopenClaim: %v, want nil or conflict", err)
			}
		})
		assert.Equal(t, int64(1), won.Load(), "one reopening however many race")
		h, err = e.store.Get(ctx, h.ID)
		require.NoError(t, err)
		assert.True(t, h.Open(), "reopened with the code")
		assert.Equal(t, 1, h.Aftercare.Reopens)

		h.State = "dispatched" // as the reopening left it; closed again below
		h = closeFixed(h)
		e.clock.Advance(hazard.DefaultFixedCheckAfter)
		n, err := e.a.AskFixed(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n, "AskFixed")
		h, err = e.store.Get(ctx, h.ID)
		require.NoError(t, err)
		got, err := e.b.AnswerFixedClaim(ctx, bob.Address, code, hazard.FixedAnswerInput{ExpectedVersion: h.Version, Fixed: true})
		require.NoError(t, err, "AnswerFixedClaim on the other service")
		assert.Equal(t, 1, got.Hazard.Aftercare.FixedYes)
		_, err = e.a.AnswerFixedClaim(ctx, bob.Address, code, hazard.FixedAnswerInput{ExpectedVersion: got.Hazard.Version, Fixed: true})
		assert.ErrorIs(t, err, hazard.ErrConflict, "one answer per closure")
	})
}
