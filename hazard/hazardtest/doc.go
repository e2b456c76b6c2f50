// Package hazardtest is the conformance suite of the hazard storage ports
// and a set of fixtures to build valid hazards and events in tests.
//
// An adapter proves that it keeps every promise written in the doc comments
// of hazard.Store, hazard.EventLog, hazard.BlobStore, hazard.Uploads and
// hazard.Limiter (TestLimiter), and of a store's erasure capabilities
// hazard.Forgetter and hazard.ErasureJournal (TestErasure; the kits of
// Uploads and Limiter check their Forgetter and LimitResetter), with one
// call from its own tests (the relay's cursors have their own kit,
// relaytest):
//
//	func TestStore(t *testing.T) {
//		hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return memstore.New() })
//	}
//
// The suite calls open once per subtest, so that each behaviour starts from a
// fresh, empty store; each behaviour is one t.Run, so a failure names the
// promise that was broken. Setup failures stop a subtest (t.Fatal); broken
// promises are reported with t.Error so that one run shows all of them.
//
// The fixtures (NewHazard, FullHazard, NewEvent, FullEvent, NewSubjectEvent,
// FullSubjectEvent, NewPhoto, NewErasure) make valid values
// with fresh identities, for this suite and for the tests of packages that
// build on a Store; PNGPhoto, JPEGWithGPS and WebPWithEXIF make small
// images, with metadata where their names say so, for tests of uploads.
package hazardtest
