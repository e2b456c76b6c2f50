package hazard

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/workflow"
)

// Severe is implemented by subjects that know whether they are a major
// hazard (重大事故隐患), as [*Hazard] does. The presets read it from
// [workflow.Input.Subject] for
// deadlines and for the major-hazard path; a subject that does not implement
// it (or a nil subject) counts as a general hazard.
type Severe interface {
	Major() bool
}

// IsMajor reports whether subject implements [Severe] and is major.
func IsMajor(subject any) bool {
	s, ok := subject.(Severe)
	return ok && s.Major()
}

// Day is 24 hours: preset deadlines count calendar days, not working days.
const Day = 24 * time.Hour

// Roles of the city's processes: who takes which action. User.Role holds
// one of these (or an integrator's own role).
const (
	RoleReporter   workflow.Role = "reporter"   // the citizen who reported a hazard
	RoleDispatcher workflow.Role = "dispatcher" // the platform dispatcher who forwards reports (转办)
	RoleHandler    workflow.Role = "handler"    // the supervising department that handles a report (办理)
	RoleReviewer   workflow.Role = "reviewer"   // the city safety office that reviews and signs off (审核)
	RoleAdmin      workflow.Role = "admin"      // an administrator; the presets let it act as any staff role
	RoleInspector  workflow.Role = "inspector"  // a supervision inspector of a department (执法检查)
	RoleEnterprise workflow.Role = "enterprise" // a unit's safety manager, who rectifies its hazards
	RoleSupervisor workflow.Role = "supervisor" // a member of a supervision group (督查组), who re-verifies closed-out hazards
)

// Names of the presets.
const (
	CitizenReportName = "citizen_report"
	RectificationName = "rectification"
)

// States of the citizen report preset.
const (
	StateSubmitted     = "submitted"
	StateDispatched    = "dispatched"
	StateAccepted      = "accepted"
	StateResolved      = "resolved"
	StateClosedValid   = "closed_valid"
	StateClosedInvalid = "closed_invalid"
	StateWithdrawn     = "withdrawn"
)

// Actions of the citizen report preset.
const (
	ActionDispatch = "dispatch"
	ActionAccept   = "accept"
	ActionSendBack = "send_back"
	ActionResolve  = "resolve"
	ActionApprove  = "approve"
	ActionReturn   = "return" // also used by the rectification preset
	ActionReject   = "reject"
	ActionWithdraw = "withdraw"
	// ActionReopen reopens a hazard that was closed: in the citizen report,
	// its reporter (or the safety office) says a report closed as fixed is
	// back (问题复现); in rectification, a supervision group's
	// re-verification of a closed-out hazard failed (复核不通过).
	ActionReopen = "reopen"
)

// States of the rectification preset.
const (
	StateFound           = "found"
	StateListed          = "listed"
	StateRectifying      = "rectifying"
	StateRectified       = "rectified"
	StateAwaitingSignOff = "awaiting_signoff"
	StateClosedOut       = "closed_out"
	StateDismissed       = "dismissed"
)

// Actions of the rectification preset ([ActionReturn] and [ActionReopen]
// are shared).
const (
	ActionList      = "list"
	ActionOrder     = "order"
	ActionDismiss   = "dismiss"
	ActionRectify   = "rectify"
	ActionPass      = "pass"
	ActionPassMajor = "pass_major"
	ActionFail      = "fail"
	ActionSignOff   = "sign_off"
)

// CitizenDeadlines are the deadlines of the citizen report preset, per
// state. Zero means no deadline.
type CitizenDeadlines struct {
	Dispatch    time.Duration // in submitted: forward or reject the report
	Accept      time.Duration // in dispatched: the department accepts or sends back
	Handle      time.Duration // in accepted: resolve a general hazard
	HandleMajor time.Duration // in accepted: resolve a major hazard
	Review      time.Duration // in resolved: the safety office reviews
	// ReopenWindow is how long after a closure as fixed its reporter may
	// reopen the report (问题复现), with a photo and a reason; 0 means
	// DefaultReopenWindow, negative means no limit. Staff (the safety
	// office) may reopen at any time.
	ReopenWindow time.Duration
}

