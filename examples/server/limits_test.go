package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestJSONLimits: every bad body is a 4xx with a clear code.
func TestJSONLimits(t *testing.T) {
	s := startServer(t)
	admin := s.login("admin-1")
	article := `{"kind":"knowledge","title":"t","body":"b"}`
	for _, tc := range []struct {
		name   string
		body   string
		header []string
		status int
		code   string
	}{
		{"too large", `{"kind":"knowledge","title":"t","body":"` + strings.Repeat("a", server.MaxJSONBody) + `"}`, nil, 413, "too_large"},
		{"unknown field", `{"kind":"knowledge","title":"t","body":"b","html":"<script>"}`, nil, 400, "invalid"},
		{"trailing data", article + `{"more":1}`, nil, 400, "invalid"},
		{"trailing garbage", article + `x`, nil, 400, "invalid"},
		{"not json", `kind=knowledge`, nil, 400, "invalid"},
		{"empty", ``, nil, 400, "invalid"},
		{"wrong type", `{"kind":"knowledge","title":7,"body":"b"}`, nil, 400, "invalid"},
		{"media type", article, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"title too long", `{"kind":"knowledge","title":"` + strings.Repeat("长", server.MaxArticleTitleLen+1) + `","body":"b"}`, nil, 400, "invalid"},
		{"body too long", `{"kind":"knowledge","title":"t","body":"` + strings.Repeat("长", server.MaxArticleBodyLen+1) + `"}`, nil, 400, "invalid"},
		{"bad kind", `{"kind":"gossip","title":"t","body":"b"}`, nil, 400, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("POST", "/api/v1/articles", admin, tc.body, tc.header...)
			assert.Equal(t, tc.status, r.status, "%s", r.body)
			assert.Equal(t, tc.code, r.errCode(t))
		})
	}
	// Nothing of the refused bodies was stored: only the demo articles.
	r := s.do("GET", "/api/v1/articles", admin, nil)
	var l struct{ Items []server.Article }
	r.json(t, &l)
	assert.Len(t, l.Items, 4, "articles after refused writes")
}

// TestUploadLimits: one JPEG, PNG or WebP photo of at most 10 MiB per
// request, sniffed by content.
func TestUploadLimits(t *testing.T) { forEachBackend(t, testUploadLimits) }

func testUploadLimits(t *testing.T, backend func(*server.Config)) {
	s := startServer(t, backend)
	tok := s.login("citizen-1")
	webp := webpWithEXIF(false)
	big := append(pngPhoto(t, 1), bytes.Repeat([]byte{0}, server.MaxUploadSize)...)
	for _, tc := range []struct {
		name   string
		field  string
		data   []byte
		status int
		code   string
	}{
		{"png", "file", pngPhoto(t, 1), 201, ""},
		{"jpeg", "file", jpegWithGPS(), 201, ""},
		{"webp", "file", webp, 201, ""},
		{"too large", "file", big, 413, "too_large"},
		{"text", "file", []byte("hello, this is not a photo"), 415, "unsupported_media_type"},
		{"gif", "file", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 415, "unsupported_media_type"},
		{"broken jpeg", "file", []byte("\xFF\xD8\xFF\xE1\x00\xFFtruncated"), 400, "invalid"},
		{"empty", "file", nil, 400, "invalid"},
		{"other field", "photo", pngPhoto(t, 1), 400, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.uploadBytes(tok, tc.field, tc.data)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			if tc.code != "" {
				assert.Equal(t, tc.code, r.errCode(t))
			}
		})
	}
	t.Run("two files", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for i := 0; i < 2; i++ {
			fw, err := mw.CreateFormFile("file", "p.png")
			require.NoError(t, err)
			_, _ = fw.Write(pngPhoto(t, 5+i))
		}
		require.NoError(t, mw.Close())
		req, _ := http.NewRequest("POST", s.base+"/api/v1/uploads", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		r := s.send(req)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	})
	t.Run("not multipart", func(t *testing.T) {
		r := s.do("POST", "/api/v1/uploads", tok, "{}")
		assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s", r.body)
	})
	t.Run("pending uploads", func(t *testing.T) {
		u := s.login("citizen-2")
		for i := 0; i < server.MaxPendingUploads; i++ {
			s.upload(u, pngPhoto(t, 100+i))
		}
		r := s.uploadBytes(u, "file", pngPhoto(t, 99))
		assert.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
		assert.NotEmpty(t, r.header.Get("Retry-After"))
	})
}

// TestReportLimits: a report names 1 to 9 of the caller's own live
// uploads; anything else stores nothing.
func TestReportLimits(t *testing.T) { forEachBackend(t, testReportLimits) }

