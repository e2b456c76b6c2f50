package relay_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
)

// appendAt appends a note about h logged at t.
func appendAt(t *testing.T, st hazard.Store, h hazard.Hazard, at time.Time) hazard.Event {
	t.Helper()
	e := hazardtest.NewEvent(h, hazard.EventNote)
	e.Time = at
	evs, err := st.Append(context.Background(), e)
	require.NoError(t, err, "Append (setup)")
	return evs[0]
}

// TestRelayRedeliveryWindow: a consumer with a redelivery window is handed
// an event again (a relay starting from a lost cursor) while the event is
// inside the window, never after it; the expired events are counted and
// the cursor moves past them.
func TestRelayRedeliveryWindow(t *testing.T) {
	ctx := context.Background()
	const window = time.Hour
	st := memstore.New()
	clock := hazardtest.NewClock(hazardtest.Epoch)
	hs := seed(t, st, 1) // seq 1, 2 logged at Epoch
	run := func(name string) (*recorder, *prometheus.Registry, relay.Cursors) {
		t.Helper()
		var rec recorder
		reg := prometheus.NewPedanticRegistry()
		m, err := relay.NewMetrics(reg)
		require.NoError(t, err)
		cursors := memstore.New() // a fresh cursor: every event is delivered again
		r, err := relay.New(st, cursors, relay.Config{
			Consumers: []relay.Consumer{{Name: "notify", Handle: rec.handle, RedeliveryWindow: window}},
			Clock:     clock.Now, Metrics: m,
		})
		require.NoError(t, err, "relay.New (%s)", name)
		require.NoError(t, r.Drain(ctx), "Drain (%s)", name)
		return &rec, reg, cursors
	}

	clock.Advance(30 * time.Minute)
	first, _, _ := run("first")
	assert.Equal(t, []int64{1, 2}, first.got(), "delivered inside the window")

	clock.Set(hazardtest.Epoch.Add(window))
	again, _, _ := run("again")
	assert.Equal(t, []int64{1, 2}, again.got(), "redelivered at the end of the window")

	clock.Set(hazardtest.Epoch.Add(window + time.Second))
	fresh := appendAt(t, st, hs[0], clock.Now()) // seq 3, logged now
	late, reg, cursors := run("late")
	assert.Equal(t, []int64{fresh.Seq}, late.got(), "past the window: only the new event")
	assert.Equal(t, 2.0, deliveries(t, reg, "notify", "expired"), "expired events are counted")
	cur, err := cursors.Cursor(ctx, "notify")
	require.NoError(t, err)
	assert.Equal(t, fresh.Seq, cur, "the cursor moves past expired events")
}

// TestRelayRedriveExpired: a parked event re-driven after the consumer's
// redelivery window is unparked without being handled.
func TestRelayRedriveExpired(t *testing.T) {
	ctx := context.Background()
	const window = time.Hour
	st := memstore.New()
	clock := hazardtest.NewClock(hazardtest.Epoch)
	seed(t, st, 2) // seq 1, 2 of hazard 0; 3, 4 of hazard 1
	var calls []int64
	h := func(_ context.Context, e hazard.Event) error {
		calls = append(calls, e.Seq)
		if e.Seq == 2 || e.Seq == 4 {
			return errors.New("channel down")
		}
		return nil
	}
	r, err := relay.New(st, st, relay.Config{
		Consumers: []relay.Consumer{{Name: "notify", Handle: h, RedeliveryWindow: window}},
		Clock:     clock.Now, MaxAttempts: 1,
	})
	require.NoError(t, err)
	require.NoError(t, r.Drain(ctx))
	parked, err := r.Parked(ctx, "notify")
	require.NoError(t, err)
	require.Len(t, parked, 2, "seq 2 and 4 parked")

	require.ErrorIs(t, r.Redrive(ctx, "notify", 4), hazard.ErrInternal, "inside the window it is handled (and fails again)")
	clock.Advance(window + time.Second)
	calls = nil
	require.NoError(t, r.Redrive(ctx, "notify", 2), "past the window")
	assert.Empty(t, calls, "an expired event is not handled")
	parked, err = r.Parked(ctx, "notify")
	require.NoError(t, err)
	require.Len(t, parked, 1, "seq 2 unparked")
	assert.Equal(t, int64(4), parked[0].Event.Seq)
}

// deliveries returns the deliveries counter of the consumer and outcome.
func deliveries(t *testing.T, reg *prometheus.Registry, consumer, outcome string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	for _, fam := range fams {
		if fam.GetName() != "hazardloop_relay_deliveries_total" {
			continue
		}
		for _, m := range fam.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["consumer"] == consumer && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
