package web

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// The map's defaults: Leaflet's pinned public release, with the
// Subresource Integrity hashes of the files of the leaflet@1.9.4 npm
// package (TestLeafletDefaultsMatchNPM checks them against the package
// npm installs), and OpenStreetMap's standard tiles.
const (
	DefaultLeafletJS           = "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"
	DefaultLeafletJSIntegrity  = "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo="
	DefaultLeafletCSS          = "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css"
	DefaultLeafletCSSIntegrity = "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY="
	DefaultTileURL             = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultTileAttribution     = "© OpenStreetMap contributors"
	DefaultTileMaxZoom         = 18
	// DefaultZoom is the zoom of the map's view when it has nothing to
	// fit: the city's centre (MapConfig.Center).
	DefaultZoom = 12
	// MaxTileSubdomains bounds MapConfig.TileSubdomains: each one is an
	// origin the pages' Content-Security-Policy allows.
	MaxTileSubdomains = 16
)

// DefaultCenter is the centre of the demo city (Liaocheng), in WGS-84.
var DefaultCenter = hazard.Point{Lat: 36.456, Lng: 115.985, System: hazard.WGS84}

// MapConfig says where the pages' maps come from: the Leaflet library and
// its style sheet (URLs the operator configures, each with an optional
// Subresource Integrity hash), the tile layer (a URL template and its
// attribution) and the coordinate system the tiles are drawn in. The
// pages' Content-Security-Policy allows exactly these origins. The zero
// value is Leaflet 1.9.4 from unpkg with its integrity hashes and
// OpenStreetMap's tiles.
//
// The pages work without the map: the risk map's list, the plaza and the
// report form are served as HTML, and the map is drawn on top by the
// page's script once Leaflet has loaded.
type MapConfig struct {
	// LeafletJS and LeafletCSS are the URLs of leaflet.js and leaflet.css:
	// absolute http(s) URLs or paths on this server. Empty means the
	// defaults, with their integrity hashes.
	LeafletJS  string
	LeafletCSS string
	// LeafletJSIntegrity and LeafletCSSIntegrity are the files'
	// Subresource Integrity hashes ("sha256-…", "sha384-…" or
	// "sha512-…"); empty means none (a URL of the operator's own, whose
	// files may change). They are only taken when the URL is set.
	LeafletJSIntegrity  string
	LeafletCSSIntegrity string
	// TileURL is Leaflet's tile URL template, with {z}, {x} and {y} and
	// optionally {s} for one of TileSubdomains; empty means DefaultTileURL
	// with DefaultTileAttribution.
	TileURL string
	// TileSubdomains are the values of {s}, one character each ("abc",
	// "01234567").
	TileSubdomains string
	// TileAttribution is the tiles' attribution, shown as text on the map.
	TileAttribution string
	// TileSystem is the coordinate system the tiles are drawn in: WGS84
	// (OpenStreetMap; Tianditu's CGCS2000 is within a metre of it) or
	// GCJ02 (Chinese commercial maps). The pages convert the API's
	// WGS-84 points to it, and a point a citizen places on the map is
	// sent in it. Empty means WGS84.
	TileSystem hazard.CoordSystem
	// TileMaxZoom is the tiles' deepest zoom; 0 means DefaultTileMaxZoom.
	TileMaxZoom int
	// Center and Zoom are the view when the map has nothing to fit; a nil
	// Center means DefaultCenter, 0 means DefaultZoom.
	Center *hazard.Point
	Zoom   int
	// RiskMapPublic says the city publishes its four-colour risk map:
	// the pages then link it for everyone, else for staff only. The API
	// decides who may read it.
	RiskMapPublic bool
}

var integrityRE = regexp.MustCompile(`^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$`)

// withDefaults returns m with its empty settings filled in.
func (m MapConfig) withDefaults() MapConfig {
	if m.LeafletJS == "" {
		m.LeafletJS, m.LeafletJSIntegrity = DefaultLeafletJS, DefaultLeafletJSIntegrity
	}
	if m.LeafletCSS == "" {
		m.LeafletCSS, m.LeafletCSSIntegrity = DefaultLeafletCSS, DefaultLeafletCSSIntegrity
	}
	if m.TileURL == "" {
		m.TileURL, m.TileSubdomains = DefaultTileURL, ""
		if m.TileAttribution == "" {
			m.TileAttribution = DefaultTileAttribution
		}
	}
	if m.TileSystem == "" {
		m.TileSystem = hazard.WGS84
	}
	if m.TileMaxZoom == 0 {
		m.TileMaxZoom = DefaultTileMaxZoom
	}
	if m.Center == nil {
		c := DefaultCenter
		m.Center = &c
	}
	if m.Zoom == 0 {
		m.Zoom = DefaultZoom
	}
	return m
}

