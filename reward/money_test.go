package reward_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/reward"
)

func TestFenString(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    reward.Fen
		want string
	}{
		{"zero", 0, "¥0.00"},
		{"one fen", 1, "¥0.01"},
		{"ten fen", 10, "¥0.10"},
		{"yuan and fen", 1234, "¥12.34"},
		{"large", reward.Yuan(300_000), "¥300000.00"},
		{"negative", -5, "-¥0.05"},
		{"min int64", math.MinInt64, "-¥92233720368547758.08"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.f.String())
		})
	}
	assert.Equal(t, "12.34", reward.Fen(1234).Decimal())
	assert.Equal(t, "-0.07", reward.Fen(-7).Decimal())
}

func TestBasisPointsOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    reward.BasisPoints
		f    reward.Fen
		want reward.Fen
	}{
		{"15% of ¥10,000", 1500, reward.Yuan(10_000), reward.Yuan(1_500)},
		{"15% of 3 fen is 0.45 fen, down", 1500, 3, 0},
		{"15% of 10 fen is 1.5 fen, half up", 1500, 10, 2},
		{"50% of 1 fen is 0.5 fen, half up", 5000, 1, 1},
		{"33.33% of 1 fen is 0.3333, down", 3333, 1, 0},
		{"negative rounds away from zero", 5000, -1, -1},
		{"zero rate", 0, 12345, 0},
		{"100%", 10000, 12345, 12345},
		{"negative rate clamps to 0", -100, 12345, 0},
		{"rate above maximum clamps", reward.MaxBasisPoints * 2, 100, 1000},
		{"huge fine clamps, no overflow", reward.MaxBasisPoints, math.MaxInt64, reward.MaxFine * 10},
		{"odd remainder", 1500, 123_456_789, 18_518_518}, // 18,518,518.35
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.b.Of(tc.f))
		})
	}
}

func TestBasisPointsString(t *testing.T) {
	assert.Equal(t, "15%", reward.BasisPoints(1500).String())
	assert.Equal(t, "12.5%", reward.BasisPoints(1250).String())
	assert.Equal(t, "0.05%", reward.BasisPoints(5).String())
	assert.Equal(t, "15%", reward.Percent(15).String())
}
