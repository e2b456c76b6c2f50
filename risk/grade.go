package risk

// Grade is a four-colour risk grade: red 重大风险, orange 较大风险, yellow
// 一般风险, blue 低风险. The zero Grade means not graded.
type Grade string

// The grades, from the highest risk to the lowest.
const (
	Red    Grade = "red"
	Orange Grade = "orange"
	Yellow Grade = "yellow"
	Blue   Grade = "blue"
)

// Grades lists the grades from the lowest risk to the highest.
var Grades = []Grade{Blue, Yellow, Orange, Red}

// Valid reports whether g is one of the four grades.
func (g Grade) Valid() bool { return g.Rank() > 0 }

// Rank orders the grades: blue 1, yellow 2, orange 3, red 4; 0 for an
// invalid grade.
func (g Grade) Rank() int {
	switch g {
	case Blue:
		return 1
	case Yellow:
		return 2
	case Orange:
		return 3
	case Red:
		return 4
	}
	return 0
}

// Step returns the grade n steps higher (n > 0) or lower (n < 0), kept
// between blue and red. An invalid g counts as blue.
func (g Grade) Step(n int) Grade {
	r := max(g.Rank(), 1) + n
	r = min(max(r, 1), len(Grades))
	return Grades[r-1]
}

// Max returns the higher of g and h.
func (g Grade) Max(h Grade) Grade {
	if h.Rank() > g.Rank() {
		return h
	}
	return g
}

// ZH returns the grade's Chinese name (重大风险 and so on).
func (g Grade) ZH() string {
	switch g {
	case Red:
		return "重大风险"
	case Orange:
		return "较大风险"
	case Yellow:
		return "一般风险"
	case Blue:
		return "低风险"
	}
	return "未评级"
}

// Text is a message in Chinese and English.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}
