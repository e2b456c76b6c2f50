package hazard_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// Admit is the sliding window every limiter applies: three units an hour,
// the fourth waits until the oldest leaves.
func ExampleLimit_Admit() {
	rule := hazard.Limit{Max: 3, Per: time.Hour}
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	var hits []time.Time
	for _, at := range []time.Duration{0, 10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 60 * time.Minute} {
		var d hazard.Decision
		d, hits = rule.Admit(hits, t0.Add(at), 1)
		fmt.Println(at, d.Allowed, d.Remaining, d.RetryAfter, len(hits))
	}
	// Output:
	// 0s true 2 0s 1
	// 10m0s true 1 0s 2
	// 20m0s true 0 0s 3
	// 30m0s false 0 30m0s 3
	// 1h0m0s true 0 0s 3
}

func TestLimitAdmit(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	rule := hazard.Limit{Max: 3, Per: time.Minute}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, c := range []struct {
		name  string
		hits  []time.Time
		now   time.Time
		n     int
		want  hazard.Decision
		after []time.Time
	}{
		{"empty", nil, at(0), 2, hazard.Decision{Allowed: true, Remaining: 1}, []time.Time{at(0), at(0)}},
		{"unsorted hits", []time.Time{at(20), at(10)}, at(30), 1, hazard.Decision{Allowed: true}, []time.Time{at(10), at(20), at(30)}},
		{"hits leave at exactly Per", []time.Time{at(0), at(10), at(20)}, at(60), 1, hazard.Decision{Allowed: true}, []time.Time{at(10), at(20), at(60)}},
		{"refused, the wait for n", []time.Time{at(0), at(10)}, at(30), 2, hazard.Decision{Remaining: 1, RetryAfter: 30 * time.Second}, []time.Time{at(0), at(10)}},
		{"a hit from a clock ahead", []time.Time{at(40)}, at(30), 1, hazard.Decision{Allowed: true, Remaining: 1}, []time.Time{at(30), at(40)}},
		{"refused behind a clock ahead", []time.Time{at(40), at(41), at(42)}, at(30), 1, hazard.Decision{RetryAfter: 70 * time.Second}, []time.Time{at(40), at(41), at(42)}},
	} {
		d, hits := rule.Admit(c.hits, c.now, c.n)
		assert.Equal(t, c.want, d, "%s: decision", c.name)
		assert.Equal(t, c.after, hits, "%s: hits kept", c.name)
	}
}

func TestLimitValidate(t *testing.T) {
	require.NoError(t, hazard.Limit{Max: 1, Per: hazard.MinLimitPer}.Validate())
	require.NoError(t, hazard.Limit{Max: hazard.MaxLimitMax, Per: hazard.MaxLimitPer}.Validate())
	err := hazard.Limit{}.Validate()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"limit.max", "limit.per"}, fields, "the zero Limit: fields at fault")
}

func TestDecisionErr(t *testing.T) {
	assert.NoError(t, hazard.Decision{Allowed: true}.Err("op", "m"))
	err := hazard.Decision{RetryAfter: time.Minute}.Err("op", "slow down")
	require.ErrorIs(t, err, hazard.ErrRateLimited)
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, time.Minute, e.RetryAfter)
	assert.Equal(t, "slow down", hazard.ErrorMessage(err))
}
