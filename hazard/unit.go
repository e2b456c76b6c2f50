package hazard

import (
	"context"

	"github.com/google/uuid"
)

// EventUnitLinked records that staff linked a hazard to the unit
// (enterprise) it was found at; its data holds DataUnitID.
const EventUnitLinked EventType = "unit_linked"

// Data keys of EventUnitLinked.
const (
	DataUnitID         = "unit_id"          // the unit the hazard was linked to
	DataPreviousUnitID = "previous_unit_id" // the unit it was linked to before, when it was
)

// LinkUnit records that the hazard id was found at the unit unitID (a
// citizen's report about a company, once staff have checked it), so that
// it counts for that unit and the unit's safety manager (role enterprise)
// sees it, without its reporter. Only staff whose scope covers the hazard
// may (CodeForbidden otherwise); unitID must be a valid unit ID (CodeInvalid,
// field "unit_id"); expectedVersion must be the hazard's version
// (CodeConflict otherwise). The hazard and an EventUnitLinked (with the
// previous unit, when there was one) are saved in one atomic step. Linking
// to the unit it already has changes nothing.
func (s *Service) LinkUnit(ctx context.Context, user User, id uuid.UUID, unitID string, expectedVersion int64) (Hazard, error) {
	const op = "link unit"
	if err := staffOnly(op, user); err != nil {
		return Hazard{}, err
	}
	unitID = NormalizeText(unitID)
	var p Problems
	if unitID == "" {
		p.Add("unit_id", "is required")
	}
	CheckText(&p, "unit_id", unitID, 0, MaxUnitIDLen)
	if expectedVersion < 1 {
		p.Add("expected_version", "is required")
	}
	if err := p.Err(op); err != nil {
		return Hazard{}, err
	}
	h, err := s.getToChange(ctx, op, user, id, expectedVersion)
	if err != nil {
		return Hazard{}, err
	}
	if h.UnitID == unitID {
		return h, nil
	}
	now := s.now()
	data := map[string]string{DataUnitID: unitID}
	if h.UnitID != "" {
		data[DataPreviousUnitID] = h.UnitID // so that consumers update that unit too
	}
	h.UnitID, h.UpdatedAt = unitID, now
	ev := Event{HazardID: h.ID, Type: EventUnitLinked, Actor: user.Actor(), Data: data, Time: now}
	stored, err := s.store.Update(ctx, h, expectedVersion, []Event{ev})
	return stored, Wrap(op, err)
}
