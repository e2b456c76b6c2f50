package risk

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

// PublicUnitList is one page of units' public views (Unit.Public), in ID
// order.
type PublicUnitList struct {
	Items []PublicUnit `json:"items"`
	// Next is the cursor of the following page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// PublicUnits returns one page of the public views of the units matching
// f, to anyone: what a city publishes on its four-colour risk map (name,
// industry, grade, district and a rounded point), never contacts, credit
// codes, risk points or hazards. Only the public fields filter: a
// Department or Grid in f is CodeInvalid.
func (s *Service) PublicUnits(ctx context.Context, f UnitFilter, p hazard.Page) (PublicUnitList, error) {
	const op = "public units"
	var pr hazard.Problems
	if f.Department != "" {
		pr.Add("department", "is not a public filter")
	}
	if f.Grid != "" {
		pr.Add("grid", "is not a public filter")
	}
	if err := pr.Err(op); err != nil {
		return PublicUnitList{}, err
	}
	l, err := s.store.ListUnits(ctx, f, p)
	if err != nil {
		return PublicUnitList{}, hazard.Wrap(op, err)
	}
	out := PublicUnitList{Items: make([]PublicUnit, len(l.Items)), Next: l.Next}
	for i := range l.Items {
		out.Items[i] = l.Items[i].Public()
	}
	return out, nil
}
