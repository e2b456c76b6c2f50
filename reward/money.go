package reward

import (
	"strconv"
)

// Fen is an amount of money in fen (分), the smallest unit of the renminbi:
// 100 fen make one yuan. Money is never a float in hazardloop.
type Fen int64

// Yuan returns y yuan in fen.
func Yuan(y int64) Fen { return Fen(y * 100) }

// MaxAmount is the largest amount a reward may carry: ¥10,000,000. It is far
// above any published rule (the national maximum is ¥300,000) and keeps
// every computation on amounts far from int64 overflow.
const MaxAmount Fen = 1_000_000_000

// MaxFine is the largest administrative fine a rule reads: ¥1,000,000,000.
// Larger fines are treated as MaxFine (the percentage rules cap far below).
const MaxFine Fen = 100_000_000_000

// String formats f for display with the yuan sign and two decimals, e.g.
// "¥12.34" or "-¥0.05".
func (f Fen) String() string {
	if f < 0 {
		return "-¥" + decimal(abs(f))
	}
	return "¥" + decimal(uint64(f))
}

// Decimal formats f in yuan with exactly two decimals and no sign of the
// currency, e.g. "12.34" or "-0.05", computed from the integer without
// floating point. It is the format of payout exports.
func (f Fen) Decimal() string {
	if f < 0 {
		return "-" + decimal(abs(f))
	}
	return decimal(uint64(f))
}

// abs returns |f| as a uint64, exact for math.MinInt64 too.
func abs(f Fen) uint64 { return uint64(-(f + 1)) + 1 }

func decimal(u uint64) string {
	yuan, fen := u/100, u%100
	return strconv.FormatUint(yuan, 10) + "." + string(rune('0'+fen/10)) + string(rune('0'+fen%10))
}

// BasisPoints is a proportion in hundredths of a percent: 1500 is 15%,
// 10000 is 100%.
type BasisPoints int64

// Percent returns p percent in basis points.
func Percent(p int64) BasisPoints { return BasisPoints(p * 100) }

// MaxBasisPoints is the largest proportion a rule may use: 1000%.
const MaxBasisPoints BasisPoints = 100_000

// Of returns the proportion b of f, rounded half up to the fen: an exact
// half fen is rounded away from zero (15% of 3 fen = 0.45 fen → 0 fen;
// 50% of 1 fen = 0.5 fen → 1 fen; 50% of -1 fen → -1 fen). The computation
// is exact integer arithmetic; f is clamped to [-MaxFine, MaxFine] and b to
// [0, MaxBasisPoints] first, so that it never overflows.
func (b BasisPoints) Of(f Fen) Fen {
	f = min(max(f, -MaxFine), MaxFine)
	if b < 0 {
		b = 0
	}
	if b > MaxBasisPoints {
		b = MaxBasisPoints
	}
	if f < 0 {
		return -b.Of(-f)
	}
	// f*b/10000 without overflow for the part that matters: split f into
	// whole ten-thousands and a remainder below 10000.
	q, r := int64(f)/10000, int64(f)%10000
	return Fen(q*int64(b) + (r*int64(b)+5000)/10000)
}

// String formats b as a percentage, e.g. "15%" or "12.5%".
func (b BasisPoints) String() string {
	s := strconv.FormatInt(int64(b)/100, 10)
	if r := int64(b) % 100; r != 0 {
		if r < 0 {
			r = -r
		}
		d := strconv.FormatInt(r, 10)
		if r < 10 {
			d = "0" + d
		}
		if d[1] == '0' {
			d = d[:1]
		}
		s += "." + d
	}
	return s + "%"
}
