package memstore

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIDSetAgainstSortedSlice drives an idset with random inserts and
// removals (in order and out of order) and compares every state with a
// plain sorted slice, including iteration from every cursor position.
func TestIDSetAgainstSortedSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s idset
	var ref []uuid.UUID
	id := func(n uint64) uuid.UUID {
		var u uuid.UUID
		for i := 0; i < 8; i++ {
			u[i] = byte(n >> (56 - 8*i))
		}
		return u
	}
	for step := 0; step < 6000; step++ {
		var u uuid.UUID
		switch {
		case step < 2000: // mostly increasing
			u = id(uint64(step) * 4)
		case r.IntN(3) == 0 && len(ref) > 0: // remove one
			u = ref[r.IntN(len(ref))]
			s.remove(u)
			i, _ := slices.BinarySearchFunc(ref, u, compareID)
			ref = slices.Delete(ref, i, i+1)
			continue
		default:
			u = id(r.Uint64N(20000))
		}
		s.insert(u)
		if i, found := slices.BinarySearchFunc(ref, u, compareID); !found {
			ref = slices.Insert(ref, i, u)
		}
	}
	require.Equal(t, len(ref), s.len(), "len")
	collect := func(it interface{ next() (uuid.UUID, bool) }) []uuid.UUID {
		out := []uuid.UUID{}
		for u, ok := it.next(); ok; u, ok = it.next() {
			out = append(out, u)
		}
		return out
	}
	rev := slices.Clone(ref)
	slices.Reverse(rev)
	assert.Equal(t, rev, collect(s.below(uuid.Nil, true)), "below(all)")
	for _, i := range []int{0, 1, 511, 512, 513, len(ref) / 2, len(ref) - 1} {
		before := ref[i]
		assert.Equal(t, rev[len(ref)-i:], collect(s.below(before, false)), "below(ref[%d])", i)
		// A cursor ID that is not in the set.
		missing := before
		missing[15] = 1
		want := rev[len(ref)-i-1:]
		assert.Equal(t, want, collect(s.below(missing, false)), "below(ref[%d]+)", i)
	}
	assert.Empty(t, collect(s.below(uuid.Nil, false)), "below(Nil)")
	for _, c := range s.chunks {
		assert.LessOrEqual(t, len(c), chunkMax, "chunk size")
		assert.NotEmpty(t, c, "chunk size")
	}
	// Merging two disjoint halves gives the whole.
	var a, b idset
	for i, u := range ref {
		if i%3 == 0 {
			a.insert(u)
		} else {
			b.insert(u)
		}
	}
	assert.Equal(t, rev, collect(newMerge([]*descIter{a.below(uuid.Nil, true), b.below(uuid.Nil, true)})), "merge")
}

// TestIDSetEmptiesAndRefills checks a set that hazards pass through: it
// empties and refills (reusing the emptied chunk) and stays correct.
func TestIDSetEmptiesAndRefills(t *testing.T) {
	var s idset
	ids := make([]uuid.UUID, 3*chunkMax)
	for i := range ids {
		ids[i] = uuid.UUID{byte(i >> 8), byte(i)}
	}
	for round := range 3 {
		for _, u := range ids {
			s.insert(u)
		}
		require.Equal(t, len(ids), s.len(), "round %d: len after inserts", round)
		var got []uuid.UUID
		it := s.below(uuid.Nil, true)
		for u, ok := it.next(); ok; u, ok = it.next() {
			got = append(got, u)
		}
		slices.Reverse(got)
		require.Equal(t, ids, got, "round %d: contents", round)
		for i := len(ids) - 1; i >= 0; i-- { // newest first, as hazards move on
			s.remove(ids[i])
		}
		require.Zero(t, s.len(), "round %d: len after removals", round)
		s.insert(ids[0])
		s.remove(ids[0])
	}
	require.Zero(t, testing.AllocsPerRun(100, func() { s.insert(ids[5]); s.remove(ids[5]) }), "a set that empties and refills allocates nothing")
}
