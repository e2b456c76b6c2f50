package reward

import (
	"cmp"
	"context"
	"errors"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// ClaimResult is the outcome of a claim. Reward.Status says what happened:
//
//   - claimed: paid out (Reward.PaymentRef);
//   - claiming: the payout waits, e.g. for the citizen to confirm the
//     transfer in the app with Package; Sync or Reconcile records it later;
//   - pending: the payout failed or its outcome is unknown; Reward.LastError
//     says why and the reporter may claim again (asking the payer again
//     with the same key never pays twice);
//   - failed: the payer refused it for good.
type ClaimResult struct {
	Reward Reward
	// Package is what the citizen's app needs to confirm a waiting payout;
	// Merchant and App go with it when the app needs them (PayResult).
	Package, Merchant, App string
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= MaxErrorLen {
		return s
	}
	return string([]rune(s)[:MaxErrorLen])
}

func (s *Service) payer(op string) error {
	if s.cfg.Payer == nil {
		return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the reward service has no payer"}
	}
	return nil
}

// Claim pays a pending reward to its reporter: the ledger moves it to
// claiming (only the reporter: anyone else gets CodeNotFound with
// NoSuchReward, the answer about a missing reward; only a pending reward:
// ErrNotClaimable; only before ClaimBy: ErrClaimWindowClosed), the payer is
// asked with the reward ID as the idempotency key (at most PayTimeout), and
// the answer is recorded. Of two concurrent claims, one pays and the other
// gets ErrNotClaimable. A payout that fails is not an error: see
// ClaimResult. The error is for a claim that could not start or an answer
// the ledger could not record (Reconcile records it later).
func (s *Service) Claim(ctx context.Context, user hazard.User, id uuid.UUID) (ClaimResult, error) {
	const op = "reward.Claim"
	if err := s.payer(op); err != nil {
		return ClaimResult{}, err
	}
	if user.ID == "" {
		return ClaimResult{}, &hazard.Error{Code: hazard.CodeUnauthenticated, Op: op, Message: "sign in to claim a reward"}
	}
	now := s.now()
	r, err := s.cfg.Ledger.Update(ctx, id, func(r *Reward) error {
		if r.ReporterID != user.ID {
			return errNoReward(op)
		}
		return r.BeginClaim(user.ID, now)
	})
	if err != nil {
		if errors.Is(err, hazard.ErrNotFound) {
			return ClaimResult{}, errNoReward(op)
		}
		return ClaimResult{}, wrap(op, err)
	}
	payCtx, cancel := context.WithTimeout(ctx, s.cfg.PayTimeout)
	res, payErr := s.cfg.Payer.Pay(payCtx, PayRequest{
		IdempotencyKey: r.ID.String(), RewardID: r.ID, ReporterID: r.ReporterID, Amount: r.Amount,
		Remark: "隐患举报奖励 " + r.HazardRef,
	})
	cancel()
	// The payer was asked: record its answer even if the caller has gone.
	ctx = context.WithoutCancel(ctx)
	switch {
	case payErr != nil:
		s.cfg.Metrics.payoutError(r.Policy, "unknown")
		res = PayResult{Status: PayFailed, Reason: "payment outcome unknown: " + hazard.ErrorMessage(payErr)}
	case res.Status == PayFailed:
		s.cfg.Metrics.payoutError(r.Policy, "failed")
	}
	r, err = s.record(ctx, r, res)
	if err != nil {
		return ClaimResult{Reward: r}, wrap(op, err)
	}
	cr := ClaimResult{Reward: r}
	if r.Status == StatusClaiming {
		cr.Package, cr.Merchant, cr.App = res.Package, res.Merchant, res.App
	}
	return cr, nil
}

// Pending returns again what the reporter's app needs to confirm a payout
// that waits for confirmation (the app was closed before the citizen
// confirmed): the reward, still claiming, and the payer's package. A
// reward of someone else is CodeNotFound; a reward not waiting for
// confirmation is ErrNotClaimable.
func (s *Service) Pending(ctx context.Context, user hazard.User, id uuid.UUID) (ClaimResult, error) {
	const op = "reward.Pending"
	if err := s.payer(op); err != nil {
		return ClaimResult{}, err
	}
	r, err := s.Get(ctx, user, id)
	if err != nil {
		return ClaimResult{}, err
	}
	if r.Status != StatusClaiming {
		return ClaimResult{}, ErrNotClaimable
	}
	res, err := s.cfg.Payer.Query(ctx, r.ID.String())
	if err != nil {
		return ClaimResult{}, wrap(op, err)
	}
	if res.Status != PayPending || res.Package == "" {
		return ClaimResult{}, ErrNotClaimable
	}
	return ClaimResult{Reward: r, Package: res.Package, Merchant: res.Merchant, App: res.App}, nil
}

// record writes the payer's answer about the claiming reward r.
func (s *Service) record(ctx context.Context, r Reward, res PayResult) (Reward, error) {
	switch res.Status {
	case PaySettled:
		return s.settle(ctx, r, res.PaymentRef)
	case PayPending:
		return r, nil
	case PayRejected:
		s.cfg.Metrics.payoutError(r.Policy, "rejected")
		reason := truncate(res.Reason)
		return s.cfg.Ledger.Update(ctx, r.ID, func(r *Reward) error { return r.MarkFailed(reason) })
	default:
		reason := truncate(cmp.Or(res.Reason, "payment failed"))
		retryBy := s.now().Add(s.cfg.RetryGrace)
		return s.cfg.Ledger.Update(ctx, r.ID, func(r *Reward) error { return r.FailClaim(reason, retryBy) })
	}
}

// errSettled is what settle's change returns when the reward was claimed
// under the reference already, so that Ledger.Update stores nothing.
var errSettled = errors.New("settled already")

// settle records the payout of r under ref, once: a reward claimed under
// ref already is returned as it is.
func (s *Service) settle(ctx context.Context, r Reward, ref string) (Reward, error) {
	if err := CheckPaymentRef(ref); err != nil {
		return Reward{}, err
	}
	now := s.now()
	var was Reward
	r, err := s.cfg.Ledger.Update(ctx, r.ID, func(r *Reward) error {
		changed, err := r.Settle(ref, now)
		if err == nil && !changed {
			was = r.Clone()
			return errSettled
		}
		return err
	})
	switch {
	case errors.Is(err, errSettled):
		return was, nil
	case err != nil:
		return r, err
	default:
		s.cfg.Metrics.claim(r)
		s.cfg.Logger.InfoContext(ctx, "reward claimed", "reward_id", r.ID, "policy", r.Policy, "amount_fen", int64(r.Amount))
		s.logEvent(ctx, hazard.EventRewardClaimed, r)
		return r, nil
	}
}

// Sync asks the payer about the payout of one reward and records the
// answer: a settled payout is recorded from any status (a late
// confirmation); for a claiming reward, no payout or a failed one makes it
// claimable again and a rejected one makes it failed; a waiting payout
// changes nothing. A reward never claimed, or claimed, is returned as is.
// Payment callbacks (a WeChat Pay notice) call Sync with the reward ID.
func (s *Service) Sync(ctx context.Context, id uuid.UUID) (Reward, error) {
	const op = "reward.Sync"
	if err := s.payer(op); err != nil {
		return Reward{}, err
	}
	r, err := s.cfg.Ledger.Get(ctx, id)
	if err != nil {
		return Reward{}, wrap(op, err)
	}
	if r.Status == StatusClaimed || r.Attempts == 0 {
		return r, nil
	}
	res, err := s.cfg.Payer.Query(ctx, r.ID.String())
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		res = PayResult{Status: PayFailed, Reason: "no payment was made"}
	case err != nil:
		return r, wrap(op, err)
	}
	if res.Status == PaySettled {
		r, err = s.settle(ctx, r, res.PaymentRef)
		return r, wrap(op, err)
	}
	if r.Status != StatusClaiming {
		return r, nil
	}
	r, err = s.record(ctx, r, res)
	if errors.Is(err, ErrNotClaimable) {
		// Changed meanwhile (a concurrent Sync or callback): read it again.
		r, err = s.cfg.Ledger.Get(ctx, id)
	}
	return r, wrap(op, err)
}

