package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/miniprogram"
	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/examples/web"
	"github.com/hazardloop/hazardloop/hazard"
)

// leafletDir is the npm project that installs Leaflet for the map tests.
const leafletDir = "testdata/leaflet"

// installLeaflet installs the leaflet npm package of testdata/leaflet
// (npm ci, when node_modules is missing or older than the lock file) and
// returns its dist directory. It skips, saying why, without npm.
func installLeaflet(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("the map tests install Leaflet with npm: apt-get install nodejs npm (bash .ci/run does)")
	}
	stale, err := miniprogram.Stale(leafletDir)
	require.NoError(t, err)
	if stale {
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = leafletDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", leafletDir, err, out)
		}
	}
	return filepath.Join(leafletDir, "node_modules", "leaflet", "dist")
}

// sri is the Subresource Integrity hash of a file.
func sri(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// TestLeafletDefaultsMatchNPM: the default Leaflet URLs name the version
// the npm registry serves as leaflet@1.9.4 (the lock file's), and their
// integrity hashes are those of its files, so that browsers accept them.
func TestLeafletDefaultsMatchNPM(t *testing.T) {
	dist := installLeaflet(t)
	var pkg struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dist, "..", "package.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pkg))
	assert.Contains(t, web.DefaultLeafletJS, "leaflet@"+pkg.Version+"/dist/leaflet.js")
	assert.Contains(t, web.DefaultLeafletCSS, "leaflet@"+pkg.Version+"/dist/leaflet.css")
	assert.Equal(t, sri(t, filepath.Join(dist, "leaflet.js")), web.DefaultLeafletJSIntegrity)
	assert.Equal(t, sri(t, filepath.Join(dist, "leaflet.css")), web.DefaultLeafletCSSIntegrity)
}

// leafletServer serves Leaflet's files from another origin than the
// server's, as a CDN does (with CORS, which Subresource Integrity needs).
func leafletServer(t *testing.T, dist string) string {
	t.Helper()
	files := http.FileServer(http.Dir(dist))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tileServer serves generated 256-pixel PNG tiles at /{z}/{x}/{y}.png: a
// light ground with a grid line at the edges, shaded by x and y so that
// the screenshots show the tiles. It counts the tiles served.
func tileServer(t *testing.T) (string, *int64) {
	t.Helper()
	var mu sync.Mutex
	var n int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".png"), "/")
		if len(parts) != 3 {
			http.NotFound(w, r)
			return
		}
		var zxy [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			zxy[i] = v
		}
		img := image.NewRGBA(image.Rect(0, 0, 256, 256))
		ground := color.RGBA{uint8(228 + zxy[1]%3*8), uint8(236 + zxy[2]%2*8), 226, 255}
		for y := range 256 {
			for x := range 256 {
				c := ground
				if x == 0 || y == 0 || (x+y)%64 == 0 && zxy[0] > 12 {
					c = color.RGBA{200, 205, 200, 255}
				}
				img.Set(x, y, c)
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// startMapServer runs the example server in demo mode with its maps on the
// local Leaflet and tiles.
func startMapServer(t *testing.T, m web.MapConfig) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{
			Addr: "127.0.0.1:0", Demo: true, PhotoDir: t.TempDir(),
			Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
			RelayInterval: 20 * time.Millisecond, Map: m,
		}, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server.Run: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("server.Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return ""
}

// console collects what the pages write to the console (a refused load
// says so there: a Content-Security-Policy or integrity failure).
func (b *browser) console() func() []string {
	var mu sync.Mutex
	var msgs []string
	go func() {
		for m, err := range chromedp.Console(b.ctx) {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m.String())
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), msgs...)
	}
}

// eval runs a script on the page.
func (b *browser) eval(what, js string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any]("void ("+js+")")); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// mapDrawn waits until the page's map has drawn its markers at the
// current zoom, and its tiles have loaded.
func (b *browser) mapDrawn(what string) {
	b.t.Helper()
	b.waitFor(what, `(() => {
		const m = document.getElementById("map");
		if (window.hlMap && window.hlMap._animatingZoom) return "";
		if (!m) return "no map element";
		if (document.getElementById("map-missing").offsetParent !== null) return "the map says it could not load";
		if (!window.hlMap || m.dataset.drawn !== String(window.hlMap.getZoom())) return "";
		return document.querySelector("img.leaflet-tile-loaded") ? "done" : "";
	})()`)
}

// markerCounts counts the units the map shows: one each for the single
// markers and the number on each cluster.
func (b *browser) markerCounts() (markers, clusters, inClusters int) {
	b.t.Helper()
	got := value(b, "count markers", chromedp.Evaluate[[]int](`(() => {
		const cl = [...document.querySelectorAll(".map-cluster")];
		return [document.querySelectorAll("path.unit-marker, path.item-marker").length, cl.length,
			cl.reduce((n, c) => n + parseInt(c.textContent, 10), 0)];
	})()`))
	return got[0], got[1], got[2]
}

