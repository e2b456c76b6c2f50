package hazard_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestRoundPoint(t *testing.T) {
	for _, tc := range []struct {
		in       hazard.Point
		decimals int
		want     hazard.Point
	}{
		{hazard.Point{Lat: 39.9087654, Lng: 116.3974321}, 4, hazard.Point{Lat: 39.9088, Lng: 116.3974}},
		{hazard.Point{Lat: -33.86785, Lng: 151.20732}, 3, hazard.Point{Lat: -33.868, Lng: 151.207}},
		{hazard.Point{Lat: 39.9087654, Lng: 116.3974321, System: hazard.GCJ02}, 7, hazard.Point{Lat: 39.9087654, Lng: 116.3974321, System: hazard.GCJ02}},
	} {
		assert.Equal(t, tc.want, hazard.RoundPoint(tc.in, tc.decimals), "RoundPoint(%v, %d)", tc.in, tc.decimals)
	}
}

// TestPublicCoordinates: the public views round coordinates to the
// configured precision (DefaultPublicCoordDecimals by default); staff and
// the reporter see them exactly.
func TestPublicCoordinates(t *testing.T) {
	ctx := context.Background()
	exact := hazard.Point{Lat: 39.9087654, Lng: 116.3974321, System: hazard.WGS84}
	for _, tc := range []struct {
		name     string
		decimals int
		want     hazard.Point
	}{
		{"default", 0, hazard.RoundPoint(exact, hazard.DefaultPublicCoordDecimals)},
		{"coarser", 2, hazard.Point{Lat: 39.91, Lng: 116.4, System: hazard.WGS84}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, publishOnSubmit, func(c *hazard.ServiceConfig) { c.PublicCoordDecimals = tc.decimals })
			in := fireReport()
			in.Location.Point = &exact
			h := f.submit(t, citizen, in)
			pub, err := f.svc.PublicView(ctx, h.Ref)
			require.NoError(t, err)
			require.NotNil(t, pub.Point)
			assert.Equal(t, tc.want, *pub.Point, "PublicView's point")
			page, err := f.svc.PublicList(ctx, hazard.PublicFilter{}, hazard.Page{})
			require.NoError(t, err)
			require.NotEmpty(t, page.Items)
			assert.Equal(t, tc.want, *page.Items[0].Point, "the plaza's point")
			rv, err := f.svc.ReporterView(ctx, citizen, h.ID)
			require.NoError(t, err)
			assert.Equal(t, exact, *rv.Hazard.Location.Point, "the reporter's point")
			sv, err := f.svc.StaffView(ctx, dispatcher, h.ID)
			require.NoError(t, err)
			assert.Equal(t, exact, *sv.Hazard.Location.Point, "staff's point")
		})
	}
	_, err := hazard.NewService(hazard.ServiceConfig{Store: newFixture(t).store, PublicCoordDecimals: hazard.MaxPublicCoordDecimals + 1})
	require.ErrorIs(t, err, hazard.ErrInvalid, "PublicCoordDecimals beyond the maximum")
}
