package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secret = []byte("0123456789abcdef-secret")

// webhookReceiver verifies signatures like a real receiver and answers with
// the status and Retry-After queued in statuses (200 when none are left).
type webhookReceiver struct {
	mu       sync.Mutex
	statuses []int
	retry    string
	got      []notify.WebhookPayload
	bad      int
}

func (wr *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if err := notify.VerifyWebhook(secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, time.Now(), time.Hour); err != nil {
		wr.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	status := http.StatusOK
	if len(wr.statuses) > 0 {
		status, wr.statuses = wr.statuses[0], wr.statuses[1:]
	}
	if wr.retry != "" {
		w.Header().Set("Retry-After", wr.retry)
	}
	if status/100 == 2 {
		var p notify.WebhookPayload
		_ = json.Unmarshal(body, &p)
		wr.got = append(wr.got, p)
	}
	w.WriteHeader(status)
}

func newWebhook(t *testing.T, url string, timeout time.Duration) *notify.Webhook {
	t.Helper()
	w, err := notify.NewWebhook(notify.WebhookConfig{URL: url, Secret: secret, Templates: notify.MustTemplates(notify.DefaultTexts()), Timeout: timeout})
	require.NoError(t, err)
	return w
}

func TestWebhook(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		retry   string
		wantErr error
		after   time.Duration
	}{
		{name: "delivered", status: http.StatusOK},
		{name: "accepted", status: http.StatusAccepted},
		{name: "5xx is temporary", status: http.StatusBadGateway, wantErr: notify.ErrTemporary},
		{name: "429 honours retry-after", status: http.StatusTooManyRequests, retry: "7", wantErr: notify.ErrRateLimited, after: 7 * time.Second},
		{name: "503 honours retry-after", status: http.StatusServiceUnavailable, retry: "2", wantErr: notify.ErrTemporary, after: 2 * time.Second},
		{name: "other 4xx is permanent", status: http.StatusUnprocessableEntity, wantErr: notify.ErrPermanent},
		{name: "401 is credentials", status: http.StatusUnauthorized, wantErr: notify.ErrCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := &webhookReceiver{statuses: []int{tt.status}, retry: tt.retry}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			err := newWebhook(t, srv.URL, time.Second).Notify(context.Background(), alice, msg)
			assert.Zero(t, rcv.bad, "bad signatures")
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Len(t, rcv.got, 1)
				assert.Equal(t, notify.KeyReceived, rcv.got[0].Template)
				assert.Equal(t, "k1", rcv.got[0].IdempotencyKey)
				assert.Contains(t, rcv.got[0].Text, "LC-1")
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.after, notify.RetryAfter(err))
		})
	}
}

func TestWebhookSignatureRejectsTampering(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sig := notify.SignWebhook(secret, "1800000000", []byte(`{"a":1}`))
	require.NoError(t, notify.VerifyWebhook(secret, "1800000000", sig, []byte(`{"a":1}`), now, time.Minute))
	require.ErrorIs(t, notify.VerifyWebhook(secret, "1800000000", sig, []byte(`{"a":2}`), now, time.Minute), hazard.ErrUnauthenticated)
	require.ErrorIs(t, notify.VerifyWebhook(secret, "1800000000", sig, []byte(`{"a":1}`), now.Add(time.Hour), time.Minute), hazard.ErrUnauthenticated)
	require.ErrorIs(t, notify.VerifyWebhook([]byte("another-secret-of-16"), "1800000000", sig, []byte(`{"a":1}`), now, time.Minute), hazard.ErrUnauthenticated)
}

func TestWebhookTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 2) // one per request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	err := newWebhook(t, srv.URL, 50*time.Millisecond).Notify(context.Background(), alice, msg)
	require.ErrorIs(t, err, notify.ErrTemporary, "a timeout is temporary")

	<-arrived // the first request reached the server
	// Cancel once the second request is in flight at the server.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	err = newWebhook(t, srv.URL, time.Minute).Notify(ctx, alice, msg)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, notify.Retryable(err))
}

func TestWebhookTransportErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	hook := srv.URL + "/hook?token=s3cret-token"
	srv.Close() // every request now fails in the transport
	bob := notify.Recipient{UserID: "u-bob", Addresses: map[notify.Channel]string{notify.ChannelWebhook: hook}}
	err := newWebhook(t, "", time.Second).Notify(context.Background(), bob, msg)
	require.ErrorIs(t, err, notify.ErrTemporary)
	assert.NotContains(t, err.Error(), "s3cret-token", "Notify error: the URL's token must not reach logs or parked events")
}

func TestWebhookConfig(t *testing.T) {
	_, err := notify.NewWebhook(notify.WebhookConfig{Secret: []byte("short"), URL: "ftp://x"})
	require.ErrorIs(t, err, hazard.ErrInvalid)
	w := newWebhook(t, "", time.Second)
	require.ErrorIs(t, w.Notify(context.Background(), alice, msg), notify.ErrPermanent, "no URL at all")
}

