// Package hazard is the domain of hazardloop: a hazard report, its
// validation, the ports that store hazards, their event log and their
// photos, and the use cases of the closed loop.
//
// # The closed loop
//
// Service holds the use cases: Submit validates and stores a report with its
// first event (idempotent per reporter and key, rate-limited, flagging likely
// duplicates nearby); Act runs an action of the hazard's process (a workflow
// definition of package workflow, see below) and saves the new state and its event with the expected
// version, so that of two concurrent actions exactly one wins; PublicView,
// ReporterView and StaffView show a hazard to the plaza, its reporter and
// staff, and SightOf says which of them a user may have; Queue, Overdue, Escalate, Stats and DepartmentFigures (the
// per-department 对账 view, staff only) serve dispatchers, departments
// and supervisors. StatsOf counts the hazards of a StatsFilter (a period,
// a department, a set of units) by state, source, outcome and stage of
// reconciliation, with the hazards themselves on request: one tally, fed by
// a store's StatsReader rows or a walk of Store.List, counts every figure.
//
// The public reads need no user: PublicList (the plaza, filtered by
// category, state, open or closed and a creation window, paged by cursor),
// PublicView and PublicHistory (one hazard by reference number, its
// timeline as steps numbered in the log) and PublicUpdates (the public steps
// of every hazard in a window of time, in log order). Integrations such as
// Open311 are built on these; the Service does not hand out its Store.
// NearbyPublic lists the open reports of a category near a point through
// PublicList ("is it one of these?" while a citizen fills in a report);
// PublicHazard.MeToo counts the citizens who said "me too" (EventMeToo,
// written by package follow), never naming them.
//
// Around an open report the reporter and staff exchange through the log:
// AddInfo (the reporter's note and photos for the department), Ask (staff's
// question to the reporter) and Answer, each an event written with the
// hazard's expected version, shown to staff and the reporter, never on the
// plaza.
//
// # Moderation and publication
//
// What the public sees is decided once, by Service.Published: a report
// appears when the publication policy says (ModerationConfig.Publish: once
// a dispatcher forwarded it, by default, or from its submission), unless a
// moderator hid it or its text matched a hold pattern and no moderator has
// released it yet. The public reads above, and Photos.Open for the public,
// apply it and show the moderated version: the public description a
// moderator wrote, no hidden photo, a redacted copy (Photos.Redact, made on
// the server and stored as a blob of its own) instead of a photo's public
// copy, and for a report closed as invalid only the moderated text and the
// reason. Staff and the reporter keep the original. Moderations are kept
// by a ModerationStore beside the event log, each with its EventModerated
// (who, when, why) stored in the same step.
//
// # Processes as data
//
// A Process is a workflow definition with what its steps mean, declared as
// data (ProcessSpec) that integrators set for their own processes: which
// terminal states close a hazard as valid or invalid (Outcome: rewards and
// figures read it), which actions record a verdict, fine and bonus, which
// audiences (a role in a scope: the reporter, the department, the unit,
// everyone) are told of which steps with which message template (Notice:
// package notify reads them), and each state's public status and Open311
// status and each action's public step (the plaza and Open311 read them).
// An action leaving a terminal state reopens the hazard; its latest closure
// counts, and a reward already issued is never issued twice. The city's two
// processes, CitizenReport (随手拍) and Rectification (隐患整改), are built
// this way with workflow's public API; ServiceConfig.Processes and Starts
// take an integrator's own, and no package outside hazard names a state or
// an action of the presets.
//
// Who may see and act on a hazard is decided here, once: staff (StaffRole:
// any role but reporter and enterprise) within their role's scope, a
// reporter on their own reports, and a unit's safety manager (role
// enterprise) on the hazards found at their unit, never seeing who reported
// them.
//
// # Photos
//
// Photos holds the use cases of photo uploads: Upload reads one photo (at
// most MaxPhotoSize bytes), sniffs its type from the content (SniffPhoto),
// makes its public copy without metadata (StripMetadata: EXIF with GPS,
// XMP, comments and text chunks go; a JPEG keeps its orientation and colour
// profile), reserves it within the user's cap of pending uploads
// (MaxPendingUploads) before it stores any blob, then stores the original
// and the public copy. Photos.Submit and Photos.Act are Submit and Act with
// photos named by upload keys: the user's own, unexpired uploads are held
// while the use case runs, attached to the hazard when it succeeds and
// released when it fails. Photos.Open gives the original to its uploader and
// to whoever sees the hazard in full (SightOf), the public copy to anyone
// else once a hazard refers to it. Photos.Sweep forgets uploads unused for
// the time to live (DefaultUploadTTL) and deletes their blobs unless another
// upload or a hazard still holds them. Photos.PurgeOriginals deletes the
// originals, with their metadata, of photos uploaded longer than
// PhotosConfig.OriginalRetention ago (DefaultOriginalRetention) through the
// OriginalPurger capability of Uploads; public copies stay, and Open then
// gives whoever could see the original its public copy (PhotoCopy.Purged).
//
// # Erasure
//
// A citizen may have their account erased (PIPL's right to deletion):
// Eraser.Erase, confirmed with a word (ConfirmsErasure) and for citizens
// only (MayErase), asks every step that is an ErasureGuard first (a reward
// being paid refuses), records the erasure with a fresh pseudonym
// (NewPseudonym: 128 random bits that nothing derives from the person) in
// an ErasureJournal with an EventErasureBegun of the access log, and calls
// every step's Forgetter in order; the journal then forgets the erasure
// with an EventErased. Both events name the pseudonym alone. A step that
// fails leaves the erasure recorded; Eraser.Resume, from a sweep, finishes
// it with the same pseudonym, and every Forgetter is idempotent. The rules
// of what a store rewrites are Erasure.ForgetHazard (the reporter becomes
// the pseudonym, the contact goes) and Erasure.ForgetEvent (actor,
// subject and data naming the person); Service.ForgetUser applies them
// through its store and resets the person's submission limit, and
// Photos.ForgetUser passes their uploads to the pseudonym, expiring the
// pending ones. hazardtest.TestErasure pins a store's promises.
//
// # Units
//
// A hazard has two unit fields. Unit is the receiving unit the reporter
// chose: free text a citizen typed, which grants nobody anything. UnitID is
// the unit (enterprise) the hazard was found at, set only by inspections,
// self-checks or staff (Submit refuses it from a reporter; LinkUnit links a
// report to a unit), never from a citizen's input; Filter.UnitID lists a
// unit's hazards and every Store indexes it.
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
// Store (hazards and the EventLog), BlobStore and Uploads (pending
// uploads: reserve within a cap, hold, release, attach to a hazard, expire
// and look up) are implemented by adapters: memstore (with
// memstore.Uploads), memblob and fsblob here, pgstore in its own module.
// hazardtest.TestStore, hazardtest.TestBlobStore and hazardtest.TestUploads
// pin their promises. Optional capabilities (StatsReader, EventsBatcher,
// LimitedCreator, AttachingCreator, and Forgetter and ErasureJournal for
// erasures) are found by type assertion: a store
// that keeps the uploads in its own database (pgstore) checks a report's
// uploads, stores it and attaches them in one step
// (hazardtest.TestAttachingCreator). The relay's cursors are a
// port of package relay.
//
// The rules a store must apply are methods of the types they check, so
// that every adapter applies them the same way: Hazard.Validate and
// ValidateChange, Event.Validate, Filter.Matches (the meaning of a
// listing), NearbyQuery.Validate, and Hazard.CheckUpdate (the fields an
// update may not change). An adapter stores; it decides nothing of its own.
// The json tags of Hazard and Event are the HTTP API's: an adapter that
// keeps documents keeps its own types (pgstore does), so that renaming an
// API field never breaks stored data.
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
// applies it. The example server's login codes take from the same port, as
// do the limits of anonymous reports and claim codes (AnonymousLimits), and
// as should every limit added later (partners' quotas). No use case holds a
// lock across a store call.
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
