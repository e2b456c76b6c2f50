package notifytest

import (
	"context"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/relay"
)

// Periods of TestRetention: the redelivery window of the relay consumer
// and how long deliveries are kept, longer than the window.
const (
	RetentionWindow = time.Hour
	RetentionKeep   = 2 * time.Hour
)

// TestRetention checks, over a delivery log with the DeliveryForgetter
// capability (open returns it empty), that deliveries kept RetentionKeep
// and a relay consumer with the redelivery window RetentionWindow work
// together: a notification router fed by relay.Relay sends a reporter's
// message once; within the window, an event delivered again (a relay
// restarting from a lost cursor) is recognised by the log and sends
// nothing, also after a sweep (notify.ForgetDeliveries of what is older
// than RetentionKeep) that leaves the young record; after RetentionKeep the
// sweep forgets the record, and the relay no longer hands the event over,
// so nothing is sent twice. The event log and cursors are memstore's:
// the delivery log is what is under test. An adapter runs it with one
// line:
//
//	notifytest.TestRetention(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
func TestRetention(t *testing.T, open func(t *testing.T) notify.DeliveryLog) {
	ctx := context.Background()
	l := open(t)
	if _, ok := l.(notify.DeliveryForgetter); !ok {
		t.Fatal("the log has no DeliveryForgetter capability")
	}
	clock := hazardtest.NewClock(T0)
	st := memstore.New()
	h := hazardtest.NewHazard(hazardtest.WithReporter("retention-reporter"), hazardtest.WithCreatedAt(T0))
	h, _, err := st.Create(ctx, h, []hazard.Event{{HazardID: h.ID, Type: hazard.EventSubmitted,
		Actor: hazard.Actor{ID: h.Reporter.UserID, Role: "reporter"}, To: h.State, Time: T0}}, "")
	if err != nil {
		t.Fatalf("Create (setup): %v", err)
	}
	rec := notify.NewRecorder(notify.ChannelLog, nil)
	router, err := notify.NewRouter(notify.RouterConfig{Hazards: st, Directory: reporters{}, Log: l, Clock: clock.Now,
		Channels: map[notify.Channel]notify.Notifier{notify.ChannelLog: rec}, Order: []notify.Channel{notify.ChannelLog}})
	if err != nil {
		t.Fatalf("NewRouter (setup): %v", err)
	}
	// deliver runs a relay from a fresh cursor, as after a lost cursor:
	// every event of the log is read again; handed counts the events the
	// router was handed.
	handed := 0
	deliver := func(when string) {
		t.Helper()
		c := router.Consumer("notify")
		handle := c.Handle
		c.Handle = func(ctx context.Context, e hazard.Event) error { handed++; return handle(ctx, e) }
		c.RedeliveryWindow = RetentionWindow
		r, err := relay.New(st, memstore.New(), relay.Config{Consumers: []relay.Consumer{c}, Clock: clock.Now})
		if err != nil {
			t.Fatalf("relay.New (%s): %v", when, err)
		}
		if err := r.Drain(ctx); err != nil {
			t.Errorf("Drain (%s): %v", when, err)
		}
	}
	sweep := func(when string, want int64) {
		t.Helper()
		n, err := notify.ForgetDeliveries(ctx, l, clock.Now().Add(-RetentionKeep))
		if err != nil || n != want {
			t.Errorf("ForgetDeliveries %s = %d, %v; want %d, nil", when, n, err, want)
		}
	}
	sent := func(when string) {
		t.Helper()
		if n := len(rec.Sent()); n != 1 {
			t.Errorf("messages sent %s = %d, want 1", when, n)
		}
	}

	deliver("first")
	sent("after the first delivery")

	clock.Set(T0.Add(RetentionWindow))
	sweep("at the end of the window", 0)
	deliver("again at the end of the window")
	if handed != 2 {
		t.Errorf("events handed to the router = %d, want 2: inside the window the event is delivered again", handed)
	}
	sent("after a redelivery inside the window: the log recognised it")

	clock.Set(T0.Add(RetentionKeep))
	sweep("at the end of the retention period", 0)

	clock.Set(T0.Add(RetentionKeep + time.Second))
	sweep("after the retention period", 1)
	deliver("after the retention period")
	if handed != 2 {
		t.Errorf("events handed to the router = %d, want 2: past the window the event is passed over", handed)
	}
	sent("after the record was forgotten: the event is past the window")
}

// reporters is a directory of citizens alone, each reachable by the log
// channel.
type reporters struct{}

func (reporters) User(_ context.Context, id string) (notify.Recipient, error) {
	return notify.Recipient{UserID: id, Addresses: map[notify.Channel]string{notify.ChannelLog: id}}, nil
}

func (reporters) Users(context.Context, notify.UserQuery) ([]notify.Recipient, error) {
	return nil, nil
}
