package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRelayCrashDeliversOnceAfterRestart runs the real relay.Relay over
// memstore: a first process crashes between reading the event and sending,
// a second crashes after sending but before saving its cursor, and a third
// runs clean. The reporter gets each message exactly once, thanks to the
// relay's cursor and the delivery log (durable in production; one shared
// MemoryLog stands for it here).
func TestRelayCrashDeliversOnceAfterRestart(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.store.Append(ctx, hazard.Event{HazardID: f.h.ID, Type: hazard.EventRewardIssued, Actor: hazard.System, Time: time.Now().UTC(),
		Data: map[string]string{"reward_id": "r1", "amount_fen": "5000", "claim_by": "2026-12-08T16:00:00Z", "reporter_id": "u-rep"}})
	require.NoError(t, err)
	dir := newDirectory()
	newRouter := func(wechat notify.Notifier) *notify.Router {
		r, err := notify.NewRouter(notify.RouterConfig{Hazards: f.store, Directory: dir, Log: f.log,
			Channels: map[notify.Channel]notify.Notifier{notify.ChannelWeChat: wechat}})
		require.NoError(t, err)
		return r
	}
	newRelay := func(c relay.Consumer) *relay.Relay {
		r, err := relay.New(f.store, f.store, relay.Config{Consumers: []relay.Consumer{c}, BackoffBase: time.Millisecond, BackoffMax: time.Millisecond})
		require.NoError(t, err)
		return r
	}

	// 1. The process dies after the relay handed over the event, before the send.
	ctx1, crash1 := context.WithCancel(ctx)
	dying := notify.NotifierFunc(func(ctx context.Context, _ notify.Recipient, _ notify.Message) error {
		crash1()
		return ctx.Err()
	})
	require.Error(t, newRelay(newRouter(dying).Consumer("notify")).Drain(ctx1))
	cur, err := f.store.Cursor(ctx, "notify")
	require.NoError(t, err)
	assert.Equal(t, int64(0), cur, "nothing was handled")
	assert.Empty(t, f.wechat.Sent())

	// 2. The process dies after the send, before the cursor is saved.
	ctx2, crash2 := context.WithCancel(ctx)
	r2 := newRouter(f.wechat).Consumer("notify")
	sendThenDie := relay.Consumer{Name: "notify", Handle: func(ctx context.Context, e hazard.Event) error {
		if err := r2.Handle(ctx, e); err != nil {
			return err
		}
		crash2()
		return ctx.Err()
	}}
	require.Error(t, newRelay(sendThenDie).Drain(ctx2))
	require.Len(t, f.wechat.Sent(), 1, "the first message went out")
	cur, err = f.store.Cursor(ctx, "notify")
	require.NoError(t, err)
	assert.Equal(t, int64(0), cur, "but the cursor was not saved")

	// 3. A clean restart: the first event is redelivered and dropped, the
	// second is sent.
	require.NoError(t, newRelay(newRouter(f.wechat).Consumer("notify")).Drain(ctx))
	var keys []string
	for _, s := range f.wechat.Sent() {
		keys = append(keys, s.Message.Template+" "+s.Message.IdempotencyKey)
	}
	assert.Equal(t, []string{notify.KeyReceived + " evt-1/u-rep/wechat", notify.KeyRewardPending + " evt-2/u-rep/wechat"}, keys, "each message exactly once")
	cur, err = f.store.Cursor(ctx, "notify")
	require.NoError(t, err)
	assert.Equal(t, int64(2), cur)
	parked, err := f.store.Parked(ctx, "notify")
	require.NoError(t, err)
	assert.Empty(t, parked)
}
