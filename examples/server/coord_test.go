package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCoordSystemSpellings: the JSON API takes the coordinate system in
// wx.getLocation's and map SDKs' spellings and stores the canonical one;
// anything else is refused naming coord_system.
func TestCoordSystemSpellings(t *testing.T) {
	s := startServer(t)
	c := s.login("citizen-1")
	for i, tc := range []struct{ in, want string }{
		{"wgs84", "WGS84"}, {"WGS-84", "WGS84"}, {"gcj02", "GCJ02"}, {"GCJ-02", "GCJ02"}, {"Gcj02", "GCJ02"},
	} {
		v := s.submit(c, []string{s.upload(c, pngPhoto(t, 300+i))}, func(b map[string]any) {
			b["coord_system"] = tc.in
			b["address"] = "坐标测试路" + tc.in
		})
		r := s.do("GET", "/api/v1/reports/"+v["id"].(string), c, nil)
		assert.Equal(t, http.StatusOK, r.status)
		loc, _ := r.obj(t)["location"].(map[string]any)
		pt, _ := loc["point"].(map[string]any)
		assert.Equal(t, tc.want, pt["system"], "coord_system %q: %s", tc.in, r.body)
	}
	for _, bad := range []string{"bd09", "BD-09", "WGS--84"} {
		r := s.do("POST", "/api/v1/reports", c, map[string]any{"category": "fire", "description": "楼道堆放杂物堵塞消防通道",
			"address": "坐标测试路", "latitude": 36.4, "longitude": 115.9, "coord_system": bad,
			"photos": []string{s.upload(c, pngPhoto(t, 350))}})
		assert.Equal(t, http.StatusBadRequest, r.status, "coord_system %q: %s", bad, r.body)
		assert.Contains(t, string(r.body), `"coord_system"`, "the field at fault")
	}
}
