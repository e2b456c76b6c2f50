package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestMapFlags: the map's settings and the risk map's publication switch
// have flags and environment variables; a flag wins over its variable.
func TestMapFlags(t *testing.T) {
	cfg, err := config(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.False(t, cfg.RiskMapStaffOnly, "the risk map is public by default")
	assert.Empty(t, cfg.Map.LeafletJS, "empty: the pages' default, with its integrity hash")
	assert.Equal(t, hazard.WGS84, cfg.Map.TileSystem)

	env := map[string]string{
		"HAZARDLOOP_LEAFLET_URL":          "https://maps.example.gov.cn/leaflet/leaflet.js",
		"HAZARDLOOP_LEAFLET_INTEGRITY":    "sha256-AAAA",
		"HAZARDLOOP_MAP_TILE_URL":         "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
		"HAZARDLOOP_MAP_TILE_SUBDOMAINS":  "1234",
		"HAZARDLOOP_MAP_TILE_COORDS":      "gcj-02",
		"HAZARDLOOP_MAP_TILE_ATTRIBUTION": "© 高德地图",
		"HAZARDLOOP_PUBLIC_RISK_MAP":      "false",
		"HAZARDLOOP_MAP_ZOOM":             "11",
	}
	cfg, err = config([]string{"-leaflet-css-url", "/leaflet/leaflet.css", "-map-center", "36.5, 116.0", "-map-zoom", "13"},
		func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	m := cfg.Map
	assert.True(t, cfg.RiskMapStaffOnly, "HAZARDLOOP_PUBLIC_RISK_MAP=false")
	assert.Equal(t, "https://maps.example.gov.cn/leaflet/leaflet.js", m.LeafletJS)
	assert.Equal(t, "sha256-AAAA", m.LeafletJSIntegrity)
	assert.Equal(t, "/leaflet/leaflet.css", m.LeafletCSS)
	assert.Empty(t, m.LeafletCSSIntegrity)
	assert.Equal(t, "1234", m.TileSubdomains)
	assert.Equal(t, hazard.GCJ02, m.TileSystem)
	assert.Equal(t, "© 高德地图", m.TileAttribution)
	assert.Equal(t, 13, m.Zoom, "the flag wins over the variable")
	require.NotNil(t, m.Center)
	assert.Equal(t, hazard.Point{Lat: 36.5, Lng: 116.0, System: hazard.WGS84}, *m.Center)

	for _, args := range [][]string{{"-map-tile-coords", "bd09"}, {"-map-center", "north"}, {"-public-risk-map", "maybe"}} {
		_, err := config(args, func(string) string { return "" }, io.Discard)
		assert.Error(t, err, "config(%v)", args)
	}
}
