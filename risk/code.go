package risk

import (
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// CreditCodeLen is the length of a unified social credit code.
const CreditCodeLen = 18

// creditAlphabet is the alphabet of GB 32100-2015: digits and upper-case
// letters without I, O, S, V and Z. A character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters: 3^(i-1) mod 31.
var creditWeights = [CreditCodeLen - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar returns the check character of the first 17 characters
// of a unified social credit code (GB 32100-2015): with c_i the value of
// the i-th character and w_i its weight, 31 - (Σ c_i·w_i mod 31), where 31
// becomes 0. It returns false when body is not 17 characters of the
// alphabet.
func CreditCheckChar(body string) (byte, bool) {
	if len(body) != CreditCodeLen-1 {
		return 0, false
	}
	sum := 0
	for i := 0; i < len(body); i++ {
		v := strings.IndexByte(creditAlphabet, body[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c], true
}

// CheckCreditCode returns nil for a valid unified social credit code, else
// a CodeInvalid error on the field "credit_code" saying what is wrong: the
// length, a character outside the alphabet (lower case is refused, not
// folded: NormalizeCreditCode folds it), or a wrong check character.
func CheckCreditCode(code string) error {
	var p hazard.Problems
	checkCreditCode(&p, code)
	return p.Err("credit code")
}

func checkCreditCode(p *hazard.Problems, code string) {
	const f = "credit_code"
	switch {
	case code == "":
		p.Add(f, "is required")
		return
	case len(code) != CreditCodeLen:
		p.Add(f, "must be %d characters", CreditCodeLen)
		return
	}
	for i := 0; i < len(code); i++ {
		if strings.IndexByte(creditAlphabet, code[i]) < 0 {
			p.Add(f, "character %d is not one of %s", i+1, creditAlphabet)
			return
		}
	}
	if want, _ := CreditCheckChar(code[:CreditCodeLen-1]); code[CreditCodeLen-1] != want {
		p.Add(f, "has a wrong check character")
	}
}

// NormalizeCreditCode trims white space and upper-cases a code as people
// type it.
func NormalizeCreditCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }
