package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestPublicCoordinatesRounded: the plaza and Open311 show coordinates
// rounded to Config.PublicCoordDecimals (4 by default, about 10 m); staff
// and the reporter see them exactly.
func TestPublicCoordinatesRounded(t *testing.T) {
	for _, tc := range []struct {
		name             string
		decimals         int
		wantLat, wantLng float64
	}{
		{"default", 0, 36.4568, 115.9854},
		{"three decimals", 3, 36.457, 115.985},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(c *server.Config) { c.PublicCoordDecimals = tc.decimals })
			citizen := s.login("citizen-1")
			v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 61))}, func(b map[string]any) {
				b["latitude"], b["longitude"], b["coord_system"] = 36.4567891, 115.9854321, "WGS84"
			})
			ref, id := v["ref"].(string), v["id"].(string)
			r := s.do("POST", "/api/v1/reports/"+id+"/actions/dispatch", s.login("dispatcher-1"),
				map[string]any{"expected_version": 1, "department": "fire"})
			require.Equal(t, http.StatusOK, r.status, "dispatch (the plaza shows forwarded reports): %s", r.body)

			r = s.do("GET", "/api/v1/plaza/"+ref, "", nil)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var plaza struct {
				Point struct{ Lat, Lng float64 } `json:"point"`
			}
			r.json(t, &plaza)
			assert.Equal(t, tc.wantLat, plaza.Point.Lat, "the plaza's latitude: %s", r.body)
			assert.Equal(t, tc.wantLng, plaza.Point.Lng, "the plaza's longitude")

			r = s.do("GET", "/open311/v2/requests/"+ref+".json", "", nil)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var o311 []struct {
				Lat  *float64 `json:"lat"`
				Long *float64 `json:"long"`
			}
			require.NoError(t, json.Unmarshal(r.body, &o311))
			require.Len(t, o311, 1)
			require.NotNil(t, o311[0].Lat, "%s", r.body)
			assert.Equal(t, tc.wantLat, *o311[0].Lat, "Open311's latitude: %s", r.body)
			assert.Equal(t, tc.wantLng, *o311[0].Long, "Open311's longitude")

			for _, who := range []string{"dispatcher-1", "citizen-1"} {
				r = s.do("GET", "/api/v1/reports/"+id, s.login(who), nil)
				require.Equal(t, http.StatusOK, r.status)
				assert.Contains(t, string(r.body), "36.4567891", "%s sees the exact latitude", who)
			}
		})
	}
}
