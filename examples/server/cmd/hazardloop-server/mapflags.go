package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/examples/web"
	"github.com/hazardloop/hazardloop/hazard"
)

// mapSettings are the flags of the pages' maps and of the risk map's
// publication; each has an environment variable.
type mapSettings struct {
	js, jsSRI, css, cssSRI                *string
	tiles, subdomains, attribution, coord *string
	maxZoom, zoom                         *int
	center                                *string
	public                                *string
}

func riskMapFlags(fs *flag.FlagSet, env func(name, def string) string) *mapSettings {
	intDefault := func(name string, def int) int {
		if n, err := strconv.Atoi(env(name, "")); err == nil {
			return n
		}
		return def
	}
	return &mapSettings{
		js:          fs.String("leaflet-url", env("HAZARDLOOP_LEAFLET_URL", ""), "URL of leaflet.js, absolute or a path on this server; default "+web.DefaultLeafletJS+" with its integrity hash (HAZARDLOOP_LEAFLET_URL)"),
		jsSRI:       fs.String("leaflet-integrity", env("HAZARDLOOP_LEAFLET_INTEGRITY", ""), "Subresource Integrity hash of -leaflet-url, sha256-…; empty for none (HAZARDLOOP_LEAFLET_INTEGRITY)"),
		css:         fs.String("leaflet-css-url", env("HAZARDLOOP_LEAFLET_CSS_URL", ""), "URL of leaflet.css; default "+web.DefaultLeafletCSS+" with its integrity hash (HAZARDLOOP_LEAFLET_CSS_URL)"),
		cssSRI:      fs.String("leaflet-css-integrity", env("HAZARDLOOP_LEAFLET_CSS_INTEGRITY", ""), "Subresource Integrity hash of -leaflet-css-url; empty for none (HAZARDLOOP_LEAFLET_CSS_INTEGRITY)"),
		tiles:       fs.String("map-tile-url", env("HAZARDLOOP_MAP_TILE_URL", ""), "tile URL template with {z}, {x}, {y} and optionally {s}; default "+web.DefaultTileURL+" (HAZARDLOOP_MAP_TILE_URL)"),
		subdomains:  fs.String("map-tile-subdomains", env("HAZARDLOOP_MAP_TILE_SUBDOMAINS", ""), "values of {s} in -map-tile-url, one character each, e.g. 01234567 (HAZARDLOOP_MAP_TILE_SUBDOMAINS)"),
		attribution: fs.String("map-tile-attribution", env("HAZARDLOOP_MAP_TILE_ATTRIBUTION", ""), "the tiles' attribution, shown on the map (HAZARDLOOP_MAP_TILE_ATTRIBUTION)"),
		coord:       fs.String("map-tile-coords", env("HAZARDLOOP_MAP_TILE_COORDS", "WGS84"), "coordinate system the tiles are drawn in: WGS84 (OpenStreetMap, Tianditu) or GCJ02 (Chinese commercial maps) (HAZARDLOOP_MAP_TILE_COORDS)"),
		maxZoom:     fs.Int("map-max-zoom", intDefault("HAZARDLOOP_MAP_MAX_ZOOM", web.DefaultTileMaxZoom), "the tiles' deepest zoom (HAZARDLOOP_MAP_MAX_ZOOM)"),
		zoom:        fs.Int("map-zoom", intDefault("HAZARDLOOP_MAP_ZOOM", web.DefaultZoom), "zoom of the map when it has nothing to show (HAZARDLOOP_MAP_ZOOM)"),
		center:      fs.String("map-center", env("HAZARDLOOP_MAP_CENTER", ""), "the city's centre as latitude,longitude in WGS-84, where the map starts when it has nothing to show; default the demo city's (HAZARDLOOP_MAP_CENTER)"),
		public:      fs.String("public-risk-map", env("HAZARDLOOP_PUBLIC_RISK_MAP", "true"), "publish the four-colour risk map to everyone (unit name, industry, grade, approximate location); false for staff only (HAZARDLOOP_PUBLIC_RISK_MAP)"),
	}
}

// fill puts the settings into cfg; web.New checks the map's settings and
// names every problem.
func (m *mapSettings) fill(cfg *server.Config) error {
	public, err := strconv.ParseBool(*m.public)
	if err != nil {
		return fmt.Errorf("-public-risk-map: %w", err)
	}
	cfg.RiskMapStaffOnly = !public
	coord, err := hazard.ParseCoordSystem(*m.coord)
	if err != nil {
		return fmt.Errorf("-map-tile-coords: %q must be WGS84 or GCJ02", *m.coord)
	}
	cfg.Map = web.MapConfig{
		LeafletJS: *m.js, LeafletJSIntegrity: *m.jsSRI, LeafletCSS: *m.css, LeafletCSSIntegrity: *m.cssSRI,
		TileURL: *m.tiles, TileSubdomains: *m.subdomains, TileAttribution: *m.attribution, TileSystem: coord,
		TileMaxZoom: *m.maxZoom, Zoom: *m.zoom,
	}
	if *m.center != "" {
		lat, lng, ok := strings.Cut(*m.center, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("-map-center: %q is not latitude,longitude", *m.center)
		}
		cfg.Map.Center = &hazard.Point{Lat: la, Lng: ln, System: hazard.WGS84}
	}
	return nil
}
