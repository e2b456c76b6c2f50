package reward

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

// denyAnonymous is the outcome of an anonymous report under p: an
// anonymous reporter earns no reward until an identity is bound.
func (s *Service) denyAnonymous(p *Policy) Outcome {
	d := Decision{Policy: p.Name, PolicyVersion: p.Version}
	d.Deny("anonymous", Text{ZH: "匿名举报须凭领奖码绑定实名身份后领取", EN: "an anonymous report is rewarded once a verified identity is bound with its claim code"})
	s.deny(p.Name, d)
	return Outcome{Decision: d}
}

// boundHazard returns h as reported by the user bound to it (the latest
// hazard.EventClaimBound in its events), and false when none is bound or
// the service has no event log to read bindings from.
func (s *Service) boundHazard(ctx context.Context, h hazard.Hazard) (hazard.Hazard, bool, error) {
	if s.cfg.Events == nil {
		return h, false, nil
	}
	events, err := s.cfg.Events.HazardEvents(ctx, h.ID)
	if err != nil {
		return h, false, wrap("reward.Consumer", err)
	}
	user, ok := hazard.BoundReporter(events)
	if !ok {
		return h, false, nil
	}
	verified := false
	for _, e := range events {
		if e.Type == hazard.EventClaimBound && e.Data[hazard.DataReporterID] == user {
			verified = e.Data[hazard.DataBoundVerified] == "true"
		}
	}
	h.Reporter = hazard.Reporter{UserID: user, Verified: verified}
	return h, true, nil
}

// onBound re-evaluates the reward rules for an anonymous report when a
// verified identity is bound to it: a report closed as valid (by its
// process's declaration of its current state) is decided now, for the
// bound user, with the first-reporter rule, the caps and the budget as
// for anyone; a report still open is decided at its closure. Redelivery
// is harmless: the ledger issues once per hazard and policy.
func (s *Service) onBound(ctx context.Context, e hazard.Event) error {
	if s.cfg.Hazards == nil {
		return &hazard.Error{Code: hazard.CodeInternal, Op: "reward.Consumer", Message: "the reward service has no Hazards reader"}
	}
	h, err := s.cfg.Hazards.Get(ctx, e.HazardID)
	if err != nil {
		return wrap("reward.Consumer", err)
	}
	if h.Open() || !s.closesValid(&h, h.State) {
		return nil
	}
	h, ok, err := s.boundHazard(ctx, h)
	if err != nil || !ok {
		return err
	}
	_, err = s.IssueFor(ctx, h)
	return err
}
