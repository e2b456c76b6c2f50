package notify_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted returns a notifier that returns errs in turn (then nil) and
// counts its calls.
func scripted(errs ...error) (notify.Notifier, *atomic.Int32) {
	var calls atomic.Int32
	var mu sync.Mutex
	return notify.NotifierFunc(func(ctx context.Context, _ notify.Recipient, _ notify.Message) error {
		calls.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(errs) == 0 {
			return nil
		}
		err := errs[0]
		errs = errs[1:]
		return err
	}), &calls
}

var (
	alice = notify.Recipient{UserID: "u-alice", Addresses: map[notify.Channel]string{
		notify.ChannelWeChat: "oAlice123", notify.ChannelSMS: "13812345678"}}
	msg = notify.Message{Template: notify.KeyReceived, Data: map[string]string{"ref": "LC-1"}, IdempotencyKey: "k1"}
)

func TestDiscard(t *testing.T) {
	require.NoError(t, notify.Discard.Notify(context.Background(), alice, msg))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, notify.Discard.Notify(ctx, alice, msg), context.Canceled)
}

func TestFallback(t *testing.T) {
	perm := notify.Permanent(notify.ChannelWeChat, "wechat.send", "refused", nil)
	temp := notify.Temporary(notify.ChannelWeChat, "wechat.send", "busy", nil)
	tests := []struct {
		name             string
		first, second    []error
		wantFirst        int32
		wantSecond       int32
		wantErr          error
		wantFinal, retry bool
	}{
		{name: "first delivers", wantFirst: 1, wantSecond: 0},
		{name: "final error falls back", first: []error{perm}, wantFirst: 1, wantSecond: 1},
		{name: "temporary error does not fall back", first: []error{temp}, wantFirst: 1, wantSecond: 0, wantErr: notify.ErrTemporary, retry: true},
		{name: "both final", first: []error{perm}, second: []error{perm}, wantFirst: 1, wantSecond: 1, wantErr: notify.ErrPermanent, wantFinal: true},
		{name: "final then temporary is retryable", first: []error{perm}, second: []error{temp}, wantFirst: 1, wantSecond: 1, wantErr: notify.ErrTemporary, retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ac := scripted(tt.first...)
			b, bc := scripted(tt.second...)
			err := notify.Fallback(a, b).Notify(context.Background(), alice, msg)
			assert.Equal(t, tt.wantFirst, ac.Load(), "first calls")
			assert.Equal(t, tt.wantSecond, bc.Load(), "second calls")
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantFinal, notify.Final(err), "Final")
			assert.Equal(t, tt.retry, notify.Retryable(err), "Retryable")
		})
	}
}

func TestFanOutReportsEachResult(t *testing.T) {
	ok, _ := scripted()
	bad, _ := scripted(notify.RateLimited(notify.ChannelSMS, "sms", "429", time.Second))
	f := notify.NewFanOut(notify.Named{Name: "wechat", Notifier: ok}, notify.Named{Name: "sms", Notifier: bad})
	res := f.Send(context.Background(), alice, msg)
	require.Len(t, res, 2)
	assert.Equal(t, "wechat", res[0].Name)
	require.NoError(t, res[0].Err)
	assert.Equal(t, "sms", res[1].Name)
	require.ErrorIs(t, res[1].Err, notify.ErrRateLimited)

	err := f.Notify(context.Background(), alice, msg) // bad's script is spent: both succeed
	require.NoError(t, err)

	bad2, _ := scripted(notify.Permanent(notify.ChannelSMS, "sms", "bad phone", nil))
	err = notify.NewFanOut(notify.Named{Name: "wechat", Notifier: ok}, notify.Named{Name: "sms", Notifier: bad2}).Notify(context.Background(), alice, msg)
	var fe *notify.FanOutError
	require.ErrorAs(t, err, &fe)
	require.ErrorIs(t, err, notify.ErrPermanent)
	assert.False(t, notify.Retryable(err))
	assert.NoError(t, fe.Results[0].Err)
}

// fakeSleep records waits without sleeping.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func TestRetry(t *testing.T) {
	temp := notify.Temporary(notify.ChannelSMS, "sms", "503", nil)
	perm := notify.Permanent(notify.ChannelSMS, "sms", "400", nil)
	tests := []struct {
		name      string
		script    []error
		attempts  int
		wantCalls int32
		wantWaits []time.Duration
		wantErr   error
	}{
		{name: "success first time", wantCalls: 1},
		{name: "temporary then success", script: []error{temp, temp}, attempts: 4, wantCalls: 3,
			wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{name: "permanent is not retried", script: []error{perm}, attempts: 4, wantCalls: 1, wantErr: notify.ErrPermanent},
		{name: "gives up after max attempts", script: []error{temp, temp, temp}, attempts: 2, wantCalls: 2,
			wantWaits: []time.Duration{100 * time.Millisecond}, wantErr: notify.ErrTemporary},
		{name: "honours retry-after", script: []error{notify.RateLimited(notify.ChannelSMS, "sms", "429", 3*time.Second)}, attempts: 3,
			wantCalls: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "retry-after beyond max delay is left to the caller", script: []error{notify.RateLimited(notify.ChannelSMS, "sms", "429", time.Hour)},
			attempts: 3, wantCalls: 1, wantErr: notify.ErrRateLimited},
		{name: "foreign errors are not retried", script: []error{errors.New("boom")}, attempts: 3, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, calls := scripted(tt.script...)
			fs := &fakeSleep{}
			r := notify.Retry(n, notify.RetryConfig{MaxAttempts: tt.attempts, BaseDelay: 200 * time.Millisecond,
				MaxDelay: 10 * time.Second, Jitter: func() float64 { return 0 }, Sleep: fs.sleep})
			err := r.Notify(context.Background(), alice, msg)
			assert.Equal(t, tt.wantCalls, calls.Load(), "calls")
			assert.Equal(t, tt.wantWaits, fs.waits, "waits")
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case len(tt.script) > 0 && notify.KindOf(tt.script[0]) == "":
				require.Error(t, err)
			default:
				require.NoError(t, err)
			}
		})
	}
}

