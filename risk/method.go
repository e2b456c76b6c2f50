package risk

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// Tenths is a number in tenths: 5 is 0.5. Assessment values are kept in
// tenths, and scores multiply them, so that 0.1 and 0.2 are exact.
type Tenths int64

// String formats t as a decimal: "0.5", "10".
func (t Tenths) String() string {
	s := strconv.FormatInt(int64(t/10), 10)
	if r := t % 10; r != 0 {
		if r < 0 {
			r = -r
		}
		if t < 0 && t > -10 {
			s = "-0"
		}
		s += "." + strconv.FormatInt(int64(r), 10)
	}
	return s
}

// ParseTenths parses a decimal with at most one digit after the point,
// such as "0.5" or "10".
func ParseTenths(s string) (Tenths, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || dot && len(frac) != 1 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 32)
	if err != nil || w < 0 {
		return 0, false
	}
	t := Tenths(w * 10)
	if dot {
		f, err := strconv.Atoi(frac)
		if err != nil || frac[0] < '0' || frac[0] > '9' {
			return 0, false
		}
		t += Tenths(f)
	}
	return t, true
}

// MethodName names an assessment method.
type MethodName string

// The methods shipped, and a grade set by hand.
const (
	// MethodLEC is 作业条件危险性分析: D = L × E × C.
	MethodLEC MethodName = "lec"
	// MethodLS is the risk matrix: R = L × S.
	MethodLS MethodName = "ls"
	// MethodManual is a grade set by hand, with a reason.
	MethodManual MethodName = "manual"
)

// Option is one value a factor may take, with its meaning.
type Option struct {
	Value Tenths `json:"value"`
	Text  Text   `json:"text"`
}

// Factor is one factor of a method (L, E, C, S) and the values it may
// take.
type Factor struct {
	// Key names the factor in an assessment's Values: "l", "e", "c", "s".
	Key     string   `json:"key"`
	Text    Text     `json:"text"`
	Options []Option `json:"options"`
}

// Band maps scores to a grade: a score strictly above Above (in
// thousandths, see Method) has at least Grade.
type Band struct {
	Grade Grade `json:"grade"`
	Above int64 `json:"above"`
}

// Method is an assessment method as data: its factors with their allowed
// values, and the bands that grade the score. The score is the product of
// the factors' values; with the values in tenths, a score of three factors
// is in thousandths and of two in hundredths, so Method.Scale says how many
// units of a score make one (1000 for LEC's D, 100 for LS's R) and Bands'
// bounds are in those units.
type Method struct {
	Name    MethodName `json:"name"`
	Factors []Factor   `json:"factors"`
	// Scale is the score of one: 10^len(Factors).
	Scale int64 `json:"scale"`
	// Bands are tried in order; the first whose Above the score exceeds
	// gives the grade. The last band must be Above -1 (any score).
	Bands []Band `json:"bands"`
}

// LEC returns the LEC method with the reference's defaults: L 10, 6, 3, 1,
// 0.5, 0.2, 0.1; E 10, 6, 3, 2, 1, 0.5; C 100, 40, 15, 7, 3, 1; D > 320
// red, 160 < D ≤ 320 orange, 70 < D ≤ 160 yellow, D ≤ 70 blue.
func LEC() Method {
	opt := func(v Tenths, zh, en string) Option { return Option{Value: v, Text: Text{ZH: zh, EN: en}} }
	return Method{
		Name: MethodLEC,
		Factors: []Factor{
			{Key: "l", Text: Text{ZH: "事故发生的可能性", EN: "likelihood"}, Options: []Option{
				opt(100, "完全可以预料", "expected"), opt(60, "相当可能", "quite possible"),
				opt(30, "可能，但不经常", "possible but unusual"), opt(10, "可能性小，完全意外", "unlikely"),
				opt(5, "很不可能，可以设想", "very unlikely"), opt(2, "极不可能", "hardly conceivable"),
				opt(1, "实际不可能", "practically impossible")}},
			{Key: "e", Text: Text{ZH: "暴露于危险环境的频繁程度", EN: "exposure"}, Options: []Option{
				opt(100, "连续暴露", "continuous"), opt(60, "每天工作时间内暴露", "daily in working hours"),
				opt(30, "每周一次或偶然暴露", "weekly or occasional"), opt(20, "每月一次暴露", "monthly"),
				opt(10, "每年几次暴露", "a few times a year"), opt(5, "非常罕见地暴露", "very rare")}},
			{Key: "c", Text: Text{ZH: "发生事故产生的后果", EN: "consequence"}, Options: []Option{
				opt(1000, "大灾难，许多人死亡", "catastrophe (many deaths)"), opt(400, "灾难，数人死亡", "disaster (several deaths)"),
				opt(150, "非常严重，一人死亡", "very serious (one death)"), opt(70, "严重，重伤", "serious (severe injury)"),
				opt(30, "重大，致残", "major (disability)"), opt(10, "引人注目，需要救护", "notable (first aid)")}},
		},
		Scale: 1000,
		Bands: []Band{{Red, 320_000}, {Orange, 160_000}, {Yellow, 70_000}, {Blue, -1}},
	}
}

