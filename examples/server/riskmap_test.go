package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// rfc7946 returns every way doc breaks the rules of RFC 7946 that a
// GeoJSON answer can break: the type of each object and its members
// (§3), positions of two or three numbers, longitude first and within
// range (§3.1.1, §4), at least two positions in a line (§3.1.4), linear
// rings of four or more positions, closed (§3.1.6), a bbox of 2n numbers
// with south below north (§5), and no "crs" member anywhere (§4). It is
// the validator the map's answers are checked with; TestRFC7946Validator
// shows that it finds each broken rule.
func rfc7946(doc []byte) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var problems []string
	bad := func(path, format string, a ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, a...))
	}
	num := func(x any) (float64, bool) {
		n, ok := x.(json.Number)
		if !ok {
			return 0, false
		}
		f, err := n.Float64()
		return f, err == nil
	}
	position := func(path string, x any) ([]float64, bool) {
		arr, ok := x.([]any)
		if !ok || len(arr) < 2 || len(arr) > 3 {
			bad(path, "a position is [longitude, latitude] or [longitude, latitude, altitude]")
			return nil, false
		}
		out := make([]float64, len(arr))
		for i, c := range arr {
			f, ok := num(c)
			if !ok {
				bad(path, "a position holds numbers")
				return nil, false
			}
			out[i] = f
		}
		if out[0] < -180 || out[0] > 180 {
			bad(path, "longitude %v out of range (longitude comes first)", out[0])
		}
		if out[1] < -90 || out[1] > 90 {
			bad(path, "latitude %v out of range (latitude comes second)", out[1])
		}
		return out, true
	}
	positions := func(path string, x any, least int) [][]float64 {
		arr, ok := x.([]any)
		if !ok {
			bad(path, "is not an array of positions")
			return nil
		}
		if len(arr) < least {
			bad(path, "has %d positions, at least %d needed", len(arr), least)
		}
		var out [][]float64
		for i, p := range arr {
			if pos, ok := position(path+"["+strconv.Itoa(i)+"]", p); ok {
				out = append(out, pos)
			}
		}
		return out
	}
	ring := func(path string, x any) {
		ps := positions(path, x, 4)
		if len(ps) >= 4 && !equalPos(ps[0], ps[len(ps)-1]) {
			bad(path, "a linear ring is closed: its last position is its first")
		}
	}
	rings := func(path string, x any) {
		arr, ok := x.([]any)
		if !ok {
			bad(path, "is not an array of linear rings")
			return
		}
		for i, r := range arr {
			ring(path+"["+strconv.Itoa(i)+"]", r)
		}
	}
	var object func(path string, x any, want ...string)
	geometry := func(path string, m map[string]any) {
		c := m["coordinates"]
		switch m["type"] {
		case "Point":
			position(path+".coordinates", c)
		case "MultiPoint":
			positions(path+".coordinates", c, 0)
		case "LineString":
			positions(path+".coordinates", c, 2)
		case "MultiLineString", "Polygon", "MultiPolygon":
			arr, ok := c.([]any)
			if !ok {
				bad(path, "coordinates is not an array")
				return
			}
			for i, part := range arr {
				p := path + ".coordinates[" + strconv.Itoa(i) + "]"
				switch m["type"] {
				case "MultiLineString":
					positions(p, part, 2)
				case "Polygon":
					ring(p, part)
				default:
					rings(p, part)
				}
			}
		case "GeometryCollection":
			arr, ok := m["geometries"].([]any)
			if !ok {
				bad(path, "geometries is not an array")
			}
			for i, g := range arr {
				object(path+".geometries["+strconv.Itoa(i)+"]", g, "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")
			}
		}
	}
	object = func(path string, x any, want ...string) {
		m, ok := x.(map[string]any)
		if !ok {
			bad(path, "is not an object")
			return
		}
		typ, _ := m["type"].(string)
		found := false
		for _, w := range want {
			found = found || w == typ
		}
		if !found {
			bad(path, "type %q is not one of %v", m["type"], want)
			return
		}
		if _, ok := m["crs"]; ok {
			bad(path, `has a "crs" member, which RFC 7946 removed: coordinates are WGS-84`)
		}
		if b, ok := m["bbox"]; ok {
			arr, ok := b.([]any)
			if !ok || len(arr) != 4 && len(arr) != 6 {
				bad(path, "bbox is 2n numbers")
			} else {
				n := len(arr) / 2
				lo, _ := num(arr[1])
				hi, _ := num(arr[n+1])
				if lo > hi {
					bad(path, "bbox's south %v is north of its north %v", lo, hi)
				}
			}
		}
		switch typ {
		case "FeatureCollection":
			arr, ok := m["features"].([]any)
			if !ok {
				bad(path, "features is not an array")
			}
			for i, f := range arr {
				object(path+".features["+strconv.Itoa(i)+"]", f, "Feature")
			}
		case "Feature":
			if id, ok := m["id"]; ok {
				if _, s := id.(string); !s {
					if _, n := id.(json.Number); !n {
						bad(path, "id is a string or a number")
					}
				}
			}
			g, ok := m["geometry"]
			if !ok {
				bad(path, "has no geometry member")
			} else if g != nil {
				object(path+".geometry", g, "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")
			}
			p, ok := m["properties"]
			if !ok {
				bad(path, "has no properties member")
			} else if _, obj := p.(map[string]any); p != nil && !obj {
				bad(path, "properties is an object or null")
			}
		default:
			geometry(path, m)
		}
	}
	object("$", v, "FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")
	return problems
}

