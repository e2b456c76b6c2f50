package risktest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// generalPath hides a store's optional capabilities, so that the
// package's helpers take their general path over its port.
type generalPath struct{ risk.Store }

// walkPublic walks every page of ReadPublicUnits over st with limit.
func walkPublic(t *testing.T, st risk.Store, f risk.UnitFilter, limit int) []risk.PublicUnit {
	t.Helper()
	var out []risk.PublicUnit
	p := hazard.Page{Limit: limit}
	for pages := 0; ; pages++ {
		l, err := risk.ReadPublicUnits(context.Background(), st, f, p)
		if err != nil {
			t.Fatalf("ReadPublicUnits(%+v, %+v): %v", f, p, err)
		}
		want, _ := risk.PublicPageLimit(hazard.Page{Limit: limit})
		if len(l.Items) > want || pages > 100 {
			t.Fatalf("ReadPublicUnits(%+v, %+v) returned %d items on page %d", f, p, len(l.Items), pages)
		}
		out = append(out, l.Items...)
		if l.Next == "" {
			return out
		}
		p.Cursor = l.Next
	}
}

// testPublicUnits checks a store's PublicUnitReader capability against the
// general path (ListUnits and Unit.Public) for the public filters and a
// unit moved and regraded since it was created; its cursors against
// ListUnits' cursors; its limits; and that a page is a copy.
func testPublicUnits(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	r, ok := st.(risk.PublicUnitReader)
	if !ok {
		t.Skip("the store is not a risk.PublicUnitReader")
	}
	var all []risk.Unit
	for n := range 30 {
		u := NewUnit(n)
		u.Grade = risk.Grades[n%4]
		u.Name = fmt.Sprintf("单位 %d \"<&>\"", n)
		switch n % 3 {
		case 1:
			u.Location.Point = &hazard.Point{Lat: 36.123456, Lng: 115.987654, System: hazard.GCJ02}
		case 2:
			u.Location.Point = nil
		}
		all = append(all, mustCreate(t, st, u))
	}
	moved := all[3].Clone()
	moved.Location.District, moved.Industry, moved.Grade = "d9", "ind9", risk.Red
	if _, err := st.UpdateUnit(ctx, moved, all[3].Version, nil); err != nil {
		t.Fatalf("UpdateUnit: %v", err)
	}
	general := generalPath{st}
	for _, f := range []risk.UnitFilter{{}, {District: "d1"}, {District: "d9"}, {Industry: "ind2"}, {Grade: risk.Red},
		{District: "d0", Industry: "ind2", Grade: risk.Yellow}, {Department: "dept1"}, {Grid: "none"}} {
		for _, limit := range []int{0, 7, risk.MaxPublicPageLimit + 1} {
			got, want := walkPublic(t, st, f, limit), walkPublic(t, general, f, limit)
			if !slices.EqualFunc(got, want, samePublic) {
				t.Errorf("PublicUnits(%+v, limit %d) walked %v, want %v", f, limit, got, want)
			}
		}
	}
	// The cursors are ListUnits' own: a walk may switch between the two.
	first, err := r.PublicUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 10})
	if err != nil || len(first.Items) != 10 || first.Next == "" {
		t.Fatalf("PublicUnits(limit 10) = %d items, next %q, %v", len(first.Items), first.Next, err)
	}
	rest, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Cursor: first.Next, Limit: hazard.MaxPageLimit})
	if err != nil || len(rest.Items) != len(all)-10 {
		t.Errorf("ListUnits after PublicUnits' cursor = %d units, %v; want %d", len(rest.Items), err, len(all)-10)
	}
	units, err := st.ListUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	next, err := r.PublicUnits(ctx, risk.UnitFilter{}, hazard.Page{Cursor: units.Next, Limit: hazard.MaxPageLimit})
	if err != nil || len(next.Items) != len(all)-5 {
		t.Errorf("PublicUnits after ListUnits' cursor = %d units, %v; want %d", len(next.Items), err, len(all)-5)
	}
	for _, p := range []hazard.Page{{Cursor: "bogus"}, {Cursor: risk.IDCursor(all[0].ID, true)}, {Limit: -1}} {
		if _, err := r.PublicUnits(ctx, risk.UnitFilter{}, p); code(err) != hazard.CodeInvalid {
			t.Errorf("PublicUnits(%+v) error = %v, want invalid", p, err)
		}
	}
	// A page is the caller's.
	for i := range first.Items {
		if pt := first.Items[i].Point; pt != nil {
			pt.Lat = 0
		}
		first.Items[i].Name = "changed"
	}
	again, err := r.PublicUnits(ctx, risk.UnitFilter{}, hazard.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range again.Items {
		if u.Name == "changed" || u.Point != nil && u.Point.Lat == 0 {
			t.Errorf("PublicUnits: a caller's change to a page reached the store: %+v", u)
		}
	}
}

// samePublic reports whether two public views are equal, points by value.
func samePublic(a, b risk.PublicUnit) bool {
	pa, pb := a.Point, b.Point
	a.Point, b.Point = nil, nil
	return a == b && (pa == nil) == (pb == nil) && (pa == nil || *pa == *pb)
}