func testReportLimits(t *testing.T, backend func(*server.Config)) {
	clk := newClock()
	s := startServer(t, backend, func(c *server.Config) { c.Clock = clk.Now; c.SubmitsPerDay = 3 })
	c1, c2 := s.phoneLogin("13600000001"), s.phoneLogin("13600000002")
	mine := s.upload(c1, pngPhoto(t, 1))
	theirs := s.upload(c2, pngPhoto(t, 2))
	var ten []string
	for i := 0; i < 10; i++ {
		ten = append(ten, s.upload(c1, pngPhoto(t, 10+i)))
	}
	count := func() int {
		r := s.do("GET", "/api/v1/me/reports?limit=100", c1, nil)
		require.Equal(t, http.StatusOK, r.status)
		var l struct{ Items []any }
		r.json(t, &l)
		return len(l.Items)
	}
	before := count()
	for _, tc := range []struct {
		name   string
		edit   func(map[string]any)
		header []string
		field  string
	}{
		{"someone else's upload", func(b map[string]any) { b["photos"] = []string{mine, theirs} }, nil, "photos[1]"},
		{"unknown upload", func(b map[string]any) { b["photos"] = []string{strings.Repeat("0", 64)} }, nil, "photos[0]"},
		{"malformed key", func(b map[string]any) { b["photos"] = []string{"../etc/passwd"} }, nil, "photos[0]"},
		{"key with a NUL byte", func(b map[string]any) { b["photos"] = []string{mine, "\x00"} }, nil, "photos[1]"},
		{"no photo", func(b map[string]any) { b["photos"] = []string{} }, nil, ""},
		{"ten photos", func(b map[string]any) { b["photos"] = ten }, nil, "photos"},
		{"description too long", func(b map[string]any) { b["description"] = strings.Repeat("长", hazard.MaxDescriptionLen+1) }, nil, ""},
		{"unknown category", func(b map[string]any) { b["category"] = "weather" }, nil, ""},
		{"latitude alone", func(b map[string]any) { delete(b, "longitude") }, nil, "latitude"},
		{"latitude out of range", func(b map[string]any) { b["latitude"] = 91.0 }, nil, ""},
		{"idempotency key too long", nil, []string{"Idempotency-Key", strings.Repeat("k", server.MaxIdempotencyKeyLen+1)}, "Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"category": "fire", "description": "d", "address": "a", "latitude": 36.0, "longitude": 116.0, "photos": []string{mine}}
			if tc.edit != nil {
				tc.edit(body)
			}
			r := s.do("POST", "/api/v1/reports", c1, body, tc.header...)
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
			assert.Equal(t, "invalid", r.errCode(t))
			if tc.field != "" {
				var e server.ErrorBody
				r.json(t, &e)
				assert.Equal(t, tc.field, e.Error.Field, "%s", r.body)
			}
		})
	}
	assert.Equal(t, before, count(), "reports stored by refused submissions")

	// The photo of a refused report is still the caller's to use.
	key := "retry-" + strconv.Itoa(before)
	a := s.do("POST", "/api/v1/reports", c1, map[string]any{"category": "fire", "description": "d", "address": "a", "photos": []string{mine}}, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	b := s.do("POST", "/api/v1/reports", c1, map[string]any{"category": "fire", "description": "d", "address": "a", "photos": []string{mine}}, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, b.status, "retry: %s", b.body)
	assert.Equal(t, a.obj(t)["id"], b.obj(t)["id"], "a retried submit returns the same report")
	other := s.do("POST", "/api/v1/reports", c1, map[string]any{"category": "fire", "description": "another one", "address": "a", "photos": []string{mine}}, "Idempotency-Key", key)
	assert.Equal(t, http.StatusConflict, other.status, "the key reused with another body: %s", other.body)
	assert.Equal(t, "conflict", other.errCode(t))
	var reused server.ErrorBody
	other.json(t, &reused)
	assert.Equal(t, "Idempotency-Key", reused.Error.Field, "the field of a reused key")

	// Submissions are rate-limited per reporter (3 a day here).
	for i := 0; i < 2; i++ {
		s.submit(c1, []string{s.upload(c1, pngPhoto(t, 30+i))})
	}
	r := s.do("POST", "/api/v1/reports", c1, map[string]any{"category": "fire", "description": "d", "address": "a", "photos": []string{s.upload(c1, pngPhoto(t, 40))}})
	assert.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	assert.Equal(t, "rate_limited", r.errCode(t))
	assert.NotEmpty(t, r.header.Get("Retry-After"))

	// An upload unused for a day expires.
	late := s.upload(c2, pngPhoto(t, 50))
	clk.Advance(server.DefaultUploadTTL)
	c2 = s.phoneLogin("13600000002") // the old token expired too
	r = s.do("POST", "/api/v1/reports", c2, map[string]any{"category": "fire", "description": "d", "address": "a", "photos": []string{late}})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	var e server.ErrorBody
	r.json(t, &e)
	assert.Equal(t, "photos[0]", e.Error.Field)
}

