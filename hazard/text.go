package hazard

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text policy: one set of rules for every piece of text a person types
// (descriptions, notes, names, addresses, units), whichever entry point it
// comes through (the JSON API, Open311, pages). NormalizeText prepares a
// value; CheckText checks free text and CheckLine single-line text;
// CheckPhone checks a contact phone. A value that breaks a rule is refused
// with a problem naming its field, never silently repaired: text shown to
// staff and on the plaza must be what its author sent.
//
// Refused everywhere:
//   - bytes that are not UTF-8 (a decoder that replaces them with U+FFFD
//     must refuse them before, as the example server's JSON decoder does
//     for invalid bytes and lone surrogate escapes);
//   - control characters other than newline and tab, and the line and
//     paragraph separators U+2028 and U+2029;
//   - bidirectional embeddings, overrides and isolates (U+202A to U+202E,
//     U+2066 to U+2069), which make text read differently from what it is
//     (an address that reads backwards, a file name that hides its type);
//   - zero-width characters (U+200B to U+200D, U+2060 and U+FEFF), which
//     make two different texts look alike.
//
// Refused in single-line fields as well (CheckLine): line breaks and tabs.

// NormalizeText trims surrounding white space and normalises line ends to
// "\n". It does not remove anything else: characters the policy refuses are
// refused by CheckText, never silently dropped.
func NormalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}

// Deceptive reports whether r is a bidirectional formatting or zero-width
// character, which the text policy refuses.
func Deceptive(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true // bidirectional embeddings, overrides and isolates
	case r >= '\u200b' && r <= '\u200d', r == '\u2060', r == '\ufeff':
		return true // zero-width space, non-joiner, joiner, word joiner, BOM
	}
	return false
}

// CheckText adds a problem for field when s is free text the policy
// refuses: not valid UTF-8, control characters (other than newline and
// tab), bidirectional formatting or zero-width characters (Deceptive), or
// fewer than min or more than max runes.
func CheckText(p *Problems, field, s string, min, max int) {
	checkText(p, field, s, min, max, false)
}

// CheckLine is CheckText for a single-line field (a unit, a name, an
// address): line breaks and tabs are refused as well.
func CheckLine(p *Problems, field, s string, min, max int) {
	checkText(p, field, s, min, max, true)
}

func checkText(p *Problems, field, s string, min, max int, line bool) {
	n, valid, control, deceptive, breaks := scanText(s)
	switch {
	case !valid:
		p.Add(field, "is not valid UTF-8")
	case n < min && min == 1:
		p.Add(field, "is required")
	case n < min:
		p.Add(field, "must be at least %d characters", min)
	case n > max:
		p.Add(field, "must be at most %d characters", max)
	case control:
		p.Add(field, "contains control characters")
	case deceptive:
		p.Add(field, "contains invisible or bidirectional formatting characters")
	case line && breaks:
		p.Add(field, "must be one line")
	}
}

// textOK reports whether CheckText would find no problem with s, so that
// callers build a field name only for a problem.
func textOK(s string, min, max int) bool {
	n, valid, control, deceptive, _ := scanText(s)
	return valid && !control && !deceptive && n >= min && n <= max
}

// scanText counts the runes of s and reports in one pass whether s is
// valid UTF-8, whether it has a control character other than newline and
// tab (or U+2028, U+2029), a Deceptive character, and a newline or tab.
func scanText(s string) (n int, valid, control, deceptive, breaks bool) {
	valid = true
	for i := 0; i < len(s); n++ {
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case c == '\n' || c == '\t':
				breaks = true
			case c < 0x20 || c == 0x7f:
				control = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			valid = false
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			control = true
		case Deceptive(r):
			deceptive = true
		}
		i += size
	}
	return n, valid, control, deceptive, breaks
}

// PhonePattern is what a contact phone must look like: a mainland China
// mobile number (11 digits starting 13 to 19), or a landline with its area
// code (0 and 2 or 3 digits, an optional hyphen, then 7 or 8 digits), each
// optionally after the country code +86 or 86 and a space or hyphen; a
// landline may end in an extension (a hyphen and 1 to 6 digits).
// Examples: 13800138000, +86 13800138000, 010-12345678, 0755-1234567-89.
var PhonePattern = regexp.MustCompile(`^(?:\+?86[ -]?)?(?:1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[0-9]{7,8}(?:-[0-9]{1,6})?)$`)

// CheckPhone adds a problem for field when s is neither empty nor a phone
// number (PhonePattern).
func CheckPhone(p *Problems, field, s string) {
	if s == "" {
		return
	}
	if len(s) > MaxContactPhoneLen || !PhonePattern.MatchString(s) {
		p.Add(field, "must be a phone number: a mobile number such as 13800138000 or a landline with its area code such as 010-12345678")
	}
}
