package workflow

import "unsafe"

// nameIndex finds the position of a name among a fixed set of names. It is
// built once, by New, and read without a lock. It has two tables:
//
//   - own, a perfect hash of each name's address (its data pointer and
//     length), answers for the very strings the definition holds: names it
//     handed out (Transition.To or Status.State, stored and passed in
//     again) and, with the gc toolchain, whose linker keeps one copy of
//     equal string constants, constants equal to the spec's. It needs no
//     byte comparison and no call, which is what makes the fast path of
//     [Definition.Fire] and [Definition.Apply].
//   - byKey, a perfect hash of a cheap key of the bytes (the length and the
//     first and last bytes), confirmed by one string comparison, answers
//     for any other string with the same bytes (read from a database, say).
//     When two names share a key it gives way to a map.
type nameIndex struct {
	names []string
	scale int32

	own      []nameSlot
	ownMul   uint64
	ownShift uint32 // 64 - log2(len(own))

	// byKey[h] holds the name whose key hashes to h and its position; an
	// empty slot holds "" and -1, the right answer for "" (never a name).
	byKey    []nameSlot
	keyMul   uint32
	keyShift uint32 // 32 - log2(len(byKey))
	m        map[string]int
}

type nameSlot struct {
	name string
	i    int32 // the name's position
	at   int32 // i times the index's scale: a row or column of Definition.table
}

// maxHashTries bounds the multipliers tried per table size when building.
const maxHashTries = 256

// maxOwnBits bounds the address table at 1<<maxOwnBits slots. With at most
// [MaxStates] or [MaxActions] names, a perfect hash of their addresses is
// found well below it.
const maxOwnBits = 18

// keyBitsSlack is how many sizes past the first the byte-key table tries
// before it gives way to a map, which only the slow path uses.
const keyBitsSlack = 4

// errIndex is returned by newNameIndex when it finds no perfect hash of the
// names' addresses. Distinct names have distinct addresses, and with at
// most 256 names the chance that every multiplier of every size fails is
// far below one in 10^20; it is reported rather than assumed away.
var errIndex = &Error{Code: CodeInternal, Message: "cannot index the names; please report this as a bug"}

// newNameIndex returns the index of names, which must be distinct and not
// empty; its slots hold each position times scale as well.
func newNameIndex(names []string, scale int) (nameIndex, error) {
	x := nameIndex{names: names, scale: int32(scale)}
	if !x.buildOwn() {
		return nameIndex{}, errIndex
	}
	x.buildByKey()
	return x, nil
}

// ownKey mixes the address and length of s, so that two names sharing
// bytes (one a prefix of the other) still differ.
func ownKey(s string) uint64 {
	return uint64(uintptr(unsafe.Pointer(unsafe.StringData(s)))) ^ uint64(len(s))*0x9e3779b97f4a7c15
}

// nameKey packs the length and the first and last bytes of s.
func nameKey(s string) uint32 {
	if len(s) == 0 {
		return 0
	}
	return uint32(len(s)) | uint32(s[0])<<8 | uint32(s[len(s)-1])<<16
}

// buildOwn finds a perfect hash of the names' addresses.
func (x *nameIndex) buildOwn() bool {
	keys := make([]uint64, len(x.names))
	for i, n := range x.names {
		keys[i] = ownKey(n)
	}
	rng := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { rng = rng*6364136223846793005 + 1442695040888963407; return rng }
	slots, mul, bits, ok := x.perfect(maxOwnBits, next, func(i int, mul uint64, bits uint32) uint64 {
		return (keys[i] * mul) >> (64 - bits)
	})
	if ok {
		x.own, x.ownMul, x.ownShift = slots, mul, 64-bits
	}
	return ok
}

