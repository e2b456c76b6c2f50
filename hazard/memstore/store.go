package memstore

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

var (
	_ hazard.Store          = (*Store)(nil)
	_ relay.Cursors         = (*Store)(nil)
	_ hazard.EventsBatcher  = (*Store)(nil)
	_ hazard.LimitedCreator = (*Store)(nil)
)

// Store is an in-memory hazard.Store, and the relay.Cursors of a relay
// reading its log. The zero value is not usable; call New.
type Store struct {
	mu sync.RWMutex

	hazards map[uuid.UUID]*hazard.Hazard
	byRef   map[string]uuid.UUID
	idem    map[idemKey]uuid.UUID

	all        idset
	byState    map[string]*idset
	byCategory map[string]*idset
	byDept     map[string]*idset
	byReporter map[string]*idset
	byUnit     map[string]*idset
	bySource   map[string]*idset
	byOpen     [2]idset // [0] closed, [1] open
	grid       map[cell]map[uuid.UUID]struct{}

	events    eventLog
	byHazard  map[uuid.UUID][]int64
	bySubject map[hazard.Subject][]int64 // events of no hazard

	counters map[string]int64
	cursors  map[string]int64
	parked   map[parkKey]relay.ParkedEvent

	// moderations are the hazards' moderations (moderation.go), made on
	// first use.
	moderations map[uuid.UUID]hazard.Moderation

	// erasures are the erasures under way by user ID (erase.go), made on
	// first use.
	erasures map[string]hazard.Erasure
}

type idemKey struct{ reporter, key string }

type parkKey struct {
	consumer string
	seq      int64
}

// New returns an empty store.
func New() *Store {
	return &Store{
		hazards:    make(map[uuid.UUID]*hazard.Hazard),
		byRef:      make(map[string]uuid.UUID),
		idem:       make(map[idemKey]uuid.UUID),
		byState:    make(map[string]*idset),
		byCategory: make(map[string]*idset),
		byDept:     make(map[string]*idset),
		byReporter: make(map[string]*idset),
		byUnit:     make(map[string]*idset),
		bySource:   make(map[string]*idset),
		grid:       make(map[cell]map[uuid.UUID]struct{}),
		byHazard:   make(map[uuid.UUID][]int64),
		bySubject:  make(map[hazard.Subject][]int64),
		counters:   make(map[string]int64),
		cursors:    make(map[string]int64),
		parked:     make(map[parkKey]relay.ParkedEvent),
	}
}

func errorf(code hazard.Code, op, field, msg string) *hazard.Error {
	return &hazard.Error{Code: code, Op: "memstore." + op, Field: field, Message: msg}
}

// checkEvents adds a problem for every invalid event, or event of another
// hazard than id (when id is not Nil).
func checkEvents(p *hazard.Problems, events []hazard.Event, id uuid.UUID) {
	for i := range events {
		err := events[i].Validate()
		other := id != uuid.Nil && events[i].HazardID != id
		if err == nil && !other {
			continue // no field name to build
		}
		f := "events[" + strconv.Itoa(i) + "]"
		p.Merge(f, err)
		if other {
			p.Add(f+".hazard_id", "must be the hazard's ID")
		}
	}
}

// Create implements hazard.Store.
func (s *Store) Create(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string) (hazard.Hazard, bool, error) {
	return s.create(ctx, h, events, idempotencyKey, time.Time{}, 0)
}

// CreateLimited implements hazard.LimitedCreator: the count and the insert
// happen under the store's lock.
func (s *Store) CreateLimited(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string, since time.Time, limit int) (hazard.Hazard, bool, error) {
	if limit < 1 {
		return hazard.Hazard{}, false, errorf(hazard.CodeInvalid, "create", "limit", "must be at least 1")
	}
	return s.create(ctx, h, events, idempotencyKey, since, limit)
}

