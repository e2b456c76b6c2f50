package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/web"
	"github.com/hazardloop/hazardloop/hazard"
)

// mapAPI is fakeAPI with a risk map of n units (grades in turn red,
// orange, yellow, blue; industries and districts in turn) that keeps the
// API's filters, and records the queries it was asked.
func mapAPI(t *testing.T, n int) (http.Handler, *[]string) {
	t.Helper()
	base := fakeAPI(t)
	var asked []string
	mux := http.NewServeMux()
	mux.Handle("/", base)
	mux.HandleFunc("GET /api/v1/risk/map.geojson", func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RawQuery)
		q := r.URL.Query()
		var features []any
		for i := range n {
			grade := []string{"red", "orange", "yellow", "blue"}[i%4]
			ind := []string{"fire", "urban_gas", "mining"}[i%3]
			district := []string{"东昌府区", "开发区"}[i%2]
			if q.Get("grade") != "" && q.Get("grade") != grade || q.Get("industry") != "" && q.Get("industry") != ind || q.Get("district") != "" && q.Get("district") != district {
				continue
			}
			features = append(features, map[string]any{"type": "Feature", "id": fmt.Sprintf("u%03d", i),
				"geometry":   map[string]any{"type": "Point", "coordinates": []float64{115.98, 36.45}},
				"properties": map[string]any{"name": fmt.Sprintf("<b>单位%03d</b>", i), "industry": ind, "grade": grade, "grade_zh": grade, "colour": "#000", "district": district}})
		}
		w.Header().Set("Content-Type", "application/geo+json")
		require.NoError(t, json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": features}))
	})
	return mux, &asked
}

func mapServer(t *testing.T, api http.Handler, m web.MapConfig) *httptest.Server {
	t.Helper()
	h, err := web.New(web.Config{API: api, Map: m})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRiskMapList: the risk map page renders its list on the server, from
// the API's GeoJSON with the page's filters, worst grade first, paged by
// RiskListPage, names escaped, with every filter's choices, so that it
// works with no script and no map at all.
func TestRiskMapList(t *testing.T) {
	api, asked := mapAPI(t, 130)
	srv := mapServer(t, api, web.MapConfig{RiskMapPublic: true})
	status, body := get(t, srv, "/risk-map")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 50, strings.Count(body, `<li class="unit"`), "the first page of the list")
	assert.Contains(t, body, `<small id="risk-total">130</small>`)
	assert.Contains(t, body, "&lt;b&gt;单位000&lt;/b&gt;", "names are text")
	assert.Less(t, strings.Index(body, `data-grade="red"`), strings.Index(body, `data-grade="orange"`), "worst grade first")
	assert.Contains(t, body, `data-grade-count="red">33<`)
	assert.Contains(t, body, `<option value="mining" >mining</option>`, "an industry the pages cannot name shows as its code")
	assert.Contains(t, body, `>城镇燃气</option>`, "a known industry by its name")
	assert.Contains(t, body, `<option value="开发区" >开发区</option>`)
	assert.Contains(t, body, `id="next-page" href="/risk-map?page=2"`)

	status, body = get(t, srv, "/risk-map?page=3")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 30, strings.Count(body, `<li class="unit"`), "the last page")
	assert.Contains(t, body, `id="prev-page" href="/risk-map?page=2"`)
	assert.NotContains(t, body, `id="next-page"`)

	*asked = nil
	status, body = get(t, srv, "/risk-map?grade=red&industry=fire&district=%E4%B8%9C%E6%98%8C%E5%BA%9C%E5%8C%BA&page=99")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, *asked, "district=%E4%B8%9C%E6%98%8C%E5%BA%9C%E5%8C%BA&grade=red&industry=fire", "the API filters")
	assert.Contains(t, body, `<small id="risk-total">11</small>`, "the filtered units")
	assert.Contains(t, body, `<option value="red" selected>`)
	for _, line := range strings.Split(body, "\n") {
		if strings.Contains(line, `<li class="unit"`) {
			assert.Contains(t, line, `data-grade="red" data-industry="fire"`)
		}
	}
	assert.Contains(t, body, `data-geojson="/api/v1/risk/map.geojson?district=%E4%B8%9C%E6%98%8C%E5%BA%9C%E5%8C%BA&amp;grade=red&amp;industry=fire"`, "the map asks for the same units")
	_, en := get(t, srv, "/risk-map?lang=en")
	assert.Contains(t, en, "Four-colour risk map")
	assert.Contains(t, en, "Major risk (red)")
}