// buildByKey finds a perfect hash of the names' keys, or falls back to a
// map when two names share a key.
func (x *nameIndex) buildByKey() {
	keys := make([]uint32, len(x.names))
	seen := make(map[uint32]bool, len(x.names))
	for i, n := range x.names {
		keys[i] = nameKey(n)
		if seen[keys[i]] {
			x.mapOnly()
			return
		}
		seen[keys[i]] = true
	}
	rng := uint32(0x9e3779b9)
	next := func() uint64 { rng = rng*1664525 + 1013904223; return uint64(rng) }
	slots, mul, bits, ok := x.perfect(min(bitsFor(2*len(keys))+keyBitsSlack, 16), next, func(i int, mul uint64, bits uint32) uint64 {
		return uint64((keys[i] * uint32(mul)) >> (32 - bits))
	})
	if !ok {
		x.mapOnly()
		return
	}
	x.byKey, x.keyMul, x.keyShift = slots, uint32(mul), 32-bits
}

// perfect looks for a table in which hash puts every name in a slot of its
// own: for sizes from about twice as many slots as names up to
// 1<<maxBits, it tries maxHashTries odd multipliers drawn from next. It
// returns the table, the multiplier and the size in bits.
func (x *nameIndex) perfect(maxBits uint32, next func() uint64, hash func(i int, mul uint64, bits uint32) uint64) ([]nameSlot, uint64, uint32, bool) {
	for bits := bitsFor(2 * len(x.names)); bits <= maxBits; bits++ {
		slots := make([]nameSlot, 1<<bits) // reused by every try of this size
		for range maxHashTries {
			mul := next() | 1
			if x.place(slots, func(i int) uint64 { return hash(i, mul, bits) }) {
				return slots, mul, bits, true
			}
		}
	}
	return nil, 0, 0, false
}

// place empties slots and puts every name in the slot hash(i), and reports
// false if two names share a slot.
func (x *nameIndex) place(slots []nameSlot, hash func(i int) uint64) bool {
	for i := range slots {
		slots[i] = nameSlot{i: -1}
	}
	for i, n := range x.names {
		h := hash(i)
		if slots[h].i >= 0 {
			return false
		}
		slots[h] = nameSlot{name: n, i: int32(i), at: int32(i) * x.scale}
	}
	return true
}

// mapOnly makes byKey a map: every name hashes to the one slot, which
// answers only "".
func (x *nameIndex) mapOnly() {
	x.byKey, x.keyMul, x.keyShift = []nameSlot{{i: -1}}, 0, 31
	x.m = make(map[string]int, len(x.names))
	for i, n := range x.names {
		x.m[n] = i
	}
}

// bitsFor returns the number of bits to count to n, at least 1.
func bitsFor(n int) uint32 {
	b := uint32(1)
	for 1<<b < n {
		b++
	}
	return b
}

// lookup returns the position of name, or -1 when it is not in the set:
// by address when name is one of the set's own strings, else by its bytes.
func (x *nameIndex) lookup(name string) int {
	if s := x.ownSlot(name); ours(s.name, name) {
		return int(s.i)
	}
	return x.find(name)
}

// find is lookup by the bytes only.
func (x *nameIndex) find(name string) int {
	if s := &x.byKey[(nameKey(name)*x.keyMul)>>(x.keyShift&31)]; s.name == name {
		return int(s.i)
	}
	return x.miss(name)
}

// ownSlot returns the slot of own that name's address hashes to: the one
// to compare with name using ours. It is small enough to be inlined.
func (x *nameIndex) ownSlot(name string) *nameSlot {
	return &x.own[(ownKey(name)*x.ownMul)>>(x.ownShift&63)]
}

// ours reports whether name is the very string s (the same bytes at the same
// address), comparing two words and making no call. It is false for "",
// which is never a name (an empty slot holds "").
func ours(s, name string) bool {
	return len(s) == len(name) && len(s) != 0 && unsafe.StringData(s) == unsafe.StringData(name)
}

// miss is lookup's slow path: a map lookup when byKey gave way to a map,
// else -1.
//
//go:noinline
func (x *nameIndex) miss(name string) int {
	if i, ok := x.m[name]; ok {
		return i
	}
	return -1
}
