package memstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/relay/relaytest"
)

func TestStore(t *testing.T) {
	hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
}

func TestCursors(t *testing.T) {
	relaytest.TestCursors(t, func(t *testing.T) relay.Cursors { return memstore.New() })
}

func TestErasure(t *testing.T) {
	hazardtest.TestErasure(t, func(t *testing.T) hazard.Store { return memstore.New() })
}

func TestModerationStore(t *testing.T) {
	hazardtest.TestModerationStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
}
