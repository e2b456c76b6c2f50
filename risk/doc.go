// Package risk is the regulators' register of units and their risks: the
// production and business units under supervision, their risk points
// assessed by LEC or LS, their four-colour grades computed by a chain of
// rules, the graded supervision policy and the planner that says which
// units are due for inspection.
//
// # Units
//
// A Unit is identified by its unified social credit code, checked with its
// check character (CheckCreditCode, GB 32100-2015). Its contacts are
// private: PublicUnit, what the public may see, has no field that could
// carry them, and rounds the unit's point. Service.PublicUnits lists the
// public views for the four-colour map, through a store's optional
// PublicUnitReader capability (a narrower read than whole units) when it
// has one (ReadPublicUnits). Hazards found at a unit carry
// its ID in hazard.Hazard.UnitID (the string form of the unit's UUIDv7);
// package hazard never imports this one.
//
// # Grades
//
// A risk Point is graded by its latest Assessment: a Method as data (LEC()
// and LS() ship the reference's tables and bands; values are Tenths and
// scores integers, so that 0.1 × 0.5 is exact) or a grade set by hand with
// a reason. Every assessment is kept. A unit's grade is the result of a
// Grader, an ordered chain of GradeRules (HighestPoint, OpenMajorHazard,
// RecentAccident, ShamRectification, Standardisation, ManualOverride by
// default), each step explained in the result. The service regrades a unit
// when a point is assessed, when the unit changes, and when one of its
// hazards changes: Service.Consumer is a relay.Consumer of the one event
// log. Regrading reads the unit's own points and open hazards
// (hazard.Filter{UnitID}), never the city's. A change of grade is logged
// as an EventGradeChanged of subject kind "unit" (SubjectUnit) in the same
// atomic step as the unit's update, so that notices, figures and the map
// receive it from the log.
//
// # Supervision
//
// Policy.NextDue, a pure function, computes a unit's next inspection from
// its grade, management level, size, open hazards and last inspection
// (Service.RecordInspection, for the inspection package). The date is
// stored with the unit, and stores index it by department (Store.Due), so
// that Service.Plan reads one department's index for a period: the units
// due, those overdue, and a seeded, reproducible draw (Draw) of the
// sampled grades (blue by default, 双随机) with inspectors assigned at
// random, never to a unit they are conflicted with.
//
// # Conventions
//
// Errors are *hazard.Error with a code (hazard.ErrInvalid naming the field,
// hazard.ErrNotFound, hazard.ErrConflict for a stale version,
// hazard.ErrForbidden); bad input stores nothing. Values (Unit, Point,
// Assessment) are copied in and out of stores. Updates name the version
// they read. Times are UTC from the injected clock, IDs UUIDv7 from the
// injected generator, and the acting hazard.User is a parameter of every
// use case: staff manage units and plan, a unit's safety manager (role
// enterprise) reads their own unit. Store is the storage port, pinned by
// risktest.TestStore; memrisk is the memory adapter and pgstore the
// PostgreSQL one. The Service and the stores are safe for concurrent use.
package risk
