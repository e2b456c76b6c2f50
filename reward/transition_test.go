package reward_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// TestClaimTransitions checks the state changes every ledger applies, on a
// reward value, without a ledger.
func TestClaimTransitions(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	pending := reward.Reward{ReporterID: "u1", Status: reward.StatusPending, ClaimBy: now.Add(time.Hour)}

	r := pending
	require.ErrorIs(t, r.BeginClaim("u2", now), hazard.ErrForbidden, "another reporter")
	require.True(t, errors.Is(r.BeginClaim("u1", now.Add(time.Hour)), reward.ErrClaimWindowClosed), "at ClaimBy")
	assert.Equal(t, pending, r, "refusals change nothing")
	require.NoError(t, r.BeginClaim("u1", now))
	assert.Equal(t, reward.StatusClaiming, r.Status)
	assert.Equal(t, 1, r.Attempts)
	require.True(t, errors.Is(r.BeginClaim("u1", now), reward.ErrNotClaimable), "claiming already")

	failed := r
	require.ErrorIs(t, failed.FailClaim(strings.Repeat("x", reward.MaxErrorLen+1), time.Time{}), hazard.ErrInvalid)
	require.NoError(t, failed.FailClaim("timeout", now.Add(2*time.Hour)))
	assert.Equal(t, reward.StatusPending, failed.Status)
	assert.Equal(t, "timeout", failed.LastError)
	assert.Equal(t, now.Add(2*time.Hour), failed.ClaimBy, "ClaimBy moves later")
	require.True(t, errors.Is(failed.MarkFailed("no"), reward.ErrNotClaimable), "not claiming")

	changed, err := r.Settle("wx-1", now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, reward.StatusClaimed, r.Status)
	changed, err = r.Settle("wx-1", now.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, changed, "the same reference again")
	_, err = r.Settle("wx-2", now)
	require.ErrorIs(t, err, hazard.ErrConflict, "another reference")
	_, err = r.Settle("", now)
	require.ErrorIs(t, err, hazard.ErrInvalid, "no reference")
}

// fakeTotals answers Limits.Admit's totals from a table and records the
// tallies asked, in order.
type fakeTotals struct {
	reporter, everyone reward.Total
	err                error
	asked              []reward.Tally
}

func (f *fakeTotals) total(q reward.Tally) (reward.Total, error) {
	f.asked = append(f.asked, q)
	if q.ReporterID != "" {
		return f.reporter, f.err
	}
	return f.everyone, f.err
}

