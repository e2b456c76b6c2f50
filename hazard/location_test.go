package hazard_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

var cities = map[string]hazard.Point{
	"Beijing":   {Lat: 39.9087, Lng: 116.3975, System: hazard.WGS84},
	"Shanghai":  {Lat: 31.2304, Lng: 121.4737, System: hazard.WGS84},
	"Guangzhou": {Lat: 23.1291, Lng: 113.2644, System: hazard.WGS84},
	"Chengdu":   {Lat: 30.5728, Lng: 104.0668, System: hazard.WGS84},
	"Urumqi":    {Lat: 43.8256, Lng: 87.6168, System: hazard.WGS84},
	"Harbin":    {Lat: 45.8038, Lng: 126.5349, System: hazard.WGS84},
	"Sanya":     {Lat: 18.2528, Lng: 109.5119, System: hazard.WGS84},
}

// raw measures between two points taking their numbers as WGS-84, without
// any conversion.
func raw(a, b hazard.Point) float64 {
	a.System, b.System = hazard.WGS84, hazard.WGS84
	return a.DistanceMeters(b)
}

func TestGCJ02RoundTripWithinAMetre(t *testing.T) {
	for name, w := range cities {
		for _, d := range []float64{0, 0.013, -0.027} {
			w := hazard.Point{Lat: w.Lat + d, Lng: w.Lng - d, System: hazard.WGS84}
			g := w.GCJ02()
			assert.Equal(t, hazard.GCJ02, g.System, "%s: GCJ02().System", name)
			back := g.WGS84()
			assert.Equal(t, hazard.WGS84, back.System, "%s: WGS84().System", name)
			assert.Less(t, raw(back, w), 1.0, "%s%+.3f: WGS84 -> GCJ02 -> WGS84 drift in metres", name, d)
			assert.Equal(t, g, g.GCJ02(), "%s: GCJ02 of a GCJ-02 point is itself", name)
		}
	}
}

func TestGCJ02OffsetMagnitude(t *testing.T) {
	w := cities["Beijing"]
	off := raw(w, w.GCJ02())
	assert.Greater(t, off, 300.0, "GCJ-02 offset in Beijing, metres")
	assert.Less(t, off, 700.0, "GCJ-02 offset in Beijing, metres")
	for name, w := range cities {
		off := raw(w, w.GCJ02())
		assert.Greater(t, off, 50.0, "%s: GCJ-02 offset, metres", name)
		assert.Less(t, off, 1000.0, "%s: GCJ-02 offset, metres", name)
	}
}

func TestGCJ02OutsideChinaIsIdentity(t *testing.T) {
	for _, w := range []hazard.Point{
		{Lat: 51.5074, Lng: -0.1278, System: hazard.WGS84},   // London
		{Lat: 35.6762, Lng: 139.6503, System: hazard.WGS84},  // Tokyo
		{Lat: -33.8688, Lng: 151.2093, System: hazard.WGS84}, // Sydney
	} {
		g := w.GCJ02()
		assert.Equal(t, w.Lat, g.Lat)
		assert.Equal(t, w.Lng, g.Lng)
		assert.Zero(t, raw(w, g.WGS84()))
	}
}

func TestDistanceMeters(t *testing.T) {
	bj, sh := cities["Beijing"], cities["Shanghai"]
	d := bj.DistanceMeters(sh)
	assert.InDelta(t, 1067e3, d, 15e3, "Beijing to Shanghai")
	assert.InDelta(t, d, sh.DistanceMeters(bj), 1e-6, "symmetric")
	assert.Zero(t, bj.DistanceMeters(bj), "to itself")
	deg := hazard.Point{Lat: 0, Lng: 0, System: hazard.WGS84}.DistanceMeters(hazard.Point{Lat: 1, Lng: 0, System: hazard.WGS84})
	assert.InDelta(t, 111195, deg, 50, "one degree of latitude")
	// Points in different systems are compared in WGS-84: the same place
	// given in GCJ-02 is (nearly) no distance away.
	assert.Less(t, bj.DistanceMeters(bj.GCJ02()), 1.0, "a point and its GCJ-02 form")
	assert.False(t, math.IsNaN(hazard.Point{Lat: 90, Lng: 0, System: hazard.WGS84}.DistanceMeters(hazard.Point{Lat: -90, Lng: 180, System: hazard.WGS84})))
}

