package hazard_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestNearbyQueryValidate(t *testing.T) {
	good := hazard.NearbyQuery{Category: "fire", Center: hazardtest.BeijingWGS84, RadiusMeters: 50}
	require.NoError(t, good.Validate(), "Validate of a good query")
	for _, tc := range []struct {
		name   string
		change func(q *hazard.NearbyQuery)
		field  string
	}{
		{"no category", func(q *hazard.NearbyQuery) { q.Category = "" }, "category"},
		{"zero radius", func(q *hazard.NearbyQuery) { q.RadiusMeters = 0 }, "radius"},
		{"negative radius", func(q *hazard.NearbyQuery) { q.RadiusMeters = -1 }, "radius"},
		{"NaN radius", func(q *hazard.NearbyQuery) { q.RadiusMeters = math.NaN() }, "radius"},
		{"infinite radius", func(q *hazard.NearbyQuery) { q.RadiusMeters = math.Inf(1) }, "radius"},
		{"latitude out of range", func(q *hazard.NearbyQuery) { q.Center.Lat = 91 }, "center.latitude"},
		{"negative limit", func(q *hazard.NearbyQuery) { q.Limit = -1 }, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := good
			tc.change(&q)
			err := q.Validate()
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var e *hazard.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tc.field, e.Field, "Validate field")
		})
	}
}