// TestBrowserRiskMap drives the map pages with Leaflet served locally
// (installed from the npm registry, from another origin with its
// integrity hashes checked) and a local tile server whose tiles are in
// GCJ-02, as Chinese commercial maps are: the four-colour risk map
// clusters its units when zoomed out and shows each one zoomed in, its
// filters narrow the map and the list alike; the plaza shows its reports
// on the map; a citizen places a hazard on the report page's map and the
// report carries that point in the tiles' system. No page logs a refused
// load (Content-Security-Policy, integrity). Without Leaflet the list and
// the report form work as before.
func TestBrowserRiskMap(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
	chromiumPath(t)
	dist := installLeaflet(t)
	lib := leafletServer(t, dist)
	tiles, served := tileServer(t)
	base := startMapServer(t, web.MapConfig{
		LeafletJS: lib + "/leaflet.js", LeafletJSIntegrity: sri(t, filepath.Join(dist, "leaflet.js")),
		LeafletCSS: lib + "/leaflet.css", LeafletCSSIntegrity: sri(t, filepath.Join(dist, "leaflet.css")),
		TileURL: tiles + "/{z}/{x}/{y}.png", TileAttribution: "测试底图 <b>tiles</b>", TileSystem: hazard.GCJ02,
	})
	b := newBrowser(t, base)
	logs := b.console()

	// The risk map: every unit of the demo city, clustered at the start.
	b.open("/risk-map", "#risk-list")
	b.mapDrawn("risk map")
	total, err := strconv.Atoi(b.text(`#risk-total`))
	require.NoError(t, err)
	require.Greater(t, total, 10, "the demo city has its units on the map")
	listed := value(b, "list items", chromedp.Evaluate[int](`document.querySelectorAll("#risk-list li.unit").length`))
	assert.Equal(t, min(total, web.RiskListPage), listed, "the list shows the first page of the units")
	b.eval("zoom out", `window.hlMap.setZoom(10, {animate: false})`)
	b.mapDrawn("zoomed out")
	markers, clusters, inClusters := b.markerCounts()
	assert.Positive(t, clusters, "zoomed out, nearby units are clustered")
	assert.Equal(t, total, markers+inClusters, "every unit is on the map once, alone or in a cluster")
	assert.Contains(t, b.text(`.leaflet-control-attribution`), "测试底图 <b>tiles</b>", "the attribution shows as text")
	b.eval("zoom in", `window.hlMap.setZoom(16, {animate: false})`)
	b.mapDrawn("zoomed in")
	_, clusters, _ = b.markerCounts()
	assert.Zero(t, clusters, "zoomed in, every unit has its own marker")
	b.run("back", chromedp.Navigate(base+"/risk-map"))
	b.mapDrawn("risk map again")
	b.screenshot("risk-map")

	// Filters: the red units only, on the map and in the list.
	b.run("filter red", chromedp.SetValue(chromedp.CSS(`#f-grade`), "red"), chromedp.Submit(chromedp.CSS(`#f-grade`)))
	b.waitFor("filtered page", `(() => location.search.includes("grade=red") && document.readyState === "complete" ? "done" : "")()`)
	b.mapDrawn("red map")
	reds, err := strconv.Atoi(b.text(`#risk-total`))
	require.NoError(t, err)
	require.Positive(t, reds, "the demo city has red units")
	assert.Less(t, reds, total)
	grades := value(b, "list grades", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#risk-list li.unit")].map(li => li.dataset.grade)`))
	assert.Len(t, grades, min(reds, web.RiskListPage))
	for _, g := range grades {
		assert.Equal(t, "red", g, "the list holds red units only")
	}
	b.eval("zoom out red", `window.hlMap.setZoom(10, {animate: false})`)
	b.mapDrawn("red zoomed out")
	markers, _, inClusters = b.markerCounts()
	assert.Equal(t, reds, markers+inClusters, "the map shows the filtered units")
	other := value(b, "other colours", chromedp.Evaluate[int](`document.querySelectorAll(".unit-marker:not(.grade-red), .map-cluster:not(.grade-red)").length`))
	assert.Zero(t, other, "no marker or cluster of another grade")

	// The plaza and the report page, in a browser of their own (each
	// browser has two minutes, which a loaded machine needs).
	firstLogs := logs()
	b = newBrowser(t, base)
	logs = b.console()

	// The plaza: its reports with a location on the map.
	b.open("/plaza", "#plaza-list")
	b.mapDrawn("plaza map")
	located := value(b, "located reports", chromedp.Evaluate[int](`document.querySelectorAll("#plaza-list li[data-lat]").length`))
	require.Positive(t, located, "the demo reports have locations")
	markers, _, inClusters = b.markerCounts()
	assert.Equal(t, located, markers+inClusters, "each located report is on the map")
	b.screenshot("plaza-map")

	// The report page: the citizen places the hazard on the map.
	b.loginAs("citizen-1")
	b.open("/report", "#report-form")
	b.mapDrawn("report map")
	photo := writeJPEG(t, t.TempDir(), "blocked.jpg", color.RGBA{180, 60, 40, 255})
	b.eval("scroll to the map", `document.getElementById("map").scrollIntoView({block: "center"})`)
	box := value(b, "map box", chromedp.Evaluate[[]float64](`(() => { const r = document.getElementById("map").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	b.run("pick", chromedp.MouseClickXY(box[0]+box[2]*0.6, box[1]+box[3]*0.4))
	b.waitFor("picked", `(() => document.getElementById("latitude").value ? "done" : "")()`)
	picked := value(b, "picked point", chromedp.Evaluate[[]string](`[document.getElementById("latitude").value, document.getElementById("longitude").value, document.getElementById("coord_system").value]`))
	assert.Equal(t, "GCJ02", picked[2], "a point placed on GCJ-02 tiles is sent as GCJ-02")
	lat, err := strconv.ParseFloat(picked[0], 64)
	require.NoError(t, err)
	lng, err := strconv.ParseFloat(picked[1], 64)
	require.NoError(t, err)
	want := value(b, "map point", chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => { const p = window.hlMap.containerPointToLatLng([%f, %f]); return [p.lat, p.lng]; })()`, box[2]*0.6, box[3]*0.4)))
	// Within a few pixels of the tap (0.002° is about 6 pixels at the
	// page's zoom).
	assert.InDelta(t, want[0], lat, 2e-3, "the latitude of the place tapped")
	assert.InDelta(t, want[1], lng, 2e-3, "the longitude of the place tapped")
	assert.Equal(t, 1, value(b, "pin", chromedp.Evaluate[int](`document.querySelectorAll(".pick-marker").length`)), "a pin marks the place")
	// The citizen corrects it: a second tap moves the pin.
	b.run("correct", chromedp.MouseClickXY(box[0]+box[2]*0.3, box[1]+box[3]*0.6))
	b.waitFor("moved", `(() => document.getElementById("latitude").value !== "`+picked[0]+`" ? "done" : "")()`)
	assert.Equal(t, 1, value(b, "pin", chromedp.Evaluate[int](`document.querySelectorAll(".pick-marker").length`)), "still one pin")
	final := value(b, "corrected point", chromedp.Evaluate[[]string](`[document.getElementById("latitude").value, document.getElementById("longitude").value]`))
	desc := fmt.Sprintf("仓库门口堆放易燃物 %d", time.Now().UnixNano())
	b.run("fill report",
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
		chromedp.SetValue(chromedp.CSS(`#category`), "fire"),
		chromedp.SendKeys(chromedp.CSS(`#address`), "东昌路 8 号仓库"),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc),
	)
	b.screenshot("report-map")
	b.run("submit", chromedp.Click(chromedp.CSS(`#submit-report`)))
	b.waitFor("report submitted", `(() => {
		if (!document.getElementById("report-success").hidden) return "done";
		return [...document.querySelectorAll("#report-form .error")].map(e => e.textContent).join(" ").trim();
	})()`)
	point := value(b, "my report's point", chromedp.Evaluate[map[string]any](`fetch("/api/v1/me/reports", {headers: {Authorization: "Bearer " + decodeURIComponent(document.cookie.match(/hl_token=([^;]*)/)[1])}})
		.then(r => r.json()).then(l => l.items.find(i => i.description === `+strconv.Quote(desc)+`).location.point)`, chromedp.EvalAwaitPromise))
	assert.Equal(t, "GCJ02", point["system"])
	fLat, _ := strconv.ParseFloat(final[0], 64)
	fLng, _ := strconv.ParseFloat(final[1], 64)
	assert.InDelta(t, fLat, point["lat"], 1e-6, "the report is where the citizen put it")
	assert.InDelta(t, fLng, point["lng"], 1e-6)

	assert.Positive(t, *served, "the tiles came from the tile server")
	for _, m := range append(firstLogs, logs()...) {
		assert.NotContains(t, m, "Content Security Policy", "a page load was refused")
		assert.NotContains(t, m, "integrity", "a script's integrity was refused")
	}

	// Without Leaflet (its URL answers 404): the list and the report form
	// work as they are, and the page says the map could not load.
	bare := startMapServer(t, web.MapConfig{LeafletJS: lib + "/missing.js", LeafletCSS: lib + "/missing.css", TileURL: tiles + "/{z}/{x}/{y}.png", TileAttribution: "test"})
	nb := newBrowser(t, bare)
	nb.open("/risk-map", "#risk-list")
	nb.waitFor("no map", `(() => document.readyState === "complete" && document.getElementById("map-missing").offsetParent !== null ? "done" : "")()`)
	assert.True(t, value(nb, "map hidden", chromedp.Evaluate[bool](`document.getElementById("map").offsetParent === null`)), "no empty map box")
	n := value(nb, "list without map", chromedp.Evaluate[int](`document.querySelectorAll("#risk-list li.unit").length`))
	assert.Equal(t, min(total, web.RiskListPage), n, "the list works without the map")
	nb.run("filter without map", chromedp.SetValue(chromedp.CSS(`#f-grade`), "red"), chromedp.Submit(chromedp.CSS(`#f-grade`)))
	nb.waitFor("filtered without map", `(() => location.search.includes("grade=red") && document.readyState === "complete" ? "done" : "")()`)
	assert.Equal(t, strconv.Itoa(reds), nb.text(`#risk-total`), "the filters work without the map")
	nb.screenshot("risk-map-list")
}
