package memstore_test

import (
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestAnonymousConformance(t *testing.T) {
	hazardtest.TestAnonymous(t, func(t *testing.T, now func() time.Time) (hazard.Store, hazard.Limiter) {
		return memstore.New(), memlimit.New(memlimit.Config{Clock: now})
	})
}