// DefaultCitizenDeadlines returns the defaults: 1 day to dispatch, 1 day to
// accept, 5 days to handle a general hazard and 2 days a major one, 3 days
// to review. They follow common practice of city hotlines (forward within a
// working day, handle general matters within 5 days, urgent ones sooner);
// set your city's rules with [CitizenReportSpec].
func DefaultCitizenDeadlines() CitizenDeadlines {
	return CitizenDeadlines{Dispatch: 1 * Day, Accept: 1 * Day, Handle: 5 * Day, HandleMajor: 2 * Day, Review: 3 * Day, ReopenWindow: DefaultReopenWindow}
}

// RectificationDeadlines are the deadlines of the rectification preset, per
// state. Zero means no deadline.
type RectificationDeadlines struct {
	Order        time.Duration // in found: order rectification of a general hazard (or dismiss it)
	List         time.Duration // in found: list a major hazard for supervision
	OrderListed  time.Duration // in listed: order rectification of a listed hazard
	Rectify      time.Duration // in rectifying: a general hazard
	RectifyMajor time.Duration // in rectifying: a major hazard
	Reinspect    time.Duration // in rectified: re-inspect
	SignOff      time.Duration // in awaiting_signoff: the reviewer signs off
}

// DefaultRectificationDeadlines returns the defaults: 3 days to order
// rectification of a general hazard, 1 day to list a major one and 3 more to
// order it, 30 days to rectify a general hazard and 90 days a major one
// (which often needs a suspension and a remediation plan), 7 days to
// re-inspect and 7 days to sign off. Set your own with [RectificationSpec].
func DefaultRectificationDeadlines() RectificationDeadlines {
	return RectificationDeadlines{
		Order: 3 * Day, List: 1 * Day, OrderListed: 3 * Day,
		Rectify: 30 * Day, RectifyMajor: 90 * Day,
		Reinspect: 7 * Day, SignOff: 7 * Day,
	}
}

// fixed returns a workflow.DeadlineFunc of d, or nil for 0.
func fixed(d time.Duration) workflow.DeadlineFunc {
	if d == 0 {
		return nil
	}
	return func(any) time.Duration { return d }
}

// bySeverity returns a workflow.DeadlineFunc of general or major by the subject.
func bySeverity(general, major time.Duration) workflow.DeadlineFunc {
	if general == 0 && major == 0 {
		return nil
	}
	return func(subject any) time.Duration {
		if IsMajor(subject) {
			return major
		}
		return general
	}
}

// staff is the roles allowed to take a staff action: the role itself and
// RoleAdmin, which the presets let act as any staff role (never as the
// reporter or the enterprise).
func staff(r workflow.Role) []workflow.Role { return []workflow.Role{r, RoleAdmin} }

// CitizenReportSpec returns the spec of the citizen report preset (随手拍)
// with the given deadlines, version 1. Change it (a deadline, a guard, the
// version) and pass it to [workflow.New] to make your own version.
func CitizenReportSpec(dl CitizenDeadlines) workflow.Spec {
	return workflow.Spec{
		Name:    CitizenReportName,
		Version: 1,
		States: []workflow.State{
			{Name: StateSubmitted, Kind: workflow.KindInitial, Label: workflow.Label{ZH: "已上报", EN: "Submitted"}, Deadline: fixed(dl.Dispatch)},
			{Name: StateDispatched, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "已转办", EN: "Forwarded to a department"}, Deadline: fixed(dl.Accept)},
			{Name: StateAccepted, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "办理中", EN: "Being handled"}, Deadline: bySeverity(dl.Handle, dl.HandleMajor)},
			{Name: StateResolved, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "待审核", EN: "Awaiting review"}, Deadline: fixed(dl.Review)},
			{Name: StateClosedValid, Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已办结", EN: "Fixed"}},
			{Name: StateClosedInvalid, Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "不予受理", EN: "Not accepted"}},
			{Name: StateWithdrawn, Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已撤回", EN: "Withdrawn"}},
		},
		Actions: []workflow.Action{
			{Name: ActionDispatch, Label: workflow.Label{ZH: "转办", EN: "Forward"}, From: []string{StateSubmitted}, To: StateDispatched,
				Roles: staff(RoleDispatcher), Needs: []workflow.InputKind{workflow.NeedDepartment}},
			{Name: ActionReject, Label: workflow.Label{ZH: "不予受理", EN: "Reject"}, From: []string{StateSubmitted}, To: StateClosedInvalid,
				Roles: staff(RoleDispatcher), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionWithdraw, Label: workflow.Label{ZH: "撤回", EN: "Withdraw"}, From: []string{StateSubmitted}, To: StateWithdrawn,
				Roles: []workflow.Role{RoleReporter}},
			{Name: ActionAccept, Label: workflow.Label{ZH: "受理", EN: "Accept"}, From: []string{StateDispatched}, To: StateAccepted,
				Roles: staff(RoleHandler)},
			{Name: ActionSendBack, Label: workflow.Label{ZH: "退回转办", EN: "Send back"}, From: []string{StateDispatched}, To: StateSubmitted,
				Roles: staff(RoleHandler), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionResolve, Label: workflow.Label{ZH: "办理", EN: "Resolve"}, From: []string{StateAccepted}, To: StateResolved,
				Roles: staff(RoleHandler), Needs: []workflow.InputKind{workflow.NeedReason, workflow.NeedPhotos}},
			{Name: ActionApprove, Label: workflow.Label{ZH: "审核通过", EN: "Approve"}, From: []string{StateResolved}, To: StateClosedValid,
				Roles: staff(RoleReviewer)},
			{Name: ActionReturn, Label: workflow.Label{ZH: "退回重办", EN: "Return for rework"}, From: []string{StateResolved}, To: StateAccepted,
				Roles: staff(RoleReviewer), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionReopen, Label: workflow.Label{ZH: "问题复现", EN: "Reopen: it is back"}, From: []string{StateClosedValid}, To: StateDispatched,
				Roles: []workflow.Role{RoleReporter, RoleReviewer, RoleAdmin}, Needs: []workflow.InputKind{workflow.NeedReason},
				Guards: []workflow.Guard{reporterReopen(dl.ReopenWindow)}},
		},
	}
}

