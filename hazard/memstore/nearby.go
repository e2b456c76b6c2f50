package memstore

import (
	"context"
	"math"
	"sort"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// cellDeg is the side of a grid cell, in degrees (about 1.1 km of latitude).
const cellDeg = 0.01

// maxCells is the most cells Nearby visits; a wider search scans the open
// hazards of the category instead.
const maxCells = 4096

type cell struct {
	category string
	lat, lng int32
}

func cellOf(category string, w hazard.Point) cell {
	return cell{category, int32(math.Floor(w.Lat / cellDeg)), int32(math.Floor(w.Lng / cellDeg))}
}

// gridAdd adds h to the grid when it is open and has a point. The caller
// holds the write lock.
func (s *Store) gridAdd(h *hazard.Hazard) {
	if !h.Open() || h.Location.Point == nil {
		return
	}
	c := cellOf(h.Category, h.Location.Point.WGS84())
	m := s.grid[c]
	if m == nil {
		m = make(map[uuid.UUID]struct{})
		s.grid[c] = m
	}
	m[h.ID] = struct{}{}
}

func (s *Store) gridRemove(h *hazard.Hazard) {
	if !h.Open() || h.Location.Point == nil {
		return
	}
	c := cellOf(h.Category, h.Location.Point.WGS84())
	if m := s.grid[c]; m != nil {
		delete(m, h.ID)
		if len(m) == 0 {
			delete(s.grid, c)
		}
	}
}

// Nearby implements hazard.Store.
func (s *Store) Nearby(ctx context.Context, q hazard.NearbyQuery) ([]hazard.Hazard, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.nearby", err)
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	limit := pageLimit(q.Limit)
	center := q.Center.WGS84()
	box := center.Around(q.RadiusMeters)

	s.mu.RLock()
	var found []*hazard.Hazard
	keep := func(h *hazard.Hazard) {
		if h.Open() && h.Category == q.Category && h.Location.Point != nil &&
			!h.CreatedAt.Before(q.Since) && h.Location.Point.DistanceMeters(center) <= q.RadiusMeters {
			found = append(found, h)
		}
	}
	lo, hi := cellOf(q.Category, hazard.Point{Lat: box.MinLat, Lng: box.MinLng}), cellOf(q.Category, hazard.Point{Lat: box.MaxLat, Lng: box.MaxLng})
	if cells := (int64(hi.lat) - int64(lo.lat) + 1) * (int64(hi.lng) - int64(lo.lng) + 1); cells <= maxCells {
		for la := lo.lat; la <= hi.lat; la++ {
			for ln := lo.lng; ln <= hi.lng; ln++ {
				for id := range s.grid[cell{q.Category, la, ln}] {
					keep(s.hazards[id])
				}
			}
		}
	} else if set := s.byCategory[q.Category]; set != nil {
		it := set.below(uuid.Nil, true)
		for id, ok := it.next(); ok; id, ok = it.next() {
			keep(s.hazards[id])
		}
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return compareID(a.ID, b.ID) < 0
	})
	if len(found) > limit {
		found = found[:limit]
	}
	out := make([]hazard.Hazard, len(found))
	for i, h := range found {
		out[i] = h.Clone()
	}
	s.mu.RUnlock()
	return out, nil
}

// sameCell reports whether a and b have the same grid entry: both out of
// the grid, or both in it in the same cell.
func sameCell(a, b *hazard.Hazard) bool {
	inA := a.Open() && a.Location.Point != nil
	inB := b.Open() && b.Location.Point != nil
	if !inA || !inB {
		return inA == inB
	}
	return a.Category == b.Category && cellOf(a.Category, a.Location.Point.WGS84()) == cellOf(b.Category, b.Location.Point.WGS84())
}
