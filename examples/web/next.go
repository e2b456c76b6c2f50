package web

import (
	"net/url"
	"strings"
	"unicode"
)

// MaxNextLen caps the length of the page to go to after login.
const MaxNextLen = 512

// SafeNext returns next if it is a path of this site, else "/". It is the
// one rule for the page after login (the login page's script applies the
// same, in static/app.js): next must start with exactly one "/", hold no
// control character, whitespace or backslash anywhere (browsers drop tabs
// and line breaks and read "\" as "/", so "/\t/evil.com" and "/\evil.com"
// lead to another host), and parse as a URL without scheme, host or user.
func SafeNext(next string) string {
	if next == "" || len(next) > MaxNextLen || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, r := range next {
		if r == '\\' || r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.IsSpace(r) ||
			unicode.Is(unicode.Cf, r) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	// A path whose escapes decode to "//" or "/\" is another host to some
	// browsers too.
	if dec, err := url.PathUnescape(next); err != nil || strings.HasPrefix(dec, "//") || strings.HasPrefix(dec, "/\\") {
		return "/"
	}
	return next
}