// create is Create, and CreateLimited when limit > 0.
func (s *Store) create(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string, since time.Time, limit int) (hazard.Hazard, bool, error) {
	if err := ctx.Err(); err != nil {
		return hazard.Hazard{}, false, hazard.Wrap("memstore.create", err)
	}
	var p hazard.Problems
	p.Merge("", h.Validate(nil))
	if h.Version != 1 {
		p.Add("version", "must be 1 for a new hazard")
	}
	if len(idempotencyKey) > hazard.MaxIdempotencyKeyLen {
		p.Add("idempotency_key", "must be at most %d bytes", hazard.MaxIdempotencyKeyLen)
	}
	checkEvents(&p, events, h.ID)
	if err := p.Err("memstore.create"); err != nil {
		return hazard.Hazard{}, false, err
	}
	stored := h.Clone()

	s.mu.Lock()
	defer s.mu.Unlock()
	key := idemKey{h.Reporter.UserID, idempotencyKey}
	if idempotencyKey != "" {
		if id, ok := s.idem[key]; ok {
			return s.hazards[id].Clone(), false, nil
		}
	}
	// The limit before the uniqueness checks, in the order pgstore decides.
	if limit > 0 && s.createdSince(h.Reporter.UserID, since) >= limit {
		return hazard.Hazard{}, false, &hazard.Error{Code: hazard.CodeRateLimited, Op: "memstore.create", Message: hazard.RateLimitedMessage}
	}
	if _, ok := s.hazards[h.ID]; ok {
		return hazard.Hazard{}, false, errorf(hazard.CodeConflict, "create", "id", "a hazard with this ID exists")
	}
	if _, ok := s.byRef[h.Ref]; ok {
		return hazard.Hazard{}, false, errorf(hazard.CodeConflict, "create", "ref", "a hazard with this reference number exists")
	}
	s.insert(&stored)
	if idempotencyKey != "" {
		s.idem[key] = h.ID
	}
	s.appendCopies(events)
	return stored.Clone(), true, nil
}

// createdSince counts the reporter's hazards created at or after since. The
// caller holds the lock.
func (s *Store) createdSince(reporter string, since time.Time) int {
	set := s.byReporter[reporter]
	if set == nil {
		return 0
	}
	n := 0
	for _, c := range set.chunks {
		for _, id := range c {
			if !s.hazards[id].CreatedAt.Before(since) {
				n++
			}
		}
	}
	return n
}

// insert adds a new hazard to the maps and indexes. The caller holds the
// write lock and hands over h.
func (s *Store) insert(h *hazard.Hazard) {
	s.hazards[h.ID] = h
	s.byRef[h.Ref] = h.ID
	s.all.insert(h.ID)
	s.index(h, true)
}

// index adds h to (add) or removes it from the secondary indexes.
func (s *Store) index(h *hazard.Hazard, add bool) {
	for _, d := range []struct {
		m map[string]*idset
		k string
	}{
		{s.byState, h.State},
		{s.byCategory, h.Category},
		{s.byDept, h.Department},
		{s.byReporter, h.Reporter.UserID},
		{s.byUnit, h.UnitID},
		{s.bySource, string(h.Source)},
	} {
		if d.k == "" {
			continue
		}
		set := d.m[d.k]
		if add {
			if set == nil {
				set = new(idset)
				d.m[d.k] = set
			}
			set.insert(h.ID)
		} else if set != nil {
			set.remove(h.ID) // an empty set stays, ready for the next insert
		}
	}
	open := 0
	if h.Open() {
		open = 1
	}
	if add {
		s.byOpen[open].insert(h.ID)
		s.gridAdd(h)
	} else {
		s.byOpen[open].remove(h.ID)
		s.gridRemove(h)
	}
}

// copyChanged makes next, which shares the caller's photos, evidence and
// point, the store's own: it takes old's where they are equal (the store
// never writes into a photo array or a point it keeps, it only replaces
// them, so versions may share them; callers always get a fresh copy) and
// copies the caller's otherwise.
func copyChanged(next, old *hazard.Hazard) {
	next.Photos = ownPhotos(next.Photos, old.Photos)
	next.Evidence = ownPhotos(next.Evidence, old.Evidence)
	switch p, q := next.Location.Point, old.Location.Point; {
	case p == nil:
	case q != nil && *p == *q:
		next.Location.Point = q
	default:
		pt := *p
		next.Location.Point = &pt
	}
}

// ownPhotos returns stored when it equals p, else a copy of p (nil when
// empty, as Hazard.Clone).
func ownPhotos(p, stored []hazard.Photo) []hazard.Photo {
	switch {
	case len(p) == 0:
		return nil
	case slices.Equal(p, stored):
		return stored
	}
	return slices.Clone(p)
}

