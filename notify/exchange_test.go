package notify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
)

// TestExchangeRouting: a question goes to the reporter; added information
// and an answer to the handlers of the hazard's department, or to the
// dispatchers while it has none; no message carries the reporter.
func TestExchangeRouting(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	h := hazardtest.NewHazard(hazardtest.WithReporter("u-rep"), hazardtest.WithCategory("gas"))
	h.Reporter.Contact = hazard.Contact{Name: reporterName, Phone: reporterPhone}
	_, _, err := st.Create(ctx, h, []hazard.Event{{HazardID: h.ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "u-rep", Role: "reporter"}, Time: hazardtest.Epoch}}, "")
	require.NoError(t, err)
	rec := notify.NewRecorder(notify.ChannelSMS, nil)
	r, err := notify.NewRouter(notify.RouterConfig{Hazards: st, Directory: newDirectory(),
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelSMS: rec, notify.ChannelWeChat: rec}})
	require.NoError(t, err)

	plan := func(e hazard.Event) map[string]string {
		ps, err := r.Plan(ctx, e)
		require.NoError(t, err)
		out := map[string]string{}
		for _, p := range ps {
			out[p.To.UserID] = p.Message.Template
			for _, v := range p.Message.Data {
				assert.NotContains(t, v, reporterName)
				assert.NotContains(t, v, reporterPhone)
			}
		}
		return out
	}
	info := hazard.Event{Seq: 5, HazardID: h.ID, Type: hazard.EventInfoAdded, Actor: hazard.Actor{ID: "u-rep", Role: "reporter"}, PrivateNote: "more", Time: hazardtest.Epoch}
	assert.Equal(t, map[string]string{"u-d": notify.KeyInfoAdded}, plan(info), "no department yet: the dispatchers")

	h.Department, h.Version = "gas", 1
	_, err = st.Update(ctx, h, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"u-h1": notify.KeyInfoAdded, "u-h2": notify.KeyInfoAdded}, plan(info), "the department's handlers")
	q := hazard.Event{Seq: 6, HazardID: h.ID, Type: hazard.EventQuestion, Actor: hazard.Actor{ID: "u-h1", Role: "handler"}, PrivateNote: "which floor?", Time: hazardtest.Epoch}
	assert.Equal(t, map[string]string{"u-rep": notify.KeyQuestion}, plan(q), "the reporter")
	a := hazard.Event{Seq: 7, HazardID: h.ID, Type: hazard.EventAnswer, Actor: hazard.Actor{ID: "u-rep", Role: "reporter"}, PrivateNote: "third", Time: hazardtest.Epoch}
	assert.Equal(t, map[string]string{"u-h1": notify.KeyAnswered, "u-h2": notify.KeyAnswered}, plan(a))
	me := hazard.Event{Seq: 8, HazardID: h.ID, Type: hazard.EventMeToo, Actor: hazard.Actor{ID: "u-x", Role: "reporter"}, Time: hazardtest.Epoch}
	assert.Empty(t, plan(me), "a me-too tells nobody")
}

// TestRouterDeliver: Deliver sends on the recipient's channels with the
// router's deduplication, and Delivered says so after.
func TestRouterDeliver(t *testing.T) {
	ctx := context.Background()
	rec := notify.NewRecorder(notify.ChannelSMS, nil)
	r, err := notify.NewRouter(notify.RouterConfig{Hazards: memstore.New(), Directory: newDirectory(),
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelSMS: rec}})
	require.NoError(t, err)
	to := notify.Recipient{UserID: "u1", Addresses: addr("sms", "13800000001")}
	m := notify.Message{Template: notify.KeyAreaAlert, Data: map[string]string{"ref": "X"}, IdempotencyKey: "area-1/u1"}
	seen, err := r.Delivered(ctx, to, m)
	require.NoError(t, err)
	assert.False(t, seen)
	require.NoError(t, r.Deliver(ctx, to, m))
	require.NoError(t, r.Deliver(ctx, to, m))
	require.Len(t, rec.Sent(), 1, "a second delivery of the same key")
	assert.Equal(t, "area-1/u1/sms", rec.Sent()[0].Message.IdempotencyKey)
	seen, err = r.Delivered(ctx, to, m)
	require.NoError(t, err)
	assert.True(t, seen)
	require.NoError(t, r.Deliver(ctx, notify.Recipient{UserID: "u2"}, m), "no address: nothing to do")
	muted := notify.Recipient{UserID: "u3", Addresses: addr("sms", "1"), Preferences: notify.Preferences{Muted: []string{notify.KeyAreaAlert}}}
	require.NoError(t, r.Deliver(ctx, muted, m))
	assert.Len(t, rec.Sent(), 1, "a muted template")
}
