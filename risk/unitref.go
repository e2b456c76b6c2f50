package risk

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxUnitRefs is the most units one UnitRefs or UnitRefsOf call returns or
// names: a district of a province; more is CodeInvalid.
const MaxUnitRefs = hazard.MaxStatsUnitIDs

// UnitRef is where a unit stands in the register: what a ledger shows of
// it beside its hazards.
type UnitRef struct {
	ID       uuid.UUID `json:"id"`
	Industry string    `json:"industry"`
	District string    `json:"district"`
}

// RefOf returns u's ref.
func (u *Unit) RefOf() UnitRef {
	return UnitRef{ID: u.ID, Industry: u.Industry, District: u.Location.District}
}

// CheckRefsLimit returns CodeInvalid on "limit" unless 1 <= n <=
// MaxUnitRefs; stores call it in UnitRefs and, with the number of IDs, in
// UnitRefsOf (on "ids").
func CheckRefsLimit(field string, n int) error {
	if n < 1 && field == "limit" || n > MaxUnitRefs {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: "unit refs", Field: field, Message: "must be at most " + strconv.Itoa(MaxUnitRefs) + " (and a limit at least 1)"}
	}
	return nil
}
