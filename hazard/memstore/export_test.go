package memstore

import "github.com/hazardloop/hazardloop/hazard"

// Load adds hazards without validating them or writing events, taking
// ownership of hs: a test-only fast path to build large benchmark fixtures.
func (s *Store) Load(hs []hazard.Hazard) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range hs {
		s.insert(&hs[i])
	}
}

// CursorBelow returns the List cursor of a page whose last item had the ID,
// for tests that start a walk at a chosen position.
var CursorBelow = encodeCursor
