// Package pgstore keeps hazardloop's data in PostgreSQL: a hazard.Store
// (hazards and the event log of every subject) that is also a relay's
// relay.Cursors (consumer cursors and parked events), a reward.Ledger, a
// notify.DeliveryLog, a hazard.BlobStore, hazard.Uploads (pending
// uploads and the hazards their photos are attached to) and a
// hazard.Limiter (rate limits shared by every process on the database)
// and a risk.Store (units, risk points, assessments and the planner's
// due-date index, whose units' events join the one event log), over one
// pgx connection pool.
//
// Open connects and Migrate applies the embedded schema migrations, in
// order, under an advisory lock, so that several server processes may start
// at once on one database. Every operation is a short transaction, most a
// single statement.
//
// Errors are *hazard.Error: a unique violation is CodeConflict, a missing
// row CodeNotFound, and any other driver error CodeInternal with the cause
// kept. Values are copied in and out; nothing returned shares memory with
// the adapter. All types are safe for concurrent use by many goroutines and
// many processes.
package pgstore
