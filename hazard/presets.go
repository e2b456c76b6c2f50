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

// Actions of the rectification preset ([ActionReturn] is shared).
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
}

// DefaultCitizenDeadlines returns the defaults: 1 day to dispatch, 1 day to
// accept, 5 days to handle a general hazard and 2 days a major one, 3 days
// to review. They follow common practice of city hotlines (forward within a
// working day, handle general matters within 5 days, urgent ones sooner);
// set your city's rules with [CitizenReportSpec].
func DefaultCitizenDeadlines() CitizenDeadlines {
	return CitizenDeadlines{Dispatch: 1 * Day, Accept: 1 * Day, Handle: 5 * Day, HandleMajor: 2 * Day, Review: 3 * Day}
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
		},
	}
}

var (
	citizenReport = sync.OnceValue(func() *workflow.Definition { return workflow.MustNew(CitizenReportSpec(DefaultCitizenDeadlines())) })
	rectification = sync.OnceValue(func() *workflow.Definition {
		return workflow.MustNew(RectificationSpec(DefaultRectificationDeadlines()))
	})
)

// CitizenReport returns the citizen report preset (随手拍), version 1, with
// [DefaultCitizenDeadlines]. Every call returns the same
// immutable definition.
//
// States: submitted (initial), dispatched, accepted, resolved, and the
// terminals closed_valid, closed_invalid and withdrawn. Actions (roles):
// dispatch (dispatcher, needs department), reject (dispatcher, needs
// reason), withdraw (reporter), accept (handler), send_back (handler, needs
// reason), resolve (handler, needs reason and photos), approve (reviewer),
// return (reviewer, needs reason). RoleAdmin may take every action but
// withdraw. That the reporter withdrawing is the one who reported is the
// caller's check: the definition knows roles, not subjects.
func CitizenReport() *workflow.Definition { return citizenReport() }

// Rectification returns the enterprise rectification preset (隐患整改),
// version 1, with [DefaultRectificationDeadlines]. Every call
// returns the same immutable definition.
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
func Rectification() *workflow.Definition { return rectification() }
