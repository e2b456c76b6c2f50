package workflow

import "unsafe"

// nameIndex finds the position of a name among a fixed set of names with a
// perfect hash of a cheap key (the length and the first and last bytes of
// the name), confirmed by one string comparison. It is built once, by New,
// and read without a lock. When no perfect hash is found for the set (two
// names with the same key), it falls back to a map.
type nameIndex struct {
	// slots[h] holds the name whose hash is h and its position; an empty
	// slot holds "" and -1, which is also the right answer for "" when ""
	// is not in the set.
	slots []nameSlot
	mul   uint32 // odd multiplier of the hash
	shift uint32 // 32 - log2(len(slots))
	m     map[string]int
}

type nameSlot struct {
	name string
	i    int
}

// nameKey packs the length and the first and last bytes of s.
func nameKey(s string) uint32 {
	if len(s) == 0 {
		return 0
	}
	return uint32(len(s)) | uint32(s[0])<<8 | uint32(s[len(s)-1])<<16
}

// maxHashTries bounds the multipliers tried per table size when building.
const maxHashTries = 256

// newNameIndex returns the index of names, which must be distinct.
func newNameIndex(names []string) nameIndex {
	keys := make([]uint32, len(names))
	seen := make(map[uint32]bool, len(names))
	for i, n := range names {
		keys[i] = nameKey(n)
		if seen[keys[i]] {
			return fallback(names)
		}
		seen[keys[i]] = true
	}
	bits := bitsFor(2 * len(names))
	rng := uint32(0x9e3779b9)
	for ; bits <= 16 && bits < 4+bitsFor(2*len(names)); bits++ {
		slots := make([]nameSlot, 1<<bits)
		for try := 0; try < maxHashTries; try++ {
			rng = rng*1664525 + 1013904223
			mul := rng | 1
			for i := range slots {
				slots[i] = nameSlot{i: -1}
			}
			ok := true
			for i, k := range keys {
				h := (k * mul) >> (32 - bits)
				if slots[h].i >= 0 {
					ok = false
					break
				}
				slots[h] = nameSlot{name: names[i], i: i}
			}
			if ok {
				return nameIndex{slots: slots, mul: mul, shift: 32 - bits}
			}
		}
	}
	return fallback(names)
}

// bitsFor returns the number of bits to count to n, at least 1.
func bitsFor(n int) uint32 {
	b := uint32(1)
	for 1<<b < n {
		b++
	}
	return b
}

// fallback returns a map-backed index: every name hashes to the one slot,
// which answers only "".
func fallback(names []string) nameIndex {
	x := nameIndex{slots: []nameSlot{{i: -1}}, shift: 31, m: make(map[string]int, len(names))}
	for i, n := range names {
		x.m[n] = i
		if n == "" {
			x.slots[0].i = i
		}
	}
	return x
}

// lookup returns the position of name, or -1 when it is not in the set.
func (x *nameIndex) lookup(name string) int {
	if s := x.slot(name); same(s.name, name) {
		return s.i
	}
	return x.miss(name)
}

// slot returns the slot name hashes to: the one to compare with name. It
// is small enough to be inlined.
func (x *nameIndex) slot(name string) *nameSlot {
	return &x.slots[(nameKey(name)*x.mul)>>(x.shift&31)]
}

// same reports whether a == b, without comparing bytes when both share
// them: a name Fire handed back (Transition.To, say, stored and passed in
// again) or a constant of this package is the definition's own string, so
// the usual case costs two comparisons and no call.
func same(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// miss is lookup's slow path, when name is not in its slot: a map lookup
// when the index has no perfect hash, else -1.
//
//go:noinline
func (x *nameIndex) miss(name string) int {
	if i, ok := x.m[name]; ok {
		return i
	}
	return -1
}