// TestMapPagesCSP: the pages with a map allow exactly the configured
// origins (Leaflet's script and style sheet, one per tile subdomain) and
// load Leaflet with its integrity hash; every other page allows only the
// server itself.
func TestMapPagesCSP(t *testing.T) {
	api, _ := mapAPI(t, 3)
	srv := mapServer(t, api, web.MapConfig{
		LeafletJS: "https://cdn.example.com/leaflet/1.9.4/leaflet.js", LeafletJSIntegrity: "sha384-abcd",
		LeafletCSS: "https://css.example.com:8443/leaflet.css",
		TileURL:    "https://t{s}.tiles.example.gov.cn/vec/{z}/{x}/{y}.png?tk=k", TileSubdomains: "012", TileAttribution: "© 示例",
		TileSystem: hazard.GCJ02,
	})
	for _, path := range []string{"/risk-map", "/plaza", "/report"} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		csp := res.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "script-src 'self' https://cdn.example.com;", path)
		assert.Contains(t, csp, "style-src 'self' https://css.example.com:8443;", path)
		assert.Contains(t, csp, "img-src 'self' data: blob: https://t0.tiles.example.gov.cn https://t1.tiles.example.gov.cn https://t2.tiles.example.gov.cn;", path)
		assert.Contains(t, csp, "default-src 'self';")
	}
	_, body := get(t, srv, "/risk-map")
	assert.Contains(t, body, `<script src="https://cdn.example.com/leaflet/1.9.4/leaflet.js" integrity="sha384-abcd" crossorigin="anonymous" defer></script>`)
	assert.Contains(t, body, `<link rel="stylesheet" href="https://css.example.com:8443/leaflet.css" crossorigin="anonymous">`, "no integrity given, none sent")
	assert.Contains(t, body, `data-system="GCJ02"`)
	assert.Contains(t, body, `data-subdomains="012"`)
	for _, path := range []string{"/", "/knowledge", "/login"} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		_ = res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		assert.NotContains(t, csp, "example", "%s loads nothing from elsewhere", path)
		assert.Contains(t, csp, "script-src 'self';", path)
	}

	// The defaults: unpkg's Leaflet 1.9.4 with its hashes, OpenStreetMap.
	def := mapServer(t, api, web.MapConfig{})
	res, err := http.Get(def.URL + "/risk-map")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, "default-src 'self'; img-src 'self' data: blob: https://tile.openstreetmap.org; style-src 'self' https://unpkg.com; script-src 'self' https://unpkg.com; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		res.Header.Get("Content-Security-Policy"))
	_, body = get(t, def, "/risk-map")
	body = html.UnescapeString(body)
	assert.Contains(t, body, `integrity="`+web.DefaultLeafletJSIntegrity+`"`)
	assert.Contains(t, body, `integrity="`+web.DefaultLeafletCSSIntegrity+`"`)
	assert.NotContains(t, body, `href="/risk-map"`, "not published: no link for the public")
}

// TestMapConfigRefused: a map configuration that could not work, or that
// would widen the Content-Security-Policy past an origin, stops web.New
// naming every problem.
func TestMapConfigRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    web.MapConfig
		want []string
	}{
		{"script URL", web.MapConfig{LeafletJS: "javascript:alert(1)"}, []string{"LeafletJS"}},
		{"protocol-relative URL", web.MapConfig{LeafletCSS: "//cdn.example.com/leaflet.css"}, []string{"LeafletCSS"}},
		{"a source in the host", web.MapConfig{LeafletJS: "https://a.example.com;script-src/x.js"}, []string{"LeafletJS"}},
		{"bad integrity", web.MapConfig{LeafletJS: "https://a.example.com/l.js", LeafletJSIntegrity: "md5-xyz"}, []string{"integrity"}},
		{"template without {x}", web.MapConfig{TileURL: "https://t.example.com/{z}/{y}.png"}, []string{"{x}"}},
		{"{s} without subdomains", web.MapConfig{TileURL: "https://{s}.t.example.com/{z}/{x}/{y}.png"}, []string{"TileSubdomains"}},
		{"odd subdomain", web.MapConfig{TileURL: "https://{s}.t.example.com/{z}/{x}/{y}.png", TileSubdomains: "a;"}, []string{"letter or a digit"}},
		{"coordinate system", web.MapConfig{TileSystem: "BD09"}, []string{"TileSystem"}},
		{"centre", web.MapConfig{Center: &hazard.Point{Lat: 95, Lng: 0, System: hazard.WGS84}}, []string{"Center"}},
		{"several at once", web.MapConfig{LeafletJS: "ftp://x/l.js", TileMaxZoom: 30}, []string{"LeafletJS", "TileMaxZoom"}},
	} {
		_, err := web.New(web.Config{API: http.NotFoundHandler(), Map: tc.m})
		if !assert.Error(t, err, tc.name) {
			continue
		}
		for _, w := range tc.want {
			assert.Contains(t, err.Error(), w, tc.name)
		}
	}
}
