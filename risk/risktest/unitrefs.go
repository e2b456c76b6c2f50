package risktest

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// testUnitRefs checks UnitRefs against UnitFilter.Matches (with a unit
// moved to another district and industry after it was created), its limit,
// and UnitRefsOf with duplicate and unknown IDs.
func testUnitRefs(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := open(t)
	var all []risk.Unit
	for n := range 12 {
		all = append(all, mustCreate(t, st, NewUnit(n)))
	}
	moved := all[0].Clone()
	moved.Location.District, moved.Industry = "d9", "ind9"
	got, err := st.UpdateUnit(ctx, moved, all[0].Version, nil)
	if err != nil {
		t.Fatalf("UpdateUnit: %v", err)
	}
	all[0] = got
	slices.SortFunc(all, func(a, b risk.Unit) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	for _, f := range []risk.UnitFilter{
		{}, {District: "d1"}, {District: "d9"}, {Industry: "ind2"}, {District: "d0", Industry: "ind2"},
		{District: "d1", Department: "dept1"}, {District: "nowhere"},
	} {
		want := []risk.UnitRef{}
		for i := range all {
			if f.Matches(&all[i]) {
				want = append(want, all[i].RefOf())
			}
		}
		refs, err := st.UnitRefs(ctx, f, risk.MaxUnitRefs)
		if err != nil {
			t.Errorf("UnitRefs(%+v): %v", f, err)
			continue
		}
		if !slices.Equal(refs, want) {
			t.Errorf("UnitRefs(%+v) = %v, want %v", f, refs, want)
		}
		if len(want) > 2 {
			refs, err := st.UnitRefs(ctx, f, 2)
			if err != nil || !slices.Equal(refs, want[:2]) {
				t.Errorf("UnitRefs(%+v, 2) = %v, %v; want %v", f, refs, err, want[:2])
			}
		}
	}
	for _, limit := range []int{0, -1, risk.MaxUnitRefs + 1} {
		if _, err := st.UnitRefs(ctx, risk.UnitFilter{}, limit); code(err) != hazard.CodeInvalid || field(err) != "limit" {
			t.Errorf("UnitRefs(limit %d) = %v, want invalid on limit", limit, err)
		}
	}

	ids := []uuid.UUID{all[5].ID, uuid.Must(uuid.NewV7()), all[1].ID, all[5].ID}
	refs, err := st.UnitRefsOf(ctx, ids)
	if want := []risk.UnitRef{all[1].RefOf(), all[5].RefOf()}; err != nil || !slices.Equal(refs, want) {
		t.Errorf("UnitRefsOf = %v, %v; want %v", refs, err, want)
	}
	if refs, err := st.UnitRefsOf(ctx, nil); err != nil || len(refs) != 0 {
		t.Errorf("UnitRefsOf(nil) = %v, %v; want none", refs, err)
	}
	if _, err := st.UnitRefsOf(ctx, make([]uuid.UUID, risk.MaxUnitRefs+1)); code(err) != hazard.CodeInvalid || field(err) != "ids" {
		t.Errorf("UnitRefsOf(too many) = %v, want invalid on ids", err)
	}
}
