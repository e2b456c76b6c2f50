package hazardtest

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// offset returns the WGS-84 point dy metres north and dx metres east of p.
func offset(p hazard.Point, dy, dx float64) hazard.Point {
	w := p.WGS84()
	return hazard.Point{
		Lat:    w.Lat + dy/111320,
		Lng:    w.Lng + dx/(111320*math.Cos(w.Lat*math.Pi/180)),
		System: hazard.WGS84,
	}
}

func ptr(p hazard.Point) *hazard.Point { return &p }

func (s *suite) nearbyMatches(t *testing.T, st hazard.Store) {
	center := BeijingWGS84
	const radius = 200.0
	at := func(d time.Duration) Option { return WithCreatedAt(Epoch.Add(d)) }
	// Raw GCJ-02 coordinates 100 m from the centre, whose true position is
	// hundreds of metres away: a store that compares raw numbers finds it.
	rawNear := offset(center, 0, 100)
	rawNear.System = hazard.GCJ02
	require.Greater(t, rawNear.DistanceMeters(center), 2*radius, "fixture: the GCJ-02 decoy must be far in truth")
	trueNear := offset(center, 0, 100).GCJ02() // stored in GCJ-02, 100 m east in truth
	require.Greater(t, math.Abs(trueNear.Lng-center.Lng)*85000, 2*radius, "fixture: the GCJ-02 near point must look far in raw numbers")

	in := []hazard.Hazard{
		NewHazard(at(0), WithPoint(ptr(offset(center, -20, 0)))), // exactly at Since
		NewHazard(at(time.Hour), WithPoint(&trueNear)),
		NewHazard(at(2*time.Hour), WithPoint(ptr(offset(center, 150, 0)))),
	}
	out := []hazard.Hazard{
		NewHazard(at(time.Hour), WithPoint(&rawNear)),
		NewHazard(at(time.Hour), WithPoint(ptr(offset(center, 0, 500)))),
		NewHazard(at(time.Hour), WithPoint(ptr(offset(center, 10, 0))), WithCategory("gas")),
		NewHazard(at(time.Hour), WithPoint(ptr(offset(center, 10, 0))), Closed(Epoch.Add(90*time.Minute))),
		NewHazard(at(-time.Second), WithPoint(ptr(offset(center, 10, 0)))),
		NewHazard(at(time.Hour), WithPoint(nil)),
	}
	// Create in an order unlike the expected one.
	for _, h := range append(append([]hazard.Hazard{}, out[:3]...), in[2], in[0], in[1]) {
		create(t, st, h)
	}
	for _, h := range out[3:] {
		create(t, st, h)
	}
	// A hazard that was open and nearby, then closed, is no longer found.
	closing := create(t, st, NewHazard(at(time.Hour), WithPoint(ptr(offset(center, 5, 5)))))
	closing.State, closing.ClosedAt = "closed", Epoch.Add(3*time.Hour)
	_, err := st.Update(t.Context(), closing, 1, nil)
	require.NoError(t, err, "Update (setup)")
	// A hazard that was far, then moved close by an update, is found.
	moved := create(t, st, NewHazard(at(3*time.Hour), WithPoint(ptr(offset(center, 0, 3000)))))
	moved.Location.Point = ptr(offset(center, -30, 30))
	_, err = st.Update(t.Context(), moved, 1, nil)
	require.NoError(t, err, "Update (setup)")

	want := append(ids(in), moved.ID)
	for _, c := range []hazard.Point{center, center.GCJ02()} {
		got, err := st.Nearby(t.Context(), hazard.NearbyQuery{Category: "fire", Center: c, RadiusMeters: radius, Since: Epoch})
		if assert.NoError(t, err, "Nearby") {
			assert.Equal(t, want, ids(got), "Nearby around the centre in %s: open, same category, in radius, since, oldest first", c.System)
		}
	}
	got, err := st.Nearby(t.Context(), hazard.NearbyQuery{Category: "fire", Center: center, RadiusMeters: radius})
	if assert.NoError(t, err, "Nearby without Since") {
		assert.Equal(t, append([]uuid.UUID{out[4].ID}, want...), ids(got), "Nearby without Since")
	}
	got, err = st.Nearby(t.Context(), hazard.NearbyQuery{Category: "road_traffic", Center: center, RadiusMeters: radius})
	if assert.NoError(t, err, "Nearby of another category") {
		assert.Empty(t, got, "Nearby of a category with no hazards")
	}
	if len(got) > 0 {
		got[0].Photos[0].Size = 1
	}
}

func (s *suite) nearbyLimit(t *testing.T, st hazard.Store) {
	var want []uuid.UUID
	for i := range hazard.MaxPageLimit + 1 {
		h := create(t, st, NewHazard(WithCreatedAt(Epoch.Add(time.Duration(hazard.MaxPageLimit-i)*time.Minute))))
		want = append([]uuid.UUID{h.ID}, want...) // oldest first
	}
	q := hazard.NearbyQuery{Category: "fire", Center: BeijingWGS84, RadiusMeters: 50}
	for _, c := range []struct{ limit, want int }{
		{0, hazard.DefaultPageLimit}, {2, 2}, {hazard.MaxPageLimit + 1, hazard.MaxPageLimit},
	} {
		q.Limit = c.limit
		got, err := st.Nearby(t.Context(), q)
		if assert.NoError(t, err, "Nearby with limit %d", c.limit) {
			assert.Equal(t, want[:c.want], ids(got), "Nearby with limit %d: the oldest", c.limit)
		}
	}
	got, err := st.Nearby(t.Context(), hazard.NearbyQuery{Category: "fire", Center: BeijingWGS84, RadiusMeters: 50, Limit: 1})
	require.NoError(t, err, "Nearby")
	require.Len(t, got, 1)
	got[0].Photos[0].Size = 1
	got[0].Location.Point.Lat = 0
	g := get(t, st, got[0].ID)
	assert.NotEqual(t, int64(1), g.Photos[0].Size, "Get after mutating Nearby's result")
	assert.NotZero(t, g.Location.Point.Lat, "Get after mutating Nearby's result")
}

func (s *suite) nearbyInvalid(t *testing.T, st hazard.Store) {
	create(t, st, NewHazard())
	for _, r := range []float64{0, -1, math.NaN()} {
		_, err := st.Nearby(t.Context(), hazard.NearbyQuery{Category: "fire", Center: BeijingWGS84, RadiusMeters: r})
		assertCode(t, err, hazard.ErrInvalid, fmt.Sprintf("Nearby with radius %v", r))
	}
}