// LS returns the LS risk matrix with the reference's defaults: L and S
// each 1 to 5; R 20–25 red, 15–16 orange, 9–12 yellow, 1–8 blue.
func LS() Method {
	scale := func(key string, t Text) Factor {
		f := Factor{Key: key, Text: t}
		for v := Tenths(10); v <= 50; v += 10 {
			f.Options = append(f.Options, Option{Value: v, Text: Text{ZH: v.String(), EN: v.String()}})
		}
		return f
	}
	return Method{
		Name: MethodLS,
		Factors: []Factor{
			scale("l", Text{ZH: "可能性", EN: "likelihood"}),
			scale("s", Text{ZH: "严重性", EN: "severity"}),
		},
		Scale: 100,
		// R is an integer: R > 19 is R ≥ 20, and so on.
		Bands: []Band{{Red, 1900}, {Orange, 1400}, {Yellow, 800}, {Blue, -1}},
	}
}

// Validate reports the problems of m as data: a name, factors with unique
// keys and positive options, Scale = 10^len(Factors), bands of valid grades
// with decreasing bounds ending at -1.
func (m *Method) Validate() error {
	var p hazard.Problems
	if m.Name == "" || m.Name == MethodManual {
		p.Add("name", "is required and may not be manual")
	}
	if len(m.Factors) == 0 {
		p.Add("factors", "is required")
	}
	scale := int64(1)
	for i, f := range m.Factors {
		scale *= 10
		if f.Key == "" || slices.ContainsFunc(m.Factors[:i], func(g Factor) bool { return g.Key == f.Key }) {
			p.Add("factors["+strconv.Itoa(i)+"].key", "is required and unique")
		}
		if len(f.Options) == 0 {
			p.Add("factors["+strconv.Itoa(i)+"].options", "is required")
		}
		for _, o := range f.Options {
			if o.Value <= 0 {
				p.Add("factors["+strconv.Itoa(i)+"].options", "must be positive")
				break
			}
		}
	}
	if m.Scale != scale {
		p.Add("scale", "must be 10 to the number of factors")
	}
	if len(m.Bands) == 0 || m.Bands[len(m.Bands)-1].Above != -1 {
		p.Add("bands", "must end with a band above -1")
	}
	for i, b := range m.Bands {
		if !b.Grade.Valid() || i > 0 && b.Above >= m.Bands[i-1].Above {
			p.Add("bands["+strconv.Itoa(i)+"]", "must have a grade and a bound below the previous one")
		}
	}
	return p.Err("method")
}

// Score multiplies the values given for m's factors (keyed by
// Factor.Key) and grades the product by m's bands. A value missing, not
// among its factor's options, or given for no factor is a CodeInvalid
// error on the field "values.<key>", and nothing is scored.
func (m *Method) Score(values map[string]Tenths) (int64, Grade, error) {
	var p hazard.Problems
	score := int64(1)
	for _, f := range m.Factors {
		v, ok := values[f.Key]
		switch {
		case !ok:
			p.Add("values."+f.Key, "is required")
		case !slices.ContainsFunc(f.Options, func(o Option) bool { return o.Value == v }):
			allowed := make([]string, len(f.Options))
			for i, o := range f.Options {
				allowed[i] = o.Value.String()
			}
			p.Add("values."+f.Key, "must be one of %s", strings.Join(allowed, ", "))
		default:
			score *= int64(v)
		}
	}
	for k := range values {
		if !slices.ContainsFunc(m.Factors, func(f Factor) bool { return f.Key == k }) {
			p.Add("values."+k, "is not a factor of %s", m.Name)
		}
	}
	if err := p.Err("assess"); err != nil {
		return 0, "", err
	}
	return score, m.Grade(score), nil
}

// Grade returns the grade of a score (in m's units: see Scale).
func (m *Method) Grade(score int64) Grade {
	for _, b := range m.Bands {
		if score > b.Above {
			return b.Grade
		}
	}
	return Blue
}
