package risk

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxPublicPageLimit is the most public views one page of PublicUnits
// holds (a page of ListUnits holds at most hazard.MaxPageLimit whole
// units): a public view is a few short fields, and the risk map of a city
// reads every unit.
const MaxPublicPageLimit = 1000

// PublicPageLimit returns the limit of a page of public views after the
// default (hazard.DefaultPageLimit) and the cap (MaxPublicPageLimit), or
// CodeInvalid on "limit" for a negative one.
func PublicPageLimit(p hazard.Page) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: "list", Field: "limit", Message: "must not be negative"}
	case p.Limit == 0:
		return hazard.DefaultPageLimit, nil
	case p.Limit > MaxPublicPageLimit:
		return MaxPublicPageLimit, nil
	}
	return p.Limit, nil
}

// PublicUnitList is one page of units' public views (Unit.Public), in ID
// order.
type PublicUnitList struct {
	Items []PublicUnit `json:"items"`
	// Next is the cursor of the following page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// PublicUnitReader is an optional capability of a Store that reads the
// units' public views without reading whole units (a narrower read of the
// few columns they need), for the four-colour risk map of a whole city.
//
// PublicUnits returns one page of the public views (Unit.Public) of the
// units that f matches (UnitFilter.Matches), in ID order, at most
// PublicPageLimit(p) of them, with the cursors of ListUnits
// (IDCursor): the page ReadPublicUnits makes from ListUnits. A cursor the
// store did not make, or a negative limit, is CodeInvalid. Pages are
// copies. risktest.TestStore checks an adapter that has the capability
// against that general path.
type PublicUnitReader interface {
	PublicUnits(ctx context.Context, f UnitFilter, p hazard.Page) (PublicUnitList, error)
}

// ReadPublicUnits returns one page of the public views of the units of st
// that f matches, as PublicUnitReader promises: through st's capability
// when it has one, otherwise from pages of ListUnits (each unit read whole
// and made public with Unit.Public) until the page is full.
func ReadPublicUnits(ctx context.Context, st Store, f UnitFilter, p hazard.Page) (PublicUnitList, error) {
	if r, ok := st.(PublicUnitReader); ok {
		return r.PublicUnits(ctx, f, p)
	}
	limit, err := PublicPageLimit(p)
	if err != nil {
		return PublicUnitList{}, err
	}
	out := PublicUnitList{Items: make([]PublicUnit, 0, min(limit, hazard.MaxPageLimit))}
	lp := hazard.Page{Cursor: p.Cursor}
	for {
		// One unit more than the page needs tells whether another follows.
		lp.Limit = min(limit+1-len(out.Items), hazard.MaxPageLimit)
		l, err := st.ListUnits(ctx, f, lp)
		if err != nil {
			return PublicUnitList{}, err
		}
		for i := range l.Items {
			if len(out.Items) == limit {
				out.Next = IDCursor(out.Items[limit-1].ID, false)
				return out, nil
			}
			out.Items = append(out.Items, l.Items[i].Public())
		}
		if l.Next == "" {
			return out, nil
		}
		lp.Cursor = l.Next
	}
}

// PublicUnits returns one page of the public views of the units matching
// f, to anyone: what a city publishes on its four-colour risk map (name,
// industry, grade, district and a rounded point), never contacts, credit
// codes, risk points or hazards. Pages hold up to MaxPublicPageLimit views
// (hazard.DefaultPageLimit by default); the store's PublicUnitReader
// capability reads them when it has it (ReadPublicUnits). Only the public
// fields filter: a Department or Grid in f is CodeInvalid.
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
	l, err := ReadPublicUnits(ctx, s.store, f, p)
	return l, hazard.Wrap(op, err)
}