// smsGateway behaves like an SMS gateway: it checks the API key and the
// template ID and answers with queued statuses.
type smsGateway struct {
	mu       sync.Mutex
	statuses []int
	got      []notify.SMSRequest
}

func (g *smsGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer key-1" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req notify.SMSRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TemplateID == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	status := http.StatusOK
	if len(g.statuses) > 0 {
		status, g.statuses = g.statuses[0], g.statuses[1:]
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "30")
	}
	if status == http.StatusOK {
		g.got = append(g.got, req)
		_, _ = w.Write([]byte(`{"code":"OK"}`))
		return
	}
	w.WriteHeader(status)
}

func TestSMS(t *testing.T) {
	noPhone := alice
	noPhone.Addresses = map[notify.Channel]string{notify.ChannelSMS: "12345"}
	tests := []struct {
		name    string
		to      notify.Recipient
		key     string
		status  int
		wantErr error
		sent    bool
	}{
		{name: "delivered", to: alice, key: notify.KeyReceived, sent: true},
		{name: "invalid phone sends nothing", to: noPhone, key: notify.KeyReceived, wantErr: notify.ErrPermanent},
		{name: "no template ID sends nothing", to: alice, key: notify.KeyRewardExpired, wantErr: notify.ErrPermanent},
		{name: "429 is rate limited", to: alice, key: notify.KeyReceived, status: http.StatusTooManyRequests, wantErr: notify.ErrRateLimited},
		{name: "5xx is temporary", to: alice, key: notify.KeyReceived, status: http.StatusInternalServerError, wantErr: notify.ErrTemporary},
		{name: "4xx is permanent", to: alice, key: notify.KeyReceived, status: http.StatusBadRequest, wantErr: notify.ErrPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &smsGateway{}
			if tt.status != 0 {
				g.statuses = []int{tt.status}
			}
			srv := httptest.NewServer(g)
			defer srv.Close()
			s, err := notify.NewSMS(notify.SMSConfig{URL: srv.URL, APIKey: "key-1", Sign: "隐患随手拍",
				Templates: map[string]string{notify.KeyReceived: "SMS_1001"}})
			require.NoError(t, err)
			m := msg
			m.Template = tt.key
			err = s.Notify(context.Background(), tt.to, m)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tt.status == http.StatusTooManyRequests {
				assert.Equal(t, 30*time.Second, notify.RetryAfter(err))
			}
			if !tt.sent {
				assert.Empty(t, g.got)
				return
			}
			require.Len(t, g.got, 1)
			assert.Equal(t, notify.SMSRequest{Phone: "13812345678", Sign: "隐患随手拍", TemplateID: "SMS_1001",
				Params: map[string]string{"ref": "LC-1"}, IdempotencyKey: "k1"}, g.got[0])
		})
	}
	_, err := notify.NewSMS(notify.SMSConfig{})
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestValidPhone(t *testing.T) {
	for p, want := range map[string]bool{"13812345678": true, "+8613812345678": true, "8613812345678": true,
		"12812345678": false, "1381234567": false, "": false, "138-1234-5678": false} {
		assert.Equal(t, want, notify.ValidPhone(p), "ValidPhone(%q)", p)
	}
}

func TestLogNotifierMasksPersonalData(t *testing.T) {
	var buf bytes.Buffer
	l := notify.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)), notify.MustTemplates(notify.DefaultTexts()))
	require.NoError(t, l.Notify(context.Background(), alice, msg))
	out := buf.String()
	assert.NotContains(t, out, "13812345678")
	assert.NotContains(t, out, "oAlice123")
	assert.Contains(t, out, "138****5678")
	assert.Contains(t, out, "LC-1")

	buf.Reset()
	otp := notify.Message{Template: notify.KeyOTP, Data: map[string]string{"code": "428913", "minutes": "5"}}
	require.NoError(t, l.Notify(context.Background(), alice, otp))
	assert.NotContains(t, buf.String(), "428913", "an OTP never reaches the log")
	assert.Equal(t, "https://hooks.example.com", notify.MaskAddress(notify.ChannelWebhook, "https://user:pw@hooks.example.com/p?token=x"))
}

func TestRecorder(t *testing.T) {
	r := notify.NewRecorder(notify.ChannelSMS, notify.MustTemplates(notify.DefaultTexts()))
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, r.Notify(context.Background(), alice, msg)) }()
	}
	wg.Wait()
	sent := r.Sent()
	require.Len(t, sent, 10)
	assert.True(t, strings.Contains(sent[0].Text, "LC-1"))
	require.ErrorIs(t, r.Notify(context.Background(), notify.Recipient{UserID: "x"}, msg), notify.ErrPermanent, "no address")
	r.Reset()
	assert.Empty(t, r.Sent())
}
