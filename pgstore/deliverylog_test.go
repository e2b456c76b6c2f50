package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/notify/notifytest"
	"github.com/hazardloop/hazardloop/pgstore"
)

func TestDeliveryLogConformance(t *testing.T) {
	testURL(t)
	notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return newDB(t).DeliveryLog() })
}

// TestDeliveryLog checks what the conformance suite cannot see: the
// records kept, sharing across processes, Forget and the listing.
func TestDeliveryLog(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, a, b *pgstore.DeliveryLog)
	}{
		{"RecordAgainKeepsFirst", func(t *testing.T, a, b *pgstore.DeliveryLog) {
			first := notify.Delivery{Key: "k", Channel: notify.ChannelLog, UserID: "first", At: t0}
			require.NoError(t, a.Record(ctx, first))
			require.NoError(t, b.Record(ctx, notify.Delivery{Key: "k", Channel: notify.ChannelSMS, UserID: "second", At: t0.Add(time.Hour)}),
				"Record of a key again")
			got, err := a.Deliveries(ctx, "", 0)
			require.NoError(t, err)
			assert.Equal(t, []notify.Delivery{first}, got, "deliveries after a second Record")
		}},
		{"SharedAcrossProcesses", func(t *testing.T, a, b *pgstore.DeliveryLog) {
			require.NoError(t, a.Record(ctx, notify.Delivery{Key: "evt-7/citizen-1/log", Channel: notify.ChannelLog, UserID: "citizen-1", At: t0}))
			ok, err := b.Delivered(ctx, "evt-7/citizen-1/log")
			require.NoError(t, err)
			assert.True(t, ok, "Delivered on B of a key recorded on A")
		}},
		{"DeduplicateAcrossProcesses", func(t *testing.T, a, b *pgstore.DeliveryLog) {
			recA, recB := notify.NewRecorder(notify.ChannelLog, nil), notify.NewRecorder(notify.ChannelLog, nil)
			na := notify.Deduplicate(recA, a, notify.DedupConfig{Channel: notify.ChannelLog})
			nb := notify.Deduplicate(recB, b, notify.DedupConfig{Channel: notify.ChannelLog})
			to := notify.Recipient{UserID: "citizen-1"}
			m := notify.Message{Template: notify.KeyReceived, IdempotencyKey: "evt-9/citizen-1/log"}
			require.NoError(t, na.Notify(ctx, to, m), "first delivery on A")
			require.NoError(t, nb.Notify(ctx, to, m), "redelivery on B")
			require.NoError(t, na.Notify(ctx, to, m), "redelivery on A")
			assert.Len(t, recA.Sent(), 1, "messages A sent")
			assert.Empty(t, recB.Sent(), "messages B sent: the redelivery is dropped")
		}},
		{"Forget", func(t *testing.T, a, _ *pgstore.DeliveryLog) {
			l := a
			require.NoError(t, l.Record(ctx, notify.Delivery{Key: "old", Channel: notify.ChannelLog, UserID: "u", At: t0}))
			require.NoError(t, l.Record(ctx, notify.Delivery{Key: "new", Channel: notify.ChannelLog, UserID: "u", At: t0.Add(48 * time.Hour)}))
			n, err := l.Forget(ctx, t0.Add(24*time.Hour))
			require.NoError(t, err)
			assert.Equal(t, int64(1), n, "Forget: removed")
			got, err := l.Deliveries(ctx, "", 0)
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, "new", got[0].Key, "the delivery left")
		}},
		{"DeliveriesByPrefixAndLimit", func(t *testing.T, a, _ *pgstore.DeliveryLog) {
			l := a
			for i, k := range []string{"evt-1/a/log", "evt-1/b/log", "evt-2/a/log"} {
				require.NoError(t, l.Record(ctx, notify.Delivery{Key: k, Channel: notify.ChannelLog, UserID: "x", At: t0.Add(time.Duration(i) * time.Second)}))
			}
			got, err := l.Deliveries(ctx, "evt-1/", 0)
			require.NoError(t, err)
			assert.Len(t, got, 2, "deliveries of evt-1")
			got, err = l.Deliveries(ctx, "", 1)
			require.NoError(t, err)
			require.Len(t, got, 1, "deliveries with limit 1")
			assert.Equal(t, "evt-1/a/log", got[0].Key, "oldest first")
			assert.Equal(t, t0, got[0].At, "time round trip in UTC")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := twoProcesses(t)
			tc.run(t, a.DeliveryLog(), b.DeliveryLog())
		})
	}
}

// TestDeliveryLogRetention: deliveries kept for their period and the
// relay's redelivery window over PostgreSQL (notifytest.TestRetention).
func TestDeliveryLogRetention(t *testing.T) {
	testURL(t)
	notifytest.TestRetention(t, func(t *testing.T) notify.DeliveryLog { return newDB(t).DeliveryLog() })
}
