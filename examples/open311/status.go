package open311

import (
	"github.com/hazardloop/hazardloop/hazard"
)

// UpdateStatus is a status of mySociety's servicerequestupdates extension
// (FixMyStreet), finer than GeoReport's open and closed.
type UpdateStatus string

// The statuses of the extension. FixMyStreet treats FIXED, CLOSED,
// DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION and
// INTERNAL_REFERRAL as closing a report.
const (
	StatusOpen                      UpdateStatus = "OPEN"
	StatusActionScheduled           UpdateStatus = "ACTION_SCHEDULED"
	StatusInProgress                UpdateStatus = "IN_PROGRESS"
	StatusInvestigating             UpdateStatus = "INVESTIGATING"
	StatusFixed                     UpdateStatus = "FIXED"
	StatusClosed                    UpdateStatus = "CLOSED"
	StatusDuplicate                 UpdateStatus = "DUPLICATE"
	StatusNotCouncilsResponsibility UpdateStatus = "NOT_COUNCILS_RESPONSIBILITY"
	StatusNoFurtherAction           UpdateStatus = "NO_FURTHER_ACTION"
	StatusInternalReferral          UpdateStatus = "INTERNAL_REFERRAL"
)

// Closes reports whether FixMyStreet treats s as closing a report.
func (s UpdateStatus) Closes() bool {
	switch s {
	case StatusFixed, StatusClosed, StatusDuplicate, StatusNotCouncilsResponsibility, StatusNoFurtherAction, StatusInternalReferral:
		return true
	}
	return false
}

// StatusOf returns the update status of a hazard in the workflow state:
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
// A state of another workflow is OPEN while the hazard is open and CLOSED
// once it is closed. INTERNAL_REFERRAL is never given: forwarding a report
// to a department (转办) keeps it open, and FixMyStreet would close a
// report on INTERNAL_REFERRAL.
func StatusOf(state string, open, duplicate bool) UpdateStatus {
	switch state {
	case hazard.StateSubmitted, hazard.StateFound, hazard.StateListed:
		return StatusOpen
	case hazard.StateDispatched:
		return StatusActionScheduled
	case hazard.StateAccepted, hazard.StateResolved, hazard.StateRectifying:
		return StatusInProgress
	case hazard.StateRectified, hazard.StateAwaitingSignOff:
		return StatusInvestigating
	case hazard.StateClosedValid, hazard.StateClosedOut:
		return StatusFixed
	case hazard.StateClosedInvalid, hazard.StateDismissed:
		if duplicate {
			return StatusDuplicate
		}
		return StatusNoFurtherAction
	case hazard.StateWithdrawn:
		return StatusClosed
	}
	if open {
		return StatusOpen
	}
	return StatusClosed
}

// noteTypes names the steps of the timeline in the notes extension, by
// workflow action.
var noteTypes = map[string]string{
	hazard.ActionDispatch:  "forwarded",
	hazard.ActionAccept:    "accepted",
	hazard.ActionSendBack:  "sent_back",
	hazard.ActionResolve:   "handled",
	hazard.ActionReturn:    "returned",
	hazard.ActionApprove:   "reviewed",
	hazard.ActionReject:    "rejected",
	hazard.ActionWithdraw:  "withdrawn",
	hazard.ActionList:      "listed",
	hazard.ActionOrder:     "ordered",
	hazard.ActionDismiss:   "dismissed",
	hazard.ActionRectify:   "handled",
	hazard.ActionPass:      "reviewed",
	hazard.ActionPassMajor: "reviewed",
	hazard.ActionFail:      "returned",
	hazard.ActionSignOff:   "signed_off",
}

// labels describe a step that carries no public note.
var labels = map[string]string{
	"submitted":  "Received.",
	"forwarded":  "Forwarded to the supervising department.",
	"accepted":   "Accepted by the department; being handled.",
	"sent_back":  "Sent back by the department to be forwarded again.",
	"handled":    "Handled; awaiting review.",
	"returned":   "Returned to the department for more work.",
	"reviewed":   "Reviewed and closed as fixed.",
	"rejected":   "Not accepted.",
	"withdrawn":  "Withdrawn by the reporter.",
	"listed":     "Listed for supervision as a major hazard.",
	"ordered":    "Rectification ordered.",
	"dismissed":  "Dismissed.",
	"signed_off": "Signed off.",
	"escalated":  "Overdue: escalated to supervisors (督办).",
	"duplicate":  "Flagged as a likely duplicate of an earlier report nearby.",
	"note":       "Note.",
}

// notices are the service_notice of each state: what happens next.
var notices = map[string]string{
	hazard.StateSubmitted:     "Received: the platform will forward it to the supervising department.",
	hazard.StateDispatched:    "Forwarded to the supervising department, which will accept and handle it.",
	hazard.StateAccepted:      "Being handled by the supervising department.",
	hazard.StateResolved:      "Handled: the city safety committee office will review the fix.",
	hazard.StateClosedValid:   "Fixed and verified by the city safety committee office.",
	hazard.StateClosedInvalid: "Not accepted; the reason is in status_notes.",
	hazard.StateWithdrawn:     "Withdrawn by the reporter.",
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

// stepOf describes a public event; state is the hazard's state after it,
// duplicate whether the hazard is flagged as a duplicate.
func stepOf(e hazard.PublicEvent, state string, open, duplicate bool) step {
	var t string
	switch e.Type {
	case hazard.EventSubmitted:
		t = "submitted"
	case hazard.EventTransition:
		t = noteTypes[e.Action]
		if t == "" {
			t = e.Action
		}
	case hazard.EventEscalated:
		t = "escalated"
	case hazard.EventDuplicate:
		t = "duplicate"
	case hazard.EventNote:
		t = "note"
	default:
		t = string(e.Type)
	}
	d := e.Note
	if d == "" {
		d = labels[t]
	}
	return step{noteType: t, description: d, status: StatusOf(state, open, duplicate), photos: e.Photos}
}
