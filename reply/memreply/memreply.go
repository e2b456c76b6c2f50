// Package memreply is an in-memory reply.Store, for tests, demos and one
// process. It passes replytest.TestStore. Events written with a template
// go to the hazard.EventLog given to New while the store's lock is held,
// after every check has passed, so that a version and its events are
// stored together or not at all.
package memreply

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reply"
)

// Store is the in-memory reply.Store. It is safe for concurrent use.
type Store struct {
	log hazard.EventLog

	mu       sync.RWMutex
	versions map[string][]reply.Template // oldest first
	live     int                         // templates not deleted
}

var _ reply.Store = (*Store)(nil)

// New returns an empty Store that appends the events written with
// templates to log (the hazard store's log, so that one log holds every
// subject).
func New(log hazard.EventLog) *Store {
	return &Store{log: log, versions: make(map[string][]reply.Template)}
}

// Save implements reply.Store.
func (s *Store) Save(ctx context.Context, t reply.Template, expectedVersion int64, events []hazard.Event) (reply.Template, error) {
	const op = "memreply.save"
	if err := ctx.Err(); err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	t.Version = max(expectedVersion, 0) + 1
	if err := t.Validate(); err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	if err := reply.CheckEvents(t.ID, events); err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.versions[t.ID]
	latest := int64(len(vs))
	if latest != expectedVersion {
		return reply.Template{}, reply.ErrConflict(op, latest, expectedVersion)
	}
	wasLive := latest > 0 && !vs[latest-1].Deleted
	switch {
	case !wasLive && !t.Deleted && s.live >= reply.MaxTemplates:
		return reply.Template{}, &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "too many templates: delete some first"}
	case latest >= reply.MaxVersions:
		return reply.Template{}, &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "the template has too many versions: make a new one"}
	}
	if len(events) > 0 {
		if _, err := s.log.Append(ctx, events...); err != nil {
			return reply.Template{}, hazard.Wrap(op, err)
		}
	}
	s.versions[t.ID] = append(vs, t)
	switch {
	case wasLive && t.Deleted:
		s.live--
	case !wasLive && !t.Deleted:
		s.live++
	}
	return t, nil
}

// Get implements reply.Store.
func (s *Store) Get(ctx context.Context, id string) (reply.Template, error) {
	if err := ctx.Err(); err != nil {
		return reply.Template{}, hazard.Wrap("memreply.get", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.versions[id]
	if len(vs) == 0 {
		return reply.Template{}, &hazard.Error{Code: hazard.CodeNotFound, Op: "memreply.get", Message: "no such template"}
	}
	return vs[len(vs)-1], nil
}

// List implements reply.Store.
func (s *Store) List(ctx context.Context) ([]reply.Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memreply.list", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []reply.Template{}
	for _, vs := range s.versions {
		if t := vs[len(vs)-1]; !t.Deleted {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b reply.Template) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Versions implements reply.Store.
func (s *Store) Versions(ctx context.Context, id string) ([]reply.Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memreply.versions", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.versions[id]
	if len(vs) == 0 {
		return nil, &hazard.Error{Code: hazard.CodeNotFound, Op: "memreply.versions", Message: "no such template"}
	}
	return slices.Clone(vs), nil
}
