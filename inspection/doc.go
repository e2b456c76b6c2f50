// Package inspection is the regulators' checking side: the departments'
// standard checklists, enforcement inspections and units' self-checks that
// raise hazards, supervision-group spot checks of closed-out hazards,
// training records, and the reconciliation ledger (对账销号) with its
// campaign figures.
//
// # Checklists
//
// A Checklist belongs to an industry and a department and has versions; a
// published version never changes (Store has no update for it). Items have
// a code, what to check, a Basis, a major-hazard criterion or none, and a
// default deadline. ParseJSON and ParseCSV read the files a department
// edits and report every problem at once, each on its field or line.
// Samples are paraphrased demonstration lists, marked Sample.
//
// # Inspections
//
// Service.Start opens a visit (at least MinEnforcementInspectors
// inspectors for an enforcement visit; the unit's safety manager, role
// enterprise, for a self-check). Service.RecordResult keeps one item's
// result on the open visit as soon as it is given (a phone fills a
// checklist item by item and loses nothing on a reload), and
// Service.RecordTrained the people trained on site; each is one versioned
// update with its event. Service.Finish takes the recorded results (a
// result given to it replaces its item's) and stores every result and
// the decision in one atomic step, as an EventFinished of subject kind
// "inspection" in the one event log. Service.Consumer, a relay.Consumer,
// then raises one hazard per non-compliant item in the rectification
// process (hazard.Source inspection or self_check, hazard.Hazard.UnitID
// set) with the idempotency key "<inspection>/<item>" in the finishing
// inspector's name, so a redelivery or a crash after the Nth hazard
// raises each exactly once, and tells the risk register
// (risk.Service.RecordInspection).
//
// # Reconciliation and supervision
//
// Service.Ledger lists every hazard found at units of a unit, department,
// industry or district with its deadline, state and stage of
// reconciliation, which the hazard's process declares
// (hazard.StateMeaning.Stage); Ledger.WriteCSV exports it. The ledger and
// the figures are hazard.Stats, not a second copy: the register maps a
// district or an industry to its units through its index
// (risk.Store.UnitRefs), and one hazard.StatsQuery over those units counts
// their hazards (hazard.Service.StatsOf, reading the hazard store's index
// by unit through the hazard.StatsReader capability). Service.LedgerPage
// answers one page of a ledger (oldest first, with a cursor) with the
// counts of the whole: through the Store's optional LedgerReader
// capability, which reads a district's page and counts from indexes of
// its own (pgstore keeps beside each hazard its unit's place in the
// register), or cut from the whole ledger otherwise;
// inspectiontest.TestLedgerReader holds the two equal.
// Service.Figures counts a campaign's visits, hazards per visit (split
// BySource, as hazard.Stats does), major hazards, rectification rate,
// people trained on site, training sessions (RecordTraining) and
// supervision orders. DrawSpotCheck
// draws a seeded, reproducible sample of closed-out hazards;
// Service.SpotChecks lists spot checks by department, unit, status
// (SpotStatus) and verdict, newest first (a confined inspector sees their
// department's); Verify
// reopens a hazard whose rectification was a sham and records it with the
// risk register (risk.Service.RecordSham), which moves the unit's grade.
// IssueOrder issues a supervision order (督办) at the department rung;
// SweepOrders climbs overdue orders to the district and the city, each
// step an event, and Consumer feeds the hazards' own overdue escalation
// (hazard.EventEscalated) into the same ladder.
//
// # Conventions
//
// Errors are *hazard.Error with a code (hazard.ErrInvalid naming the
// field, ErrNotFound, ErrConflict for a stale version, ErrForbidden); bad
// input stores nothing. Values are copied in and out of stores. Times are
// UTC from the injected clock, IDs UUIDv7 from the injected generator, and
// the acting hazard.User is a parameter of every use case. Store is the
// storage port, pinned by inspectiontest.TestStore; meminspection is the
// memory adapter. The Service and the stores are safe for concurrent use.
package inspection
