// Package hazard is the domain of hazardloop: a hazard report, its
// validation, the ports that store hazards, their event log and their
// photos, and the use cases of the closed loop.
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
// caller shares memory with a store. Times are UTC. Money is integer fen.
// Text limits are counted in runes.
//
// A Hazard carries its reporter; a PublicHazard cannot: the plaza's view is
// redacted by construction.
package hazard
