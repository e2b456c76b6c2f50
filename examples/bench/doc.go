// Package bench compares workflow.Definition.Apply and Fire with a
// hand-written switch, github.com/qmuntal/stateless and github.com/looplab/fsm
// on the citizen report cycle. It lives in its own module so that the peers never enter the
// core module. Run ./run.sh for a table with ratios to the switch baseline.
//
// Every implementation does the same work per step: find the transition for
// (state, action), check the actor's role (admin may act as any staff role),
// check the required inputs (a department to dispatch; a result and photos to
// resolve), store the new state and the new state's deadline on the hazard.
// Each package is used as its documentation recommends for many stored
// entities:
//   - hazardloop: one shared definition (the citizen preset); the hazard
//     embeds a workflow.Status, advanced in place by Apply. The row
//     hazardloop_fire uses Fire instead, which returns the transition by
//     value, and stores its target and deadline on the hazard;
//   - stateless: one shared machine, built once, with external state storage
//     (NewStateMachineWithExternalStorage) reading and writing the hazard
//     carried in the context, FiringImmediate, FireCtx with the actor and
//     input as trigger arguments and role/input checks as guards;
//   - looplab/fsm: one FSM per entity (it holds the current state), created
//     with the hazard's state when the hazard is created, role/input checks
//     in a before_event callback that cancels the event.
package bench
