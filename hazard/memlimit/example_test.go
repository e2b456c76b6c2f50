package memlimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
)

// At most two codes a minute per phone: the third waits until the first
// leaves the window.
func Example() {
	clock := hazardtest.NewClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	l := memlimit.New(memlimit.Config{Clock: clock.Now})
	rule := hazard.Limit{Max: 2, Per: time.Minute}
	for range 3 {
		d, err := l.Take(context.Background(), "otp-send:13900000001", rule, 1)
		fmt.Println(d.Allowed, d.Remaining, d.RetryAfter, err)
		clock.Advance(20 * time.Second)
	}
	// Output:
	// true 1 0s <nil>
	// true 0 0s <nil>
	// false 0 20s <nil>
}