// TestQueryLimits: paging parameters are bounded.
func TestQueryLimits(t *testing.T) {
	s := startServer(t)
	for _, path := range []string{
		"/api/v1/plaza?limit=0", "/api/v1/plaza?limit=101", "/api/v1/plaza?limit=x",
		"/api/v1/plaza?cursor=" + strings.Repeat("c", 300), "/api/v1/plaza?category=" + strings.Repeat("c", 65),
		"/api/v1/articles?kind=gossip",
	} {
		r := s.do("GET", path, "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", path, r.body)
	}
	staff := s.login("dispatcher-1")
	for _, path := range []string{
		"/api/v1/queue?limit=0", "/api/v1/queue?limit=" + strconv.Itoa(hazard.MaxQueueLimit+1), "/api/v1/queue?limit=x",
	} {
		r := s.do("GET", path, staff, nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", path, r.body)
		assert.Equal(t, "invalid", r.errCode(t), path)
	}
	r := s.do("GET", "/api/v1/queue?limit="+strconv.Itoa(hazard.MaxQueueLimit), staff, nil)
	assert.Equal(t, http.StatusOK, r.status, "queue at its limit: %s", r.body)
	r = s.do("GET", "/api/v1/plaza?limit=5", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	var page struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next"`
	}
	r.json(t, &page)
	require.Len(t, page.Items, 5)
	require.NotEmpty(t, page.Next)
	seen := map[string]bool{}
	for _, it := range page.Items {
		seen[it["ref"].(string)] = true
	}
	r = s.do("GET", "/api/v1/plaza?limit=5&cursor="+page.Next, "", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(t, &page)
	for _, it := range page.Items {
		assert.False(t, seen[it["ref"].(string)], "page 2 repeats %s", it["ref"])
	}
}

// TestLoginCodes: phone login with a one-time code sent through notify;
// codes expire, allow few attempts and are rate-limited per phone.
func TestLoginCodes(t *testing.T) { forEachBackend(t, testLoginCodes) }

func testLoginCodes(t *testing.T, backend func(*server.Config)) {
	clk := newClock()
	s := startServer(t, backend, func(c *server.Config) { c.Clock = clk.Now })
	codeFor := func(phone string) string {
		t.Helper()
		sent := s.recorder.Sent()
		for i := len(sent) - 1; i >= 0; i-- {
			if sent[i].Message.Template == "otp" && sent[i].To.Addresses["sms"] == phone {
				return sent[i].Message.Data["code"]
			}
		}
		t.Fatalf("no code sent to %s", phone)
		return ""
	}
	const phone = "13900000009"
	r := s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone})
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	code := codeFor(phone)
	require.Len(t, code, server.OTPDigits)

	r = s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone})
	assert.Equal(t, http.StatusTooManyRequests, r.status, "second code within a minute: %s", r.body)
	assert.Equal(t, "60", r.header.Get("Retry-After"), "second code at once: the wait is the whole resend interval")

	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": wrong})
	assert.Equal(t, http.StatusUnauthorized, r.status, "wrong code: %s", r.body)
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	require.Equal(t, http.StatusOK, r.status, "right code: %s", r.body)
	var tok server.TokenResponse
	r.json(t, &tok)
	assert.Equal(t, "reporter", tok.User.Role)
	assert.False(t, tok.User.Verified)
	assert.Equal(t, "139****0009", tok.User.Phone, "the phone is masked")
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	assert.Equal(t, http.StatusUnauthorized, r.status, "a code works once: %s", r.body)

	// Expiry.
	clk.Advance(server.OTPResendInterval)
	require.Equal(t, http.StatusAccepted, s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone}).status)
	code = codeFor(phone)
	clk.Advance(server.OTPTTL + time.Second)
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	assert.Equal(t, http.StatusUnauthorized, r.status, "expired code: %s", r.body)

	// Attempts.
	require.Equal(t, http.StatusAccepted, s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone}).status)
	code = codeFor(phone)
	wrong = fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
	for i := 1; i < server.MaxOTPAttempts; i++ {
		r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": wrong})
		require.Equal(t, http.StatusUnauthorized, r.status, "attempt %d", i)
	}
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": wrong})
	assert.Equal(t, http.StatusTooManyRequests, r.status, "last attempt: %s", r.body)
	r = s.do("POST", "/api/v1/auth/login", "", map[string]string{"phone": phone, "code": code})
	assert.Equal(t, http.StatusUnauthorized, r.status, "the right code after too many wrong ones: %s", r.body)

	// Hourly cap.
	clk.Advance(time.Hour)
	for i := 0; i < server.MaxOTPPerHour; i++ {
		require.Equal(t, http.StatusAccepted, s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": "13700000007"}).status, "code %d", i)
		clk.Advance(server.OTPResendInterval)
	}
	r = s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": "13700000007"})
	assert.Equal(t, http.StatusTooManyRequests, r.status, "over the hourly cap: %s", r.body)
	assert.Equal(t, strconv.Itoa(int((time.Hour-server.MaxOTPPerHour*server.OTPResendInterval)/time.Second)), r.header.Get("Retry-After"),
		"over the hourly cap: the wait until the first code of the hour leaves the window")

	for _, bad := range []string{"12345", "1380000000a", "23800000001", ""} {
		r = s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": bad})
		assert.Equal(t, http.StatusBadRequest, r.status, "phone %q", bad)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
