// Package memfollow is an in-memory follow.Store, for tests, demos and one
// process. It passes followtest.TestStore. The me-too events written with
// a follow go to the hazard.EventLog given to New while the store's lock
// is held, after every check has passed, so that the follow and its events
// are stored together or not at all.
package memfollow

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/hazard"
)

type key struct {
	user   string
	hazard uuid.UUID
}

// Store is the in-memory follow.Store. It is safe for concurrent use.
type Store struct {
	log hazard.EventLog

	mu      sync.Mutex
	follows map[key]follow.Follow
	areas   map[uuid.UUID]follow.Area
}

var _ follow.Store = (*Store)(nil)

// New returns an empty Store that appends me-too events to log (the hazard
// store's log, so that one log holds every subject).
func New(log hazard.EventLog) *Store {
	return &Store{log: log, follows: map[key]follow.Follow{}, areas: map[uuid.UUID]follow.Area{}}
}

func (s *Store) activeOf(user string) int {
	n := 0
	for k, f := range s.follows {
		if k.user == user && f.Active {
			n++
		}
	}
	return n
}

// Follow implements follow.Store.
func (s *Store) Follow(ctx context.Context, f follow.Follow, max int, meToo []hazard.Event) (follow.Follow, bool, error) {
	const op = "memfollow.follow"
	if err := ctx.Err(); err != nil {
		return follow.Follow{}, false, hazard.Wrap(op, err)
	}
	if err := follow.CheckFollow(&f, max, meToo); err != nil {
		return follow.Follow{}, false, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{f.UserID, f.HazardID}
	old, found := s.follows[k]
	next := f
	next.Active = true
	if found {
		next = old
		next.Active = true
		next.MeToo = old.MeToo || f.MeToo
	}
	if (!found || !old.Active) && s.activeOf(f.UserID) >= max {
		return follow.Follow{}, false, follow.CapReached(op, "follows", max)
	}
	counted := f.MeToo && !(found && old.MeToo)
	if counted && len(meToo) > 0 {
		if _, err := s.log.Append(ctx, meToo...); err != nil {
			return follow.Follow{}, false, hazard.Wrap(op, err)
		}
	}
	s.follows[k] = next
	return next, counted, nil
}

// Unfollow implements follow.Store.
func (s *Store) Unfollow(ctx context.Context, userID string, hazardID uuid.UUID) error {
	const op = "memfollow.unfollow"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{userID, hazardID}
	f, ok := s.follows[k]
	if !ok {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "not following"}
	}
	f.Active = false
	s.follows[k] = f
	return nil
}

// Follows implements follow.Store.
func (s *Store) Follows(ctx context.Context, userID string) ([]follow.Follow, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memfollow.follows", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []follow.Follow{}
	for k, f := range s.follows {
		if k.user == userID && f.Active {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b follow.Follow) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(b.HazardID[:], a.HazardID[:])
	})
	return out, nil
}

// Followers implements follow.Store.
func (s *Store) Followers(ctx context.Context, hazardID uuid.UUID, after string, limit int) ([]follow.Follow, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memfollow.followers", err)
	}
	limit = follow.BatchLimit(limit, follow.MaxFollowerBatch)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []follow.Follow{}
	for k, f := range s.follows {
		if k.hazard == hazardID && f.Active && k.user > after {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b follow.Follow) int { return strings.Compare(a.UserID, b.UserID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func cloneArea(a follow.Area) follow.Area {
	if a.Center != nil {
		c := *a.Center
		a.Center = &c
	}
	return a
}

// AddArea implements follow.Store.
func (s *Store) AddArea(ctx context.Context, a follow.Area, max int) (follow.Area, error) {
	const op = "memfollow.add_area"
	if err := ctx.Err(); err != nil {
		return follow.Area{}, hazard.Wrap(op, err)
	}
	if err := follow.CheckArea(&a, max); err != nil {
		return follow.Area{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.areas[a.ID]; taken {
		return follow.Area{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	n := 0
	for _, o := range s.areas {
		if o.UserID == a.UserID {
			n++
		}
	}
	if n >= max {
		return follow.Area{}, follow.CapReached(op, "areas", max)
	}
	s.areas[a.ID] = cloneArea(a)
	return cloneArea(a), nil
}

// RemoveArea implements follow.Store.
func (s *Store) RemoveArea(ctx context.Context, userID string, id uuid.UUID) error {
	const op = "memfollow.remove_area"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.areas[id]
	if !ok || a.UserID != userID {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such area"}
	}
	delete(s.areas, id)
	return nil
}

// Areas implements follow.Store.
func (s *Store) Areas(ctx context.Context, userID string) ([]follow.Area, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memfollow.areas", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []follow.Area{}
	for _, a := range s.areas {
		if a.UserID == userID {
			out = append(out, cloneArea(a))
		}
	}
	slices.SortFunc(out, func(a, b follow.Area) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

// AreasAt implements follow.Store: it keeps exactly the areas that would
// cover a report of their own category at loc.
func (s *Store) AreasAt(ctx context.Context, loc hazard.Location, after uuid.UUID, limit int) ([]follow.Area, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memfollow.areas_at", err)
	}
	limit = follow.BatchLimit(limit, follow.MaxAreaBatch)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []follow.Area{}
	for _, a := range s.areas {
		if bytes.Compare(a.ID[:], after[:]) > 0 && a.Covers(a.Category, loc) {
			out = append(out, cloneArea(a))
		}
	}
	slices.SortFunc(out, func(a, b follow.Area) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

var _ hazard.Forgetter = (*Store)(nil)

// ForgetUser implements hazard.Forgetter: the person's follows and areas
// are deleted (their me-toos stay counted in the event log, whose events
// the hazard store rewrites).
func (s *Store) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "memfollow.forget_user"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.follows {
		if k.user == e.UserID {
			delete(s.follows, k)
		}
	}
	for id, a := range s.areas {
		if a.UserID == e.UserID {
			delete(s.areas, id)
		}
	}
	return nil
}
