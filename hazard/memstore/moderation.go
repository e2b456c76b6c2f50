package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.ModerationStore = (*Store)(nil)

// Moderation implements hazard.ModerationStore.
func (s *Store) Moderation(ctx context.Context, id uuid.UUID) (hazard.Moderation, error) {
	if err := ctx.Err(); err != nil {
		return hazard.Moderation{}, hazard.Wrap("memstore.moderation", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.moderations[id]
	if !ok {
		return hazard.Moderation{HazardID: id}, nil
	}
	return m.Clone(), nil
}

// ModerationsOf implements hazard.ModerationStore.
func (s *Store) ModerationsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]hazard.Moderation, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.moderations_of", err)
	}
	if len(ids) > hazard.MaxEventsBatch {
		return nil, hazard.Errorf(hazard.CodeInvalid, "at most %d hazards at once, not %d", hazard.MaxEventsBatch, len(ids))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[uuid.UUID]hazard.Moderation, len(ids))
	for _, id := range ids {
		if m, ok := s.moderations[id]; ok {
			out[id] = m.Clone()
		}
	}
	return out, nil
}

// SaveModeration implements hazard.ModerationStore.
func (s *Store) SaveModeration(ctx context.Context, m hazard.Moderation, expectedVersion int64, events []hazard.Event) (hazard.Moderation, error) {
	const op = "save_moderation"
	if err := ctx.Err(); err != nil {
		return hazard.Moderation{}, hazard.Wrap("memstore."+op, err)
	}
	var p hazard.Problems
	p.Merge("", m.Validate())
	checkEvents(&p, events, m.HazardID)
	if err := p.Err("memstore." + op); err != nil {
		return hazard.Moderation{}, err
	}
	m = m.Clone()
	evs := cloneEvents(events)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.hazards[m.HazardID]; !ok {
		return hazard.Moderation{}, errorf(hazard.CodeNotFound, op, "hazard_id", "hazard not found")
	}
	stored := s.moderations[m.HazardID].Version
	if stored != expectedVersion {
		e := errorf(hazard.CodeConflict, op, "expected_version", "the moderation changed")
		e.Version = stored
		return hazard.Moderation{}, e
	}
	m.Version = expectedVersion + 1
	if s.moderations == nil {
		s.moderations = make(map[uuid.UUID]hazard.Moderation)
	}
	s.moderations[m.HazardID] = m
	s.appendLocked(evs)
	return m.Clone(), nil
}

// HeldHazards implements hazard.ModerationStore. It scans the log.
func (s *Store) HeldHazards(ctx context.Context, limit int) ([]hazard.Hazard, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.held_hazards", err)
	}
	if limit < 1 || limit > hazard.MaxHeldQueue {
		return nil, errorf(hazard.CodeInvalid, "held_hazards", "limit", "must be 1 to the most held reports listed")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []hazard.Hazard
	seen := map[uuid.UUID]bool{}
	for seq := int64(1); seq <= s.events.len(); seq++ {
		e := s.events.at(seq)
		if e.Type != hazard.EventHeld || seen[e.HazardID] || s.moderations[e.HazardID].Released {
			continue
		}
		seen[e.HazardID] = true
		if h, ok := s.hazards[e.HazardID]; ok {
			out = append(out, h.Clone())
		}
	}
	slices.SortStableFunc(out, func(a, b hazard.Hazard) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), slices.Compare(a.ID[:], b.ID[:]))
	})
	return out[:min(len(out), limit)], nil
}

// moderatedBlobs adds to out those of want that a moderation refers to (a
// redacted copy). The caller holds the lock.
func (s *Store) moderatedBlobs(out, want map[string]bool) {
	for _, m := range s.moderations {
		for _, p := range m.Photos {
			if p.Redacted != "" && want[p.Redacted] {
				out[p.Redacted] = true
			}
		}
	}
}
