package follow

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.Forgetter = (*Service)(nil)

// ForgetUser implements hazard.Forgetter for an erased citizen's
// subscriptions: the store (which must be a hazard.Forgetter, else
// CodeInternal) deletes their follows and watched areas, and their daily
// message count is reset when the limiter is a hazard.LimitResetter.
// Their me-toos stay counted: they are events of the log, which the hazard
// store rewrites under the pseudonym.
func (s *Service) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "follow.ForgetUser"
	if err := e.Validate(); err != nil {
		return err
	}
	f, ok := s.cfg.Store.(hazard.Forgetter)
	if !ok {
		return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the follow store cannot forget a person (it is no hazard.Forgetter)"}
	}
	if err := f.ForgetUser(ctx, e); err != nil {
		return hazard.Wrap(op, err)
	}
	if r, ok := s.cfg.Limiter.(hazard.LimitResetter); ok {
		if err := r.Reset(ctx, messageLimitKey+e.UserID); err != nil {
			return hazard.Wrap(op, err)
		}
	}
	return nil
}
