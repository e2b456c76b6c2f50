// Package memrisk is an in-memory risk.Store, for tests, demos and one
// process. It passes risktest.TestStore.
//
// Units are kept in a map with a sorted slice of IDs for listing (a
// filtered listing scans from the cursor until its page is full); the
// due-date index is kept per department in buckets of a day, so that
// Store.Due reads one department's buckets, never every unit. Events
// written with a unit go to the hazard.EventLog given to New while the
// store's lock is held, after every check has passed, so that the unit and
// its events are stored together or not at all.
package memrisk

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// Store is the in-memory risk.Store. It is safe for concurrent use.
type Store struct {
	log hazard.EventLog

	mu     sync.RWMutex
	units  map[uuid.UUID]*risk.Unit
	byCode map[string]uuid.UUID
	ids    []uuid.UUID // sorted
	points map[uuid.UUID]*risk.Point
	// byUnit holds each unit's point IDs, sorted.
	byUnit map[uuid.UUID][]uuid.UUID
	// history holds each point's assessments, oldest first, and asmtAt
	// each assessment's index in its point's history.
	history map[uuid.UUID][]risk.Assessment
	asmtAt  map[uuid.UUID]int
	// due maps a department to its buckets: a day (Unix seconds of UTC
	// midnight) to the units due then and their grades.
	due map[string]map[int64]map[uuid.UUID]risk.Grade
	// byDistrict and byIndustry hold the units of each district and
	// industry (UnitRefs reads them).
	byDistrict placeIndex
	byIndustry placeIndex
}

var _ risk.Store = (*Store)(nil)

// New returns an empty Store that appends the events written with units to
// log (the hazard store's log, so that one log holds every subject).
func New(log hazard.EventLog) *Store {
	return &Store{
		log:     log,
		units:   make(map[uuid.UUID]*risk.Unit),
		byCode:  make(map[string]uuid.UUID),
		points:  make(map[uuid.UUID]*risk.Point),
		byUnit:  make(map[uuid.UUID][]uuid.UUID),
		history: make(map[uuid.UUID][]risk.Assessment),
		asmtAt:  make(map[uuid.UUID]int),
		due:     make(map[string]map[int64]map[uuid.UUID]risk.Grade),

		byDistrict: placeIndex{},
		byIndustry: placeIndex{},
	}
}

func cmpID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	return nil
}

// appendEvents appends events to the log; called with s.mu held, after
// every check.
func (s *Store) appendEvents(ctx context.Context, events []hazard.Event) error {
	if len(events) == 0 {
		return nil
	}
	_, err := s.log.Append(ctx, events...)
	return err
}

