package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
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
	assert.Len(t, reqs, 12)
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
