package memstore

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.StatsReader = (*Store)(nil)

// StatsRows implements hazard.StatsReader through the store's indexes: the
// hazards of the units f names (one index set a unit), else the smallest of
// the sets of its department, of the open hazards and of every hazard found
// at a unit, so that a district's figures cost in proportion to its units'
// hazards, not to the city's. The rows are collected under the read lock
// and yielded after it is released.
func (s *Store) StatsRows(ctx context.Context, f hazard.StatsFilter, yield func(*hazard.StatsRow) error) error {
	const op = "memstore.stats_rows"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if err := f.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	rows := s.statsRows(&f)
	for i := range rows {
		if err := yield(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) statsRows(f *hazard.StatsFilter) []hazard.StatsRow {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sets := s.statsSets(f)
	if f.UnitIDs != nil { // the sets are the units': match the rest only
		rest := *f
		rest.UnitIDs = nil
		f = &rest
	}
	n := 0
	for _, set := range sets {
		n += set.len()
	}
	rows := make([]hazard.StatsRow, 0, n)
	for _, set := range sets {
		it := set.below([16]byte{}, true)
		for id, ok := it.next(); ok; id, ok = it.next() {
			h := s.hazards[id]
			if !f.Matches(h) {
				continue
			}
			late := false
			if !h.Open() && len(h.Evidence) > 0 {
				for _, n := range s.byHazard[id] {
					e := s.events.at(n)
					if e.Type == hazard.EventTransition && len(e.Attachments) > 0 && e.Data[hazard.DataLate] == "true" {
						late = true
						break
					}
				}
			}
			rows = append(rows, hazard.StatsRowOf(h, late))
		}
	}
	return rows
}

// statsSets returns disjoint index sets that together hold every hazard f
// may match, the smallest choice the indexes offer. The caller holds the
// lock.
func (s *Store) statsSets(f *hazard.StatsFilter) []*idset {
	if f.UnitIDs != nil {
		seen := make(map[string]bool, len(f.UnitIDs))
		var out []*idset
		for _, u := range f.UnitIDs {
			if set := s.byUnit[u]; u != "" && set != nil && !seen[u] {
				seen[u] = true
				out = append(out, set)
			}
		}
		return out
	}
	best, n := []*idset{&s.all}, s.all.len()
	consider := func(sets []*idset) {
		m := 0
		for _, set := range sets {
			m += set.len()
		}
		if m < n {
			best, n = sets, m
		}
	}
	if f.Department != "" {
		set := s.byDept[f.Department]
		if set == nil {
			return nil
		}
		consider([]*idset{set})
	}
	if f.Open {
		consider([]*idset{&s.byOpen[1]})
	}
	if f.AtUnits {
		units := make([]*idset, 0, len(s.byUnit))
		for _, set := range s.byUnit {
			units = append(units, set)
		}
		consider(units)
	}
	return best
}
