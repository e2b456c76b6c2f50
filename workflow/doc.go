// Package workflow is a pluggable, validated closed-loop state machine,
// usable for any closed-loop process. It imports nothing else of hazardloop
// and defines no process of its own.
//
// A [Definition] is data: a name and a version, states (initial,
// intermediate or terminal, labelled in Chinese and English, each with an
// optional deadline that may depend on the subject), and actions (the states
// they start from, the state they lead to, the roles allowed to take them,
// the inputs they require and optional guards). [New] validates a [Spec] and
// reports every defect at once in a [*DefinitionError]. A terminal state
// closes the subject; the actions it declares, if any, reopen it.
//
// The machine keeps no per-subject state. The caller stores each subject's
// [Status] (its state and deadline, and the definition version it started
// with, see [Registry]), passes it to [Definition.Apply], the one way to
// fire a transition, and saves the advanced status atomically with its
// events. Effects (notices, payments) follow from the saved events, after
// commit, never from inside the machine. [Definition.Available] lists the
// actions a role can take now, for a UI's buttons.
//
// # Conventions
//
// Errors: every error is an [*Error] with a [Code] (invalid, conflict,
// forbidden, not_found); match with errors.Is against [ErrInvalid],
// [ErrConflict], [ErrForbidden] and [ErrNotFound], or read [CodeOf].
// Messages are fit for users. Errors returned by Apply may be shared between
// calls and must not be modified.
//
// Copying: [New] copies the spec's slices, and accessors return copies, so a
// definition cannot change after it is built.
//
// Concurrency: a Definition is immutable and safe for concurrent use; Apply
// takes no lock and allocates nothing, on success or on a refusal for a
// declared state and action, unless a guard or a deadline function does. A
// [Registry] is safe for concurrent use. Guards and deadline functions must
// be safe for concurrent use too.
//
// Time: Status.Deadline is in UTC.
//
// # Speed
//
// Apply finds the state by its bytes in a plain index prepared by New (the
// names grouped by length), then the action among the state's few ways out,
// so a state read back from a database costs what a string constant does; a
// table prepared by New gives the refusal for any other pair. The benchmark in
// examples/bench compares Apply with a hand-written switch,
// github.com/qmuntal/stateless and github.com/looplab/fsm, with names that
// are constants and names that own their bytes; run it with
//
//	cd examples/bench && ./run.sh
//
// which prints ns/op, B/op, allocs/op and the ratio to the switch, and
// checks the targets against that baseline. The README of this package
// records the latest table.
package workflow
