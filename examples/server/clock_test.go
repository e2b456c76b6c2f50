package server_test

import (
	"time"

	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

// newClock returns a manual clock reading the present.
func newClock() *hazardtest.Clock { return hazardtest.NewClock(time.Now()) }

func mustTime(t interface {
	Helper()
	Fatalf(string, ...any)
}, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}
