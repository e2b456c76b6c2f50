// Package hazard is the domain of hazardloop: a hazard report, its
// validation, the ports that store hazards, their event log and their
// photos, and the use cases of the closed loop.
//
// # The closed loop
//
// Service holds the use cases: Submit validates and stores a report with its
// first event (idempotent per reporter and key, rate-limited, flagging likely
// duplicates nearby); Act runs an action of the hazard's workflow definition
// (package workflow) and saves the new state and its event with the expected
// version, so that of two concurrent actions exactly one wins; PublicView,
// ReporterView and StaffView show a hazard to the plaza, its reporter and
// staff, and SightOf says which of them a user may have; Queue, Overdue, Escalate, Stats and DepartmentFigures (the
// per-department 对账 view, staff only) serve dispatchers, departments
// and supervisors.
//
// Every change appends events to one ordered log, the EventLog: the events
// of hazards and of any other subject (a Subject: a kind and an ID, such as
// a unit, an inspection or an account) share one gapless sequence, so that
// every change travels the same road. A hazard's event names its hazard in
// HazardID; Event.SubjectOf gives any event's subject. Package relay feeds
// the log to named consumers (rewards, notifications, an integrator's own)
// at least once and in order per subject. Metrics exports Prometheus
// collectors on a caller's registerer.
//
// # Ports
//
// Store (hazards and the EventLog) and BlobStore are implemented by
// adapters: memstore, memblob and fsblob here, pgstore in its own module.
// hazardtest.TestStore and hazardtest.TestBlobStore pin their promises.
// Optional capabilities (StatsStore, EventsBatcher, LimitedCreator) are
// found by type assertion. The relay's cursors are a port of package relay.
//
// # Conventions
//
// Errors are *Error values with a Code (invalid, not_found, conflict,
// forbidden, unauthenticated, rate_limited, internal); match them with
// errors.Is against the sentinels (ErrNotFound, ErrConflict...) or read the
// code with ErrorCode. Validation reports every problem at once, each with
// its field, in Error.Fields.
//
// Hazards and events are values: stores copy them in and out, so that no
// caller shares memory with a store. Times are UTC from an injected clock.
// Money is integer fen. Text limits are counted in runes.
//
// A Hazard carries its reporter; a PublicHazard cannot: the plaza's view is
// redacted by construction.
package hazard
