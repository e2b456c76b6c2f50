package hazard

import (
	"context"
	"slices"
)

// The aftercare of an anonymous report: the holder of its claim code may
// reopen it when the hazard is back, and answer "is it fixed?", exactly as
// a signed-in reporter does on their own report (Act with the reopen
// action, AnswerFixed). The code stands for the anonymous reporter: the
// use cases act as the report's reporter (its anonymous user ID), so the
// reopen guard, its window, the answer's rules and the figures are the
// reporter's own, and every use of the code counts against the claim
// attempt limits (AnonymousLimits.ClaimAttemptsPerAddress and
// ClaimAttemptsPerReport), as following does.

// ReopenInput is a reopening by the holder of a claim code: the reason and
// a photo showing the hazard is back, as the reporter's reopen action
// needs.
type ReopenInput struct {
	// ExpectedVersion is the Version of the report the holder saw
	// (FollowClaim).
	ExpectedVersion int64
	Note            string
	Photos          []Photo
}

// claimReporter returns the anonymous reporter a claim code stands for:
// the report's reporter, acting as such.
func claimReporter(h *Hazard) User {
	return User{ID: h.Reporter.UserID, Role: string(RoleReporter)}
}

// claimActions returns those of the reporter's actions that the holder of
// the claim code may take with it: the reopening of a report closed as
// fixed. Withdrawing and the like stay with signed-in reporters.
func (s *Service) claimActions(h *Hazard, actions []ActionInfo) []ActionInfo {
	pr, err := s.process(h)
	if err != nil {
		return []ActionInfo{}
	}
	reopen := reopenAction(pr, h.State, RoleReporter)
	return slices.DeleteFunc(slices.Clone(actions), func(a ActionInfo) bool { return reopen == "" || a.Name != reopen })
}

// ReopenClaim reopens, for the holder of the claim code coming from
// address, the anonymous report the code claims, as its reporter's reopen
// action does: with in.Note and in.Photos (a photo is required,
// CodeInvalid naming "photos"), within the reopen window after its closure
// as fixed (CodeConflict with the cause ErrReopenWindowPassed after it),
// back to the department that handled it, counted in its Aftercare. A
// report its reporter cannot reopen now (open, or closed as invalid) is
// CodeConflict naming "state"; a stale in.ExpectedVersion CodeConflict. See
// FollowClaim for the limits of attempts and the answer to a wrong code.
// It returns the report as the code shows it after the reopening.
func (s *Service) ReopenClaim(ctx context.Context, address, code string, in ReopenInput) (ClaimView, error) {
	const op = "reopen claim"
	h, _, err := s.checkClaim(ctx, op, address, code)
	if err != nil {
		return ClaimView{}, err
	}
	pr, err := s.process(&h)
	if err != nil {
		return ClaimView{}, err
	}
	action := reopenAction(pr, h.State, RoleReporter)
	if action == "" {
		return ClaimView{}, &Error{Code: CodeConflict, Op: op, Field: "state", Message: "the report cannot be reopened now"}
	}
	h, err = s.Act(ctx, claimReporter(&h), h.ID, action, ActInput{ExpectedVersion: in.ExpectedVersion, Note: in.Note, Photos: in.Photos})
	if err != nil {
		return ClaimView{}, err
	}
	return s.claimView(ctx, &h)
}

// AnswerFixedClaim records, for the holder of the claim code coming from
// address, the answer to "is it fixed?" about the anonymous report the
// code claims: AnswerFixed by its reporter, with the same rules (asked and
// not answered since its latest closure, else CodeConflict naming "fixed";
// a "no" reopens it with in.Note and in.Photos as ReopenClaim does). See
// FollowClaim for the limits of attempts and the answer to a wrong code.
// It returns the report as the code shows it after the answer.
func (s *Service) AnswerFixedClaim(ctx context.Context, address, code string, in FixedAnswerInput) (ClaimView, error) {
	const op = "answer fixed claim"
	h, _, err := s.checkClaim(ctx, op, address, code)
	if err != nil {
		return ClaimView{}, err
	}
	if h, err = s.AnswerFixed(ctx, claimReporter(&h), h.ID, in); err != nil {
		return ClaimView{}, err
	}
	return s.claimView(ctx, &h)
}

// ReopenClaim is Service.ReopenClaim with photos from uploader's uploads
// (field "photos"): the anonymous reporter of the holder's device
// (AnonymousUser, whose uploads UploadAnonymous took) or a signed-in user,
// held while it runs and attached to the report after (or released when it
// fails). uploader may be the zero User when there are no uploads.
func (p *Photos) ReopenClaim(ctx context.Context, uploader User, address, code string, in ReopenInput, uploads []string) (ClaimView, error) {
	var v ClaimView
	_, err := p.withUploads(ctx, "reopen claim", uploader, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		var err error
		v, err = p.svc.ReopenClaim(ctx, address, code, in)
		return v.Hazard, err
	})
	return v, err
}

// AnswerFixedClaim is Service.AnswerFixedClaim with photos (for a "no")
// from uploader's uploads, as ReopenClaim takes them.
func (p *Photos) AnswerFixedClaim(ctx context.Context, uploader User, address, code string, in FixedAnswerInput, uploads []string) (ClaimView, error) {
	var v ClaimView
	_, err := p.withUploads(ctx, "answer fixed claim", uploader, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		var err error
		v, err = p.svc.AnswerFixedClaim(ctx, address, code, in)
		return v.Hazard, err
	})
	return v, err
}
