package open311

import (
	"github.com/hazardloop/hazardloop/hazard"
)

// UpdateStatus is a status of mySociety's servicerequestupdates extension
// (FixMyStreet), finer than GeoReport's open and closed. Each state of a
// hazard's process declares its own (hazard.StateMeaning.Open311).
type UpdateStatus = hazard.Open311Status

// The statuses of the extension. FixMyStreet treats FIXED, CLOSED,
// DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION and
// INTERNAL_REFERRAL as closing a report.
const (
	StatusOpen                      = hazard.Open311Open
	StatusActionScheduled           = hazard.Open311ActionScheduled
	StatusInProgress                = hazard.Open311InProgress
	StatusInvestigating             = hazard.Open311Investigating
	StatusFixed                     = hazard.Open311Fixed
	StatusClosed                    = hazard.Open311Closed
	StatusDuplicate                 = hazard.Open311Duplicate
	StatusNotCouncilsResponsibility = hazard.Open311NotCouncilsResponsibility
	StatusNoFurtherAction           = hazard.Open311NoFurtherAction
	StatusInternalReferral          = hazard.Open311InternalReferral
)

// StatusOf returns the update status of a hazard in a state with the
// meaning m (what its process declares): the declared status, except that
// a hazard flagged as a duplicate and closed with NO_FURTHER_ACTION is
// DUPLICATE. For the presets (see hazard.CitizenReportDeclarations):
//
//	submitted                     OPEN                received (已上报)
//	dispatched                    ACTION_SCHEDULED    forwarded to a department (已转办)
//	accepted                      IN_PROGRESS         being handled (办理中)
//	resolved                      IN_PROGRESS         handled, awaiting review (待审核)
//	closed_valid                  FIXED               fixed (已办结)
//	closed_invalid                NO_FURTHER_ACTION   not accepted (不予受理); DUPLICATE when flagged as a duplicate
//	withdrawn                     CLOSED              withdrawn by the reporter (已撤回)
//	found, listed                 OPEN                rectification preset: found, listed for supervision
//	rectifying                    IN_PROGRESS
//	rectified, awaiting_signoff   INVESTIGATING       re-inspection and sign-off
//	closed_out                    FIXED
//	dismissed                     NO_FURTHER_ACTION
//
// INTERNAL_REFERRAL is never declared by the presets: forwarding a report
// to a department (转办) keeps it open, and FixMyStreet would close a report
// on INTERNAL_REFERRAL.
func StatusOf(m hazard.StateMeaning, duplicate bool) UpdateStatus {
	if duplicate && m.Open311 == StatusNoFurtherAction {
		return StatusDuplicate
	}
	return m.Open311
}

// labels describe a step that is no action of a process and carries no
// public note.
var labels = map[hazard.EventType]string{
	hazard.EventSubmitted: "Received.",
	hazard.EventEscalated: "Overdue: escalated to supervisors (督办).",
	hazard.EventDuplicate: "Flagged as a likely duplicate of an earlier report nearby.",
	hazard.EventNote:      "Note.",
}

// process returns the process a public hazard runs, or nil when the
// service does not know it (its steps then show their raw names).
func (h *handler) process(p *hazard.PublicHazard) *hazard.Process {
	pr, err := h.cfg.Service.Processes().Get(p.Workflow, p.WorkflowVersion)
	if err != nil {
		return nil
	}
	return pr
}

// meaning returns what a state of pr means, with its defaults: a state of
// an unknown process is OPEN while open and CLOSED once closed.
func meaning(pr *hazard.Process, state string, open bool) hazard.StateMeaning {
	if pr != nil {
		if m, ok := pr.Meaning(state); ok {
			return m
		}
	}
	if open {
		return hazard.StateMeaning{Open311: StatusOpen}
	}
	return hazard.StateMeaning{Open311: StatusClosed}
}

// notice is the service_notice of a hazard in state: what happens next, in
// the configured language.
func (h *handler) notice(pr *hazard.Process, state string, open bool) string {
	n := meaning(pr, state, open).Next
	return h.name(n.EN, n.ZH)
}

// statesAfter replays a hazard's timeline: the state after each event, and
// whether the hazard was open then. The hazard starts in the From of its
// first transition (in final without one), each transition moves it to its
// To, and it is closed only in its final state, once closed. transition
// reports the From and To of an event that is a transition.
func statesAfter[E any](events []E, final string, closed bool, transition func(E) (from, to string, ok bool)) (states []string, open []bool) {
	cur := final
	for _, e := range events {
		if from, _, ok := transition(e); ok {
			cur = from
			break
		}
	}
	states, open = make([]string, len(events)), make([]bool, len(events))
	for i, e := range events {
		if _, to, ok := transition(e); ok {
			cur = to
		}
		states[i], open[i] = cur, cur != final || !closed
	}
	return states, open
}

// step is one public step of a hazard's timeline, ready for the wire.
type step struct {
	noteType    string
	description string
	status      UpdateStatus
	photos      []string
}

// stepOf describes a public event of a hazard of the process pr (nil when
// unknown); state is the hazard's state after it, duplicate whether the
// hazard is flagged as a duplicate. A transition's step and description
// are what the process declares for its action.
func (h *handler) stepOf(pr *hazard.Process, e hazard.PublicEvent, state string, open, duplicate bool) step {
	var t, d string
	switch e.Type {
	case hazard.EventTransition:
		if pr != nil {
			m := pr.Step(e.Action)
			t, d = m.Step, h.name(m.Public.EN, m.Public.ZH)
		} else {
			t = e.Action
		}
	default:
		t = string(e.Type)
		d = labels[e.Type]
	}
	if e.Note != "" {
		d = e.Note
	}
	return step{noteType: t, description: d, status: StatusOf(meaning(pr, state, open), duplicate), photos: e.Photos}
}