// errListFirst and errNeedsSignOff are the refusals of the rectification
// preset's guards.
var (
	errListFirst    = errors.New("a major hazard must be listed for supervision (挂牌督办) before rectification is ordered")
	errNeedsSignOff = errors.New("a major hazard needs the reviewer's sign-off: use pass_major")
	errNotMajor     = errors.New("only a major hazard takes this path")
)

// listedIfMajor refuses to order rectification of an unlisted major hazard.
func listedIfMajor(_ context.Context, r workflow.Request) error {
	if r.From == StateFound && IsMajor(r.Subject()) {
		return errListFirst
	}
	return nil
}

// generalOnly refuses a major hazard.
func generalOnly(_ context.Context, r workflow.Request) error {
	if IsMajor(r.Subject()) {
		return errNeedsSignOff
	}
	return nil
}

// majorOnly refuses a general hazard.
func majorOnly(_ context.Context, r workflow.Request) error {
	if !IsMajor(r.Subject()) {
		return errNotMajor
	}
	return nil
}

// RectificationSpec returns the spec of the enterprise rectification preset
// (隐患整改, 对账销号) with the given deadlines, version 1. See the package
// README for the two paths (general and major) and the guards that keep a
// hazard on its path.
func RectificationSpec(dl RectificationDeadlines) workflow.Spec {
	found := bySeverity(dl.Order, dl.List)
	return workflow.Spec{
		Name:    RectificationName,
		Version: 1,
		States: []workflow.State{
			{Name: StateFound, Kind: workflow.KindInitial, Label: workflow.Label{ZH: "已发现", EN: "Found"}, Deadline: found},
			{Name: StateListed, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "挂牌督办", EN: "Listed for supervision"}, Deadline: fixed(dl.OrderListed)},
			{Name: StateRectifying, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "整改中", EN: "Being rectified"}, Deadline: bySeverity(dl.Rectify, dl.RectifyMajor)},
			{Name: StateRectified, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "待复查", EN: "Awaiting re-inspection"}, Deadline: fixed(dl.Reinspect)},
			{Name: StateAwaitingSignOff, Kind: workflow.KindIntermediate, Label: workflow.Label{ZH: "待审核销号", EN: "Awaiting sign-off"}, Deadline: fixed(dl.SignOff)},
			{Name: StateClosedOut, Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "已销号", EN: "Closed out"}},
			{Name: StateDismissed, Kind: workflow.KindTerminal, Label: workflow.Label{ZH: "不予认定", EN: "Not a hazard"}},
		},
		Actions: []workflow.Action{
			{Name: ActionList, Label: workflow.Label{ZH: "挂牌督办", EN: "List for supervision"}, From: []string{StateFound}, To: StateListed,
				Roles: staff(RoleReviewer), Guards: []workflow.Guard{majorOnly}},
			{Name: ActionOrder, Label: workflow.Label{ZH: "下达整改", EN: "Order rectification"}, From: []string{StateFound, StateListed}, To: StateRectifying,
				Roles: staff(RoleInspector), Needs: []workflow.InputKind{workflow.NeedReason}, Guards: []workflow.Guard{listedIfMajor}},
			{Name: ActionDismiss, Label: workflow.Label{ZH: "不予认定", EN: "Dismiss"}, From: []string{StateFound}, To: StateDismissed,
				Roles: staff(RoleInspector), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionRectify, Label: workflow.Label{ZH: "整改完成", EN: "Report rectified"}, From: []string{StateRectifying}, To: StateRectified,
				Roles: []workflow.Role{RoleEnterprise}, Needs: []workflow.InputKind{workflow.NeedReason, workflow.NeedPhotos}},
			{Name: ActionPass, Label: workflow.Label{ZH: "复查通过", EN: "Pass re-inspection"}, From: []string{StateRectified}, To: StateClosedOut,
				Roles: staff(RoleInspector), Guards: []workflow.Guard{generalOnly}},
			{Name: ActionPassMajor, Label: workflow.Label{ZH: "复查通过(重大)", EN: "Pass re-inspection (major)"}, From: []string{StateRectified}, To: StateAwaitingSignOff,
				Roles: staff(RoleInspector), Guards: []workflow.Guard{majorOnly}},
			{Name: ActionFail, Label: workflow.Label{ZH: "复查不通过", EN: "Fail re-inspection"}, From: []string{StateRectified}, To: StateRectifying,
				Roles: staff(RoleInspector), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionSignOff, Label: workflow.Label{ZH: "审核销号", EN: "Sign off"}, From: []string{StateAwaitingSignOff}, To: StateClosedOut,
				Roles: staff(RoleReviewer)},
			{Name: ActionReturn, Label: workflow.Label{ZH: "退回整改", EN: "Return for rectification"}, From: []string{StateAwaitingSignOff}, To: StateRectifying,
				Roles: staff(RoleReviewer), Needs: []workflow.InputKind{workflow.NeedReason}},
			{Name: ActionReopen, Label: workflow.Label{ZH: "复核不通过", EN: "Reopen: re-verification failed"}, From: []string{StateClosedOut}, To: StateRectifying,
				Roles: []workflow.Role{RoleSupervisor, RoleReviewer, RoleAdmin}, Needs: []workflow.InputKind{workflow.NeedReason}},
		},
	}
}

var (
	citizenReport = sync.OnceValue(func() *Process {
		return MustProcess(CitizenReportDeclarations(workflow.MustNew(CitizenReportSpec(DefaultCitizenDeadlines()))))
	})
	rectification = sync.OnceValue(func() *Process {
		return MustProcess(RectificationDeclarations(workflow.MustNew(RectificationSpec(DefaultRectificationDeadlines()))))
	})
)

// DefaultProcesses returns the set of the two presets, CitizenReport and
// Rectification.
func DefaultProcesses() *Processes {
	ps, err := NewProcesses(CitizenReport(), Rectification())
	if err != nil {
		panic(err) // the presets are valid: a test pins it
	}
	return ps
}

// CitizenReport returns the citizen report preset (随手拍), version 1, with
// [DefaultCitizenDeadlines] and [CitizenReportDeclarations]. Every call
// returns the same immutable process.
//
// States: submitted (initial), dispatched, accepted, resolved, and the
// terminals closed_valid, closed_invalid and withdrawn. Actions (roles):
// dispatch (dispatcher, needs department), reject (dispatcher, needs
// reason), withdraw (reporter), accept (handler), send_back (handler, needs
// reason), resolve (handler, needs reason and photos), approve (reviewer),
// return (reviewer, needs reason). RoleAdmin may take every action but
// withdraw. That the reporter withdrawing is the one who reported is the
// caller's check: the definition knows roles, not subjects.
func CitizenReport() *Process { return citizenReport() }

