package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// teeNotifier sends each message to the recorder (for the test to read the
// codes) and to the log notifier the server runs by default.
type teeNotifier struct{ ns []notify.Notifier }

func (t teeNotifier) Notify(ctx context.Context, to notify.Recipient, m notify.Message) error {
	for _, n := range t.ns {
		if err := n.Notify(ctx, to, m); err != nil {
			return err
		}
	}
	return nil
}

// TestLogsCarryNoPersonalData runs the whole loop (a citizen's report
// through to its reward, a login by phone, a real-name verification, a
// refused verification and a rate-limited code) with every log at debug
// level captured, then scans the logs and the metrics for the phones, ID
// numbers and names of the people involved: none may appear, on memory and
// PostgreSQL.
func TestLogsCarryNoPersonalData(t *testing.T) { forEachBackend(t, testLogsCarryNoPersonalData) }

func testLogsCarryNoPersonalData(t *testing.T, backend func(*server.Config)) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	templates, err := notify.NewTemplates(notify.DefaultTexts())
	require.NoError(t, err)
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	s := startServer(t, backend, func(c *server.Config) {
		c.Logger = logger
		c.Notifier = teeNotifier{[]notify.Notifier{rec, notify.NewLog(logger, templates)}}
	})
	s.recorder = rec

	citizenLoop(t, s)
	const phone, name = "13912345678", "欧阳明"
	id := withCheck("44030519800101123")
	tok := s.phoneLogin(phone)
	r := s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone})
	require.Equal(t, http.StatusTooManyRequests, r.status, "a second code at once")
	r = s.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": name, "resident_id": id})
	require.Equal(t, http.StatusOK, r.status, "verify: %s", r.body)
	r = s.do("POST", "/api/v1/me/verify", s.login("citizen-2"), map[string]string{"name": name, "resident_id": id})
	require.Equal(t, http.StatusConflict, r.status, "the same ID number again: %s", r.body)
	metrics := s.do("GET", "/metrics", "", nil)
	require.Equal(t, http.StatusOK, metrics.status)

	secret := []string{phone, name, id, "13800000001", "13800000002", "13800000003", "张三", "李四", "王调度", "赵消防", "陈审核",
		withCheck("11010519900307123"), withCheck("37150219851120456")}
	out := logs.String()
	require.NotEmpty(t, out, "the run logged nothing: the capture is broken")
	for _, p := range secret {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, p) {
				t.Errorf("a log line carries %q: %s", p, line)
			}
		}
		assert.NotContains(t, string(metrics.body), p, "the metrics carry personal data")
	}
}