func TestBBox(t *testing.T) {
	bj := cities["Beijing"]
	box := bj.Around(200)
	for _, c := range []struct {
		name string
		p    hazard.Point
		want bool
	}{
		{"centre", bj, true},
		{"centre in GCJ-02", bj.GCJ02(), true},
		{"150 m north", hazard.Point{Lat: bj.Lat + 150/111320.0, Lng: bj.Lng, System: hazard.WGS84}, true},
		{"250 m north", hazard.Point{Lat: bj.Lat + 250/111320.0, Lng: bj.Lng, System: hazard.WGS84}, false},
		{"raw GCJ-02 numbers of the centre, read as WGS-84", hazard.Point{Lat: bj.GCJ02().Lat, Lng: bj.GCJ02().Lng, System: hazard.WGS84}, false},
	} {
		assert.Equal(t, c.want, box.Contains(c.p), c.name)
	}
}

func TestLocationValidate(t *testing.T) {
	pt := cities["Beijing"]
	for _, c := range []struct {
		name string
		l    hazard.Location
		want []string
	}{
		{"address only", hazard.Location{Address: "北京市东城区"}, nil},
		{"full", hazard.Location{Address: "北京市东城区", Point: &pt, District: "110101"}, nil},
		{"no address", hazard.Location{}, []string{"address"}},
		{"control in address", hazard.Location{Address: "a\x01"}, []string{"address"}},
		{"bad point", hazard.Location{Address: "x", Point: &hazard.Point{Lat: math.NaN(), Lng: -181, System: "BD09"}}, []string{"latitude", "longitude", "coord_system"}},
		{"edges", hazard.Location{Address: "x", Point: &hazard.Point{Lat: -90, Lng: 180, System: hazard.GCJ02}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, fields(t, c.l.Validate()))
		})
	}
	assert.True(t, hazard.WGS84.Valid())
	assert.True(t, hazard.GCJ02.Valid())
	assert.False(t, hazard.CoordSystem("wgs84").Valid())
}

func TestParseCoordSystem(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want hazard.CoordSystem
	}{
		{"WGS84", hazard.WGS84}, {"wgs84", hazard.WGS84}, {"WGS-84", hazard.WGS84}, {"wgs-84", hazard.WGS84}, {" Wgs84 ", hazard.WGS84},
		{"GCJ02", hazard.GCJ02}, {"gcj02", hazard.GCJ02}, {"GCJ-02", hazard.GCJ02}, {"gcj-02", hazard.GCJ02},
	} {
		got, err := hazard.ParseCoordSystem(tc.in)
		require.NoError(t, err, "ParseCoordSystem(%q)", tc.in)
		assert.Equal(t, tc.want, got, "ParseCoordSystem(%q)", tc.in)
	}
	for _, in := range []string{"", "bd09", "BD-09", "WGS--84", "WGS8", "GCJ-02-"} {
		_, err := hazard.ParseCoordSystem(in)
		require.ErrorIs(t, err, hazard.ErrInvalid, "ParseCoordSystem(%q)", in)
		var he *hazard.Error
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "coord_system", he.Field, "ParseCoordSystem(%q) field", in)
	}
}

func TestCoordSystemJSON(t *testing.T) {
	var p hazard.Point
	require.NoError(t, json.Unmarshal([]byte(`{"lat":39.9,"lng":116.4,"system":"gcj-02"}`), &p))
	assert.Equal(t, hazard.GCJ02, p.System, "a GCJ-02 spelling decodes to the canonical value")
	require.NoError(t, json.Unmarshal([]byte(`{"lat":39.9,"lng":116.4,"system":"bd09"}`), &p))
	err := hazard.Location{Address: "x", Point: &p}.Validate()
	require.ErrorIs(t, err, hazard.ErrInvalid, "an unknown system is refused by Validate")
}
