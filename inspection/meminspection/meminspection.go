// Package meminspection is an in-memory inspection.Store, for tests, demos
// and one process. It passes inspectiontest.TestStore.
//
// Records are kept in maps, with the IDs of visits and training records in
// sorted slices for listing newest first (a filtered listing scans from the
// cursor until its page is full). Events written with a record go to the
// hazard.EventLog given to New while the store's lock is held, after every
// check has passed, so that the record and its events are stored together
// or not at all.
package meminspection

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// Store is the in-memory inspection.Store. It is safe for concurrent use.
type Store struct {
	log hazard.EventLog

	mu          sync.RWMutex
	checklists  map[string][]inspection.Checklist // versions, oldest first
	inspections map[uuid.UUID]*inspection.Inspection
	inspIDs     []uuid.UUID // sorted
	spots       map[uuid.UUID]*inspection.SpotCheck
	spotIDs     []uuid.UUID // sorted
	trainings   map[uuid.UUID]*inspection.Training
	trainIDs    []uuid.UUID // sorted
	orders      map[uuid.UUID]*inspection.Order
	orderIDs    []uuid.UUID // sorted
}

var _ inspection.Store = (*Store)(nil)

// New returns an empty Store that appends the events written with records
// to log (the hazard store's log, so that one log holds every subject).
func New(log hazard.EventLog) *Store {
	return &Store{
		log:         log,
		checklists:  make(map[string][]inspection.Checklist),
		inspections: make(map[uuid.UUID]*inspection.Inspection),
		spots:       make(map[uuid.UUID]*inspection.SpotCheck),
		trainings:   make(map[uuid.UUID]*inspection.Training),
		orders:      make(map[uuid.UUID]*inspection.Order),
	}
}

func cmpID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	return nil
}

func (s *Store) appendEvents(ctx context.Context, events []hazard.Event) error {
	if len(events) == 0 {
		return nil
	}
	_, err := s.log.Append(ctx, events...)
	return err
}

func notFound(op, what string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such " + what}
}

// CreateChecklist implements inspection.Store.
func (s *Store) CreateChecklist(ctx context.Context, c inspection.Checklist) (inspection.Checklist, error) {
	const op = "meminspection.create_checklist"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Checklist{}, err
	}
	if err := c.Validate(); err != nil {
		return inspection.Checklist{}, hazard.Wrap(op, err)
	}
	c = c.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.checklists[c.ID]
	if c.Version != len(vs)+1 {
		return inspection.Checklist{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "version", Message: "must be the latest version + 1"}
	}
	s.checklists[c.ID] = append(vs, c)
	return c.Clone(), nil
}

