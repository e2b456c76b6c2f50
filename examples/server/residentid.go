package server

import (
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// ResidentIDLen is the length of a mainland resident identity card number
// (居民身份证号码, GB 11643-1999).
const ResidentIDLen = 18

// residentIDWeights are the weights of the ISO 7064 MOD 11-2 check.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheck maps the weighted sum modulo 11 to the check character.
const residentIDCheck = "10X98765432"

// CheckResidentID reports whether id is a well-formed resident identity
// number: 17 digits and a check character (a digit or X) that matches the
// ISO 7064 MOD 11-2 checksum, with a real birth date (digits 7 to 14) from
// 1900 up to now. A failure is a CodeInvalid *hazard.Error on the field
// "resident_id".
func CheckResidentID(id string, now time.Time) error {
	bad := func(msg string) error {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: "verify", Field: "resident_id", Message: msg}
	}
	if len(id) != ResidentIDLen {
		return bad("must be 18 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return bad("must be 17 digits and a check digit or X")
		}
		sum += int(c-'0') * residentIDWeights[i]
	}
	last := id[17]
	if last == 'x' {
		last = 'X'
	}
	if last != residentIDCheck[sum%11] {
		return bad("has a wrong check digit")
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(now) {
		return bad("has an impossible birth date")
	}
	return nil
}

// maskResidentID keeps the first and last characters of an ID number only.
func maskResidentID(id string) string {
	if len(id) != ResidentIDLen {
		return ""
	}
	return id[:1] + "****************" + id[17:]
}
