package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestMaxPendingUploadsConfig: Config.MaxPendingUploads sets the cap of a
// user's pending uploads, on every backend; one past it is a 429 and
// stores nothing, and using an upload in a report frees its place.
func TestMaxPendingUploadsConfig(t *testing.T) { forEachBackend(t, testMaxPendingUploadsConfig) }

func testMaxPendingUploadsConfig(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend, func(c *server.Config) { c.MaxPendingUploads = 2 })
	u := s.login("citizen-1")
	first := s.upload(u, pngPhoto(t, 1))
	s.upload(u, pngPhoto(t, 2))
	r := s.uploadBytes(u, "file", pngPhoto(t, 3))
	assert.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), "at most 2 photos")
	s.submit(u, []string{first})
	s.upload(u, pngPhoto(t, 3))
	r = s.uploadBytes(u, "file", pngPhoto(t, 4))
	assert.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
}
