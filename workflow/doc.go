// Package workflow is a pluggable, validated closed-loop state machine: the
// engine behind a hazard's journey from report to close, usable for any
// closed-loop process. It imports nothing else of hazardloop.
//
// A [Definition] is data: a name and a version, states (initial,
// intermediate or terminal, labelled in Chinese and English, each with an
// optional deadline that may depend on the subject), and actions (the states
// they start from, the state they lead to, the roles allowed to take them,
// the inputs they require and optional guards). [New] validates a [Spec] and
// reports every defect at once in a [*DefinitionError]. It knows no process
// of its own: the city's two processes, the citizen report (随手拍) and
// rectification (隐患整改), are built with this API in package hazard.
//
// The machine keeps no per-subject state. The caller stores each subject's
// state (and the definition version it started with, see [Registry]),
// passes it to [Definition.Fire], and saves the returned [Transition]
// atomically with its events. A record that embeds a [Status] can be
// advanced in place with [Definition.Apply] instead. [Definition.Available] lists the actions a
// role can take now, for a UI's buttons. [Hooks] attach effects; they run
// inside Fire, before the caller saves, so effects that do I/O belong after
// commit (for example, driven by the event log).
//
// # Conventions
//
// Errors: every error is an [*Error] with a [Code] (invalid, conflict,
// forbidden, not_found); match with errors.Is against [ErrInvalid],
// [ErrConflict], [ErrForbidden] and [ErrNotFound], or read [CodeOf].
// Messages are fit for users. Errors returned by Fire may be shared between
// calls and must not be modified.
//
// Copying: [New] copies the spec's slices, and accessors return copies, so a
// definition cannot change after it is built.
//
// Concurrency: a Definition is immutable and safe for concurrent use; Fire
// and Apply take no lock and, on success, allocate nothing unless a guard or
// a hook does. A [Registry] is safe for concurrent use. Guards, hooks and deadline
// functions must be safe for concurrent use too.
//
// Time: Transition.Deadline is in UTC.
//
// # Speed
//
// Fire and Apply find a definition's own names (a Transition.To or
// Status.State stored and passed in again, or a string constant equal to
// the spec's) by address, and any other string by its bytes, in tables
// prepared by New; they return refusals prepared by New, so a refusal does
// not allocate either. The benchmark in examples/bench compares Apply and
// Fire with a hand-written switch, github.com/qmuntal/stateless and
// github.com/looplab/fsm; run it with
//
//	cd examples/bench && ./run.sh
//
// which runs go test -run='^$' -bench=. -benchmem -count=5 and prints ns/op,
// B/op, allocs/op and the ratio to the switch. The README of this package
// records the latest table: neither call allocates, both are an order of
// magnitude faster than both peers, and Apply is within 1.5x of the switch.
package workflow
