// Package bench compares workflow.Definition.Apply, the call
// hazard.Service makes to fire a transition, with a hand-written switch,
// github.com/qmuntal/stateless and github.com/looplab/fsm on the citizen
// report cycle (hazard.CitizenReport). It lives in its own module so that
// the peers never enter the core module. Run ./run.sh for a table with
// ratios to the switch baseline and a check of the speed targets.
//
// Every implementation does the same work per step: find the transition for
// (state, action), check the actor's role (admin may act as any staff role),
// check the required inputs (a department to dispatch; a result and photos to
// resolve), store the new state and the new state's deadline on the hazard.
// Before each step the hazard's state is set to the step's From, as a
// request that loads the hazard's row finds it. Each scenario runs twice:
// with states and actions that are string constants, and (the Owned
// scenarios) with ones that own their bytes, as a row read from a database
// and a decoded request do ([Owned]). Each package is used as its
// documentation recommends for many stored entities:
//   - hazardloop: one shared definition (the citizen preset); the hazard
//     embeds a workflow.Status, advanced in place by Apply;
//   - stateless: one shared machine, built once, with external state storage
//     (NewStateMachineWithExternalStorage) reading and writing the hazard
//     carried in the context, FiringImmediate, FireCtx with the actor and
//     input as trigger arguments and role/input checks as guards;
//   - looplab/fsm: one FSM per entity (it holds the current state), created
//     with the hazard's state when the hazard is created and set to the
//     hazard's state before each event, role/input checks in a before_event
//     callback that cancels the event.
//
// BenchmarkPaired times hazardloop and the switch in alternation, so that
// both see the same load on a shared machine, and reports their ratio.
package bench
