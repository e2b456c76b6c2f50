package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

var (
	_ hazard.Forgetter      = (*Store)(nil)
	_ hazard.ErasureJournal = (*Store)(nil)
	_ hazard.Forgetter      = (*Uploads)(nil)
)

// ForgetUser implements hazard.Forgetter (see there for what a store
// rewrites), under the store's lock: one pass over the log finds the
// hazards bound to the person and another rewrites the events.
func (s *Store) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "memstore.forget_user"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	theirs := map[uuid.UUID]bool{}
	if set := s.byReporter[e.UserID]; set != nil {
		for _, c := range set.chunks {
			for _, id := range c {
				theirs[id] = true
			}
		}
	}
	for seq := int64(1); seq <= s.events.len(); seq++ {
		if ev := s.events.at(seq); ev.Actor.ID == e.UserID && ev.HazardID != uuid.Nil {
			theirs[ev.HazardID] = true // the person acted on it: bound to it, or a note
		}
	}
	for id := range theirs {
		h := s.hazards[id]
		if h == nil {
			continue
		}
		next := *h
		if e.ForgetHazard(&next) {
			s.reindex(h, &next)
			*h = next
		}
	}
	for k := range s.idem {
		if k.reporter == e.UserID {
			delete(s.idem, k)
		}
	}
	rewritten := map[int64]bool{}
	for seq := int64(1); seq <= s.events.len(); seq++ {
		ev := s.events.at(seq)
		if !theirs[ev.HazardID] && ev.Actor.ID != e.UserID && (ev.HazardID != uuid.Nil || ev.Subject.ID != e.UserID) {
			continue
		}
		next := *ev
		if !e.ForgetEvent(&next) {
			continue
		}
		if ev.HazardID == uuid.Nil && next.Subject != ev.Subject {
			s.moveSubject(ev.Subject, next.Subject, seq)
		}
		*ev = next // readers copy under the read lock, so none sees it change
		rewritten[seq] = true
	}
	for k, p := range s.parked {
		if rewritten[k.seq] {
			p.Event = s.events.at(k.seq).Clone()
			s.parked[k] = p
		}
	}
	return nil
}

// moveSubject moves the event seq from the subject from's index to to's,
// keeping both in Seq order. The caller holds the write lock.
func (s *Store) moveSubject(from, to hazard.Subject, seq int64) {
	seqs := s.bySubject[from]
	if i, ok := slices.BinarySearch(seqs, seq); ok {
		seqs = slices.Delete(seqs, i, i+1)
	}
	if len(seqs) == 0 {
		delete(s.bySubject, from)
	} else {
		s.bySubject[from] = seqs
	}
	dst := s.bySubject[to]
	i, _ := slices.BinarySearch(dst, seq)
	s.bySubject[to] = slices.Insert(dst, i, seq)
}

// checkJournal validates the events of a journal step.
func checkJournal(op string, events []hazard.Event) error {
	var p hazard.Problems
	checkEvents(&p, events, uuid.Nil)
	return p.Err(op)
}

// BeginErasure implements hazard.ErasureJournal.
func (s *Store) BeginErasure(ctx context.Context, e hazard.Erasure, events []hazard.Event) (hazard.Erasure, bool, error) {
	const op = "memstore.begin_erasure"
	if err := ctx.Err(); err != nil {
		return hazard.Erasure{}, false, hazard.Wrap(op, err)
	}
	if err := e.Validate(); err != nil {
		return hazard.Erasure{}, false, hazard.Wrap(op, err)
	}
	if err := checkJournal(op, events); err != nil {
		return hazard.Erasure{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prior, ok := s.erasures[e.UserID]; ok {
		return prior, false, nil
	}
	for _, ev := range events {
		if _, ok := s.hazards[ev.HazardID]; !ok && ev.HazardID != uuid.Nil {
			return hazard.Erasure{}, false, errorf(hazard.CodeNotFound, "begin_erasure", "hazard_id", "hazard not found")
		}
	}
	if s.erasures == nil {
		s.erasures = map[string]hazard.Erasure{}
	}
	e.RequestedAt = e.RequestedAt.UTC()
	s.erasures[e.UserID] = e
	s.appendCopies(events)
	return e, true, nil
}

// Erasures implements hazard.ErasureJournal.
func (s *Store) Erasures(ctx context.Context, before time.Time, limit int) ([]hazard.Erasure, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.erasures", err)
	}
	if limit <= 0 || limit > hazard.MaxErasureBatch {
		limit = hazard.MaxErasureBatch
	}
	s.mu.RLock()
	var out []hazard.Erasure
	for _, e := range s.erasures {
		if !e.RequestedAt.After(before) {
			out = append(out, e)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b hazard.Erasure) int {
		return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.UserID, b.UserID))
	})
	return out[:min(len(out), limit)], nil
}

// EndErasure implements hazard.ErasureJournal.
func (s *Store) EndErasure(ctx context.Context, userID string, events []hazard.Event) (bool, error) {
	const op = "memstore.end_erasure"
	if err := ctx.Err(); err != nil {
		return false, hazard.Wrap(op, err)
	}
	if err := checkJournal(op, events); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.erasures[userID]; !ok {
		return false, nil
	}
	for _, ev := range events {
		if _, ok := s.hazards[ev.HazardID]; !ok && ev.HazardID != uuid.Nil {
			return false, errorf(hazard.CodeNotFound, "end_erasure", "hazard_id", "hazard not found")
		}
	}
	delete(s.erasures, userID)
	s.appendCopies(events)
	return true, nil
}

// ForgetUser implements hazard.Forgetter: the person's uploads pass to the
// pseudonym, the pending ones reserved at the Unix epoch so that the next
// Expire forgets them (with their photos, unless held otherwise).
func (s *Uploads) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "memstore.uploads_forget_user"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var theirs []*hazard.Upload
	for _, u := range s.byOwner[e.UserID] {
		theirs = append(theirs, u)
	}
	for _, u := range theirs {
		s.removeLocked(u)
		next := *u
		next.Owner = e.Pseudonym
		if next.State == hazard.UploadPending {
			next.Created = time.Unix(0, 0).UTC()
		}
		s.insertLocked(&next)
	}
	return nil
}
