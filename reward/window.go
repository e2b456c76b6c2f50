package reward

import (
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// ChinaTime is China Standard Time (UTC+8, no daylight saving), the default
// zone of days, months and working days. It is a fixed zone so that no
// time zone database is needed.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// MaxClaimDays is the longest claim window, in days.
const MaxClaimDays = 366

// Date is a calendar day, without a time or a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, hazard.Errorf(hazard.CodeInvalid, "%q is not a date like 2026-10-01", s)
	}
	return DateOf(t, time.UTC), nil
}

// MustDate is ParseDate for constants: it panics on a malformed date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats d as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Start returns the first instant of d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date { return DateOf(d.Start(time.UTC).AddDate(0, 0, n), time.UTC) }

// ClaimWindow says how long a reporter has to claim a reward after the
// notice.
type ClaimWindow struct {
	// Days is the length of the window, 1 to MaxClaimDays.
	Days int
	// WorkingDays counts only working days: Monday to Friday, except
	// Holidays, plus Workdays. The window then ends at the end of the
	// Days-th working day after the day of the notice. Otherwise the window
	// is Days × 24 hours from the notice.
	WorkingDays bool
	// Holidays are weekdays off (public holidays).
	Holidays []Date
	// Workdays are weekend days worked (调休 make-up days).
	Workdays []Date
	// Location is the zone of days; nil means ChinaTime.
	Location *time.Location
}

// NationalWindow is the national rule's window: 60 days from the notice,
// after which the reward is deemed given up (安监总财〔2018〕19号).
func NationalWindow() ClaimWindow { return ClaimWindow{Days: 60} }

// CityWindow is a city programme's window: 7 working days, with the given
// public holidays and make-up working days.
func CityWindow(holidays, workdays []Date) ClaimWindow {
	return ClaimWindow{Days: 7, WorkingDays: true, Holidays: holidays, Workdays: workdays}
}

// Validate reports a window of no days or too many.
func (w ClaimWindow) Validate() error {
	if w.Days < 1 || w.Days > MaxClaimDays {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "window.days", Message: fmt.Sprintf("must be 1 to %d", MaxClaimDays)}
	}
	return nil
}

func (w ClaimWindow) loc() *time.Location {
	if w.Location == nil {
		return ChinaTime
	}
	return w.Location
}

// Working reports whether d is a working day of w.
func (w ClaimWindow) Working(d Date) bool {
	for _, x := range w.Workdays {
		if x == d {
			return true
		}
	}
	for _, x := range w.Holidays {
		if x == d {
			return false
		}
	}
	wd := d.Start(time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Deadline returns the end of the window for a notice at notice, in UTC: a
// claim at or after it is too late.
func (w ClaimWindow) Deadline(notice time.Time) time.Time {
	days := min(max(w.Days, 1), MaxClaimDays)
	if !w.WorkingDays {
		return notice.Add(time.Duration(days) * 24 * time.Hour).UTC()
	}
	loc := w.loc()
	d := DateOf(notice, loc)
	for n := 0; n < days; {
		d = d.AddDays(1)
		if w.Working(d) {
			n++
		}
	}
	return d.AddDays(1).Start(loc).UTC()
}