// check reports every problem of m (after withDefaults) at once.
func (m MapConfig) check() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("web: map: "+format, a...)) }
	for _, f := range []struct{ name, url, sri string }{
		{"LeafletJS", m.LeafletJS, m.LeafletJSIntegrity}, {"LeafletCSS", m.LeafletCSS, m.LeafletCSSIntegrity},
	} {
		if _, err := origin(f.url); err != nil {
			bad("%s: %v", f.name, err)
		}
		if f.sri != "" && !integrityRE.MatchString(f.sri) {
			bad("%s integrity %q: must be sha256-, sha384- or sha512- and base64", f.name, f.sri)
		}
	}
	for _, v := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(m.TileURL, v) {
			bad("TileURL %q: has no %s", m.TileURL, v)
		}
	}
	if strings.Contains(m.TileURL, "{s}") && m.TileSubdomains == "" {
		bad("TileURL %q: has {s} but TileSubdomains is empty", m.TileURL)
	}
	if n := len([]rune(m.TileSubdomains)); n > MaxTileSubdomains {
		bad("TileSubdomains: %d of them, at most %d", n, MaxTileSubdomains)
	}
	for _, r := range m.TileSubdomains {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			bad("TileSubdomains %q: each must be a letter or a digit", m.TileSubdomains)
			break
		}
	}
	if _, err := m.tileOrigins(); err != nil {
		bad("TileURL: %v", err)
	}
	if !m.TileSystem.Valid() {
		bad("TileSystem %q: must be WGS84 or GCJ02", m.TileSystem)
	}
	if m.TileMaxZoom < 1 || m.TileMaxZoom > 24 {
		bad("TileMaxZoom %d: must be 1 to 24", m.TileMaxZoom)
	}
	if m.Zoom < 1 || m.Zoom > m.TileMaxZoom {
		bad("Zoom %d: must be 1 to TileMaxZoom", m.Zoom)
	}
	if err := (hazard.Location{Address: "-", Point: m.Center}).Validate(); err != nil {
		bad("Center: %v", err)
	}
	return errors.Join(errs...)
}

// origin returns the Content-Security-Policy source of a URL the pages
// load: 'self' for a path on this server, else its scheme, host and port.
func origin(raw string) (string, error) {
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		return "'self'", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%q must be an http(s) URL with a host, or a path on this server", raw)
	}
	// A host is letters, digits, dots, hyphens, a port: nothing that could
	// end a Content-Security-Policy source.
	if strings.ContainsAny(u.Host, " ;,'\"") {
		return "", fmt.Errorf("%q has a host that cannot be a source", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// tileOrigins are the origins of the tiles: one per subdomain when the
// template's host has {s}.
func (m MapConfig) tileOrigins() ([]string, error) {
	hosts := []string{m.TileURL}
	if strings.Contains(m.TileURL, "{s}") {
		hosts = hosts[:0]
		for _, s := range m.TileSubdomains {
			hosts = append(hosts, strings.ReplaceAll(m.TileURL, "{s}", string(s)))
		}
	}
	var out []string
	for _, h := range hosts {
		// The query and path hold {x} and the like; only the origin matters.
		h = strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(h)
		o, err := origin(h)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Content-Security-Policy of the pages: the pages without a map load only
// from this server; the pages with one also from the configured origins.
const cspBase = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// mapCSP is the policy of the pages with a map: Leaflet's script and style
// sheet from their origins, tiles from theirs.
func (m MapConfig) mapCSP() string {
	js, _ := origin(m.LeafletJS)
	css, _ := origin(m.LeafletCSS)
	tiles, _ := m.tileOrigins()
	img := append([]string{"'self'", "data:", "blob:"}, tiles...)
	return "default-src 'self'; img-src " + strings.Join(dedupe(img), " ") +
		"; style-src " + strings.Join(dedupe([]string{"'self'", css}), " ") +
		"; script-src " + strings.Join(dedupe([]string{"'self'", js}), " ") +
		"; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