// Reconcile syncs the claims stuck in claiming for longer than StuckAfter
// with the payer, up to MaxExpireBatch of them, and returns how many it
// synced. It is safe to run from several processes: the ledger's
// conditional changes let one win each race.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	const op = "reward.Reconcile"
	if err := s.payer(op); err != nil {
		return 0, err
	}
	stuck, err := s.cfg.Ledger.StuckClaims(ctx, s.now().Add(-s.cfg.StuckAfter))
	if err != nil {
		return 0, wrap(op, err)
	}
	var errs []error
	n := 0
	for _, r := range stuck {
		if _, err := s.Sync(ctx, r.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// ExpireDue expires the pending rewards past their claim window, in
// batches until none is due, and returns how many stayed expired. A
// reward whose claim was tried before (Attempts > 0) is synced with the
// payer first, so that a payout whose answer was lost is recorded as
// claimed rather than expired. Each expired reward gets its
// EventRewardExpired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	const op = "reward.ExpireDue"
	n := 0
	var errs []error
	for {
		now := s.now()
		batch, err := s.cfg.Ledger.UpdateDue(ctx, now, func(r *Reward) error { return r.Expire(now) })
		if err != nil {
			return n, wrap(op, err)
		}
		for _, r := range batch {
			if r.Attempts > 0 && s.cfg.Payer != nil {
				synced, err := s.Sync(ctx, r.ID)
				if err != nil {
					errs = append(errs, err)
				} else if synced.Status == StatusClaimed {
					continue
				}
			}
			n++
			s.cfg.Metrics.expire(r)
			s.logEvent(ctx, hazard.EventRewardExpired, r)
		}
		for i := range s.cfg.Policies {
			s.updateBudget(ctx, &s.cfg.Policies[i])
		}
		if len(batch) < MaxExpireBatch {
			return n, errors.Join(errs...)
		}
	}
}

// Mine returns one page of the user's rewards with the status (all when
// empty), newest first.
func (s *Service) Mine(ctx context.Context, user hazard.User, status Status, p hazard.Page) (List, error) {
	if user.ID == "" {
		return List{}, &hazard.Error{Code: hazard.CodeUnauthenticated, Op: "reward.Mine", Message: "sign in to see your rewards"}
	}
	l, err := s.cfg.Ledger.ListByReporter(ctx, user.ID, status, p)
	return l, wrap("reward.Mine", err)
}

// Get returns a reward to its reporter; anyone else gets CodeNotFound, so
// that reward IDs reveal nothing.
func (s *Service) Get(ctx context.Context, user hazard.User, id uuid.UUID) (Reward, error) {
	r, err := s.cfg.Ledger.Get(ctx, id)
	switch {
	case errors.Is(err, hazard.ErrNotFound):
		return Reward{}, errNoReward("reward.Get")
	case err != nil:
		return Reward{}, wrap("reward.Get", err)
	case user.ID == "" || r.ReporterID != user.ID:
		return Reward{}, errNoReward("reward.Get")
	}
	return r, nil
}

// NoSuchReward is the message of the one answer about a reward that is
// missing or another reporter's.
const NoSuchReward = "no such reward"

// errNoReward is the answer about a reward that is missing or another
// reporter's: the same in both cases, so that reward IDs reveal nothing.
func errNoReward(op string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: NoSuchReward}
}