// CreateUnit implements risk.Store.
func (s *Store) CreateUnit(ctx context.Context, u risk.Unit, events []hazard.Event) (risk.Unit, error) {
	const op = "memrisk.create_unit"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Unit{}, err
	}
	if err := u.Validate(); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	if u.Version != 1 {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := risk.CheckEvents(u.ID, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	u = u.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.units[u.ID]; ok {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if _, ok := s.byCode[u.CreditCode]; ok {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "credit_code", Message: "is already registered"}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	s.units[u.ID] = &u
	s.byCode[u.CreditCode] = u.ID
	i, _ := slices.BinarySearchFunc(s.ids, u.ID, cmpID)
	s.ids = slices.Insert(s.ids, i, u.ID)
	s.index(&u)
	s.indexPlace(&u)
	return u.Clone(), nil
}

// index adds u's due-date entries; unindex removes them.
func (s *Store) index(u *risk.Unit) {
	if u.DueAt.IsZero() {
		return
	}
	day := u.DueAt.Unix()
	for _, d := range u.Departments {
		b := s.due[d]
		if b == nil {
			b = make(map[int64]map[uuid.UUID]risk.Grade)
			s.due[d] = b
		}
		set := b[day]
		if set == nil {
			set = make(map[uuid.UUID]risk.Grade)
			b[day] = set
		}
		set[u.ID] = u.Grade
	}
}

func (s *Store) unindex(u *risk.Unit) {
	if u.DueAt.IsZero() {
		return
	}
	day := u.DueAt.Unix()
	for _, d := range u.Departments {
		if set := s.due[d][day]; set != nil {
			delete(set, u.ID)
			if len(set) == 0 {
				delete(s.due[d], day)
			}
		}
	}
}

// GetUnit implements risk.Store.
func (s *Store) GetUnit(ctx context.Context, id uuid.UUID) (risk.Unit, error) {
	const op = "memrisk.get_unit"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Unit{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.units[id]
	if !ok {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such unit"}
	}
	return u.Clone(), nil
}

// GetUnitByCode implements risk.Store.
func (s *Store) GetUnitByCode(ctx context.Context, code string) (risk.Unit, error) {
	const op = "memrisk.get_unit_by_code"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Unit{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byCode[code]
	if !ok {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such unit"}
	}
	return s.units[id].Clone(), nil
}

// UpdateUnit implements risk.Store.
func (s *Store) UpdateUnit(ctx context.Context, u risk.Unit, expectedVersion int64, events []hazard.Event) (risk.Unit, error) {
	const op = "memrisk.update_unit"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Unit{}, err
	}
	u = u.Clone()
	u.Version = expectedVersion + 1
	if err := u.Validate(); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	if err := risk.CheckEvents(u.ID, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.units[u.ID]
	if !ok {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such unit"}
	}
	if old.Version != expectedVersion {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the unit changed", Version: old.Version}
	}
	if err := risk.CheckUnitUpdate(old, &u); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	s.unindex(old)
	s.unindexPlace(old)
	s.units[u.ID] = &u
	s.index(&u)
	s.indexPlace(&u)
	return u.Clone(), nil
}

// ListUnits implements risk.Store.
func (s *Store) ListUnits(ctx context.Context, f risk.UnitFilter, p hazard.Page) (risk.UnitList, error) {
	const op = "memrisk.list_units"
	if err := ctxErr(ctx, op); err != nil {
		return risk.UnitList{}, err
	}
	limit, err := risk.PageLimit(p)
	if err != nil {
		return risk.UnitList{}, err
	}
	start := 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p.Cursor != "" {
		after, err := risk.ParseIDCursor(p.Cursor, false)
		if err != nil {
			return risk.UnitList{}, err
		}
		i, found := slices.BinarySearchFunc(s.ids, after, cmpID)
		if found {
			i++
		}
		start = i
	}
	out := risk.UnitList{Items: []risk.Unit{}}
	for _, id := range s.ids[start:] {
		u := s.units[id]
		if !f.Matches(u) {
			continue
		}
		if len(out.Items) == limit {
			out.Next = risk.IDCursor(out.Items[limit-1].ID, false)
			break
		}
		out.Items = append(out.Items, u.Clone())
	}
	return out, nil
}

// CreatePoint implements risk.Store.
func (s *Store) CreatePoint(ctx context.Context, p risk.Point, a risk.Assessment) (risk.Point, error) {
	const op = "memrisk.create_point"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Point{}, err
	}
	if p.Version != 1 {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := risk.CheckAssessed(&p, &a); err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.units[p.UnitID]; !ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "unit_id", Message: "no such unit"}
	}
	if _, ok := s.points[p.ID]; ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if _, ok := s.asmtAt[a.ID]; ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "assessment", Message: "is taken"}
	}
	ids := s.byUnit[p.UnitID]
	if len(ids) >= risk.MaxPointsPerUnit {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "unit_id", Message: "has the most risk points a unit may have"}
	}
	i, _ := slices.BinarySearchFunc(ids, p.ID, cmpID)
	s.byUnit[p.UnitID] = slices.Insert(ids, i, p.ID)
	s.points[p.ID] = &p
	s.asmtAt[a.ID] = 0
	s.history[p.ID] = []risk.Assessment{a.Clone()}
	return p, nil
}

// GetPoint implements risk.Store.
func (s *Store) GetPoint(ctx context.Context, id uuid.UUID) (risk.Point, error) {
	const op = "memrisk.get_point"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Point{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.points[id]
	if !ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such risk point"}
	}
	return *p, nil
}

