package server_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
)

// TestRetentionConfig: the retention periods are checked at start, each
// problem naming its setting.
func TestRetentionConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r     server.Retention
		field string
	}{
		{"negative original photos", server.Retention{OriginalPhotos: -time.Hour}, "original_photo_retention"},
		{"negative login codes", server.Retention{LoginCodes: -time.Hour}, "login_code_retention"},
		{"window too short", server.Retention{RedeliveryWindow: server.MinRedeliveryWindow - time.Second}, "redelivery_window"},
		{"delivery log not beyond the window", server.Retention{DeliveryLog: 48 * time.Hour, RedeliveryWindow: 48 * time.Hour}, "delivery_log_retention"},
		{"delivery log shorter than the default window", server.Retention{DeliveryLog: 24 * time.Hour}, "delivery_log_retention"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server.New(context.Background(), server.Config{Logger: quietLogger(), Retention: tc.r})
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var he *hazard.Error
			require.ErrorAs(t, err, &he)
			var fields []string
			for _, f := range he.Fields {
				fields = append(fields, f.Field)
			}
			assert.Equal(t, []string{tc.field}, fields, "the setting at fault")
		})
	}
	s, err := server.New(context.Background(), server.Config{Logger: quietLogger(),
		Retention: server.Retention{DeliveryLog: 48*time.Hour + time.Second, RedeliveryWindow: 48 * time.Hour}})
	require.NoError(t, err, "a delivery log kept longer than the window")
	require.NoError(t, s.Close())
}

// TestRetentionSweep: the server's periodic sweep, on its injected clock,
// purges login codes (used or not), deliveries of the notification log and
// the originals of photos after their periods and not before, counting
// each in /metrics; a purged original leaves its public copy, which staff
// then get.
func TestRetentionSweep(t *testing.T) { forEachBackend(t, testRetentionSweep) }

func testRetentionSweep(t *testing.T, backend func(*server.Config)) {
	ctx := context.Background()
	const day = 24 * time.Hour
	ret := server.Retention{OriginalPhotos: 20 * day, LoginCodes: 2 * time.Hour, DeliveryLog: 10 * day, RedeliveryWindow: day}
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	h := newHandlerServer(t, func(c *server.Config) { backend(c); c.Notifier = rec; c.Retention = ret })
	t0 := h.clk.Now()
	at := func(d time.Duration) { h.clk.Set(t0.Add(d)); h.srv.Sweep(ctx) }
	purged := func(kind string) float64 { return retentionPurged(t, h, kind) }

	// Two login codes: one used, one never.
	for _, phone := range []string{"13900000031", "13900000032"} {
		code, out := h.call("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone})
		require.Equal(t, http.StatusAccepted, code, "%v", out)
	}
	var otp string
	for _, m := range rec.Sent() {
		if m.Message.Template == notify.KeyOTP && m.To.Addresses[notify.ChannelSMS] == "13900000031" {
			otp = m.Message.Data["code"]
		}
	}
	code, out := h.call("POST", "/api/v1/auth/login", "", map[string]string{"phone": "13900000031", "code": otp})
	require.Equal(t, http.StatusOK, code, "login: %v", out)

	// A photo with its GPS position in a forwarded report.
	original := hazardtest.JPEGWithGPS()
	stripped, err := hazard.StripMetadata(hazard.TypeJPEG, original)
	require.NoError(t, err)
	key := h.upload(h.token("citizen-1"), "", original)
	code, out = h.call("POST", "/api/v1/reports", h.token("citizen-1"), anonReport(key))
	require.Equal(t, http.StatusCreated, code, "%v", out)
	id := out["id"].(string)
	code, out = h.call("POST", "/api/v1/reports/"+id+"/actions/dispatch", h.token("dispatcher-1"),
		map[string]any{"expected_version": out["version"], "department": "fire"})
	require.Equal(t, http.StatusOK, code, "dispatch: %v", out)
	require.NoError(t, h.srv.Drain(ctx), "Drain: the notices are sent and logged")
	notices := func() int {
		code, out := h.call("GET", "/api/v1/me/data", h.token("citizen-1"), nil)
		require.Equal(t, http.StatusOK, code, "%v", out)
		n, _ := out["notices"].([]any)
		return len(n)
	}
	require.NotZero(t, notices(), "the citizen's notices are in the delivery log")
	photo := func(token string) ([]byte, string) {
		t.Helper()
		req := httptest.NewRequest("GET", "/photos/"+key, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, "GET /photos: %s", w.Body)
		return w.Body.Bytes(), w.Header().Get("Cache-Control")
	}

	// Login codes: kept for their period after they expire.
	at(server.OTPTTL + ret.LoginCodes - time.Second)
	assert.Zero(t, purged("login_code"), "login codes before their period ended")
	at(server.OTPTTL + ret.LoginCodes + time.Second)
	assert.Equal(t, 2.0, purged("login_code"), "login codes after their period, used or not")

	// Deliveries.
	at(ret.DeliveryLog - time.Second)
	assert.Zero(t, purged("delivery"), "deliveries before their period ended")
	assert.NotZero(t, notices(), "the notices are still listed")
	at(ret.DeliveryLog + time.Second)
	n := purged("delivery")
	assert.NotZero(t, n, "deliveries after their period")
	assert.Zero(t, notices(), "no notice is listed after the period")
	at(ret.DeliveryLog + 2*time.Second)
	assert.Equal(t, n, purged("delivery"), "nothing more to purge")

	// Originals.
	at(ret.OriginalPhotos - time.Second)
	assert.Zero(t, purged("original_photo"), "originals before their period ended")
	got, cache := photo(h.token("fire-1"))
	assert.Equal(t, original, got, "staff get the original within its period")
	assert.Equal(t, "no-store", cache)
	at(ret.OriginalPhotos + time.Second)
	assert.Equal(t, 1.0, purged("original_photo"), "the original with metadata after its period")
	got, cache = photo(h.token("fire-1"))
	assert.Equal(t, stripped, got, "staff get the public copy once the original is purged")
	assert.Equal(t, "no-store", cache, "the copy given in its stead is as private as the original")
	got, _ = photo(h.token("citizen-1"))
	assert.Equal(t, stripped, got, "so does the uploader")
	got, _ = photo("")
	assert.Equal(t, stripped, got, "the public sees what it saw")
	code, out = h.call("GET", "/api/v1/plaza/"+refOf(t, h, id), "", nil)
	require.Equal(t, http.StatusOK, code, "%v", out)
	assert.NotEmpty(t, out["photo_links"], "the report still shows its photo")
}

// refOf returns the reference number of the report id.
func refOf(t *testing.T, h *handlerServer, id string) string {
	t.Helper()
	code, out := h.call("GET", "/api/v1/reports/"+id, h.token("admin-1"), nil)
	require.Equal(t, http.StatusOK, code, "%v", out)
	return out["ref"].(string)
}

// retentionPurged reads hazardloop_retention_purged_total{kind} from
// /metrics.
func retentionPurged(t *testing.T, h *handlerServer, kind string) float64 {
	t.Helper()
	w := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, http.StatusOK, w.Code)
	prefix := `hazardloop_retention_purged_total{kind="` + kind + `"} `
	sc := bufio.NewScanner(io.NopCloser(bytes.NewReader(w.Body.Bytes())))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("no %s in /metrics", prefix)
	return 0
}
