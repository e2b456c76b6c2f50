package hazard_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestRefFormat(t *testing.T) {
	day := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    hazard.RefFormat
		at   time.Time
		n    int64
		want string
	}{
		{"programme", hazard.RefFormat{Prefix: "LC"}, day, 123, "LC-20261128-000123"},
		{"defaults", hazard.RefFormat{}, day, 1, "HZ-20261128-000001"},
		{"wider", hazard.RefFormat{Prefix: "SZ2", Digits: 8}, day, 42, "SZ2-20261128-00000042"},
		{"overflowing the width", hazard.RefFormat{Prefix: "LC", Digits: 3}, day, 12345, "LC-20261128-12345"},
		{"negative, as fmt pads it", hazard.RefFormat{Prefix: "LC"}, day, -5, "LC-20261128--00005"},
		{"UTC date", hazard.RefFormat{Prefix: "LC"}, time.Date(2026, 11, 29, 7, 0, 0, 0, time.FixedZone("CST", 8*3600)), 7, "LC-20261128-000007"},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.NoError(t, c.f.Validate())
			assert.Equal(t, c.want, c.f.Format(c.at, c.n))
		})
	}
	assert.Equal(t, "ref:LC:20261128", hazard.RefFormat{Prefix: "LC"}.Counter(day))
	assert.NotEqual(t, hazard.RefFormat{Prefix: "LC"}.Counter(day), hazard.RefFormat{Prefix: "LC"}.Counter(day.AddDate(0, 0, 1)), "a counter per day")
}

func TestRefFormatValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		f    hazard.RefFormat
		want []string
	}{
		{"lower case", hazard.RefFormat{Prefix: "lc"}, []string{"prefix"}},
		{"too long", hazard.RefFormat{Prefix: "ABCDEFGHI"}, []string{"prefix"}},
		{"dash", hazard.RefFormat{Prefix: "L-C"}, []string{"prefix"}},
		{"digits", hazard.RefFormat{Prefix: "LC", Digits: 13}, []string{"digits"}},
		{"negative digits", hazard.RefFormat{Digits: -1}, []string{"digits"}},
		{"eight", hazard.RefFormat{Prefix: "ABCDEFGH", Digits: 12}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, fields(t, c.f.Validate()))
		})
	}
}

func TestRefFormatNext(t *testing.T) {
	s := memstore.New()
	f := hazard.RefFormat{Prefix: "LC"}
	day := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{day, "LC-20261128-000001"},
		{day.Add(time.Hour), "LC-20261128-000002"},
		{day.AddDate(0, 0, 1), "LC-20261129-000001"},
		{day, "LC-20261128-000003"},
	} {
		got, err := f.Next(t.Context(), s, c.at)
		require.NoError(t, err, "Next")
		assert.Equal(t, c.want, got)
	}
}
