package workflow

import (
	"cmp"
	"slices"
)

// nameIndex finds the position of a name among a fixed set of names (a
// definition's states, or its action names) by the name's bytes, so that a
// name read back from storage is found the same way as a string constant. The
// names are grouped by length and sorted within a group: a lookup goes to
// the group of the name's length and compares the name with the few names
// there (it searches a large group by halves). This is what the compiler
// does for a switch on strings, kept as data. It is built once, by New, and
// read without a lock.
type nameIndex struct {
	// byLen[n] bounds the names of length n in names; a length of
	// len(byLen) or more has no names.
	byLen []span
	names []indexed
}

// span is a group of names: names[lo:hi].
type span struct{ lo, hi int32 }

// indexed is a name and its position in the set.
type indexed struct {
	name string
	pos  int
}

// scanMax is the largest group searched by comparing each name in turn;
// a larger one is searched by halves.
const scanMax = 8

// newNameIndex returns the index of names, which must be distinct.
func newNameIndex(names []string) nameIndex {
	longest := 0
	x := nameIndex{names: make([]indexed, len(names))}
	for i, n := range names {
		x.names[i] = indexed{name: n, pos: i}
		longest = max(longest, len(n))
	}
	slices.SortFunc(x.names, func(a, b indexed) int {
		return cmp.Or(cmp.Compare(len(a.name), len(b.name)), cmp.Compare(a.name, b.name))
	})
	x.byLen = make([]span, longest+1)
	for i, e := range x.names {
		g := &x.byLen[len(e.name)]
		if g.hi == 0 {
			g.lo = int32(i)
		}
		g.hi = int32(i + 1)
	}
	return x
}

// lookup returns the position of name, or -1 when it is not in the set.
func (x *nameIndex) lookup(name string) int {
	if len(name) >= len(x.byLen) {
		return -1
	}
	g := x.byLen[len(name)]
	group := x.names[g.lo:g.hi]
	if len(group) > scanMax {
		return search(group, name)
	}
	for i := range group {
		if group[i].name == name {
			return group[i].pos
		}
	}
	return -1
}

// search returns the position of name in group, sorted by name, or -1.
func search(group []indexed, name string) int {
	i, found := slices.BinarySearchFunc(group, name, func(e indexed, name string) int {
		return cmp.Compare(e.name, name)
	})
	if !found {
		return -1
	}
	return group[i].pos
}
