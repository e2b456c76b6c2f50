package memstore

import (
	"bytes"
	"slices"
	"sort"

	"github.com/google/uuid"
)

// chunkMax is the most IDs one chunk of an idset holds. Inserting in the
// middle moves at most chunkMax IDs plus the chunk headers.
const chunkMax = 512

func compareID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// idset is a sorted set of IDs kept as a list of sorted chunks, so that
// inserting and removing cost O(chunkMax + n/chunkMax) and finding a
// position costs O(log n). UUIDv7 IDs mostly arrive in increasing order,
// which appends to the last chunk.
type idset struct {
	chunks [][]uuid.UUID // each non-empty and sorted; chunk i < chunk i+1
	n      int
	// spare is the array of the last chunk emptied, reused by the next new
	// chunk: a set that hazards pass through (a state) empties and refills
	// without allocating.
	spare []uuid.UUID
}

// newChunk returns an empty chunk with room for chunkMax IDs.
func (s *idset) newChunk() []uuid.UUID {
	if c := s.spare; c != nil {
		s.spare = nil
		return c[:0]
	}
	return make([]uuid.UUID, 0, chunkMax)
}

func (s *idset) len() int { return s.n }

// chunkFor returns the index of the first chunk whose last ID is >= id, or
// the last chunk when there is none. s must not be empty.
func (s *idset) chunkFor(id uuid.UUID) int {
	i := sort.Search(len(s.chunks), func(i int) bool {
		c := s.chunks[i]
		return compareID(c[len(c)-1], id) >= 0
	})
	if i == len(s.chunks) {
		i--
	}
	return i
}

func (s *idset) insert(id uuid.UUID) {
	if len(s.chunks) == 0 {
		first := s.spare[:0] // a small set grows by append up to chunkMax
		s.spare = nil
		s.chunks = append(s.chunks, append(first, id))
		s.n = 1
		return
	}
	last := len(s.chunks) - 1
	if c := s.chunks[last]; compareID(c[len(c)-1], id) < 0 { // the common case
		if len(c) < chunkMax {
			s.chunks[last] = append(c, id)
		} else {
			s.chunks = append(s.chunks, append(s.newChunk(), id))
		}
		s.n++
		return
	}
	ci := s.chunkFor(id)
	c := s.chunks[ci]
	j, found := slices.BinarySearchFunc(c, id, compareID)
	if found {
		return
	}
	c = slices.Insert(c, j, id)
	if len(c) > chunkMax {
		half := len(c) / 2
		right := append(s.newChunk(), c[half:]...)
		s.chunks[ci] = c[:half]
		s.chunks = slices.Insert(s.chunks, ci+1, right)
	} else {
		s.chunks[ci] = c
	}
	s.n++
}

func (s *idset) remove(id uuid.UUID) {
	if s.n == 0 {
		return
	}
	ci := s.chunkFor(id)
	c := s.chunks[ci]
	j, found := slices.BinarySearchFunc(c, id, compareID)
	if !found {
		return
	}
	c = slices.Delete(c, j, j+1)
	if len(c) == 0 {
		s.spare = c
		s.chunks = slices.Delete(s.chunks, ci, ci+1)
	} else {
		s.chunks[ci] = c
	}
	s.n--
}

// below returns an iterator over the IDs of s less than before (all IDs
// when all is true), in decreasing order. It is valid until s changes.
func (s *idset) below(before uuid.UUID, all bool) *descIter {
	it := &descIter{chunks: s.chunks, ci: len(s.chunks) - 1}
	if it.ci < 0 {
		return it
	}
	if all {
		it.j = len(s.chunks[it.ci])
		return it
	}
	it.ci = s.chunkFor(before)
	c := s.chunks[it.ci]
	it.j, _ = slices.BinarySearchFunc(c, before, compareID)
	return it
}

// descIter walks an idset downwards: the next ID is chunks[ci][j-1].
type descIter struct {
	chunks [][]uuid.UUID
	ci, j  int
}

func (it *descIter) next() (uuid.UUID, bool) {
	for it.ci >= 0 {
		if it.j > 0 {
			it.j--
			return it.chunks[it.ci][it.j], true
		}
		it.ci--
		if it.ci >= 0 {
			it.j = len(it.chunks[it.ci])
		}
	}
	return uuid.Nil, false
}

// mergeIter merges descending iterators over disjoint sets into one
// descending iterator.
type mergeIter struct {
	its   []*descIter
	heads []uuid.UUID
	ok    []bool
}

func newMerge(its []*descIter) *mergeIter {
	m := &mergeIter{its: its, heads: make([]uuid.UUID, len(its)), ok: make([]bool, len(its))}
	for i, it := range its {
		m.heads[i], m.ok[i] = it.next()
	}
	return m
}

func (m *mergeIter) next() (uuid.UUID, bool) {
	best := -1
	for i := range m.its {
		if m.ok[i] && (best < 0 || compareID(m.heads[i], m.heads[best]) > 0) {
			best = i
		}
	}
	if best < 0 {
		return uuid.Nil, false
	}
	id := m.heads[best]
	m.heads[best], m.ok[best] = m.its[best].next()
	return id, true
}
