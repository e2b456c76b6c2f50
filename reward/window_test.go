package reward_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

// cst returns a time in China Standard Time.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, reward.ChinaTime)
}

func TestNationalWindow(t *testing.T) {
	notice := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	got := reward.NationalWindow().Deadline(notice)
	assert.Equal(t, notice.Add(60*24*time.Hour), got)
	assert.Equal(t, time.UTC, got.Location())
}

func TestCityWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		w      reward.ClaimWindow
		notice time.Time
		want   time.Time
	}{
		{
			// Mon 2026-03-02 → 7 working days: Tue..Fri (4), Mon..Wed (3) → ends Wed 03-11 24:00.
			name: "monday notice", w: reward.CityWindow(nil, nil),
			notice: cst(2026, 3, 2, 10, 0), want: cst(2026, 3, 12, 0, 0),
		},
		{
			// Fri 2026-03-06 → Mon..Fri (5), Mon..Tue (2) → ends Tue 03-17 24:00.
			name: "friday notice skips two weekends", w: reward.CityWindow(nil, nil),
			notice: cst(2026, 3, 6, 23, 59), want: cst(2026, 3, 18, 0, 0),
		},
		{
			// Saturday notice: Mon 03-09 .. Fri 03-13 (5), Mon 16, Tue 17 (7).
			name: "weekend notice", w: reward.CityWindow(nil, nil),
			notice: cst(2026, 3, 7, 9, 0), want: cst(2026, 3, 18, 0, 0),
		},
		{
			// The zone decides the day: 2026-03-01 17:00 UTC is Monday 01:00 in China, as in the first case.
			name: "day in China time", w: reward.CityWindow(nil, nil),
			notice: time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), want: cst(2026, 3, 12, 0, 0),
		},
		{
			// National Day: Thu 10-01 .. Wed 10-07 off; Sat 10-10 worked.
			name: "holidays and a make-up day",
			w: reward.CityWindow(
				[]reward.Date{reward.MustDate("2026-10-01"), reward.MustDate("2026-10-02"), reward.MustDate("2026-10-05"), reward.MustDate("2026-10-06"), reward.MustDate("2026-10-07")},
				[]reward.Date{reward.MustDate("2026-10-10")}),
			// Wed 09-30 → Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12 .. Wed 10-14 → 6; Thu 10-15 → 7.
			notice: cst(2026, 9, 30, 12, 0), want: cst(2026, 10, 16, 0, 0),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.w.Deadline(tc.notice)
			assert.True(t, got.Equal(tc.want), "Deadline(%v) = %v, want %v", tc.notice, got, tc.want)
		})
	}
}

func TestClaimWindowValidate(t *testing.T) {
	require.NoError(t, reward.NationalWindow().Validate())
	assert.ErrorIs(t, reward.ClaimWindow{}.Validate(), hazard.ErrInvalid)
	assert.ErrorIs(t, reward.ClaimWindow{Days: reward.MaxClaimDays + 1}.Validate(), hazard.ErrInvalid)
}

func TestParseDate(t *testing.T) {
	d, err := reward.ParseDate("2026-10-01")
	require.NoError(t, err)
	assert.Equal(t, reward.Date{Year: 2026, Month: 10, Day: 1}, d)
	assert.Equal(t, "2026-10-01", d.String())
	_, err = reward.ParseDate("10/01/2026")
	assert.ErrorIs(t, err, hazard.ErrInvalid)
}
