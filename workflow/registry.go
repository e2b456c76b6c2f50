package workflow

import (
	"slices"
	"strconv"
	"sync"
)

// Registry holds definitions by name and version. A subject records the
// name and version of the definition it started with, and is always fired
// with [Registry.Get] of that version; [Registry.Latest] is for new
// subjects. So a changed process (a new version) applies to new subjects
// only, and never breaks subjects already on their way.
//
// A Registry is safe for concurrent use. The zero value is empty and ready
// to use. Look up a definition once per request and fire it without the
// registry: the definition itself takes no lock.
type Registry struct {
	mu   sync.RWMutex
	defs map[regKey]*Definition
}

type regKey struct {
	name    string
	version int
}

// NewRegistry returns a registry holding defs. It fails like
// [Registry.Register] on the first definition that fails.
func NewRegistry(defs ...*Definition) (*Registry, error) {
	r := &Registry{}
	for _, d := range defs {
		if err := r.Register(d); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds d. It returns an [*Error] with code invalid for a nil
// definition, and conflict when a definition with the same name and version
// is already registered (even an identical one).
func (r *Registry) Register(d *Definition) error {
	if d == nil {
		return &Error{Code: CodeInvalid, Message: "nil definition"}
	}
	k := regKey{d.name, d.version}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.defs[k]; ok {
		return &Error{Code: CodeConflict, Message: "definition " + quote(d.name) + " v" + strconv.Itoa(d.version) + " is already registered"}
	}
	if r.defs == nil {
		r.defs = map[regKey]*Definition{}
	}
	r.defs[k] = d
	return nil
}

// Get returns the definition registered under name and version, or an
// [*Error] with code not_found.
func (r *Registry) Get(name string, version int) (*Definition, error) {
	r.mu.RLock()
	d, ok := r.defs[regKey{name, version}]
	r.mu.RUnlock()
	if !ok {
		return nil, &Error{Code: CodeNotFound, Message: "no definition " + quote(name) + " v" + strconv.Itoa(version)}
	}
	return d, nil
}

// Latest returns the highest version registered under name, or an [*Error]
// with code not_found.
func (r *Registry) Latest(name string) (*Definition, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var best *Definition
	for k, d := range r.defs {
		if k.name == name && (best == nil || d.version > best.version) {
			best = d
		}
	}
	if best == nil {
		return nil, &Error{Code: CodeNotFound, Message: "no definition " + quote(name)}
	}
	return best, nil
}

// Definitions returns every registered definition, sorted by name then
// version.
func (r *Registry) Definitions() []*Definition {
	r.mu.RLock()
	out := make([]*Definition, 0, len(r.defs))
	for _, d := range r.defs {
		out = append(out, d)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Definition) int {
		if a.name != b.name {
			if a.name < b.name {
				return -1
			}
			return 1
		}
		return a.version - b.version
	})
	return out
}
