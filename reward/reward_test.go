package reward_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/rewardtest"
)

func TestRewardValidateLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(r *reward.Reward)
		field  string // "" when valid
	}{
		{"valid", func(r *reward.Reward) {}, ""},
		{"text at the limit", func(r *reward.Reward) { r.Explanation[0].Text.ZH = strings.Repeat("奖", reward.MaxTextLen) }, ""},
		{"text over the limit", func(r *reward.Reward) { r.Explanation[0].Text.EN = strings.Repeat("x", reward.MaxTextLen+1) }, "explanation.text.en"},
		{"rule name at the limit", func(r *reward.Reward) { r.Explanation[0].Rule = strings.Repeat("r", reward.MaxRuleNameLen) }, ""},
		{"rule name over the limit", func(r *reward.Reward) { r.Explanation[0].Rule = strings.Repeat("r", reward.MaxRuleNameLen+1) }, "explanation.rule"},
		{"policy over the limit", func(r *reward.Reward) { r.Policy = strings.Repeat("p", reward.MaxRuleNameLen+1) }, "policy"},
		{"lines at the limit", func(r *reward.Reward) { r.Explanation = lines(reward.MaxExplanationLines) }, ""},
		{"lines over the limit", func(r *reward.Reward) { r.Explanation = lines(reward.MaxExplanationLines + 1) }, "explanation"},
		{"amount at the maximum", func(r *reward.Reward) { r.Amount = reward.MaxAmount }, ""},
		{"amount over the maximum", func(r *reward.Reward) { r.Amount = reward.MaxAmount + 1 }, "amount_fen"},
		{"reporter ID over the limit", func(r *reward.Reward) { r.ReporterID = strings.Repeat("u", hazard.MaxUserIDLen+1) }, "reporter_id"},
		{"control character", func(r *reward.Reward) { r.Explanation[0].Text.ZH = "a\x00b" }, "explanation.text.zh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rewardtest.NewReward("u-1", 100)
			tc.change(&r)
			err := r.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var e *hazard.Error
			require.ErrorAs(t, err, &e)
			assert.ErrorIs(t, err, hazard.ErrInvalid)
			assert.Equal(t, tc.field, e.Field)
		})
	}
}

func lines(n int) []reward.Line {
	out := make([]reward.Line, n)
	for i := range out {
		out[i] = reward.Line{Rule: "r", Text: reward.Text{ZH: "z", EN: "e"}}
	}
	return out
}

func TestPolicyMaxRules(t *testing.T) {
	p := reward.National()
	for len(p.Rules) < reward.MaxRules {
		p.Rules = append(p.Rules, reward.RealName())
	}
	require.NoError(t, p.Validate())
	p.Rules = append(p.Rules, reward.RealName())
	assert.ErrorIs(t, p.Validate(), hazard.ErrInvalid)
	p = reward.National()
	p.Name = strings.Repeat("n", reward.MaxRuleNameLen+1)
	assert.ErrorIs(t, p.Validate(), hazard.ErrInvalid)
}

func TestStatus(t *testing.T) {
	for _, s := range []reward.Status{reward.StatusPending, reward.StatusClaiming, reward.StatusClaimed, reward.StatusExpired, reward.StatusFailed} {
		assert.True(t, s.Valid(), "%s", s)
		assert.NotEqual(t, string(s), s.Label(), "%s has a Chinese label", s)
	}
	assert.False(t, reward.Status("paid").Valid())
	assert.Equal(t, "待领", reward.StatusPending.Label())
}

func BenchmarkDecide(b *testing.B) {
	p := reward.CityProgramme()
	f := facts(hazard.SeverityMajor)
	f.Category, f.Bonus = "fire", reward.Yuan(50)
	for b.Loop() {
		if d := p.Decide(f); !d.Pays() {
			b.Fatal("no reward")
		}
	}
}

func BenchmarkIssueAndClaim(b *testing.B) {
	f := newFixture(b, nil)
	for b.Loop() {
		h := f.closed("alice", nil)
		out, err := f.svc.IssueFor(ctx, h)
		if err != nil || len(out) != 1 {
			b.Fatal(err)
		}
		f.clock.Advance(24 * time.Hour) // a new day: stay under the daily cap
		if out[0].Reward.ID == [16]byte{} {
			continue // the monthly cap or the budget was reached
		}
		if _, err := f.svc.Claim(ctx, citizen("alice"), out[0].Reward.ID); err != nil {
			b.Fatal(err)
		}
	}
}
