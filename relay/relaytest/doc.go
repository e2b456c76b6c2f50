// Package relaytest is the conformance suite of relay.Cursors, the port in
// which a relay keeps each consumer's position in the event log and the
// events it parked.
//
// An adapter proves that it keeps every promise written in the doc comments
// of relay.Cursors with one call from its own tests:
//
//	func TestCursors(t *testing.T) {
//		relaytest.TestCursors(t, func(t *testing.T) relay.Cursors { return memstore.New() })
//	}
//
// The suite calls open once per subtest, so that each behaviour starts from
// fresh, empty cursors; each behaviour is one t.Run, so a failure names the
// promise that was broken. Setup failures stop a subtest (t.Fatal); broken
// promises are reported with t.Error so that one run shows all of them.
package relaytest