// AssessPoint implements risk.Store.
func (s *Store) AssessPoint(ctx context.Context, p risk.Point, expectedVersion int64, a risk.Assessment) (risk.Point, error) {
	const op = "memrisk.assess_point"
	if err := ctxErr(ctx, op); err != nil {
		return risk.Point{}, err
	}
	p.Version = expectedVersion + 1
	if err := risk.CheckAssessed(&p, &a); err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.points[p.ID]
	if !ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such risk point"}
	}
	if old.Version != expectedVersion {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the risk point changed", Version: old.Version}
	}
	if err := risk.CheckPointUpdate(old, &p); err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	if _, ok := s.asmtAt[a.ID]; ok {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "assessment", Message: "is taken"}
	}
	s.points[p.ID] = &p
	s.asmtAt[a.ID] = len(s.history[p.ID])
	s.history[p.ID] = append(s.history[p.ID], a.Clone())
	return p, nil
}

// Points implements risk.Store.
func (s *Store) Points(ctx context.Context, unitID uuid.UUID) ([]risk.Point, error) {
	const op = "memrisk.points"
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.byUnit[unitID]
	out := make([]risk.Point, len(ids))
	for i, id := range ids {
		out[i] = *s.points[id]
	}
	return out, nil
}

// Assessments implements risk.Store.
func (s *Store) Assessments(ctx context.Context, pointID uuid.UUID, p hazard.Page) (risk.AssessmentList, error) {
	const op = "memrisk.assessments"
	if err := ctxErr(ctx, op); err != nil {
		return risk.AssessmentList{}, err
	}
	limit, err := risk.PageLimit(p)
	if err != nil {
		return risk.AssessmentList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := s.history[pointID]
	end := len(h) // newest first: walk down from end-1
	if p.Cursor != "" {
		after, err := risk.ParseIDCursor(p.Cursor, true)
		if err != nil {
			return risk.AssessmentList{}, err
		}
		i, ok := s.asmtAt[after]
		if !ok || i >= len(h) || h[i].ID != after {
			return risk.AssessmentList{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "cursor", Message: "is not a cursor of this listing"}
		}
		end = i
	}
	out := risk.AssessmentList{Items: []risk.Assessment{}}
	for i := end - 1; i >= 0; i-- {
		if len(out.Items) == limit {
			out.Next = risk.IDCursor(out.Items[limit-1].ID, true)
			break
		}
		out.Items = append(out.Items, h[i].Clone())
	}
	return out, nil
}

// Due implements risk.Store: it reads the department's day buckets before
// q.Before.
func (s *Store) Due(ctx context.Context, q risk.DueQuery) (risk.DueList, error) {
	const op = "memrisk.due"
	if err := ctxErr(ctx, op); err != nil {
		return risk.DueList{}, err
	}
	if err := q.Validate(); err != nil {
		return risk.DueList{}, err
	}
	limit := q.DueLimit()
	afterDay, afterID := int64(-1<<63), uuid.Nil
	if q.Cursor != "" {
		t, id, _ := risk.ParseDueCursor(q.Cursor)
		afterDay, afterID = t.Unix(), id
	}
	before := q.Before.Unix()
	s.mu.RLock()
	defer s.mu.RUnlock()
	buckets := s.due[q.Department]
	days := make([]int64, 0, len(buckets))
	for d := range buckets {
		if d < before && d >= afterDay {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	out := risk.DueList{Items: []risk.DueEntry{}}
	var ids []uuid.UUID
	for _, d := range days {
		ids = ids[:0]
		for id, g := range buckets[d] {
			if d == afterDay && cmpID(id, afterID) <= 0 {
				continue
			}
			if len(q.Grades) > 0 && !slices.Contains(q.Grades, g) {
				continue
			}
			ids = append(ids, id)
		}
		slices.SortFunc(ids, cmpID)
		for _, id := range ids {
			if len(out.Items) == limit {
				out.Next = risk.DueCursor(out.Items[limit-1])
				return out, nil
			}
			out.Items = append(out.Items, risk.DueEntry{UnitID: id, Grade: buckets[d][id], DueAt: unixDay(d)})
		}
	}
	return out, nil
}
