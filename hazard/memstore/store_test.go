package memstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestStore(t *testing.T) {
	hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
}
