package workflow

import (
	"cmp"
	"slices"
)

// nameIndex finds the position of a name among a fixed set of names (a
// definition's states, or its action names) by the name's bytes, so that a
// name read back from storage is found as fast as a string constant. The
// names are grouped by length and sorted within a group: a lookup goes to
// the group of the name's length and compares the name with the few names
// there (it searches a large group by halves). This is what the compiler
// does for a switch on strings, kept as data. It is built once, by New, and
// read without a lock.
type nameIndex struct {
	// byLen[n] and byLen[n+1] bound the names of length n in names; a
	// length of len(byLen)-1 or more has no names.
	byLen []int32
	names []indexed
}

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
	// byLen[n+1] counts the names of length n, then sums to the ends.
	x.byLen = make([]int32, longest+2)
	for _, e := range x.names {
		x.byLen[len(e.name)+1]++
	}
	for n := 1; n < len(x.byLen); n++ {
		x.byLen[n] += x.byLen[n-1]
	}
	return x
}

// lookup returns the position of name, or -1 when it is not in the set.
func (x *nameIndex) lookup(name string) int {
	n := len(name)
	if n >= len(x.byLen)-1 {
		return -1
	}
	group := x.names[x.byLen[n]:x.byLen[n+1]]
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
