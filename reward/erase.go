package reward

import (
	"context"
	"errors"

	"github.com/hazardloop/hazardloop/hazard"
)

// ErrPayoutInFlight is the refusal to erase a reporter while one of their
// rewards is being paid (claiming: a transfer waiting for their
// confirmation, or the payer's answer): erasing them would leave a
// payment nobody can finish. It is a *hazard.Error with CodeConflict.
var ErrPayoutInFlight error = &hazard.Error{Code: hazard.CodeConflict, Field: "rewards",
	Message: "a reward of yours is being paid: confirm or cancel the transfer, or wait until it is paid, then erase your account"}

var (
	_ hazard.Forgetter    = (*Service)(nil)
	_ hazard.ErasureGuard = (*Service)(nil)
)

// CheckErasure implements hazard.ErasureGuard: ErrPayoutInFlight while a
// reward of user's is being paid (claiming).
func (s *Service) CheckErasure(ctx context.Context, user hazard.User) error {
	return s.noPayoutInFlight(ctx, user.ID)
}

func (s *Service) noPayoutInFlight(ctx context.Context, userID string) error {
	l, err := s.cfg.Ledger.ListByReporter(ctx, userID, StatusClaiming, hazard.Page{Limit: 1})
	if err != nil {
		return wrap("reward.CheckErasure", err)
	}
	if len(l.Items) > 0 {
		return ErrPayoutInFlight
	}
	return nil
}

// ForgetUser implements hazard.Forgetter for the rewards of an erased
// reporter. What finance needs stays: every reward keeps its ledger row
// (amount, status, payment reference and dates) with the pseudonym as its
// reporter (the ledger must be a hazard.Forgetter, else CodeInternal). A
// pending reward is forfeited: nobody can claim it any more, so it gets an
// EventRewardForfeited and is expired at once (Reward.Forfeit), its amount
// returning to the budget. A reward being paid refuses the erasure with
// ErrPayoutInFlight, changing nothing, until the payment ends.
//
// It is idempotent: a retry renames nothing more, and a forfeited
// reward's event is appended once (ensured as the issued event is).
func (s *Service) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "reward.ForgetUser"
	if err := e.Validate(); err != nil {
		return err
	}
	f, ok := s.cfg.Ledger.(hazard.Forgetter)
	if !ok {
		return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the reward ledger cannot forget a reporter (it is no hazard.Forgetter)"}
	}
	if err := s.noPayoutInFlight(ctx, e.UserID); err != nil {
		return err
	}
	if err := f.ForgetUser(ctx, e); err != nil {
		return wrap(op, err)
	}
	forfeited := false
	for p := (hazard.Page{Limit: hazard.MaxPageLimit}); ; {
		l, err := s.cfg.Ledger.ListByReporter(ctx, e.Pseudonym, StatusPending, p)
		if err != nil {
			return wrap(op, err)
		}
		for _, r := range l.Items {
			if err := s.ensureEvent(ctx, hazard.EventRewardForfeited, r); err != nil {
				return err
			}
			now := s.now()
			got, err := s.cfg.Ledger.Update(ctx, r.ID, func(r *Reward) error { return r.Forfeit(now) })
			switch {
			case errors.Is(err, ErrNotClaimable):
				continue // it moved meanwhile
			case err != nil:
				return wrap(op, err)
			}
			forfeited = true
			s.cfg.Metrics.expire(got)
			s.cfg.Logger.InfoContext(ctx, "reward forfeited by the reporter's erasure", "reward_id", got.ID, "amount_fen", int64(got.Amount))
		}
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
	}
	if forfeited {
		for i := range s.cfg.Policies {
			s.updateBudget(ctx, &s.cfg.Policies[i])
		}
	}
	return nil
}

// denyErased is the outcome of a report whose reporter erased their
// account: nobody is left to reward.
func (s *Service) denyErased(p *Policy) Outcome {
	d := Decision{Policy: p.Name, PolicyVersion: p.Version}
	d.Deny("erased", Text{ZH: "举报人已注销账户", EN: "the reporter erased their account"})
	s.deny(p.Name, d)
	return Outcome{Decision: d}
}
