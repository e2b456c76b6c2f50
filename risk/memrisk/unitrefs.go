package memrisk

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// placeIndex maps a district or an industry to its units.
type placeIndex map[string]map[uuid.UUID]struct{}

func (x placeIndex) add(key string, id uuid.UUID) {
	set := x[key]
	if set == nil {
		set = make(map[uuid.UUID]struct{})
		x[key] = set
	}
	set[id] = struct{}{}
}

func (x placeIndex) remove(key string, id uuid.UUID) {
	if set := x[key]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(x, key)
		}
	}
}

// indexPlace adds u to the district and industry indexes; unindexPlace
// removes it. The caller holds the write lock.
func (s *Store) indexPlace(u *risk.Unit) {
	s.byDistrict.add(u.Location.District, u.ID)
	s.byIndustry.add(u.Industry, u.ID)
}

func (s *Store) unindexPlace(u *risk.Unit) {
	s.byDistrict.remove(u.Location.District, u.ID)
	s.byIndustry.remove(u.Industry, u.ID)
}

// UnitRefs implements risk.Store: it reads the smaller of f's district's
// and industry's index sets when f names one, every unit otherwise.
func (s *Store) UnitRefs(ctx context.Context, f risk.UnitFilter, limit int) ([]risk.UnitRef, error) {
	const op = "memrisk.unit_refs"
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	if err := risk.CheckRefsLimit("limit", limit); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []uuid.UUID
	var set map[uuid.UUID]struct{}
	if f.District != "" {
		set = s.byDistrict[f.District]
	}
	if f.Industry != "" && (f.District == "" || len(s.byIndustry[f.Industry]) < len(set)) {
		set = s.byIndustry[f.Industry]
	}
	if f.District != "" || f.Industry != "" {
		ids = make([]uuid.UUID, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, cmpID)
	} else {
		ids = s.ids
	}
	out := []risk.UnitRef{}
	for _, id := range ids {
		u := s.units[id]
		if !f.Matches(u) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, u.RefOf())
	}
	return out, nil
}

// UnitRefsOf implements risk.Store.
func (s *Store) UnitRefsOf(ctx context.Context, ids []uuid.UUID) ([]risk.UnitRef, error) {
	const op = "memrisk.unit_refs_of"
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	if err := risk.CheckRefsLimit("ids", len(ids)); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	ids = slices.Clone(ids)
	slices.SortFunc(ids, cmpID)
	ids = slices.Compact(ids)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []risk.UnitRef{}
	for _, id := range ids {
		if u, ok := s.units[id]; ok {
			out = append(out, u.RefOf())
		}
	}
	return out, nil
}
