// Package memstore is the in-memory adapter of hazard.Store (hazards and
// the event log of every subject) and of relay.Cursors (a relay's consumer
// cursors and parked events): for tests, demos and single-process
// deployments that can lose their data on restart. One *Store is both, so
// that a relay reads its log and keeps its cursors in the same place.
//
// A *Store is safe for concurrent use: one RWMutex guards it, and every
// write (a hazard with its events) is one step under the lock, so readers
// never see a half-done change nor a gap in the event log. Hazards and
// events are deep-copied on the way in and out.
//
// Listing costs in proportion to the page, not to the number of stored
// hazards: the store keeps each dimension of hazard.Filter (state,
// category, department, reporter, source, open or closed) as a sorted
// index of IDs, starts from the smallest index that the filter names, seeks
// the cursor by binary search and checks the remaining conditions on the
// fly. Nearby searches a grid of cells of about a kilometre per category,
// holding open hazards only. See BENCHMARKS.md for figures.
//
// It passes hazardtest.TestStore and relaytest.TestCursors under the race
// detector.
//
// Uploads (NewUploads) is the in-memory hazard.Uploads, for the same uses;
// it passes hazardtest.TestUploads.
package memstore
