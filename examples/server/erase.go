package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/hazardloop/hazardloop/hazard"
)

// EraseRequest is the body of POST /api/v1/me/erase: the word that
// confirms the erasure (hazard.ConfirmsErasure: 删除 or DELETE).
type EraseRequest struct {
	Confirm string `json:"confirm"`
}

// erase erases the caller's account (PIPL's right to deletion) through the
// library's Eraser: see newEraser for what each step forgets.
func (s *Server) erase(w http.ResponseWriter, r *http.Request, c caller) error {
	return decodeCall(w, r, http.StatusOK, func(in EraseRequest) (any, error) {
		return s.eraser.Erase(r.Context(), c.user(), in.Confirm)
	})
}

// newEraser wires the Eraser over every store of the server that keeps a
// person's identifiers, in this order:
//
//   - accounts: the account, its login code and the limiter keys naming
//     its phone or ID (accountEraser); first, so that the person's
//     tokens stop working before anything else is forgotten;
//   - hazards: the person's reports (reporter and contact), their events
//     everywhere in the log, the parked copies, idempotency keys and the
//     submission limit (hazard.Service.ForgetUser);
//   - uploads: their photos' uploads pass to the pseudonym, pending ones
//     are deleted with their photos (hazard.Photos.ForgetUser);
//   - follows: their follows and watched areas are deleted
//     (follow.Service.ForgetUser);
//   - rewards: paid rewards stay in the ledger under the pseudonym,
//     pending ones are forfeited, a reward being paid refuses the erasure
//     (reward.Service.ForgetUser and CheckErasure);
//   - deliveries: the notices' delivery log names the pseudonym;
//   - payer: the payer's own records, when it keeps any (the in-memory
//     payer of the demo). WeChat Pay's bills keep no openid or user ID
//     (reward/wechatpay), so there is nothing to forget there.
func newEraser(s *Server) (*hazard.Eraser, error) {
	journal, ok := s.store.(hazard.ErasureJournal)
	if !ok {
		return nil, &hazard.Error{Code: hazard.CodeInternal, Message: "the hazard store keeps no erasure journal"}
	}
	deliveries, ok := s.deliveries.(hazard.Forgetter)
	if !ok {
		return nil, &hazard.Error{Code: hazard.CodeInternal, Message: "the delivery log cannot forget a person"}
	}
	steps := []hazard.ErasureStep{
		{Name: "accounts", Forgetter: accountEraser{s: s}},
		{Name: "hazards", Forgetter: s.svc},
		{Name: "uploads", Forgetter: s.photos},
		{Name: "follows", Forgetter: s.follow},
		{Name: "rewards", Forgetter: s.loop.rewards.svc},
		{Name: "deliveries", Forgetter: deliveries},
	}
	if p, ok := s.loop.rewards.payer.(hazard.Forgetter); ok {
		steps = append(steps, hazard.ErasureStep{Name: "payer", Forgetter: p})
	}
	return hazard.NewEraser(hazard.EraserConfig{Journal: journal, Steps: steps, Clock: s.now, Logger: s.log})
}

// accountEraser is the erasure step of the server's accounts.
type accountEraser struct{ s *Server }

// CheckErasure implements hazard.ErasureGuard: in demo mode the seeded
// demo accounts stay (CodeForbidden), so that one visitor cannot take a
// demo user away from the others; a citizen who logged in with a phone
// may erase their account.
func (a accountEraser) CheckErasure(_ context.Context, user hazard.User) error {
	if a.s.demo && isDemoUser(user.ID) {
		return &hazard.Error{Code: hazard.CodeForbidden, Message: "the demo accounts stay: log in with a phone number to try deleting an account"}
	}
	return nil
}

// ForgetUser implements hazard.Forgetter: the phone's pending login code
// and its limits, the limit of the account's verifications, then the
// account itself (phone, name, resident ID hash, WeChat openid and
// unionid) are deleted. The account goes last, so that a retry still finds
// the phone; once it is gone, tokens naming its ID are refused (a new
// account never gets the ID again: newCitizenID).
func (a accountEraser) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	if err := e.Validate(); err != nil {
		return err
	}
	acct, err := a.s.users.get(ctx, e.UserID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil // forgotten already
	}
	if err != nil {
		return err
	}
	if acct.Phone != "" {
		if err := a.s.codes.forget(ctx, acct.Phone); err != nil {
			return err
		}
	}
	if r, ok := a.s.limiter.(hazard.LimitResetter); ok {
		if err := r.Reset(ctx, verifyUserKey+a.s.keyer.key(e.UserID)); err != nil {
			return err
		}
	}
	return a.s.users.remove(ctx, e.UserID)
}

// eraseSchemas are the schemas of the erasure's request body.
func eraseSchemas() map[string]any {
	return map[string]any{
		"EraseRequest": object(map[string]any{
			"confirm": map[string]any{"type": "string", "description": "删除 or DELETE (any letter case), typed by the person to confirm",
				"example": hazard.EraseConfirmZH},
		}, "confirm"),
	}
}
