package server_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// dial opens a raw connection to the test server, closed at the end.
func (s *testServer) dial() net.Conn {
	s.t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	require.NoError(s.t, err)
	s.t.Cleanup(func() { c.Close() })
	return c
}

// drip sends headers announcing a body of n bytes, then the body one byte
// at a time every tick until the connection fails or stop is closed.
func drip(t *testing.T, c net.Conn, head string, stop <-chan struct{}) {
	t.Helper()
	_, err := fmt.Fprint(c, head)
	require.NoError(t, err)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
}

// answerOf reads the server's answer on c, waiting at most wait; a closed
// connection is a nil answer.
func answerOf(t *testing.T, c net.Conn, wait time.Duration) (*http.Response, error) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(wait)))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if res != nil {
		res.Body.Close()
	}
	return res, err
}

// TestDrippingClientIsCutOff: a client that sends its body a byte at a
// time is answered 408 once the read timeout has passed, on a JSON route
// (ReadTimeout) and on the upload route (UploadTimeout), and the server
// closes the connection.
func TestDrippingClientIsCutOff(t *testing.T) {
	ts := startServer(t, func(c *server.Config) {
		c.ReadTimeout = 300 * time.Millisecond
		c.UploadTimeout = 300 * time.Millisecond
	})
	token := ts.login("citizen-1")
	for _, tc := range []struct{ name, head string }{
		{"json", "POST /api/v1/auth/code HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"phone\":"},
		{"upload", "POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n" +
			"Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ts.dial()
			stop := make(chan struct{})
			defer close(stop)
			start := time.Now()
			drip(t, c, tc.head, stop)
			res, err := answerOf(t, c, 10*time.Second)
			require.NoError(t, err, "the dripping client got no answer within 10s")
			assert.Equal(t, http.StatusRequestTimeout, res.StatusCode, "status to a dripping client")
			assert.Less(t, time.Since(start), 5*time.Second, "time to cut a dripping client off")
			_, err = answerOf(t, c, 10*time.Second)
			assert.Error(t, err, "the connection is closed after the 408")
		})
	}
}

// TestHealthWhileManyAreHeldOpen: with many slow clients holding
// connections, /healthz answers; with the connection cap reached, further
// clients wait until the slow ones are cut off, then are served.
func TestHealthWhileManyAreHeldOpen(t *testing.T) {
	t.Run("below the cap", func(t *testing.T) {
		ts := startServer(t, func(c *server.Config) { c.MaxConns = 64 })
		for range 50 {
			c := ts.dial()
			_, err := fmt.Fprint(c, "POST /api/v1/auth/code HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
			require.NoError(t, err)
		}
		r := ts.do("GET", "/healthz", "", nil)
		assert.Equal(t, http.StatusOK, r.status, "GET /healthz with 50 connections held open")
	})
	t.Run("at the cap", func(t *testing.T) {
		const held = 8
		ts := startServer(t, func(c *server.Config) {
			c.MaxConns = held
			c.ReadTimeout = 500 * time.Millisecond
		})
		conns := make([]net.Conn, held)
		for i := range conns {
			conns[i] = ts.dial()
			_, err := fmt.Fprint(conns[i], "POST /api/v1/auth/code HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
			require.NoError(t, err)
		}
		start := time.Now()
		r := ts.do("GET", "/healthz", "", nil)
		assert.Equal(t, http.StatusOK, r.status, "GET /healthz once the held connections are cut off")
		assert.Less(t, time.Since(start), 5*time.Second, "time to answer /healthz at the cap")
		for i, c := range conns {
			res, err := answerOf(t, c, 10*time.Second)
			require.NoError(t, err, "held connection %d got no answer", i)
			assert.Equal(t, http.StatusRequestTimeout, res.StatusCode, "held connection %d", i)
		}
	})
}

// TestUploadSlots: with every upload slot taken, one more upload is 503
// with Retry-After, and is accepted once the slot is free.
func TestUploadSlots(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.MaxUploads = 1 })
	token := ts.login("citizen-1")
	slow := ts.dial()
	_, err := fmt.Fprint(slow, "POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+token+
		"\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n")
	require.NoError(t, err)
	// The slow upload holds the slot once the gauge says so (the metrics
	// route takes no slot).
	require.Eventually(t, func() bool {
		m := ts.do("GET", "/metrics", "", nil)
		return strings.Contains(string(m.body), "\nhazardloop_http_uploads_in_flight 1\n")
	}, 10*time.Second, 10*time.Millisecond, "the slow upload takes the one slot")
	photo := pngPhoto(t, 1)
	busy := ts.uploadBytes(token, "file", photo)
	require.Equal(t, http.StatusServiceUnavailable, busy.status, "an upload while the one slot is held: %s", busy.body)
	assert.Equal(t, "unavailable", busy.errCode(t), "code of an upload with no free slot")
	assert.Equal(t, "5", busy.header.Get("Retry-After"), "Retry-After of an upload with no free slot")
	require.NoError(t, slow.Close())
	require.Eventually(t, func() bool {
		return ts.uploadBytes(token, "file", photo).status == http.StatusCreated
	}, 10*time.Second, 10*time.Millisecond, "an upload once the slot is free")
}
