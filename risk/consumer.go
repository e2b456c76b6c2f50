package risk

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// ConsumerName is the name of the service's relay consumer.
const ConsumerName = "risk-grades"

// Consumer returns the relay consumer that regrades a unit when one of its
// hazards changes: for each event of a hazard that carries a UnitID naming
// a unit of the store, Recompute. Events of other subjects, hazards of no
// unit, and unit IDs that are not the store's are passed over. It is
// idempotent: regrading twice changes nothing the second time.
func (s *Service) Consumer() relay.Consumer {
	return relay.Consumer{Name: ConsumerName, Handle: s.handle}
}

func (s *Service) handle(ctx context.Context, e hazard.Event) error {
	if e.HazardID == uuid.Nil {
		return nil
	}
	h, err := s.hazards.Get(ctx, e.HazardID)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// A hazard moved from one unit to another changes both.
	for _, unit := range []string{e.Data[hazard.DataPreviousUnitID], h.UnitID} {
		if err := s.recomputeUnit(ctx, unit); err != nil {
			return err
		}
	}
	return nil
}

// recomputeUnit regrades the unit whose ID is the string unit; a string
// that is no unit ID of ours, or a unit no longer registered, is nothing
// to do.
func (s *Service) recomputeUnit(ctx context.Context, unit string) error {
	id, err := uuid.Parse(unit)
	if err != nil || id.String() != unit {
		return nil
	}
	_, err = s.Recompute(ctx, id)
	if errors.Is(err, hazard.ErrNotFound) {
		return nil
	}
	return err
}
