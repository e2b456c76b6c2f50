package cluster_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// client is an HTTP client of the servers; safe for concurrent use (it
// reports failures with t.Errorf, never FailNow, so that goroutines may
// call it).
type client struct {
	t    *testing.T
	http *http.Client
}

func newClient(t *testing.T) *client {
	return &client{t: t, http: &http.Client{Timeout: requestTimeout}}
}

// reply is an HTTP answer.
type reply struct {
	status int
	body   []byte
	header http.Header
}

// apiError is the server's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Version int64  `json:"version"`
	} `json:"error"`
}

// do sends a request with a JSON body (nil for none) and an optional
// bearer token and extra headers. A transport error is status 0.
func (c *client) do(method, url, token string, body any, header ...string) reply {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Errorf("encode %s %s: %v", method, url, err)
			return reply{}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, url, err)
		return reply{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) reply {
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", req.Method, req.URL, err)
		return reply{}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Errorf("%s %s: reading the answer: %v", req.Method, req.URL, err)
	}
	return reply{status: res.StatusCode, body: b, header: res.Header}
}

// decode decodes the answer's JSON into v.
func (r reply) decode(t *testing.T, v any) bool {
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Errorf("decoding %q: %v", r.body, err)
		return false
	}
	return true
}

// login returns a demo user's token from the server at base.
func (c *client) login(base, user string) string {
	c.t.Helper()
	r := c.do("POST", base+"/api/v1/demo/login", "", map[string]string{"user": user})
	require.Equal(c.t, http.StatusOK, r.status, "demo login %s: %s", user, r.body)
	var tr struct {
		Token string `json:"token"`
	}
	require.True(c.t, r.decode(c.t, &tr))
	require.NotEmpty(c.t, tr.Token)
	return tr.Token
}

// upload uploads the PNG photo to the server at base and returns its key,
// or "" after reporting an error.
func (c *client) upload(base, token string, photo []byte) string {
	r := c.uploadReply(base, token, photo)
	if r.status != http.StatusCreated {
		c.t.Errorf("upload to %s: %d %s", base, r.status, r.body)
		return ""
	}
	return uploadKey(c.t, r)
}

// uploadReply uploads the PNG photo to the server at base and returns the
// answer, whatever its status.
func (c *client) uploadReply(base, token string, photo []byte) reply {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "photo.png")
	if err == nil {
		_, err = fw.Write(photo)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		c.t.Errorf("multipart: %v", err)
		return reply{}
	}
	req, err := http.NewRequest("POST", base+"/api/v1/uploads", &buf)
	if err != nil {
		c.t.Errorf("upload: %v", err)
		return reply{}
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return c.send(req)
}

// uploadKey returns the key of an upload's answer, "" after reporting an
// error.
func uploadKey(t *testing.T, r reply) string {
	var u struct {
		Key string `json:"key"`
	}
	if !r.decode(t, &u) {
		return ""
	}
	return u.Key
}

// view is what the tests read of a report view.
type view struct {
	ID         string `json:"id"`
	Ref        string `json:"ref"`
	State      string `json:"state"`
	Version    int64  `json:"version"`
	Department string `json:"department"`
}

// submit uploads a photo and submits a fire report at (lat, lng) through
// the server at base, with an idempotency key.
func (c *client) submit(base, token string, n int, lat, lng float64) (view, bool) {
	key := c.upload(base, token, pngPhoto(n))
	if key == "" {
		return view{}, false
	}
	return c.submitWith(base, token, n, lat, lng, []string{key})
}

// submitWith submits report n with the photo keys already uploaded.
func (c *client) submitWith(base, token string, n int, lat, lng float64, keys []string) (view, bool) {
	body := map[string]any{
		"category": "fire", "severity": "general",
		"description": fmt.Sprintf("集群测试：%d号楼道堆放杂物堵塞消防通道", n),
		"address":     fmt.Sprintf("集群测试路%d号", n), "latitude": lat, "longitude": lng, "coord_system": "GCJ02",
		"photos": keys,
	}
	r := c.do("POST", base+"/api/v1/reports", token, body, "Idempotency-Key", fmt.Sprintf("cluster-%d", n))
	if r.status != http.StatusCreated {
		c.t.Errorf("submit %d to %s: %d %s", n, base, r.status, r.body)
		return view{}, false
	}
	var v view
	return v, r.decode(c.t, &v)
}

// act takes an action on a report through the server at base and returns
// the answer.
func (c *client) act(base, token, id, action string, body map[string]any) reply {
	return c.do("POST", base+"/api/v1/reports/"+id+"/actions/"+action, token, body)
}

// pngPhoto returns a small PNG whose content depends on n, so that every
// upload is a photo of its own.
func pngPhoto(n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 4 {
		img.Set(i, 0, color.RGBA{R: byte(n >> (8 * i)), G: byte(i), B: 7, A: 255})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
