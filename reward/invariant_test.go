package reward_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// TestPayoutsEqualClaims runs random issues, claims, payer failures, lost
// answers, timeouts, confirmations, expiries and reconciliations with a
// fixed seed, and checks that the ledger never records more than the payer
// paid, and that once the sweeps ran the payouts equal the claimed rewards
// one for one.
func TestPayoutsEqualClaims(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			p := reward.CityProgramme()
			p.Caps = reward.Caps{Budget: reward.Yuan(3_000), BudgetPeriod: reward.PeriodMonth}
			f := newFixture(t, func(c *reward.Config) {
				c.Policies = []reward.Policy{p}
				c.PayTimeout = 5 * time.Millisecond
				c.StuckAfter = time.Hour
			})
			rng := rand.New(rand.NewPCG(seed, 42))
			reporters := []string{"a", "b", "c", "d", "e"}
			var ids []uuid.UUID
			var waiting []uuid.UUID
			categories := []string{"fire", "gas", "other", "road_traffic"}
			for step := range 400 {
				switch op := rng.IntN(100); {
				case op < 25: // a hazard closes
					h := f.closed(reporters[rng.IntN(len(reporters))], func(h *hazard.Hazard) {
						h.Category = categories[rng.IntN(len(categories))]
						if rng.IntN(4) == 0 {
							h.Severity = hazard.SeverityMajor
						}
						h.BonusFen = int64(rng.IntN(3)) * 1234
					})
					require.NoError(t, f.svc.Consumer().Handle(ctx, closedEvent(h)))
					if rs, _ := f.ledger.ByHazard(ctx, h.ID); len(rs) == 1 {
						ids = append(ids, rs[0].ID)
					}
				case op < 60 && len(ids) > 0: // someone claims
					id := ids[rng.IntN(len(ids))]
					r, err := f.ledger.Get(ctx, id)
					require.NoError(t, err)
					user := r.ReporterID
					if rng.IntN(10) == 0 {
						user = reporters[rng.IntN(len(reporters))]
					}
					switch rng.IntN(10) {
					case 0:
						f.payer.FailNext(1)
					case 1:
						f.payer.LoseNext(1)
					case 2:
						f.payer.TimeoutNext(1)
					case 3:
						f.payer.RejectNext(1)
					}
					f.payer.RequireConfirmation(rng.IntN(5) == 0)
					res, err := f.svc.Claim(ctx, citizen(user), id)
					if err == nil && res.Reward.Status == reward.StatusClaiming {
						waiting = append(waiting, id)
					}
					f.payer.FailNext(0)
					f.payer.LoseNext(0)
					f.payer.TimeoutNext(0)
					f.payer.RejectNext(0)
				case op < 70 && len(waiting) > 0: // a citizen confirms or lets it lapse
					i := rng.IntN(len(waiting))
					key := waiting[i].String()
					if rng.IntN(2) == 0 {
						_ = f.payer.Confirm(key)
					} else {
						_ = f.payer.Decline(key)
					}
					waiting = append(waiting[:i], waiting[i+1:]...)
				case op < 80:
					f.clock.Advance(time.Duration(rng.IntN(72)) * time.Hour)
				case op < 90:
					_, err := f.svc.ExpireDue(ctx)
					require.NoError(t, err)
				default:
					_, err := f.svc.Reconcile(ctx)
					require.NoError(t, err)
				}
				claimed := sumClaimed(t, f, ids)
				require.LessOrEqual(t, claimed, f.payer.Total(), "step %d: the ledger recorded a claim the payer did not pay", step)
			}
			// Let every waiting payout resolve, then sweep.
			for i, id := range waiting {
				if i%2 == 0 {
					_ = f.payer.Confirm(id.String())
				} else {
					_ = f.payer.Decline(id.String())
				}
			}
			f.clock.Advance(90 * 24 * time.Hour)
			_, err := f.svc.Reconcile(ctx)
			require.NoError(t, err)
			_, err = f.svc.ExpireDue(ctx)
			require.NoError(t, err)

			byKey := map[string]reward.Reward{}
			var claimed reward.Fen
			statuses := map[reward.Status]int{}
			for _, id := range ids {
				r, err := f.ledger.Get(ctx, id)
				require.NoError(t, err)
				statuses[r.Status]++
				assert.NotEqual(t, reward.StatusClaiming, r.Status, "reward %s still claiming after the sweeps", id)
				if r.Status == reward.StatusClaimed {
					claimed += r.Amount
					byKey[id.String()] = r
				}
			}
			payouts := f.payer.Payouts()
			assert.Equal(t, claimed, f.payer.Total(), "sum of payouts = sum of claimed rewards")
			assert.Len(t, payouts, len(byKey), "one payout per claimed reward")
			for _, po := range payouts {
				r, ok := byKey[po.Key]
				if assert.True(t, ok, "payout %s has no claimed reward", po.Key) {
					assert.Equal(t, r.Amount, po.Amount)
					assert.Equal(t, po.Ref, r.PaymentRef)
				}
			}
			t.Logf("%d rewards: %v; %d payouts of %s", len(ids), statuses, len(payouts), f.payer.Total())
			require.Greater(t, statuses[reward.StatusClaimed], 5, "the run exercised claims")
			require.Greater(t, statuses[reward.StatusExpired], 0, "the run exercised expiry")
		})
	}
}

func sumClaimed(t *testing.T, f *fixture, ids []uuid.UUID) reward.Fen {
	t.Helper()
	var sum reward.Fen
	for _, id := range ids {
		r, err := f.ledger.Get(ctx, id)
		require.NoError(t, err)
		if r.Status == reward.StatusClaimed {
			sum += r.Amount
		}
	}
	return sum
}
