package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
)

// testDemoUnits is how many demo units a test server has.
const testDemoUnits = 30

// testServer is a server started with Run on a loopback port.
type testServer struct {
	t        *testing.T
	base     string
	recorder *notify.Recorder
	client   *http.Client
}

// startServer runs the real server (server.Run) on 127.0.0.1:0 with demo
// data, a temporary photo directory and a notification recorder; edit
// changes the Config first. The server stops at the end of the test.
func startServer(t *testing.T, edit ...func(*server.Config)) *testServer {
	t.Helper()
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	cfg := server.Config{
		Addr:          "127.0.0.1:0",
		PhotoDir:      t.TempDir(),
		Demo:          true,
		TokenSecret:   []byte("0123456789abcdef0123456789abcdef"),
		Logger:        slog.New(slog.DiscardHandler),
		Notifier:      rec,
		RelayInterval: 10 * time.Millisecond,
		// The first units of the demo city: enough for the tests that are
		// not about it (TestDemoCity takes the whole city).
		DemoUnits: testDemoUnits,
	}
	for _, e := range edit {
		e(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, cfg, func(addr string) { ready <- addr }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server.Run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "server.Run after shutdown")
	})
	return &testServer{t: t, base: "http://" + addr, recorder: rec, client: &http.Client{Timeout: 10 * time.Second}}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "decoding %s", r.body)
}

// obj decodes the body as a JSON object.
func (r response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

// errCode returns the error code of an error answer.
func (r response) errCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"error"`
	}
	r.json(t, &e)
	return e.Error.Code
}

// do sends a request with an optional token and body (a string or []byte
// is sent as is, anything else as JSON).
func (s *testServer) do(method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		require.NoError(s.t, err)
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	require.NoError(s.t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.send(req)
}

func (s *testServer) send(req *http.Request) response {
	s.t.Helper()
	res, err := s.client.Do(req)
	require.NoError(s.t, err, "%s %s", req.Method, req.URL)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// login returns a demo user's token.
func (s *testServer) login(user string) string {
	s.t.Helper()
	r := s.do("POST", "/api/v1/demo/login", "", map[string]string{"user": user})
	require.Equal(s.t, http.StatusOK, r.status, "demo login %s: %s", user, r.body)
	var out struct {
		Token string `json:"token"`
	}
	r.json(s.t, &out)
	require.NotEmpty(s.t, out.Token)
	return out.Token
}

// uploadBytes uploads data as the multipart field "file".
func (s *testServer) uploadBytes(token, field string, data []byte) response {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, "photo.bin")
	require.NoError(s.t, err)
	_, err = fw.Write(data)
	require.NoError(s.t, err)
	require.NoError(s.t, mw.Close())
	req, err := http.NewRequest("POST", s.base+"/api/v1/uploads", &buf)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// upload uploads a photo and returns its key.
func (s *testServer) upload(token string, data []byte) string {
	s.t.Helper()
	r := s.uploadBytes(token, "file", data)
	require.Equal(s.t, http.StatusCreated, r.status, "upload: %s", r.body)
	var out struct {
		Key string `json:"key"`
	}
	r.json(s.t, &out)
	return out.Key
}

// pngPhoto returns a small PNG, different for each seed.
func pngPhoto(t *testing.T, seed int) []byte {
	t.Helper()
	return hazardtest.PNGPhoto(seed)
}

// jpegWithGPS returns a minimal JPEG (SOI, an EXIF APP1 segment with a GPS
// marker, a JFIF APP0, a comment, a scan and EOI).
func jpegWithGPS() []byte { return hazardtest.JPEGWithGPS() }

// submit submits a report by token with the photo keys and returns it.
func (s *testServer) submit(token string, photos []string, edit ...func(map[string]any)) map[string]any {
	s.t.Helper()
	body := map[string]any{
		"category": "fire", "severity": "general", "description": "楼道堆放杂物堵塞消防通道",
		"address": "测试路1号", "latitude": 36.40, "longitude": 115.90, "coord_system": "GCJ02",
		"photos": photos,
	}
	for _, e := range edit {
		e(body)
	}
	r := s.do("POST", "/api/v1/reports", token, body)
	require.Equal(s.t, http.StatusCreated, r.status, "submit: %s", r.body)
	return r.obj(s.t)
}

// webpWithEXIF returns a minimal extended WebP (VP8X, a VP8 chunk and, when
// exif is set, an EXIF chunk with a GPS marker and an XMP chunk).
func webpWithEXIF(exif bool) []byte { return hazardtest.WebPWithEXIF(exif) }

// phoneLogin logs a new citizen in with a phone and the code the recorder
// caught, and returns the token.
func (s *testServer) phoneLogin(phone string) string {
	s.t.Helper()
	r := s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone})
	require.Equal(s.t, http.StatusAccepted, r.status, "code: %s", r.body)
	var code string
	for _, m := range s.recorder.Sent() {
		if m.Message.Template == notify.KeyOTP && m.To.Addresses[notify.ChannelSMS] == phone {
			code = m.Message.Data["code"]
		}
	}
	require.NotEmpty(s.t, code, "a code sent to %s", phone)
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	require.Equal(s.t, http.StatusOK, r.status, "login: %s", r.body)
	var out struct {
		Token string `json:"token"`
	}
	r.json(s.t, &out)
	return out.Token
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// uploadRequest is an upload of data as the multipart field "file".
func uploadRequest(t testing.TB, token string, data []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "p")
	require.NoError(t, err)
	_, _ = fw.Write(data)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/api/v1/uploads", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
