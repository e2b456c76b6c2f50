package risk_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

func tenths(t *testing.T, s string) risk.Tenths {
	t.Helper()
	v, ok := risk.ParseTenths(s)
	require.True(t, ok, s)
	return v
}

func TestLECThresholds(t *testing.T) {
	m := risk.LEC()
	require.NoError(t, m.Validate())
	// Each threshold from both sides, with products reachable in the
	// tables: D = L × E × C.
	for _, tt := range []struct {
		l, e, c string
		d       int64 // D in thousandths
		want    risk.Grade
	}{
		{"10", "10", "100", 10_000_000, risk.Red},
		{"6", "6", "15", 540_000, risk.Red},
		{"3", "3", "40", 360_000, risk.Red},     // 360 > 320
		{"1", "2", "100", 200_000, risk.Orange}, // 160 < 200 ≤ 320
		{"0.5", "6", "100", 300_000, risk.Orange},
		{"1", "3", "100", 300_000, risk.Orange},
		{"10", "2", "15", 300_000, risk.Orange},
		{"1", "6", "40", 240_000, risk.Orange},
		{"0.2", "10", "100", 200_000, risk.Orange},
		{"1", "10", "15", 150_000, risk.Yellow}, // 70 < 150 ≤ 160
		{"3", "6", "7", 126_000, risk.Yellow},
		{"1", "1", "100", 100_000, risk.Yellow},
		{"1", "2", "40", 80_000, risk.Yellow},
		{"1", "1", "40", 40_000, risk.Blue},
		{"0.1", "0.5", "1", 50, risk.Blue},
	} {
		d, g, err := m.Score(map[string]risk.Tenths{"l": tenths(t, tt.l), "e": tenths(t, tt.e), "c": tenths(t, tt.c)})
		require.NoError(t, err)
		assert.Equal(t, tt.d, d, "D of %s×%s×%s", tt.l, tt.e, tt.c)
		assert.Equal(t, tt.want, g, "grade of %s×%s×%s", tt.l, tt.e, tt.c)
	}
	// The bounds themselves: D = 320 is orange, just above is red; 160
	// yellow, above orange; 70 blue, above yellow. Bands are data, so test
	// the band function at the exact bounds too.
	for _, tt := range []struct {
		d    int64
		want risk.Grade
	}{
		{320_000, risk.Orange}, {320_001, risk.Red},
		{160_000, risk.Yellow}, {160_001, risk.Orange},
		{70_000, risk.Blue}, {70_001, risk.Yellow},
		{0, risk.Blue},
	} {
		assert.Equal(t, tt.want, m.Grade(tt.d), "grade of D=%d/1000", tt.d)
	}
	// Of the bounds, only 70 is a product of the tables (1 × 10 × 7):
	// scored, it is blue. 54 and 80 sit on either side of it.
	d, g, err := m.Score(map[string]risk.Tenths{"l": 10, "e": 100, "c": 70})
	require.NoError(t, err)
	assert.Equal(t, int64(70_000), d)
	assert.Equal(t, risk.Blue, g, "D = 70 is blue")
	d, g, err = m.Score(map[string]risk.Tenths{"l": 60, "e": 30, "c": 30}) // 6×3×3 = 54
	require.NoError(t, err)
	assert.Equal(t, int64(54_000), d)
	assert.Equal(t, risk.Blue, g)
	d, g, err = m.Score(map[string]risk.Tenths{"l": 10, "e": 20, "c": 400}) // 80
	require.NoError(t, err)
	assert.Equal(t, int64(80_000), d)
	assert.Equal(t, risk.Yellow, g)
}

func TestLSThresholds(t *testing.T) {
	m := risk.LS()
	require.NoError(t, m.Validate())
	want := map[int]risk.Grade{}
	for r := 1; r <= 25; r++ {
		switch {
		case r >= 20:
			want[r] = risk.Red
		case r >= 15:
			want[r] = risk.Orange
		case r >= 9:
			want[r] = risk.Yellow
		default:
			want[r] = risk.Blue
		}
	}
	for l := 1; l <= 5; l++ {
		for s := 1; s <= 5; s++ {
			score, g, err := m.Score(map[string]risk.Tenths{"l": risk.Tenths(l * 10), "s": risk.Tenths(s * 10)})
			require.NoError(t, err)
			assert.Equal(t, int64(l*s*100), score)
			assert.Equal(t, want[l*s], g, "R = %d×%d", l, s)
		}
	}
	// Both sides of each bound: 8|9, 12|15, 16|20.
	assert.Equal(t, risk.Blue, m.Grade(800))
	assert.Equal(t, risk.Yellow, m.Grade(900))
	assert.Equal(t, risk.Yellow, m.Grade(1200))
	assert.Equal(t, risk.Orange, m.Grade(1500))
	assert.Equal(t, risk.Orange, m.Grade(1600))
	assert.Equal(t, risk.Red, m.Grade(2000))
}

func TestScoreRefusesValuesOutOfTheTables(t *testing.T) {
	lec, ls := risk.LEC(), risk.LS()
	for _, tt := range []struct {
		name   string
		m      risk.Method
		values map[string]risk.Tenths
		field  string
	}{
		{"L 0.3", lec, map[string]risk.Tenths{"l": 3, "e": 10, "c": 10}, "values.l"},
		{"E missing", lec, map[string]risk.Tenths{"l": 10, "c": 10}, "values.e"},
		{"C 50", lec, map[string]risk.Tenths{"l": 10, "e": 10, "c": 500}, "values.c"},
		{"extra factor", lec, map[string]risk.Tenths{"l": 10, "e": 10, "c": 10, "s": 10}, "values.s"},
		{"S 6", ls, map[string]risk.Tenths{"l": 10, "s": 60}, "values.s"},
		{"L 0", ls, map[string]risk.Tenths{"l": 0, "s": 10}, "values.l"},
	} {
		_, _, err := tt.m.Score(tt.values)
		require.ErrorIs(t, err, hazard.ErrInvalid, tt.name)
		var e *hazard.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tt.field, e.Field, tt.name)
	}
}

func TestTenths(t *testing.T) {
	for s, v := range map[string]risk.Tenths{"0.1": 1, "0.5": 5, "10": 100, "100": 1000, "2.5": 25} {
		got, ok := risk.ParseTenths(s)
		assert.True(t, ok, s)
		assert.Equal(t, v, got, s)
		assert.Equal(t, s, v.String())
	}
	for _, s := range []string{"", ".5", "1.25", "-1", "a", "1.x"} {
		_, ok := risk.ParseTenths(s)
		assert.False(t, ok, s)
	}
}

func TestMethodValidate(t *testing.T) {
	m := risk.LEC()
	m.Bands = m.Bands[:3]
	assert.ErrorIs(t, m.Validate(), hazard.ErrInvalid, "bands not ending at -1")
	m = risk.LS()
	m.Scale = 1000
	assert.ErrorIs(t, m.Validate(), hazard.ErrInvalid, "wrong scale")
}