func equalPos(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRFC7946Validator: the validator the map's answers are checked with
// finds each broken rule, and passes valid documents.
func TestRFC7946Validator(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		ok        bool
	}{
		{"point feature", `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[116.1,36.4]},"properties":{}}]}`, true},
		{"closed polygon", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":null}`, true},
		{"null geometry", `{"type":"Feature","geometry":null,"properties":null}`, true},
		{"latitude first", `{"type":"Feature","geometry":{"type":"Point","coordinates":[36.4,116.1]},"properties":{}}`, false},
		{"longitude out of range", `{"type":"Feature","geometry":{"type":"Point","coordinates":[181,0]},"properties":{}}`, false},
		{"open ring", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{}}`, false},
		{"short ring", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]},"properties":{}}`, false},
		{"open ring in a multipolygon", `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1]]]]},"properties":{}}`, false},
		{"one-position line", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0]]},"properties":{}}`, false},
		{"crs member", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[]}`, false},
		{"no features", `{"type":"FeatureCollection"}`, false},
		{"no geometry member", `{"type":"Feature","properties":{}}`, false},
		{"object id", `{"type":"Feature","id":{},"geometry":null,"properties":{}}`, false},
		{"string coordinate", `{"type":"Feature","geometry":{"type":"Point","coordinates":["116","36"]},"properties":{}}`, false},
		{"inverted bbox", `{"type":"FeatureCollection","bbox":[115,37,117,36],"features":[]}`, false},
		{"unknown type", `{"type":"Circle"}`, false},
	} {
		got := rfc7946([]byte(tc.doc))
		if tc.ok {
			assert.Empty(t, got, "rfc7946(%s)", tc.name)
		} else {
			assert.NotEmpty(t, got, "rfc7946(%s) finds the broken rule", tc.name)
		}
	}
}

