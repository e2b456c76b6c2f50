// Package notifytest is the conformance suite of notify.DeliveryLog: any
// adapter proves it keeps the port's promises with one call,
//
//	notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
//
// open is called once per subtest and must return an empty log with room
// for at least MinKeys keys. Subtests run one after another; one of them
// runs Goroutines goroutines against one log, so run the suite with -race.
// A broken promise is reported with t.Error; t.Fatal stops a subtest only
// when its setup fails.
//
// The optional capabilities UserDeliveries and DeliveryForgetter are
// checked when the log has them, and skipped (saying so) when it has not.
//
// TestRetention checks a log that forgets (notify.DeliveryForgetter)
// together with a relay consumer's redelivery window: what a retention
// sweep may forget is never needed to recognise a redelivery.
//
// A log that is a hazard.Forgetter (a person's erasure) is checked too:
// every delivery to the person is rewritten by notify.ForgetDelivery.
//
// That a second Record keeps the first record's channel, user and time is
// not visible through the port; adapters that list their records check it
// in their own tests (pgstore's RecordAgainKeepsFirst).
package notifytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/notify"
)

// Goroutines is how many goroutines the concurrency test runs.
const Goroutines = 20

// MinKeys is the most keys one subtest records.
const MinKeys = 2 * Goroutines

// T0 is the time of the suite's deliveries.
var T0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// TestDeliveryLog runs the conformance suite of notify.DeliveryLog against
// the logs open returns, each empty. An adapter's test runs it with one
// call:
//
//	notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
func TestDeliveryLog(t *testing.T, open func(t *testing.T) notify.DeliveryLog) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, l notify.DeliveryLog)
	}{
		{"UnknownKeyNotDelivered", testUnknown},
		{"RecordedKeyDelivered", testRecorded},
		{"RecordAgain", testRecordAgain},
		{"KeysCompareExactly", testExactKeys},
		{"LongestKey", testLongestKey},
		{"Concurrent", testConcurrent},
		{"DeliveriesTo", testDeliveriesTo},
		{"Forget", testForget},
		{"ForgetUser", testForgetUser},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func delivery(key string) notify.Delivery {
	return notify.Delivery{Key: key, Channel: notify.ChannelLog, UserID: "citizen-1", At: T0}
}

func record(t *testing.T, l notify.DeliveryLog, key string) {
	t.Helper()
	if err := l.Record(ctx, delivery(key)); err != nil {
		t.Fatalf("Record(%q): %v", key, err)
	}
}

// delivered checks Delivered(key) against want.
func delivered(t *testing.T, l notify.DeliveryLog, key string, want bool, why string) {
	t.Helper()
	got, err := l.Delivered(ctx, key)
	if err != nil || got != want {
		t.Errorf("Delivered(%q) = %v, %v; want %v, nil (%s)", key, got, err, want, why)
	}
}

func testUnknown(t *testing.T, l notify.DeliveryLog) {
	delivered(t, l, "evt-1/citizen-1/log", false, "a key never recorded")
}

func testRecorded(t *testing.T, l notify.DeliveryLog) {
	record(t, l, "evt-1/citizen-1/log")
	delivered(t, l, "evt-1/citizen-1/log", true, "after Record")
	delivered(t, l, "evt-1/citizen-1/sms", false, "another key")
}

func testRecordAgain(t *testing.T, l notify.DeliveryLog) {
	record(t, l, "k")
	again := notify.Delivery{Key: "k", Channel: notify.ChannelSMS, UserID: "someone-else", At: T0.Add(time.Hour)}
	if err := l.Record(ctx, again); err != nil {
		t.Errorf("Record of a key again = %v, want nil", err)
	}
	delivered(t, l, "k", true, "after a second Record")
}

func testExactKeys(t *testing.T, l notify.DeliveryLog) {
	key := "evt-42/Citizen-1/wechat"
	record(t, l, key)
	for _, other := range []string{
		strings.ToLower(key), // case matters
		key + " ",            // trailing space matters
		key[:len(key)-1],     // a prefix is another key
		"evt-42/Citizen-1/wechát",
	} {
		delivered(t, l, other, false, "a key unlike the recorded one")
	}
	unicode := "事件-42/市民/微信"
	record(t, l, unicode)
	delivered(t, l, unicode, true, "a key in UTF-8")
}

func testLongestKey(t *testing.T, l notify.DeliveryLog) {
	long := strings.Repeat("k", notify.MaxIdempotencyKeyLen-1)
	a, b := long+"a", long+"b"
	record(t, l, a)
	delivered(t, l, a, true, fmt.Sprintf("a key of MaxIdempotencyKeyLen (%d) bytes", notify.MaxIdempotencyKeyLen))
	delivered(t, l, b, false, "a key differing only in its last byte")
}

func testConcurrent(t *testing.T, l notify.DeliveryLog) {
	// Each goroutine records its own key and the shared one, and reads.
	errs := make(chan error, 3*Goroutines)
	hazardtest.Together(Goroutines, func(i int) {
		own := fmt.Sprintf("evt-%d/citizen-%d/log", i, i)
		errs <- l.Record(ctx, delivery(own))
		errs <- l.Record(ctx, delivery("evt-shared/citizen-1/log"))
		if ok, err := l.Delivered(ctx, own); err != nil || !ok {
			errs <- fmt.Errorf("Delivered(%q) right after its Record = %v, %v; want true", own, ok, err)
		}
	})
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Record and Delivered: %v", err)
		}
	}
	for i := range Goroutines {
		delivered(t, l, fmt.Sprintf("evt-%d/citizen-%d/log", i, i), true, "recorded concurrently")
	}
	delivered(t, l, "evt-shared/citizen-1/log", true, "recorded by every goroutine")
}

