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
// Every change appends events to one ordered log. The Relay feeds the log to
// named Consumers (rewards, notifications, an integrator's own) at least once
// and in order per hazard, each with a saved cursor; a failing event is
// retried with backoff and, after too many attempts, parked until an
// operator re-drives it. Metrics exports Prometheus collectors on a caller's
// registerer.
//
// # Ports
//
// Store (with EventLog and Cursors) and BlobStore are implemented by
// adapters: memstore, memblob and fsblob here, pgstore in its own module.
// hazardtest.TestStore and hazardtest.TestBlobStore pin their promises.
// Optional capabilities (Locker, StatsStore, EventsBatcher, LimitedCreator)
// are found by type assertion.
//
// # Rate limits
//
// Limits have one home, the Limiter port: Take(ctx, key, rule, n) takes n
// units under a Limit (at most Max units in any window of length Per, a
// sliding window) and returns a Decision (Allowed, Remaining, RetryAfter,
// the real wait). The window rule itself is Limit.Admit, which every
// adapter applies atomically per key; Limit.CheckTake refuses bad keys,
// limits and counts (CodeInvalid) against named bounds (MaxLimitMax,
// MinLimitPer, MaxLimitPer, MaxLimitKeyLen), and Decision.Err turns a
// refusal into CodeRateLimited with Error.RetryAfter. memlimit holds limits
// in one process with bounded memory; pgstore's limiter holds them in the
// database, exactly across every process sharing it. hazardtest.TestLimiter
// pins the promises.
//
// Submit's daily limit is exact where the store is a LimitedCreator (it
// counts and inserts in one atomic step); otherwise ServiceConfig.Limiter
// applies it. Login codes, anonymous reports and partners' quotas take from
// the same port. No use case holds a lock across a store call.
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
