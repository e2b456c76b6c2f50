package hazard

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// RefFormat makes human reference numbers: prefix, UTC date and a daily
// sequence, as in LC-20261128-000123.
type RefFormat struct {
	// Prefix is 1 to 8 upper-case letters or digits; "HZ" when empty.
	Prefix string
	// Digits is the width of the sequence, zero-padded; 6 when 0.
	Digits int
}

var prefixPattern = regexp.MustCompile(`^[A-Z0-9]{1,8}$`)

// Validate reports a problem with the format.
func (f RefFormat) Validate() error {
	var p Problems
	if f.Prefix != "" && !prefixPattern.MatchString(f.Prefix) {
		p.Add("prefix", "must be 1 to 8 upper-case letters or digits")
	}
	if f.Digits < 0 || f.Digits > 12 {
		p.Add("digits", "must be 0 to 12")
	}
	return p.Err("ref format")
}

// Counter returns the name of the store counter for refs made at t.
func (f RefFormat) Counter(t time.Time) string {
	var buf [32]byte
	b := append(buf[:0], "ref:"...)
	b = append(b, f.prefix()...)
	b = append(b, ':')
	return string(t.UTC().AppendFormat(b, "20060102"))
}

// Format returns the reference number for sequence n at t.
func (f RefFormat) Format(t time.Time, n int64) string {
	d := f.Digits
	if d == 0 {
		d = 6
	}
	if n < 0 { // not made by a counter; keep the sign before the zeros
		return fmt.Sprintf("%s-%s-%0*d", f.prefix(), t.UTC().Format("20060102"), d, n)
	}
	var buf [48]byte
	b := append(buf[:0], f.prefix()...)
	b = append(b, '-')
	b = t.UTC().AppendFormat(b, "20060102")
	b = append(b, '-')
	var num [20]byte
	digits := strconv.AppendInt(num[:0], n, 10)
	for i := len(digits); i < d; i++ {
		b = append(b, '0')
	}
	return string(append(b, digits...))
}

func (f RefFormat) prefix() string {
	if f.Prefix == "" {
		return "HZ"
	}
	return f.Prefix
}

// Next draws the next reference number at t from the store's counter.
func (f RefFormat) Next(ctx context.Context, s interface {
	NextSeq(ctx context.Context, counter string) (int64, error)
}, t time.Time) (string, error) {
	n, err := s.NextSeq(ctx, f.Counter(t))
	if err != nil {
		return "", Wrap("next ref", err)
	}
	return f.Format(t, n), nil
}