// testDeliveriesTo checks the optional UserDeliveries capability.
func testDeliveriesTo(t *testing.T, l notify.DeliveryLog) {
	ud, ok := l.(notify.UserDeliveries)
	if !ok {
		t.Skip("the log has no UserDeliveries capability")
	}
	user := fmt.Sprintf("dt-%d", time.Now().UnixNano())
	at := func(key string, ch notify.Channel, who string, d time.Duration) {
		if err := l.Record(ctx, notify.Delivery{Key: key, Channel: ch, UserID: who, At: T0.Add(d)}); err != nil {
			t.Fatalf("Record(%q): %v", key, err)
		}
	}
	at(user+"/a", notify.ChannelSMS, user, time.Minute)
	at(user+"/b", notify.ChannelWeChat, user, time.Hour)
	at(user+"/c", notify.ChannelLog, "someone-else", 2*time.Hour)
	at(user+"/d", notify.ChannelLog, user, time.Hour) // the same time as b: by key
	got, err := ud.DeliveriesTo(ctx, user, 0)
	if err != nil {
		t.Fatalf("DeliveriesTo: %v", err)
	}
	var keys []string
	for _, d := range got {
		keys = append(keys, d.Key)
		if d.UserID != user || d.At.Location() != time.UTC {
			t.Errorf("DeliveriesTo gave %+v: another user's, or not in UTC", d)
		}
	}
	if want := []string{user + "/d", user + "/b", user + "/a"}; fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("DeliveriesTo = %v, want the user's deliveries newest first %v", keys, want)
	}
	if got[len(got)-1].Channel != notify.ChannelSMS || !got[len(got)-1].At.Equal(T0.Add(time.Minute)) {
		t.Errorf("DeliveriesTo's oldest = %+v, want the SMS at T0+1m", got[len(got)-1])
	}
	two, err := ud.DeliveriesTo(ctx, user, 2)
	if err != nil || len(two) != 2 || two[0].Key != user+"/d" {
		t.Errorf("DeliveriesTo with limit 2 = %v, %v; want the 2 newest", two, err)
	}
	none, err := ud.DeliveriesTo(ctx, "nobody-"+user, 0)
	if err != nil || len(none) != 0 {
		t.Errorf("DeliveriesTo of a user without deliveries = %v, %v; want none", none, err)
	}
}