// mapFeatures decodes a risk map answer.
func mapFeatures(t *testing.T, body []byte) map[string]struct {
	Coordinates []float64
	Properties  map[string]any
} {
	t.Helper()
	var fc struct {
		Features []struct {
			ID       string `json:"id"`
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	require.NoError(t, json.Unmarshal(body, &fc))
	out := map[string]struct {
		Coordinates []float64
		Properties  map[string]any
	}{}
	for _, f := range fc.Features {
		out[f.ID] = struct {
			Coordinates []float64
			Properties  map[string]any
		}{f.Geometry.Coordinates, f.Properties}
	}
	return out
}

// TestRiskMapGeoJSON: the risk map's answers, whole and filtered, plain
// and gzip-compressed, keep RFC 7946; a unit stored in GCJ-02 is placed at
// its WGS-84 position, longitude first, rounded to MapCoordDecimals; an
// answer is revalidated with its ETag; bad filters are refused by field.
func TestRiskMapGeoJSON(t *testing.T) {
	s := startServer(t)
	for _, q := range []string{"", "?grade=red", "?industry=fire", "?district=开发区", "?bbox=115.9,36.4,116.1,36.6", "?grade=blue&bbox=0,0,1,1"} {
		r := s.do("GET", "/api/v1/risk/map.geojson"+q, "", nil)
		require.Equal(t, http.StatusOK, r.status, "GET %s: %s", q, r.body)
		assert.Empty(t, rfc7946(r.body), "the answer to %q keeps RFC 7946", q)
		assert.NotContains(t, string(r.body), `"crs"`)
	}
	plain := s.do("GET", "/api/v1/risk/map.geojson", "", nil)
	features := mapFeatures(t, plain.body)
	require.NotEmpty(t, features, "the demo city's units are on the map")
	// Demo unit 1 is stored at GCJ-02 (36.457, 115.993); its public point
	// is rounded to 0.01° (36.46, 115.99) and converted to WGS-84.
	u1 := features[server.DemoUnitID(1)]
	require.Len(t, u1.Coordinates, 2)
	want := hazard.Point{Lat: 36.46, Lng: 115.99, System: hazard.GCJ02}.WGS84()
	assert.InDelta(t, want.Lng, u1.Coordinates[0], 1e-5, "longitude first, in WGS-84")
	assert.InDelta(t, want.Lat, u1.Coordinates[1], 1e-5, "latitude second, in WGS-84")
	assert.Greater(t, math.Abs(u1.Coordinates[0]-115.99), 0.003, "converted from GCJ-02, not left as stored")
	for id, f := range features {
		for _, c := range f.Coordinates {
			assert.Equal(t, c, math.Round(c*1e5)/1e5, "unit %s: coordinates rounded to %d decimals", id, server.MapCoordDecimals)
		}
	}

	// Compressed for a client that takes gzip, with the same content.
	z := s.do("GET", "/api/v1/risk/map.geojson", "", nil, "Accept-Encoding", "gzip")
	require.Equal(t, http.StatusOK, z.status)
	assert.Equal(t, "gzip", z.header.Get("Content-Encoding"))
	assert.Contains(t, z.header.Values("Vary"), "Accept-Encoding")
	zr, err := gzip.NewReader(bytes.NewReader(z.body))
	require.NoError(t, err)
	unz, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.JSONEq(t, string(plain.body), string(unz))
	none := s.do("GET", "/api/v1/risk/map.geojson", "", nil, "Accept-Encoding", "gzip;q=0")
	assert.Empty(t, none.header.Get("Content-Encoding"), "gzip;q=0 refuses gzip")

	etag := plain.header.Get("ETag")
	require.NotEmpty(t, etag)
	r := s.do("GET", "/api/v1/risk/map.geojson", "", nil, "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, r.status, "an unchanged map revalidates")

	for _, tc := range []struct{ query, field string }{
		{"grade=purple", "grade"}, {"bbox=1,2,3", "bbox"}, {"bbox=10,0,0,10", "bbox"},
		{"industry=" + strings.Repeat("x", server.MaxFilterLen+1), "industry"},
		{"district=" + strings.Repeat("x", server.MaxFilterLen+1), "district"},
	} {
		r := s.do("GET", "/api/v1/risk/map.geojson?"+tc.query, "", nil)
		require.Equal(t, http.StatusBadRequest, r.status, "GET ?%s", tc.query)
		var e server.ErrorBody
		r.json(t, &e)
		assert.Equal(t, tc.field, e.Error.Field, "GET ?%s names the field", tc.query)
	}
}

// TestRiskMapFollowsGrades: the cached map changes as soon as a unit's
// grade does (the event log drops the cached answers), and the old ETag
// no longer matches.
func TestRiskMapFollowsGrades(t *testing.T) {
	s := startServer(t)
	admin := s.login("admin-1")
	id := server.DemoUnitID(3)
	before := s.do("GET", "/api/v1/risk/map.geojson", "", nil)
	require.Equal(t, http.StatusOK, before.status)
	old := mapFeatures(t, before.body)[id].Properties["grade"]
	grade := "red"
	if old == "red" {
		grade = "blue"
	}
	var unit struct {
		Version int64 `json:"version"`
	}
	r := s.do("GET", "/api/v1/units/"+id, admin, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &unit)
	r = s.do("PUT", "/api/v1/units/"+id+"/grade", admin, map[string]any{"grade": grade, "reason": "重大事故隐患未整改", "expected_version": unit.Version})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	after := s.do("GET", "/api/v1/risk/map.geojson", "", nil)
	require.Equal(t, http.StatusOK, after.status)
	assert.Equal(t, grade, mapFeatures(t, after.body)[id].Properties["grade"], "the map shows the new grade at once")
	assert.NotEqual(t, before.header.Get("ETag"), after.header.Get("ETag"))
	r = s.do("GET", "/api/v1/risk/map.geojson", "", nil, "If-None-Match", before.header.Get("ETag"))
	assert.Equal(t, http.StatusOK, r.status, "the old ETag is stale")
}

// TestRiskMapPublication: a city that does not publish its risk map
// (Config.RiskMapStaffOnly) shows it to staff only, in the API, its
// access table and OpenAPI description, and the pages; staff answers are
// never stored. A city that publishes it shows it to anyone.
func TestRiskMapPublication(t *testing.T) {
	staffOnly := startServer(t, func(c *server.Config) { c.RiskMapStaffOnly = true })
	for _, tc := range []struct {
		user   string
		status int
	}{
		{"", http.StatusUnauthorized}, {"citizen-1", http.StatusForbidden}, {"unit-1", http.StatusForbidden},
		{"inspector-1", http.StatusOK}, {"supervisor-1", http.StatusOK}, {"dispatcher-1", http.StatusOK}, {"admin-1", http.StatusOK},
	} {
		token := ""
		if tc.user != "" {
			token = staffOnly.login(tc.user)
		}
		r := staffOnly.do("GET", "/api/v1/risk/map.geojson", token, nil)
		assert.Equal(t, tc.status, r.status, "GET the unpublished map as %q: %s", tc.user, r.body)
		if r.status == http.StatusOK {
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"), "a staff answer is never stored")
			assert.Empty(t, rfc7946(r.body))
		}
	}
	var doc struct {
		Paths map[string]map[string]map[string]any `json:"paths"`
	}
	r := staffOnly.do("GET", "/api/v1/openapi.json", "", nil)
	r.json(t, &doc)
	op := doc.Paths["/api/v1/risk/map.geojson"]["get"]
	assert.Equal(t, string(server.AccessStaff), op["x-access"], "the access table says staff only")
	assert.NotEmpty(t, op["security"], "the description asks for a token")

	r = staffOnly.do("GET", "/risk-map", "", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "the page of an unpublished map asks the public to log in")
	assert.NotContains(t, string(staffOnly.do("GET", "/", "", nil).body), `href="/risk-map"`, "no link for the public")

	public := startServer(t)
	r = public.do("GET", "/api/v1/risk/map.geojson", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotEqual(t, "no-store", r.header.Get("Cache-Control"), "the published map to nobody may be cached (revalidated)")
	assert.Contains(t, string(public.do("GET", "/", "", nil).body), `href="/risk-map"`, "the public is shown the link")
	r = public.do("GET", "/api/v1/openapi.json", "", nil)
	r.json(t, &doc)
	assert.Equal(t, string(server.AccessPublic), doc.Paths["/api/v1/risk/map.geojson"]["get"]["x-access"])
}
