package relaytest_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/relay/relaytest"
)

// An adapter's test of its cursors is one call.
func ExampleTestCursors() {
	// In a file such as memstore_test.go:
	test := func(t *testing.T) {
		relaytest.TestCursors(t, func(t *testing.T) relay.Cursors { return memstore.New() })
	}
	_ = test
	// Output:
}