// GetChecklist implements inspection.Store.
func (s *Store) GetChecklist(ctx context.Context, id string, version int) (inspection.Checklist, error) {
	const op = "meminspection.get_checklist"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Checklist{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	vs := s.checklists[id]
	switch {
	case len(vs) == 0 || version < 0 || version > len(vs):
		return inspection.Checklist{}, notFound(op, "checklist")
	case version == 0:
		return vs[len(vs)-1].Clone(), nil
	}
	return vs[version-1].Clone(), nil
}

// ListChecklists implements inspection.Store.
func (s *Store) ListChecklists(ctx context.Context, f inspection.ChecklistFilter) ([]inspection.Checklist, error) {
	const op = "meminspection.list_checklists"
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []inspection.Checklist{}
	for _, vs := range s.checklists {
		if c := &vs[len(vs)-1]; f.Matches(c) {
			out = append(out, c.Clone())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CreateInspection implements inspection.Store.
func (s *Store) CreateInspection(ctx context.Context, in inspection.Inspection, events []hazard.Event) (inspection.Inspection, error) {
	const op = "meminspection.create_inspection"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Inspection{}, err
	}
	if err := in.Validate(); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	if in.Version != 1 {
		return inspection.Inspection{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := inspection.CheckEvents(inspection.Subject(in.ID), events); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	in = in.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.inspections[in.ID]; ok {
		return inspection.Inspection{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	s.inspections[in.ID] = &in
	i, _ := slices.BinarySearchFunc(s.inspIDs, in.ID, cmpID)
	s.inspIDs = slices.Insert(s.inspIDs, i, in.ID)
	return in.Clone(), nil
}

// GetInspection implements inspection.Store.
func (s *Store) GetInspection(ctx context.Context, id uuid.UUID) (inspection.Inspection, error) {
	const op = "meminspection.get_inspection"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Inspection{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	in, ok := s.inspections[id]
	if !ok {
		return inspection.Inspection{}, notFound(op, "inspection")
	}
	return in.Clone(), nil
}

// UpdateInspection implements inspection.Store.
func (s *Store) UpdateInspection(ctx context.Context, in inspection.Inspection, expectedVersion int64, events []hazard.Event) (inspection.Inspection, error) {
	const op = "meminspection.update_inspection"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Inspection{}, err
	}
	in = in.Clone()
	in.Version = expectedVersion + 1
	if err := in.Validate(); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	if err := inspection.CheckEvents(inspection.Subject(in.ID), events); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.inspections[in.ID]
	if !ok {
		return inspection.Inspection{}, notFound(op, "inspection")
	}
	if old.Version != expectedVersion {
		return inspection.Inspection{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "version", Message: "the inspection changed", Version: old.Version}
	}
	if err := inspection.CheckInspectionUpdate(old, &in); err != nil {
		return inspection.Inspection{}, err
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	s.inspections[in.ID] = &in
	return in.Clone(), nil
}

// page walks ids newest first from the cursor, keeping what keep accepts,
// with risk.PageLimit's limits.
func page(ids []uuid.UUID, p hazard.Page, keep func(uuid.UUID) bool) ([]uuid.UUID, string, error) {
	limit, err := risk.PageLimit(p)
	if err != nil {
		return nil, "", err
	}
	return pageOf(ids, p, limit, keep)
}

// pageOf walks ids newest first from the cursor, keeping at most limit of
// those keep accepts.
func pageOf(ids []uuid.UUID, p hazard.Page, limit int, keep func(uuid.UUID) bool) ([]uuid.UUID, string, error) {
	end := len(ids)
	if p.Cursor != "" {
		after, err := inspection.ParseCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		end, _ = slices.BinarySearchFunc(ids, after, cmpID)
	}
	var out []uuid.UUID
	for i := end - 1; i >= 0; i-- {
		if !keep(ids[i]) {
			continue
		}
		if len(out) == limit {
			return out, inspection.Cursor(out[len(out)-1]), nil
		}
		out = append(out, ids[i])
	}
	return out, "", nil
}

// ListInspections implements inspection.Store.
func (s *Store) ListInspections(ctx context.Context, f inspection.InspectionFilter, p hazard.Page) (inspection.InspectionList, error) {
	const op = "meminspection.list_inspections"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.InspectionList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, next, err := page(s.inspIDs, p, func(id uuid.UUID) bool { return f.Matches(s.inspections[id]) })
	if err != nil {
		return inspection.InspectionList{}, hazard.Wrap(op, err)
	}
	l := inspection.InspectionList{Items: make([]inspection.Inspection, 0, len(ids)), Next: next}
	for _, id := range ids {
		l.Items = append(l.Items, s.inspections[id].Clone())
	}
	return l, nil
}

// CreateSpotCheck implements inspection.Store.
func (s *Store) CreateSpotCheck(ctx context.Context, sc inspection.SpotCheck, events []hazard.Event) (inspection.SpotCheck, error) {
	const op = "meminspection.create_spot_check"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.SpotCheck{}, err
	}
	if err := sc.Validate(); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	if sc.Version != 1 {
		return inspection.SpotCheck{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := inspection.CheckEvents(inspection.SpotSubject(sc.ID), events); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	sc = sc.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.spots[sc.ID]; ok {
		return inspection.SpotCheck{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	s.spots[sc.ID] = &sc
	i, _ := slices.BinarySearchFunc(s.spotIDs, sc.ID, cmpID)
	s.spotIDs = slices.Insert(s.spotIDs, i, sc.ID)
	return sc.Clone(), nil
}

// ListSpotChecks implements inspection.Store.
func (s *Store) ListSpotChecks(ctx context.Context, f inspection.SpotFilter, p hazard.Page) (inspection.SpotCheckList, error) {
	const op = "meminspection.list_spot_checks"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.SpotCheckList{}, err
	}
	if err := f.Validate(); err != nil {
		return inspection.SpotCheckList{}, hazard.Wrap(op, err)
	}
	limit, err := inspection.SpotPageLimit(p)
	if err != nil {
		return inspection.SpotCheckList{}, hazard.Wrap(op, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, next, err := pageOf(s.spotIDs, p, limit, func(id uuid.UUID) bool { return f.Matches(s.spots[id]) })
	if err != nil {
		return inspection.SpotCheckList{}, hazard.Wrap(op, err)
	}
	l := inspection.SpotCheckList{Items: make([]inspection.SpotCheck, 0, len(ids)), Next: next}
	for _, id := range ids {
		l.Items = append(l.Items, s.spots[id].Clone())
	}
	return l, nil
}

// GetSpotCheck implements inspection.Store.
func (s *Store) GetSpotCheck(ctx context.Context, id uuid.UUID) (inspection.SpotCheck, error) {
	const op = "meminspection.get_spot_check"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.SpotCheck{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, ok := s.spots[id]
	if !ok {
		return inspection.SpotCheck{}, notFound(op, "spot check")
	}
	return sc.Clone(), nil
}

// UpdateSpotCheck implements inspection.Store.
func (s *Store) UpdateSpotCheck(ctx context.Context, sc inspection.SpotCheck, expectedVersion int64, events []hazard.Event) (inspection.SpotCheck, error) {
	const op = "meminspection.update_spot_check"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.SpotCheck{}, err
	}
	sc = sc.Clone()
	sc.Version = expectedVersion + 1
	if err := sc.Validate(); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	if err := inspection.CheckEvents(inspection.SpotSubject(sc.ID), events); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.spots[sc.ID]
	if !ok {
		return inspection.SpotCheck{}, notFound(op, "spot check")
	}
	if old.Version != expectedVersion {
		return inspection.SpotCheck{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "version", Message: "the spot check changed", Version: old.Version}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.SpotCheck{}, hazard.Wrap(op, err)
	}
	s.spots[sc.ID] = &sc
	return sc.Clone(), nil
}

// CreateTraining implements inspection.Store.
func (s *Store) CreateTraining(ctx context.Context, t inspection.Training, events []hazard.Event) (inspection.Training, error) {
	const op = "meminspection.create_training"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Training{}, err
	}
	if err := t.Validate(); err != nil {
		return inspection.Training{}, hazard.Wrap(op, err)
	}
	if err := inspection.CheckEvents(inspection.TrainingSubject(t.ID), events); err != nil {
		return inspection.Training{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.trainings[t.ID]; ok {
		return inspection.Training{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.Training{}, hazard.Wrap(op, err)
	}
	s.trainings[t.ID] = &t
	i, _ := slices.BinarySearchFunc(s.trainIDs, t.ID, cmpID)
	s.trainIDs = slices.Insert(s.trainIDs, i, t.ID)
	return t, nil
}

// ListTrainings implements inspection.Store.
func (s *Store) ListTrainings(ctx context.Context, f inspection.TrainingFilter, p hazard.Page) (inspection.TrainingList, error) {
	const op = "meminspection.list_trainings"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.TrainingList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, next, err := page(s.trainIDs, p, func(id uuid.UUID) bool { return f.Matches(s.trainings[id]) })
	if err != nil {
		return inspection.TrainingList{}, hazard.Wrap(op, err)
	}
	l := inspection.TrainingList{Items: make([]inspection.Training, 0, len(ids)), Next: next}
	for _, id := range ids {
		l.Items = append(l.Items, *s.trainings[id])
	}
	return l, nil
}

// CreateOrder implements inspection.Store.
func (s *Store) CreateOrder(ctx context.Context, o inspection.Order, events []hazard.Event) (inspection.Order, error) {
	const op = "meminspection.create_order"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Order{}, err
	}
	if err := o.Validate(); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	if o.Version != 1 {
		return inspection.Order{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := inspection.CheckEvents(inspection.OrderSubject(o.ID), events); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	o = o.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[o.ID]; ok {
		return inspection.Order{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	s.orders[o.ID] = &o
	i, _ := slices.BinarySearchFunc(s.orderIDs, o.ID, cmpID)
	s.orderIDs = slices.Insert(s.orderIDs, i, o.ID)
	return o.Clone(), nil
}

// GetOrder implements inspection.Store.
func (s *Store) GetOrder(ctx context.Context, id uuid.UUID) (inspection.Order, error) {
	const op = "meminspection.get_order"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Order{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	if !ok {
		return inspection.Order{}, notFound(op, "order")
	}
	return o.Clone(), nil
}

// UpdateOrder implements inspection.Store.
func (s *Store) UpdateOrder(ctx context.Context, o inspection.Order, expectedVersion int64, events []hazard.Event) (inspection.Order, error) {
	const op = "meminspection.update_order"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.Order{}, err
	}
	o = o.Clone()
	o.Version = expectedVersion + 1
	if err := o.Validate(); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	if err := inspection.CheckEvents(inspection.OrderSubject(o.ID), events); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.orders[o.ID]
	if !ok {
		return inspection.Order{}, notFound(op, "order")
	}
	if old.Version != expectedVersion {
		return inspection.Order{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "version", Message: "the order changed", Version: old.Version}
	}
	if err := s.appendEvents(ctx, events); err != nil {
		return inspection.Order{}, hazard.Wrap(op, err)
	}
	s.orders[o.ID] = &o
	return o.Clone(), nil
}

// ListOrders implements inspection.Store.
func (s *Store) ListOrders(ctx context.Context, f inspection.OrderFilter, p hazard.Page) (inspection.OrderList, error) {
	const op = "meminspection.list_orders"
	if err := ctxErr(ctx, op); err != nil {
		return inspection.OrderList{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, next, err := page(s.orderIDs, p, func(id uuid.UUID) bool { return f.Matches(s.orders[id]) })
	if err != nil {
		return inspection.OrderList{}, hazard.Wrap(op, err)
	}
	l := inspection.OrderList{Items: make([]inspection.Order, 0, len(ids)), Next: next}
	for _, id := range ids {
		l.Items = append(l.Items, s.orders[id].Clone())
	}
	return l, nil
}
