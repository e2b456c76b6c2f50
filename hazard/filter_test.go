package hazard_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestFilterMatches(t *testing.T) {
	created := hazardtest.Epoch
	pt := &hazard.Point{Lat: 36.45, Lng: 115.98, System: hazard.WGS84}
	h := hazardtest.NewHazard(hazardtest.WithCategory("gas"), hazardtest.WithState("accepted"),
		hazardtest.WithDepartment("gas"), hazardtest.WithReporter("u1"), hazardtest.WithSource(hazard.SourceCitizen), hazardtest.WithUnitID("unit-1"),
		hazardtest.WithCreatedAt(created), hazardtest.WithPoint(pt))
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    hazard.Filter
		want bool
	}{
		{"empty filter", hazard.Filter{}, true},
		{"one of the states", hazard.Filter{States: []string{"submitted", "accepted"}}, true},
		{"another state", hazard.Filter{States: []string{"submitted"}}, false},
		{"category", hazard.Filter{Category: "gas"}, true},
		{"another category", hazard.Filter{Category: "fire"}, false},
		{"department and reporter", hazard.Filter{Department: "gas", Reporter: "u1"}, true},
		{"another reporter", hazard.Filter{Reporter: "u2"}, false},
		{"another source", hazard.Filter{Source: hazard.SourceInspection}, false},
		{"unit", hazard.Filter{UnitID: "unit-1"}, true},
		{"another unit", hazard.Filter{UnitID: "unit-2"}, false},
		{"open", hazard.Filter{Open: &yes}, true},
		{"closed", hazard.Filter{Open: &no}, false},
		{"since is inclusive", hazard.Filter{CreatedSince: created}, true},
		{"until is exclusive", hazard.Filter{CreatedUntil: created}, false},
		{"until after", hazard.Filter{CreatedUntil: created.Add(time.Second)}, true},
		{"inside the box", hazard.Filter{Box: &hazard.BBox{MinLat: 36, MinLng: 115, MaxLat: 37, MaxLng: 116}}, true},
		{"outside the box", hazard.Filter{Box: &hazard.BBox{MinLat: 30, MinLng: 110, MaxLat: 31, MaxLng: 111}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.f.Matches(&h), "Filter%+v.Matches", tc.f)
		})
	}
	noPoint := hazardtest.NewHazard()
	noPoint.Location.Point = nil
	box := hazard.Filter{Box: &hazard.BBox{MinLat: -90, MinLng: -180, MaxLat: 90, MaxLng: 180}}
	assert.False(t, box.Matches(&noPoint), "a hazard without a point is in no box")
}
