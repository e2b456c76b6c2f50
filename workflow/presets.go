package workflow

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Severe is implemented by subjects that know whether they are a major
// hazard (重大事故隐患). The presets read it from [Input.Subject] for
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

// fixed returns a DeadlineFunc of d, or nil for 0.
func fixed(d time.Duration) DeadlineFunc {
	if d == 0 {
		return nil
	}
	return func(any) time.Duration { return d }
}

// bySeverity returns a DeadlineFunc of general or major by the subject.
func bySeverity(general, major time.Duration) DeadlineFunc {
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
func staff(r Role) []Role { return []Role{r, RoleAdmin} }

// CitizenReportSpec returns the spec of the citizen report preset (随手拍)
// with the given deadlines, version 1. Change it (a deadline, a guard, the
// version) and pass it to [New] to make your own version.
func CitizenReportSpec(dl CitizenDeadlines) Spec {
	return Spec{
		Name:    CitizenReportName,
		Version: 1,
		States: []State{
			{Name: StateSubmitted, Kind: KindInitial, Label: Label{"已上报", "Submitted"}, Deadline: fixed(dl.Dispatch)},
			{Name: StateDispatched, Kind: KindIntermediate, Label: Label{"已转办", "Forwarded to a department"}, Deadline: fixed(dl.Accept)},
			{Name: StateAccepted, Kind: KindIntermediate, Label: Label{"办理中", "Being handled"}, Deadline: bySeverity(dl.Handle, dl.HandleMajor)},
			{Name: StateResolved, Kind: KindIntermediate, Label: Label{"待审核", "Awaiting review"}, Deadline: fixed(dl.Review)},
			{Name: StateClosedValid, Kind: KindTerminal, Label: Label{"已办结", "Fixed"}},
			{Name: StateClosedInvalid, Kind: KindTerminal, Label: Label{"不予受理", "Not accepted"}},
			{Name: StateWithdrawn, Kind: KindTerminal, Label: Label{"已撤回", "Withdrawn"}},
		},
		Actions: []Action{
			{Name: ActionDispatch, Label: Label{"转办", "Forward"}, From: []string{StateSubmitted}, To: StateDispatched,
				Roles: staff(RoleDispatcher), Needs: []InputKind{NeedDepartment}},
			{Name: ActionReject, Label: Label{"不予受理", "Reject"}, From: []string{StateSubmitted}, To: StateClosedInvalid,
				Roles: staff(RoleDispatcher), Needs: []InputKind{NeedReason}},
			{Name: ActionWithdraw, Label: Label{"撤回", "Withdraw"}, From: []string{StateSubmitted}, To: StateWithdrawn,
				Roles: []Role{RoleReporter}},
			{Name: ActionAccept, Label: Label{"受理", "Accept"}, From: []string{StateDispatched}, To: StateAccepted,
				Roles: staff(RoleHandler)},
			{Name: ActionSendBack, Label: Label{"退回转办", "Send back"}, From: []string{StateDispatched}, To: StateSubmitted,
				Roles: staff(RoleHandler), Needs: []InputKind{NeedReason}},
			{Name: ActionResolve, Label: Label{"办理", "Resolve"}, From: []string{StateAccepted}, To: StateResolved,
				Roles: staff(RoleHandler), Needs: []InputKind{NeedReason, NeedPhotos}},
			{Name: ActionApprove, Label: Label{"审核通过", "Approve"}, From: []string{StateResolved}, To: StateClosedValid,
				Roles: staff(RoleReviewer)},
			{Name: ActionReturn, Label: Label{"退回重办", "Return for rework"}, From: []string{StateResolved}, To: StateAccepted,
				Roles: staff(RoleReviewer), Needs: []InputKind{NeedReason}},
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
func listedIfMajor(_ context.Context, r Request) error {
	if r.From == StateFound && IsMajor(r.Subject()) {
		return errListFirst
	}
	return nil
}

// generalOnly refuses a major hazard.
func generalOnly(_ context.Context, r Request) error {
	if IsMajor(r.Subject()) {
		return errNeedsSignOff
	}
	return nil
}

// majorOnly refuses a general hazard.
func majorOnly(_ context.Context, r Request) error {
	if !IsMajor(r.Subject()) {
		return errNotMajor
	}
	return nil
}

// RectificationSpec returns the spec of the enterprise rectification preset
// (隐患整改, 对账销号) with the given deadlines, version 1. See the package
// README for the two paths (general and major) and the guards that keep a
// hazard on its path.
func RectificationSpec(dl RectificationDeadlines) Spec {
	found := bySeverity(dl.Order, dl.List)
	return Spec{
		Name:    RectificationName,
		Version: 1,
		States: []State{
			{Name: StateFound, Kind: KindInitial, Label: Label{"已发现", "Found"}, Deadline: found},
			{Name: StateListed, Kind: KindIntermediate, Label: Label{"挂牌督办", "Listed for supervision"}, Deadline: fixed(dl.OrderListed)},
			{Name: StateRectifying, Kind: KindIntermediate, Label: Label{"整改中", "Being rectified"}, Deadline: bySeverity(dl.Rectify, dl.RectifyMajor)},
			{Name: StateRectified, Kind: KindIntermediate, Label: Label{"待复查", "Awaiting re-inspection"}, Deadline: fixed(dl.Reinspect)},
			{Name: StateAwaitingSignOff, Kind: KindIntermediate, Label: Label{"待审核销号", "Awaiting sign-off"}, Deadline: fixed(dl.SignOff)},
			{Name: StateClosedOut, Kind: KindTerminal, Label: Label{"已销号", "Closed out"}},
			{Name: StateDismissed, Kind: KindTerminal, Label: Label{"不予认定", "Not a hazard"}},
		},
		Actions: []Action{
			{Name: ActionList, Label: Label{"挂牌督办", "List for supervision"}, From: []string{StateFound}, To: StateListed,
				Roles: staff(RoleReviewer), Guards: []Guard{majorOnly}},
			{Name: ActionOrder, Label: Label{"下达整改", "Order rectification"}, From: []string{StateFound, StateListed}, To: StateRectifying,
				Roles: staff(RoleInspector), Needs: []InputKind{NeedReason}, Guards: []Guard{listedIfMajor}},
			{Name: ActionDismiss, Label: Label{"不予认定", "Dismiss"}, From: []string{StateFound}, To: StateDismissed,
				Roles: staff(RoleInspector), Needs: []InputKind{NeedReason}},
			{Name: ActionRectify, Label: Label{"整改完成", "Report rectified"}, From: []string{StateRectifying}, To: StateRectified,
				Roles: []Role{RoleEnterprise}, Needs: []InputKind{NeedReason, NeedPhotos}},
			{Name: ActionPass, Label: Label{"复查通过", "Pass re-inspection"}, From: []string{StateRectified}, To: StateClosedOut,
				Roles: staff(RoleInspector), Guards: []Guard{generalOnly}},
			{Name: ActionPassMajor, Label: Label{"复查通过(重大)", "Pass re-inspection (major)"}, From: []string{StateRectified}, To: StateAwaitingSignOff,
				Roles: staff(RoleInspector), Guards: []Guard{majorOnly}},
			{Name: ActionFail, Label: Label{"复查不通过", "Fail re-inspection"}, From: []string{StateRectified}, To: StateRectifying,
				Roles: staff(RoleInspector), Needs: []InputKind{NeedReason}},
			{Name: ActionSignOff, Label: Label{"审核销号", "Sign off"}, From: []string{StateAwaitingSignOff}, To: StateClosedOut,
				Roles: staff(RoleReviewer)},
			{Name: ActionReturn, Label: Label{"退回整改", "Return for rectification"}, From: []string{StateAwaitingSignOff}, To: StateRectifying,
				Roles: staff(RoleReviewer), Needs: []InputKind{NeedReason}},
		},
	}
}

var (
	citizenReport = sync.OnceValue(func() *Definition { return MustNew(CitizenReportSpec(DefaultCitizenDeadlines())) })
	rectification = sync.OnceValue(func() *Definition { return MustNew(RectificationSpec(DefaultRectificationDeadlines())) })
)

// CitizenReport returns the citizen report preset (随手拍), version 1, with
// [DefaultCitizenDeadlines] and no hooks. Every call returns the same
// immutable definition; use [Definition.WithHooks] to attach hooks.
//
// States: submitted (initial), dispatched, accepted, resolved, and the
// terminals closed_valid, closed_invalid and withdrawn. Actions (roles):
// dispatch (dispatcher, needs department), reject (dispatcher, needs
// reason), withdraw (reporter), accept (handler), send_back (handler, needs
// reason), resolve (handler, needs reason and photos), approve (reviewer),
// return (reviewer, needs reason). RoleAdmin may take every action but
// withdraw. That the reporter withdrawing is the one who reported is the
// caller's check: the definition knows roles, not subjects.
func CitizenReport() *Definition { return citizenReport() }

// Rectification returns the enterprise rectification preset (隐患整改),
// version 1, with [DefaultRectificationDeadlines] and no hooks. Every call
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
func Rectification() *Definition { return rectification() }