// testForget checks the optional DeliveryForgetter capability: deliveries
// recorded before the time are forgotten, those at or after it kept.
func testForget(t *testing.T, l notify.DeliveryLog) {
	f, ok := l.(notify.DeliveryForgetter)
	if !ok {
		t.Skip("the log has no DeliveryForgetter capability")
	}
	at := func(key string, d time.Duration) {
		if err := l.Record(ctx, notify.Delivery{Key: key, Channel: notify.ChannelLog, UserID: "citizen-1", At: T0.Add(d)}); err != nil {
			t.Fatalf("Record(%q): %v", key, err)
		}
	}
	at("forget/old", -time.Hour)
	at("forget/older", -48*time.Hour)
	at("forget/at", 0)
	at("forget/new", time.Hour)
	n, err := f.Forget(ctx, T0)
	if err != nil || n != 2 {
		t.Errorf("Forget(T0) = %d, %v; want 2, nil (the two recorded before)", n, err)
	}
	delivered(t, l, "forget/old", false, "recorded before the time: forgotten")
	delivered(t, l, "forget/older", false, "recorded long before the time: forgotten")
	delivered(t, l, "forget/at", true, "recorded at the time: kept")
	delivered(t, l, "forget/new", true, "recorded after the time: kept")
	n, err = f.Forget(ctx, T0)
	if err != nil || n != 0 {
		t.Errorf("Forget(T0) again = %d, %v; want 0, nil", n, err)
	}
	record(t, l, "forget/old") // recorded again at T0: a new record
	delivered(t, l, "forget/old", true, "recorded again after Forget")
}

// testForgetUser checks hazard.Forgetter on a log that has it: the
// person's keys name the pseudonym (a redelivery to the pseudonym is still
// dropped, no key names the person), other keys are untouched, and a
// second call or a person without deliveries is no error.
func testForgetUser(t *testing.T, l notify.DeliveryLog) {
	f, ok := l.(hazard.Forgetter)
	if !ok {
		t.Skip("the log is no hazard.Forgetter")
	}
	n := time.Now().UnixNano()
	person, other := fmt.Sprintf("fu-%d", n), fmt.Sprintf("fu-other-%d", n)
	long := fmt.Sprintf("fu-long-%d-%s", n, strings.Repeat("x", 80)) // hashed in keys
	keys := map[string]string{
		person: fmt.Sprintf("evt-%d/%s/wechat", n, person),
		other:  fmt.Sprintf("evt-%d/%s/wechat", n, other),
		long:   fmt.Sprintf("evt-%d/%s/sms", n, notify.KeyPart(long)),
	}
	for who, k := range keys {
		if err := l.Record(ctx, notify.Delivery{Key: k, Channel: notify.ChannelWeChat, UserID: who, At: T0}); err != nil {
			t.Fatalf("Record(%q): %v", k, err)
		}
	}
	for _, who := range []string{person, long} {
		e := hazardtest.NewErasure(who)
		if err := f.ForgetUser(ctx, e); err != nil {
			t.Fatalf("ForgetUser: %v", err)
		}
		if err := f.ForgetUser(ctx, e); err != nil {
			t.Errorf("ForgetUser again: %v", err)
		}
		want := notify.Delivery{Key: keys[who], UserID: who}
		notify.ForgetDelivery(&want, e)
		delivered(t, l, keys[who], false, "the key naming the person is gone")
		delivered(t, l, want.Key, true, "the key naming the pseudonym drops a redelivery")
		if strings.Contains(want.Key, notify.KeyPart(who)) {
			t.Errorf("the rewritten key %q still names the person", want.Key)
		}
		if ud, ok := l.(notify.UserDeliveries); ok {
			if got, err := ud.DeliveriesTo(ctx, who, 0); err != nil || len(got) != 0 {
				t.Errorf("DeliveriesTo(the person) = %v, %v; want none", got, err)
			}
			got, err := ud.DeliveriesTo(ctx, e.Pseudonym, 0)
			if err != nil || len(got) != 1 || got[0].Key != want.Key || got[0].Channel != notify.ChannelWeChat || !got[0].At.Equal(T0) {
				t.Errorf("DeliveriesTo(the pseudonym) = %v, %v; want the rewritten delivery %q", got, err, want.Key)
			}
		}
	}
	delivered(t, l, keys[other], true, "another user's key is untouched")
	if err := f.ForgetUser(ctx, hazardtest.NewErasure("nobody-"+person)); err != nil {
		t.Errorf("ForgetUser of a person without deliveries: %v", err)
	}
	if err := f.ForgetUser(ctx, hazard.Erasure{UserID: person}); !errors.Is(err, hazard.ErrInvalid) {
		t.Errorf("ForgetUser of an invalid erasure = %v, want CodeInvalid", err)
	}
}
