package notifytest_test

import (
	"context"
	"fmt"

	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/notify/notifytest"
)

// An adapter's test file runs the whole suite with one call:
//
//	func TestDeliveryLog(t *testing.T) {
//		notifytest.TestDeliveryLog(t, func(t *testing.T) notify.DeliveryLog { return notify.NewMemoryLog(0) })
//	}
//
// What the suite checks, shown on the memory log: a recorded key is
// delivered, recording it again is not an error, and keys compare exactly.
func Example() {
	ctx := context.Background()
	l := notify.NewMemoryLog(notifytest.MinKeys)
	_ = l.Record(ctx, notify.Delivery{Key: "evt-1/citizen-1/log", At: notifytest.T0})
	err := l.Record(ctx, notify.Delivery{Key: "evt-1/citizen-1/log", At: notifytest.T0})
	a, _ := l.Delivered(ctx, "evt-1/citizen-1/log")
	b, _ := l.Delivered(ctx, "EVT-1/citizen-1/log")
	fmt.Println(err, a, b)
	// Output: <nil> true false
}