// Rectification returns the enterprise rectification preset (隐患整改),
// version 1, with [DefaultRectificationDeadlines] and
// [RectificationDeclarations]. Every call returns the same immutable
// process.
//
// A general hazard goes found → order (inspector) → rectifying → rectify
// (enterprise, needs reason and photos) → rectified → pass (inspector) →
// closed_out, or fail (inspector) back to rectifying. A major hazard (see
// [Severe]) must first be listed for supervision (list, reviewer: found →
// listed) before order; it passes re-inspection with pass_major into
// awaiting_signoff, where the reviewer's sign_off closes it out or return
// sends it back to rectifying. Guards keep each hazard on its path. An
// inspector may also dismiss a found report that is not a hazard. RoleAdmin
// may take every action but rectify.
func Rectification() *Process { return rectification() }

// Template keys of the presets' notices: one per kind of message. Package
// notify ships texts for each in Chinese and English.
const (
	TemplateReceived          = "report_received"       // reporter: the report was received
	TemplateDispatched        = "report_dispatched"     // reporter: forwarded to a department
	TemplateAssigned          = "task_assigned"         // department handlers: a report was assigned to them
	TemplateResolved          = "report_resolved"       // reporter: the department resolved it, review pending
	TemplateReviewNeeded      = "review_needed"         // reviewers: a resolution awaits review
	TemplateClosedValid       = "report_closed_valid"   // reporter: closed as valid
	TemplateClosedInvalid     = "report_closed_invalid" // reporter: closed as invalid, with the reason
	TemplateReturned          = "report_returned"       // department handlers: the reviewer returned it, with the reason
	TemplateSentBack          = "report_sent_back"      // dispatchers: a department sent it back, with the reason
	TemplateWithdrawn         = "report_withdrawn"      // reporter and department handlers: the reporter withdrew it
	TemplateReopened          = "hazard_reopened"       // the department's handlers or inspectors: a closed hazard was reopened, with the reason
	TemplateOverdueDepartment = "overdue_department"    // the department's handlers or inspectors: overdue (督办)
	TemplateOverdueSupervisor = "overdue_supervisor"    // supervisors: a department's hazard is overdue
	TemplateFixedCheck        = "report_fixed_check"    // reporter: some time after closure, "is it fixed?"

	TemplateRectificationOrdered  = "rectification_ordered"    // enterprise: rectification was ordered, with the requirement and deadline
	TemplateRectificationReported = "rectification_reported"   // department inspectors: the enterprise reports it rectified
	TemplateRectificationRejected = "rectification_rejected"   // enterprise: re-inspection failed or sign-off returned, with the reason
	TemplateClosedOut             = "rectification_closed_out" // enterprise: the hazard was closed out (销号)
	TemplateListed                = "hazard_listed"            // supervisors: a major hazard was listed for supervision (挂牌督办)
)

// The public steps both presets share.
var (
	stepHandled  = ActionMeaning{Step: "handled", Public: workflow.Label{ZH: "已办理，待审核。", EN: "Handled; awaiting review."}}
	stepReturned = ActionMeaning{Step: "returned", Public: workflow.Label{ZH: "已退回，重新办理。", EN: "Returned to the department for more work."}}
	stepReviewed = ActionMeaning{Step: "reviewed", Public: workflow.Label{ZH: "审核通过，已办结。", EN: "Reviewed and closed as fixed."}}
)

