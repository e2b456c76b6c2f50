package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestOpen311Mounted: the Open311 GeoReport v2 endpoint answers under
// /open311/v2/ with the demo reports and no reporter identity.
func TestOpen311Mounted(t *testing.T) {
	s := startServer(t)
	r := s.do("GET", "/open311/v2/services.json", "", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), `"service_code":"gas"`)
	r = s.do("GET", "/open311/v2/requests.json", "", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var reqs []map[string]any
	r.json(t, &reqs)
	assert.NotEmpty(t, reqs)
	published := map[string]bool{}
	for _, it := range pages[struct {
		Ref string `json:"ref"`
	}](s, "", "/api/v1/plaza") {
		published[it.Ref] = true
	}
	for _, q := range reqs {
		assert.True(t, published[q["service_request_id"].(string)], "Open311 shows only what the plaza shows: %v", q["service_request_id"])
	}
	for _, secret := range []string{"citizen-1", "13800000001", "张三"} {
		assert.NotContains(t, string(r.body), secret)
	}
	m := s.do("GET", "/metrics", "", nil)
	assert.Contains(t, string(m.body), `route="/open311/v2/"`)
}

// TestPagesMounted: the web pages are served beside the API.
func TestPagesMounted(t *testing.T) {
	s := startServer(t)
	for _, path := range []string{"/", "/plaza", "/knowledge"} {
		r := s.do("GET", path, "", nil)
		assert.Equal(t, http.StatusOK, r.status, path)
		assert.Contains(t, r.header.Get("Content-Type"), "text/html", path)
	}
}

// TestOpen311Settings: the server hands its Open311 jurisdiction and
// language to the endpoint.
func TestOpen311Settings(t *testing.T) {
	s := startServer(t, func(c *server.Config) {
		c.Open311Jurisdiction, c.Open311Language = "liaocheng.gov.cn", "zh"
	})
	r := s.do("GET", "/open311/v2/services.json?jurisdiction_id=other.gov.cn", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "another jurisdiction: %s", r.body)
	r = s.do("GET", "/open311/v2/services.json?jurisdiction_id=liaocheng.gov.cn", "", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), `"service_name":"燃气"`, "names in Chinese")
}

// TestOpen311PhotosServed: a partner's photo, fetched from a local
// plain-http media host the operator allowed, is served at /photos/{key}
// as a citizen's is: the original to staff, the copy without metadata to
// the public.
func TestOpen311PhotosServed(t *testing.T) { forEachBackend(t, testOpen311PhotosServed) }

func testOpen311PhotosServed(t *testing.T, backend func(*server.Config)) {
	original := jpegWithGPS()
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(original) }))
	t.Cleanup(media.Close)
	s := startServer(t, backend, func(c *server.Config) {
		// Whichever step publishes a report, its photos are served so;
		// here the report is public from its submission.
		c.Moderation.Publish = hazard.PublishOnSubmit
		c.Open311MediaHosts = []string{strings.TrimPrefix(media.URL, "http://")}
		c.Open311AllowHTTPMedia = true
	})
	form := url.Values{
		"api_key": {server.DemoOpen311Key}, "service_code": {"fire"}, "lat": {"36.45"}, "long": {"115.98"},
		"description": {"消防通道堵塞"}, "attribute[severity]": {"general"}, "device_id": {"dev-1"},
		"media_url": {media.URL + "/p.jpg"},
	}
	req, err := http.NewRequest("POST", s.base+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := s.send(req)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	sum := sha256.Sum256(original)
	key := hex.EncodeToString(sum[:])
	r = s.do("GET", "/photos/"+key, s.login("dispatcher-1"), nil)
	require.Equal(t, http.StatusOK, r.status, "staff: %s", r.body)
	assert.Equal(t, original, r.body, "staff read the original")
	r = s.do("GET", "/photos/"+key, "", nil)
	require.Equal(t, http.StatusOK, r.status, "public: %s", r.body)
	assert.NotEqual(t, original, r.body, "the public reads the copy")
	assert.NotContains(t, string(r.body), "GPS", "the public copy has no metadata")
}
