package memfollow_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/follow/followtest"
	"github.com/hazardloop/hazardloop/follow/memfollow"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestStore(t *testing.T) {
	followtest.TestStore(t, func(t *testing.T) followtest.Harness {
		hs := memstore.New()
		return followtest.Harness{Store: memfollow.New(hs), Hazards: hs}
	})
}