// CitizenReportDeclarations returns what the steps of a citizen report
// definition mean (def is CitizenReport's definition or your own version
// of CitizenReportSpec): the outcomes, public and Open311 statuses of the
// domain's table, approve as the verdict action, and the notices of the
// programme. Pass it to NewProcess.
//
//	state           public status               Open311 update
//	submitted       received (已上报)            OPEN
//	dispatched      forwarded to a department   ACTION_SCHEDULED
//	accepted        being handled (办理中)        IN_PROGRESS
//	resolved        awaiting review (待审核)      IN_PROGRESS
//	closed_valid    fixed (已办结), valid         FIXED
//	closed_invalid  not accepted, invalid       NO_FURTHER_ACTION
//	withdrawn       withdrawn, invalid          CLOSED
//
// Notices: submitted, the reporter; dispatch, the reporter and the
// department's handlers; send_back, the dispatchers; resolve, the reporter
// and the reviewers; return, the department's handlers; withdraw, the
// reporter and the department's handlers; closed as valid or invalid, the
// reporter; reopen (its reporter or the safety office reopens a report
// closed as fixed), the department's handlers; overdue, the department's handlers and the
// supervisors; the "is it fixed?" check (EventFixedCheck), the reporter.
func CitizenReportDeclarations(def *workflow.Definition) ProcessSpec {
	return ProcessSpec{
		Definition: def,
		States: map[string]StateMeaning{
			StateSubmitted: {Public: workflow.Label{ZH: "已上报", EN: "Received"}, Open311: Open311Open,
				Next: workflow.Label{ZH: "已收到：平台将转办至监管部门。", EN: "Received: the platform will forward it to the supervising department."}},
			StateDispatched: {Public: workflow.Label{ZH: "已转办", EN: "Forwarded to a department"}, Open311: Open311ActionScheduled,
				Next: workflow.Label{ZH: "已转办至监管部门，由其受理办理。", EN: "Forwarded to the supervising department, which will accept and handle it."}},
			StateAccepted: {Public: workflow.Label{ZH: "办理中", EN: "Being handled"}, Open311: Open311InProgress,
				Next: workflow.Label{ZH: "监管部门正在办理。", EN: "Being handled by the supervising department."}},
			StateResolved: {Public: workflow.Label{ZH: "待审核", EN: "Awaiting review"}, Open311: Open311InProgress,
				Next: workflow.Label{ZH: "已办理：市安委办将审核整改结果。", EN: "Handled: the city safety committee office will review the fix."}},
			StateClosedValid: {Closes: OutcomeValid, Public: workflow.Label{ZH: "已办结", EN: "Fixed"}, Open311: Open311Fixed,
				Next: workflow.Label{ZH: "已整改，经市安委办核实。", EN: "Fixed and verified by the city safety committee office."}},
			StateClosedInvalid: {Closes: OutcomeInvalid, Public: workflow.Label{ZH: "不予受理", EN: "Not accepted"}, Open311: Open311NoFurtherAction,
				Next: workflow.Label{ZH: "不予受理，原因见处理说明。", EN: "Not accepted; the reason is in status_notes."}},
			StateWithdrawn: {Closes: OutcomeInvalid, Public: workflow.Label{ZH: "已撤回", EN: "Withdrawn"}, Open311: Open311Closed,
				Next: workflow.Label{ZH: "上报人已撤回。", EN: "Withdrawn by the reporter."}},
		},
		Actions: map[string]ActionMeaning{
			ActionDispatch: {Step: "forwarded", Public: workflow.Label{ZH: "已转办至监管部门。", EN: "Forwarded to the supervising department."}},
			ActionAccept:   {Step: "accepted", Public: workflow.Label{ZH: "部门已受理，正在办理。", EN: "Accepted by the department; being handled."}},
			ActionSendBack: {Step: "sent_back", Public: workflow.Label{ZH: "部门退回，待重新转办。", EN: "Sent back by the department to be forwarded again."}},
			ActionResolve:  stepHandled,
			ActionReturn:   stepReturned,
			ActionApprove:  stepReviewed,
			ActionReject:   {Step: "rejected", Public: workflow.Label{ZH: "不予受理。", EN: "Not accepted."}},
			ActionWithdraw: {Step: "withdrawn", Public: workflow.Label{ZH: "上报人已撤回。", EN: "Withdrawn by the reporter."}},
			ActionReopen:   {Step: "reopened", Public: workflow.Label{ZH: "上报人反映问题复现，已重新转办。", EN: "Reported back by the reporter: forwarded to the department again."}},
		},
		Verdicts: []string{ActionApprove},
		Notices: []Notice{
			{On: EventSubmitted, Audience: AudienceReporter, Template: TemplateReceived},
			{Action: ActionDispatch, Audience: AudienceReporter, Template: TemplateDispatched},
			{Action: ActionDispatch, Audience: AudienceHandlers, Template: TemplateAssigned},
			{Action: ActionSendBack, Audience: AudienceDispatchers, Template: TemplateSentBack},
			{Action: ActionResolve, Audience: AudienceReporter, Template: TemplateResolved},
			{Action: ActionResolve, Audience: AudienceReviewers, Template: TemplateReviewNeeded},
			{Action: ActionReturn, Audience: AudienceHandlers, Template: TemplateReturned},
			{Action: ActionReopen, Audience: AudienceHandlers, Template: TemplateReopened},
			{To: StateWithdrawn, Audience: AudienceReporter, Template: TemplateWithdrawn},
			{To: StateWithdrawn, Audience: AudienceHandlers, Template: TemplateWithdrawn},
			{To: StateClosedValid, Audience: AudienceReporter, Template: TemplateClosedValid},
			{To: StateClosedInvalid, Audience: AudienceReporter, Template: TemplateClosedInvalid},
			{On: EventEscalated, Audience: AudienceHandlers, Template: TemplateOverdueDepartment},
			{On: EventEscalated, Audience: AudienceSupervisors, Template: TemplateOverdueSupervisor},
			{On: EventFixedCheck, Audience: AudienceReporter, Template: TemplateFixedCheck},
		},
	}
}