// reindex moves a hazard from old's entries of the secondary indexes to
// next's, touching only the indexes whose key changed (an action changes
// the state, sometimes the department or whether it is open). The caller
// holds the write lock.
func (s *Store) reindex(old, next *hazard.Hazard) {
	id := next.ID
	for _, d := range []struct {
		m        map[string]*idset
		from, to string
	}{
		{s.byState, old.State, next.State},
		{s.byCategory, old.Category, next.Category},
		{s.byDept, old.Department, next.Department},
		{s.byReporter, old.Reporter.UserID, next.Reporter.UserID},
		{s.byUnit, old.UnitID, next.UnitID},
		{s.bySource, string(old.Source), string(next.Source)},
	} {
		if d.from == d.to {
			continue
		}
		if set := d.m[d.from]; d.from != "" && set != nil {
			set.remove(id)
		}
		if d.to != "" {
			set := d.m[d.to]
			if set == nil {
				set = new(idset)
				d.m[d.to] = set
			}
			set.insert(id)
		}
	}
	if wasOpen, open := old.Open(), next.Open(); wasOpen != open {
		s.byOpen[b2i(wasOpen)].remove(id)
		s.byOpen[b2i(open)].insert(id)
	}
	if !sameCell(old, next) {
		s.gridRemove(old)
		s.gridAdd(next)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Get implements hazard.Store.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error) {
	if err := ctx.Err(); err != nil {
		return hazard.Hazard{}, hazard.Wrap("memstore.get", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.hazards[id]
	if !ok {
		return hazard.Hazard{}, errorf(hazard.CodeNotFound, "get", "", "hazard not found")
	}
	return h.Clone(), nil
}

// GetByRef implements hazard.Store.
func (s *Store) GetByRef(ctx context.Context, ref string) (hazard.Hazard, error) {
	if err := ctx.Err(); err != nil {
		return hazard.Hazard{}, hazard.Wrap("memstore.get_by_ref", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byRef[ref]
	if !ok {
		return hazard.Hazard{}, errorf(hazard.CodeNotFound, "get_by_ref", "", "hazard not found")
	}
	return s.hazards[id].Clone(), nil
}

// Update implements hazard.Store.
func (s *Store) Update(ctx context.Context, h hazard.Hazard, expectedVersion int64, events []hazard.Event) (hazard.Hazard, error) {
	if err := ctx.Err(); err != nil {
		return hazard.Hazard{}, hazard.Wrap("memstore.update", err)
	}
	next := h // shares the caller's slices until copied below
	next.Version = expectedVersion + 1
	var evp hazard.Problems
	checkEvents(&evp, events, h.ID)

	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.hazards[h.ID]
	// Under the lock, only what changed from the stored (valid) version
	// needs checking; an unknown hazard is checked in full, so that invalid
	// input is reported as such either way.
	var herr error
	if ok {
		herr = next.ValidateChange(old)
	} else {
		herr = next.Validate(nil)
	}
	if herr != nil || evp.Len() > 0 {
		var p hazard.Problems
		p.Merge("", herr)
		p.Merge("", evp.Err("memstore.update"))
		return hazard.Hazard{}, p.Err("memstore.update")
	}
	if !ok {
		return hazard.Hazard{}, errorf(hazard.CodeNotFound, "update", "", "hazard not found")
	}
	if old.Version != expectedVersion {
		e := errorf(hazard.CodeConflict, "update", "version", "the hazard was changed by someone else")
		e.Version = old.Version
		return hazard.Hazard{}, e
	}
	if err := old.CheckUpdate(&next); err != nil {
		return hazard.Hazard{}, err
	}
	copyChanged(&next, old)
	s.reindex(old, &next)
	*old = next // in place: readers copy under the read lock, so none sees it change
	s.appendCopies(events)
	return old.Clone(), nil
}

// Cursor format: base64url of a version byte, the last ID of the page and a
// CRC-32 of both, so that a cursor the store did not make is refused.
const cursorVersion = 1

func encodeCursor(id uuid.UUID) string {
	var b [1 + 16 + 4]byte
	b[0] = cursorVersion
	copy(b[1:17], id[:])
	binary.BigEndian.PutUint32(b[17:], crc32.ChecksumIEEE(b[:17]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeCursor(c string) (uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 21 || b[0] != cursorVersion ||
		binary.BigEndian.Uint32(b[17:]) != crc32.ChecksumIEEE(b[:17]) {
		return uuid.Nil, false
	}
	var id uuid.UUID
	copy(id[:], b[1:17])
	return id, true
}

func pageLimit(n int) int {
	switch {
	case n == 0:
		return hazard.DefaultPageLimit
	case n > hazard.MaxPageLimit:
		return hazard.MaxPageLimit
	}
	return n
}

// List implements hazard.Store.
func (s *Store) List(ctx context.Context, f hazard.Filter, p hazard.Page) (hazard.List, error) {
	if err := ctx.Err(); err != nil {
		return hazard.List{}, hazard.Wrap("memstore.list", err)
	}
	if p.Limit < 0 {
		return hazard.List{}, errorf(hazard.CodeInvalid, "list", "limit", "must not be negative")
	}
	limit := pageLimit(p.Limit)
	var after uuid.UUID
	if p.Cursor != "" {
		var ok bool
		if after, ok = decodeCursor(p.Cursor); !ok {
			return hazard.List{}, errorf(hazard.CodeInvalid, "list", "cursor", "is not a cursor of this store")
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	it := s.plan(&f, after, p.Cursor == "")
	out := hazard.List{Items: make([]hazard.Hazard, 0, limit)}
	for id, ok := it.next(); ok; id, ok = it.next() {
		h := s.hazards[id]
		if !f.Matches(h) {
			continue
		}
		if len(out.Items) == limit { // one more exists: there is a next page
			out.Next = encodeCursor(out.Items[limit-1].ID)
			break
		}
		out.Items = append(out.Items, h.Clone())
	}
	return out, nil
}

type iterator interface {
	next() (uuid.UUID, bool)
}

type emptyIter struct{}

func (emptyIter) next() (uuid.UUID, bool) { return uuid.Nil, false }

// plan picks the smallest index that f names and returns an iterator over
// it below the cursor ID. The caller holds the lock.
func (s *Store) plan(f *hazard.Filter, before uuid.UUID, all bool) iterator {
	best, bestLen := &s.all, s.all.len()
	consider := func(set *idset) bool {
		if set == nil {
			return false // nothing has this value: the result is empty
		}
		if set.len() < bestLen {
			best, bestLen = set, set.len()
		}
		return true
	}
	for _, d := range []struct {
		m map[string]*idset
		k string
	}{
		{s.byCategory, f.Category},
		{s.byDept, f.Department},
		{s.byReporter, f.Reporter},
		{s.byUnit, f.UnitID},
		{s.bySource, string(f.Source)},
	} {
		if d.k != "" && !consider(d.m[d.k]) {
			return emptyIter{}
		}
	}
	if f.Open != nil {
		i := 0
		if *f.Open {
			i = 1
		}
		consider(&s.byOpen[i])
	}
	if len(f.States) > 0 {
		var sets []*idset
		n := 0
		seen := make(map[string]bool, len(f.States))
		for _, st := range f.States {
			if set := s.byState[st]; set != nil && !seen[st] {
				seen[st] = true
				sets = append(sets, set)
				n += set.len()
			}
		}
		if len(sets) == 0 {
			return emptyIter{}
		}
		if n < bestLen {
			if len(sets) == 1 {
				return sets[0].below(before, all)
			}
			its := make([]*descIter, len(sets))
			for i, set := range sets {
				its[i] = set.below(before, all)
			}
			return newMerge(its)
		}
	}
	return best.below(before, all)
}

// NextSeq implements hazard.Store.
func (s *Store) NextSeq(ctx context.Context, counter string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, hazard.Wrap("memstore.next_seq", err)
	}
	if counter == "" {
		return 0, errorf(hazard.CodeInvalid, "next_seq", "counter", "is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters[counter]++
	return s.counters[counter], nil
}

func cloneEvents(es []hazard.Event) []hazard.Event {
	if len(es) == 0 {
		return nil
	}
	out := make([]hazard.Event, len(es))
	for i, e := range es {
		out[i] = e.Clone()
	}
	return out
}

// eventsPerHazard is the room made for a hazard's event numbers at its
// first event: a closed loop takes about this many.
const eventsPerHazard = 8

// appendLocked numbers and stores events, which the caller hands over.
// The caller holds the write lock.
func (s *Store) appendLocked(evs []hazard.Event) {
	for i := range evs {
		evs[i].Seq = s.log(evs[i])
	}
}

// log numbers e, stores it and returns its number. The caller holds the
// write lock and hands e over.
func (s *Store) log(e hazard.Event) int64 {
	e.Seq = s.events.len() + 1
	s.events.append(e)
	if e.HazardID == uuid.Nil {
		s.bySubject[e.Subject] = append(s.bySubject[e.Subject], e.Seq)
		return e.Seq
	}
	seqs := s.byHazard[e.HazardID]
	if seqs == nil {
		seqs = make([]int64, 0, eventsPerHazard)
	}
	s.byHazard[e.HazardID] = append(seqs, e.Seq)
	return e.Seq
}

// appendCopies numbers and stores copies of events. The caller holds the
// write lock.
func (s *Store) appendCopies(events []hazard.Event) {
	for i := range events {
		s.log(events[i].Clone())
	}
}

// Append implements hazard.EventLog.
func (s *Store) Append(ctx context.Context, events ...hazard.Event) ([]hazard.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.append", err)
	}
	var p hazard.Problems
	checkEvents(&p, events, uuid.Nil)
	if err := p.Err("memstore.append"); err != nil {
		return nil, err
	}
	evs := cloneEvents(events)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range evs {
		if _, ok := s.hazards[e.HazardID]; !ok && e.HazardID != uuid.Nil {
			return nil, errorf(hazard.CodeNotFound, "append", "hazard_id", "hazard not found")
		}
	}
	s.appendLocked(evs)
	return cloneEvents(evs), nil
}

// Events implements hazard.EventLog.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]hazard.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.events", err)
	}
	if limit <= 0 || limit > hazard.MaxEventBatch {
		limit = hazard.MaxEventBatch
	}
	after = max(after, 0)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if after >= s.events.len() {
		return nil, nil
	}
	end := min(s.events.len(), after+int64(limit))
	out := make([]hazard.Event, 0, end-after)
	for seq := after + 1; seq <= end; seq++ {
		out = append(out, s.events.at(seq).Clone())
	}
	return out, nil
}

// HazardEvents implements hazard.EventLog. A hazard without events, or an
// unknown one, has an empty list.
func (s *Store) HazardEvents(ctx context.Context, id uuid.UUID) ([]hazard.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.hazard_events", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	seqs := s.byHazard[id]
	out := make([]hazard.Event, len(seqs))
	for i, n := range seqs {
		out[i] = s.events.at(n).Clone()
	}
	return out, nil
}

// SubjectEvents implements hazard.EventLog.
func (s *Store) SubjectEvents(ctx context.Context, sub hazard.Subject, after int64, limit int) ([]hazard.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.subject_events", err)
	}
	if err := sub.Validate(); err != nil {
		return nil, hazard.Wrap("memstore.subject_events", err)
	}
	if limit <= 0 || limit > hazard.MaxEventBatch {
		limit = hazard.MaxEventBatch
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var seqs []int64
	if id, ok := sub.HazardID(); ok {
		seqs = s.byHazard[id]
	} else {
		seqs = s.bySubject[sub]
	}
	seqs = seqs[sort.Search(len(seqs), func(i int) bool { return seqs[i] > after }):]
	seqs = seqs[:min(len(seqs), limit)]
	out := make([]hazard.Event, len(seqs))
	for i, n := range seqs {
		out[i] = s.events.at(n).Clone()
	}
	return out, nil
}

// EventsOf implements hazard.EventsBatcher.
func (s *Store) EventsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]hazard.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.events_of", err)
	}
	if len(ids) > hazard.MaxEventsBatch {
		return nil, hazard.Errorf(hazard.CodeInvalid, "at most %d hazards at once, not %d", hazard.MaxEventsBatch, len(ids))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[uuid.UUID][]hazard.Event, len(ids))
	for _, id := range ids {
		seqs := s.byHazard[id]
		if len(seqs) == 0 || out[id] != nil {
			continue
		}
		evs := make([]hazard.Event, len(seqs))
		for i, n := range seqs {
			evs[i] = s.events.at(n).Clone()
		}
		out[id] = evs
	}
	return out, nil
}

// LastSeq implements hazard.EventLog.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, hazard.Wrap("memstore.last_seq", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.events.len(), nil
}

// Len returns the number of stored hazards.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.hazards)
}
