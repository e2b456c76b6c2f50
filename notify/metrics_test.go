package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/notify"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsOfComposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := notify.NewMetrics(reg)
	require.NoError(t, err)
	_, err = notify.NewMetrics(reg)
	require.Error(t, err, "registering twice fails")

	temp := notify.Temporary(notify.ChannelSMS, "sms", "503", nil)
	n, _ := scripted(temp, temp)
	fs := &fakeSleep{}
	chain := notify.Deduplicate(
		notify.Instrument(notify.ChannelSMS,
			notify.Retry(n, notify.RetryConfig{Channel: notify.ChannelSMS, Metrics: m, Sleep: fs.sleep, MaxDelay: time.Second}), m),
		notify.NewMemoryLog(0), notify.DedupConfig{Channel: notify.ChannelSMS, Metrics: m})
	ctx := context.Background()
	require.NoError(t, chain.Notify(ctx, alice, msg))
	require.NoError(t, chain.Notify(ctx, alice, msg))
	bad, _ := scripted(notify.RateLimited(notify.ChannelWeChat, "wechat", "quota", time.Hour))
	require.Error(t, notify.Instrument(notify.ChannelWeChat, bad, m).Notify(ctx, alice, msg))

	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP hazardloop_notifications_duplicates_dropped_total Notifications dropped because their idempotency key was already delivered.
# TYPE hazardloop_notifications_duplicates_dropped_total counter
hazardloop_notifications_duplicates_dropped_total{channel="sms"} 1
# HELP hazardloop_notifications_failed_total Notification attempts that failed, by error kind.
# TYPE hazardloop_notifications_failed_total counter
hazardloop_notifications_failed_total{channel="wechat",kind="rate_limited"} 1
# HELP hazardloop_notifications_retried_total Notification attempts that were retries of a failed attempt.
# TYPE hazardloop_notifications_retried_total counter
hazardloop_notifications_retried_total{channel="sms"} 2
# HELP hazardloop_notifications_sent_total Notifications handed over to a channel.
# TYPE hazardloop_notifications_sent_total counter
hazardloop_notifications_sent_total{channel="sms"} 1
`)))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}