func TestRetryBackoffGrowsWithJitterAndCap(t *testing.T) {
	temp := notify.Temporary(notify.ChannelSMS, "sms", "503", nil)
	n, _ := scripted(temp, temp, temp, temp, temp)
	fs := &fakeSleep{}
	r := notify.Retry(n, notify.RetryConfig{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: 4 * time.Second,
		Jitter: func() float64 { return 0.5 }, Sleep: fs.sleep})
	require.NoError(t, r.Notify(context.Background(), alice, msg))
	// half + 0.5*half of 1s, 2s, 4s, 4s (capped), 4s
	assert.Equal(t, []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 3 * time.Second, 3 * time.Second}, fs.waits)
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	temp := notify.Temporary(notify.ChannelSMS, "sms", "503", nil)
	n, calls := scripted(temp, temp, temp)
	// called is closed by the first attempt: Retry then waits an hour
	// (the real sleep), and the context ends during that wait.
	called := make(chan struct{})
	var once sync.Once
	first := notify.NotifierFunc(func(ctx context.Context, to notify.Recipient, m notify.Message) error {
		defer once.Do(func() { close(called) })
		return n.Notify(ctx, to, m)
	})
	ctx, cancel := context.WithCancel(context.Background())
	r := notify.Retry(first, notify.RetryConfig{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour})
	done := make(chan error, 1)
	go func() { done <- r.Notify(ctx, alice, msg) }()
	<-called
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, int32(1), calls.Load())
}

func newClock() *hazardtest.Clock {
	return hazardtest.NewClock(time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC))
}

func TestRateLimit(t *testing.T) {
	c := newClock()
	l, err := notify.NewLimiter(2, 2, c.Now) // 2 a second, burst 2
	require.NoError(t, err)
	n, calls := scripted()
	rl := notify.RateLimit(notify.ChannelSMS, n, l)
	ctx := context.Background()
	require.NoError(t, rl.Notify(ctx, alice, msg))
	require.NoError(t, rl.Notify(ctx, alice, msg))
	err = rl.Notify(ctx, alice, msg)
	require.ErrorIs(t, err, notify.ErrRateLimited)
	assert.InDelta(t, float64(500*time.Millisecond), float64(notify.RetryAfter(err)), float64(time.Millisecond))
	assert.Equal(t, int32(2), calls.Load(), "a limited message is not sent")
	c.Advance(500 * time.Millisecond)
	require.NoError(t, rl.Notify(ctx, alice, msg))
	assert.Equal(t, int32(3), calls.Load())

	_, err = notify.NewLimiter(0, 0, nil)
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestDeduplicate(t *testing.T) {
	log := notify.NewMemoryLog(0)
	n, calls := scripted()
	d := notify.Deduplicate(n, log, notify.DedupConfig{Channel: notify.ChannelSMS})
	ctx := context.Background()
	require.NoError(t, d.Notify(ctx, alice, msg))
	require.NoError(t, d.Notify(ctx, alice, msg), "a duplicate is dropped without error")
	assert.Equal(t, int32(1), calls.Load(), "the duplicate was not sent")
	ds := log.Deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, "k1", ds[0].Key)
	assert.Equal(t, notify.ChannelSMS, ds[0].Channel)

	noKey := msg
	noKey.IdempotencyKey = ""
	require.NoError(t, d.Notify(ctx, alice, noKey))
	require.NoError(t, d.Notify(ctx, alice, noKey))
	assert.Equal(t, int32(3), calls.Load(), "messages without a key are not deduplicated")

	long := msg
	long.IdempotencyKey = string(make([]byte, notify.MaxIdempotencyKeyLen+1))
	require.ErrorIs(t, d.Notify(ctx, alice, long), hazard.ErrInvalid)

	failing, _ := scripted(notify.Temporary(notify.ChannelSMS, "sms", "503", nil))
	d2 := notify.Deduplicate(failing, log, notify.DedupConfig{Channel: notify.ChannelSMS})
	m2 := msg
	m2.IdempotencyKey = "k2"
	require.ErrorIs(t, d2.Notify(ctx, alice, m2), notify.ErrTemporary)
	ok, err := log.Delivered(ctx, "k2")
	require.NoError(t, err)
	assert.False(t, ok, "a failed delivery is not recorded")
}

func TestMemoryLogForgetsOldest(t *testing.T) {
	log := notify.NewMemoryLog(2)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, log.Record(ctx, notify.Delivery{Key: k}))
	}
	for k, want := range map[string]bool{"a": false, "b": true, "c": true} {
		got, err := log.Delivered(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Delivered(%q)", k)
	}
}