// RectificationDeclarations returns what the steps of a rectification
// definition mean (def is Rectification's definition or your own version
// of RectificationSpec):
//
//	state             public status                    Open311 update
//	found             found (已发现)                     OPEN
//	listed            listed for supervision (挂牌督办)   OPEN
//	rectifying        being rectified (整改中)           IN_PROGRESS
//	rectified         awaiting re-inspection (待复查)    INVESTIGATING
//	awaiting_signoff  awaiting sign-off (待审核销号)      INVESTIGATING
//	closed_out        closed out (已销号), valid         FIXED
//	dismissed         not a hazard (不予认定), invalid    NO_FURTHER_ACTION
//
// pass, pass_major and sign_off record the verdict. Notices: the enterprise
// (the unit the hazard was found at) when rectification is ordered, sent
// back (fail, return, reopen) or closed out; the department's inspectors
// when the enterprise reports it rectified and when a supervision group
// reopens a closed-out hazard; the supervisors when a major hazard is
// listed (挂牌督办); overdue, the department's inspectors and the
// supervisors.
func RectificationDeclarations(def *workflow.Definition) ProcessSpec {
	return ProcessSpec{
		Definition: def,
		States: map[string]StateMeaning{
			StateFound:           {Open311: Open311Open},
			StateListed:          {Open311: Open311Open},
			StateRectifying:      {Open311: Open311InProgress, Stage: StageOrdered},
			StateRectified:       {Open311: Open311Investigating, Stage: StageRectified},
			StateAwaitingSignOff: {Open311: Open311Investigating, Stage: StageReinspected},
			StateClosedOut:       {Closes: OutcomeValid, Open311: Open311Fixed, Stage: StageClosedOut},
			StateDismissed:       {Closes: OutcomeInvalid, Open311: Open311NoFurtherAction},
		},
		Actions: map[string]ActionMeaning{
			ActionList:      {Step: "listed", Public: workflow.Label{ZH: "已作为重大隐患挂牌督办。", EN: "Listed for supervision as a major hazard."}},
			ActionOrder:     {Step: "ordered", Public: workflow.Label{ZH: "已下达整改。", EN: "Rectification ordered."}},
			ActionDismiss:   {Step: "dismissed", Public: workflow.Label{ZH: "不予认定。", EN: "Dismissed."}},
			ActionRectify:   stepHandled,
			ActionPass:      stepReviewed,
			ActionPassMajor: stepReviewed,
			ActionFail:      stepReturned,
			ActionSignOff:   {Step: "signed_off", Public: workflow.Label{ZH: "已审核销号。", EN: "Signed off."}},
			ActionReturn:    stepReturned,
			ActionReopen:    {Step: "reopened", Public: workflow.Label{ZH: "督查复核未通过，重新整改。", EN: "Re-verification failed: rectification reopened."}},
		},
		Verdicts: []string{ActionPass, ActionPassMajor, ActionSignOff},
		Notices: []Notice{
			{Action: ActionOrder, Audience: AudienceEnterprise, Template: TemplateRectificationOrdered},
			{Action: ActionRectify, Audience: AudienceInspectors, Template: TemplateRectificationReported},
			{Action: ActionFail, Audience: AudienceEnterprise, Template: TemplateRectificationRejected},
			{Action: ActionReturn, Audience: AudienceEnterprise, Template: TemplateRectificationRejected},
			{Action: ActionReopen, Audience: AudienceEnterprise, Template: TemplateRectificationRejected},
			{Action: ActionReopen, Audience: AudienceInspectors, Template: TemplateReopened},
			{To: StateClosedOut, Audience: AudienceEnterprise, Template: TemplateClosedOut},
			{Action: ActionList, Major: true, Audience: AudienceSupervisors, Template: TemplateListed},
			{On: EventEscalated, Audience: AudienceInspectors, Template: TemplateOverdueDepartment},
			{On: EventEscalated, Audience: AudienceSupervisors, Template: TemplateOverdueSupervisor},
		},
	}
}
