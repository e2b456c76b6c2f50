package reward

import (
	"context"
	"strconv"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Keys of the Data of reward events, for notify and other readers: the
// ones package hazard defines beside the reward event types.
const (
	DataRewardID   = hazard.DataRewardID
	DataAmountFen  = hazard.DataAmountFen
	DataClaimBy    = hazard.DataClaimBy
	DataReporterID = hazard.DataReporterID
	DataPolicy     = hazard.DataPolicy
)

// Event returns the event of type typ (hazard.EventRewardIssued,
// EventRewardClaimed, EventRewardExpired or EventRewardForfeited) about r, at time at, by the
// system actor. The reporter's ID is in Data, never in the actor, so that a
// public timeline built from actors cannot reveal the reporter.
func Event(typ hazard.EventType, r Reward, at time.Time) hazard.Event {
	return hazard.Event{
		HazardID: r.HazardID,
		Type:     typ,
		Actor:    hazard.System,
		Data: map[string]string{
			DataRewardID:   r.ID.String(),
			DataAmountFen:  strconv.FormatInt(int64(r.Amount), 10),
			DataClaimBy:    r.ClaimBy.UTC().Format(time.RFC3339),
			DataReporterID: r.ReporterID,
			DataPolicy:     r.Policy,
		},
		Time: at.UTC(),
	}
}

func (s *Service) appendEvent(ctx context.Context, typ hazard.EventType, r Reward) error {
	if s.cfg.Events == nil {
		return nil
	}
	if _, err := s.cfg.Events.Append(ctx, Event(typ, r, s.now())); err != nil {
		return wrap("reward.appendEvent", err)
	}
	return nil
}

// ensureIssuedEvent appends r's EventRewardIssued unless the hazard's log
// already holds it: a redelivered event, or a retry after the append
// failed, neither loses nor repeats the notice.
func (s *Service) ensureIssuedEvent(ctx context.Context, r Reward) error {
	return s.ensureEvent(ctx, hazard.EventRewardIssued, r)
}

// ensureEvent appends r's event of type typ unless the hazard's log
// already holds one for r.
func (s *Service) ensureEvent(ctx context.Context, typ hazard.EventType, r Reward) error {
	if s.cfg.Events == nil {
		return nil
	}
	events, err := s.cfg.Events.HazardEvents(ctx, r.HazardID)
	if err != nil {
		return wrap("reward.ensureEvent", err)
	}
	for _, e := range events {
		if e.Type == typ && e.Data[DataRewardID] == r.ID.String() {
			return nil
		}
	}
	return s.appendEvent(ctx, typ, r)
}

// logEvent appends an event after a change the ledger already recorded:
// the payout or expiry stands, so a failed append is logged, not returned.
func (s *Service) logEvent(ctx context.Context, typ hazard.EventType, r Reward) {
	if err := s.appendEvent(ctx, typ, r); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "reward event lost", "type", string(typ), "reward_id", r.ID, "error", err)
	}
}
