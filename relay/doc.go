// Package relay feeds the event log (hazard.EventLog) to named consumers:
// the outbox of hazardloop, by which rewards, notices, figures and maps
// learn of every change after it committed.
//
// The log holds the events of every subject (hazard.Subject: a hazard, a
// unit, an inspection, an account) in one sequence, and a Relay delivers
// them all, each consumer at its own pace from its own saved cursor, at
// least once and in log order, so in order per subject. A consumer skips
// the events it has no use for. A failing event is retried with backoff
// and, after too many attempts, parked with its error; the subject's later
// events are parked behind it, so that an operator's Redrive delivers them
// in order. A consumer may set a redelivery window (Consumer.RedeliveryWindow):
// it is never handed an event logged longer ago, so that the log by which
// it drops redeliveries (notify's delivery log) need keep its records only
// a little longer than that.
//
// # Ports
//
// Cursors, where a relay keeps each consumer's position and parked events,
// is this package's port, used by the relay alone (hazard.Store knows
// nothing of it). memstore and pgstore implement it beside their
// hazard.Store; relaytest.TestCursors pins its promises. Locker is an
// optional capability of Cursors, found by type assertion, that lets
// relays in several processes share consumers. CheckConsumerName is the one
// home of the rule for consumer names, which New and every Cursors apply.
//
// # Conventions
//
// Errors are *hazard.Error values with a code, matched with errors.Is
// against hazard's sentinels. A Relay is safe for concurrent use; handlers
// must be idempotent. Metrics exports the relay's Prometheus collectors on
// a caller's registerer; a nil *Metrics measures nothing.
package relay
