package hazard

import "slices"

// Stage is a stage of reconciliation (对账销号) that a hazard has reached:
// rectification ordered, reported rectified, re-inspection passed, closed
// out. A process declares each state's stage (StateMeaning.Stage), so that
// figures and ledgers count an integrator's own process without naming its
// states.
type Stage string

// The stages, in the order a hazard passes them: a hazard at a stage has
// passed every earlier one.
const (
	StageOrdered     Stage = "ordered"     // rectification was ordered
	StageRectified   Stage = "rectified"   // the unit reported it rectified
	StageReinspected Stage = "reinspected" // re-inspection passed
	StageClosedOut   Stage = "closed_out"  // closed out (销号)
)

// stages lists the stages in order.
var stages = []Stage{StageOrdered, StageRectified, StageReinspected, StageClosedOut}

// Stages returns the stages in the order a hazard passes them.
func Stages() []Stage { return slices.Clone(stages) }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(stages, s) }

// Reached reports whether a hazard at stage s has reached stage t (t is s
// or an earlier stage). A hazard at no stage ("") has reached none.
func (s Stage) Reached(t Stage) bool {
	i, j := slices.Index(stages, s), slices.Index(stages, t)
	return i >= 0 && j >= 0 && j <= i
}