// TestLimitsAdmit checks the limit rules, and their order, that every
// ledger applies through Limits.Admit.
func TestLimitsAdmit(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	capDay := reward.Cap{Since: day, Until: day.Add(24 * time.Hour), MaxCount: 2, MaxAmount: reward.Yuan(100)}
	budget := reward.Budget{Since: day, Amount: reward.Yuan(1000)}
	at := func(t time.Time, amount reward.Fen) reward.Reward {
		return reward.Reward{ReporterID: "u1", Policy: "city", Amount: amount, IssuedAt: t}
	}
	broken := &hazard.Error{Code: hazard.CodeInternal, Message: "the database is down"}
	for _, tc := range []struct {
		name   string
		limits reward.Limits
		r      reward.Reward
		totals fakeTotals
		want   error
		asked  int // how many totals Admit reads
	}{
		{"the last that fits", reward.Limits{Reporter: []reward.Cap{capDay}}, at(day, reward.Yuan(50)),
			fakeTotals{reporter: reward.Total{Count: 1, Amount: reward.Yuan(50)}}, nil, 1},
		{"one count too many", reward.Limits{Reporter: []reward.Cap{capDay}}, at(day, reward.Yuan(1)),
			fakeTotals{reporter: reward.Total{Count: 2}}, reward.ErrCapReached, 1},
		{"over the amount", reward.Limits{Reporter: []reward.Cap{capDay}}, at(day, reward.Yuan(50)),
			fakeTotals{reporter: reward.Total{Count: 1, Amount: reward.Yuan(60)}}, reward.ErrCapReached, 1},
		{"a cap applies at Since, not at Until", reward.Limits{Reporter: []reward.Cap{capDay}}, at(day.Add(24*time.Hour), reward.Yuan(1)),
			fakeTotals{reporter: reward.Total{Count: 9}}, nil, 0},
		{"a cap that sets nothing is not counted", reward.Limits{Reporter: []reward.Cap{{Since: day}}}, at(day, reward.Yuan(1)),
			fakeTotals{reporter: reward.Total{Count: 9}}, nil, 0},
		{"a budget's zero Until is open", reward.Limits{Budget: budget}, at(day.AddDate(1, 0, 0), reward.Yuan(100)),
			fakeTotals{everyone: reward.Total{Amount: reward.Yuan(900)}}, nil, 1},
		{"over the budget", reward.Limits{Budget: budget}, at(day, reward.Yuan(100)),
			fakeTotals{everyone: reward.Total{Amount: reward.Yuan(901)}}, reward.ErrBudgetExhausted, 1},
		{"no amount, no budget", reward.Limits{Budget: reward.Budget{Since: day}}, at(day, reward.Yuan(1)),
			fakeTotals{everyone: reward.Total{Amount: reward.Yuan(5000)}}, nil, 0},
		{"caps before the budget, which is not counted after a cap refuses", reward.Limits{Reporter: []reward.Cap{capDay}, Budget: budget},
			at(day, reward.Yuan(1)), fakeTotals{reporter: reward.Total{Count: 2}, everyone: reward.Total{Amount: reward.Yuan(1000)}}, reward.ErrCapReached, 1},
		{"an error of total", reward.Limits{Reporter: []reward.Cap{capDay}, Budget: budget}, at(day, reward.Yuan(1)),
			fakeTotals{err: broken}, broken, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.limits.Admit(tc.r, tc.totals.total)
			if tc.want == nil {
				require.NoError(t, err, "Admit")
			} else {
				require.ErrorIs(t, err, tc.want, "Admit")
			}
			assert.Len(t, tc.totals.asked, tc.asked, "totals Admit read")
		})
	}

	// The tallies asked: the reporter's window per cap, in order, then the
	// policy's budget period for everyone.
	capMonth := reward.Cap{Since: day, Until: day.AddDate(0, 1, 0), MaxCount: 10}
	var f fakeTotals
	require.NoError(t, reward.Limits{Reporter: []reward.Cap{capDay, capMonth}, Budget: budget}.Admit(at(day, 1), f.total))
	assert.Equal(t, []reward.Tally{
		{Policy: "city", ReporterID: "u1", Since: capDay.Since, Until: capDay.Until},
		{Policy: "city", ReporterID: "u1", Since: capMonth.Since, Until: capMonth.Until},
		{Policy: "city", Since: budget.Since},
	}, f.asked, "tallies asked by Admit")
}

// TestTallyCounts checks which rewards a total counts.
func TestTallyCounts(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	r := reward.Reward{ReporterID: "u1", Policy: "city", Status: reward.StatusClaimed, IssuedAt: t0}
	q := reward.Tally{Policy: "city", ReporterID: "u1", Since: t0, Until: t0.Add(time.Hour)}
	assert.True(t, q.Counts(r), "from Since")
	everyone := q
	everyone.ReporterID = ""
	assert.True(t, everyone.Counts(r), "no reporter counts everyone")
	open := q
	open.Until = time.Time{}
	assert.True(t, open.Counts(r), "a zero Until is open")
	for name, change := range map[string]func(x *reward.Reward){
		"at Until":         func(x *reward.Reward) { x.IssuedAt = t0.Add(time.Hour) },
		"before Since":     func(x *reward.Reward) { x.IssuedAt = t0.Add(-time.Nanosecond) },
		"another reporter": func(x *reward.Reward) { x.ReporterID = "u2" },
		"another policy":   func(x *reward.Reward) { x.Policy = "national" },
		"expired":          func(x *reward.Reward) { x.Status = reward.StatusExpired },
	} {
		x := r
		change(&x)
		assert.False(t, q.Counts(x), name)
	}
}

// TestExpire checks the expiry of a reward.
func TestExpire(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	pending := reward.Reward{Status: reward.StatusPending, ClaimBy: now}
	assert.True(t, pending.Due(now), "due at ClaimBy")
	assert.False(t, pending.Due(now.Add(-time.Nanosecond)), "not due before ClaimBy")
	early := pending
	require.ErrorIs(t, early.Expire(now.Add(-time.Nanosecond)), hazard.ErrConflict, "before ClaimBy")
	assert.Equal(t, reward.StatusPending, early.Status, "a refused expiry changes nothing")
	claiming := reward.Reward{Status: reward.StatusClaiming, ClaimBy: now}
	assert.False(t, claiming.Due(now), "only a pending reward is due")
	require.True(t, errors.Is(claiming.Expire(now), reward.ErrNotClaimable), "only a pending reward expires")
	r := pending
	require.NoError(t, r.Expire(now.In(reward.ChinaTime)), "at ClaimBy")
	assert.Equal(t, reward.StatusExpired, r.Status)
	assert.Equal(t, now, r.ExpiredAt)
	assert.Equal(t, time.UTC, r.ExpiredAt.Location(), "ExpiredAt in UTC")
}
