package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/risk"
)

// InspectionStore is the PostgreSQL inspection.Store. It stores; the rules are package
// inspection's, and the checks every adapter makes are inspection's own
// functions (Checklist.Validate, Inspection.Validate,
// CheckInspectionUpdate, CheckEvents).
//
// A record and the events written with it go in one short transaction;
// an update first locks the record's row (SELECT ... FOR UPDATE), so that
// of racing updates at one version exactly one wins. Listings are keyset
// pages over indexes in ID order, newest first.
type InspectionStore struct {
	db *DB
}

var _ inspection.Store = (*InspectionStore)(nil)

// Inspection returns the inspection.Store over db.
func (db *DB) Inspection() *InspectionStore { return &InspectionStore{db: db} }

func conflict(op, field, msg string, version int64) error {
	return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: field, Message: msg, Version: version}
}

// CreateChecklist implements inspection.Store.
func (s *InspectionStore) CreateChecklist(ctx context.Context, c inspection.Checklist) (inspection.Checklist, error) {
	const op = "pgstore.CreateChecklist"
	if err := c.Validate(); err != nil {
		return inspection.Checklist{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(&c)
	if err != nil {
		return inspection.Checklist{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		// Versions of one checklist are written one at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('inspection_checklist:' || $1))`, c.ID); err != nil {
			return err
		}
		var latest int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM inspection_checklists WHERE id = $1`, c.ID).Scan(&latest); err != nil {
			return err
		}
		if c.Version != latest+1 {
			return conflict(op, "version", "must be the latest version + 1", int64(latest))
		}
		_, err := tx.Exec(ctx, `INSERT INTO inspection_checklists (id, version, industry, department, doc) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.Version, c.Industry, c.Department, doc)
		return err
	})
	if err != nil {
		return inspection.Checklist{}, translate(op, err)
	}
	return c.Clone(), nil
}

func scanDoc[T any](ctx context.Context, q querier, what, sql string, args ...any) (T, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		var zero T
		return zero, err
	}
	return decodeJSON[T](what, doc)
}

// GetChecklist implements inspection.Store.
func (s *InspectionStore) GetChecklist(ctx context.Context, id string, version int) (inspection.Checklist, error) {
	const op = "pgstore.GetChecklist"
	if version < 0 {
		return inspection.Checklist{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such version"}
	}
	c, err := scanDoc[inspection.Checklist](ctx, s.db.pool, "checklist",
		`SELECT doc FROM inspection_checklists WHERE id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1`, id, version)
	return c, translate(op, err)
}

// ListChecklists implements inspection.Store.
func (s *InspectionStore) ListChecklists(ctx context.Context, f inspection.ChecklistFilter) ([]inspection.Checklist, error) {
	const op = "pgstore.ListChecklists"
	out, _, err := queryDocs[inspection.Checklist](ctx, s.db.pool, op, "checklist", -1, `SELECT DISTINCT ON (id) doc FROM inspection_checklists
		WHERE ($1 = '' OR industry = $1) AND ($2 = '' OR department = $2) ORDER BY id, version DESC`, f.Industry, f.Department)
	if out == nil && err == nil {
		out = []inspection.Checklist{}
	}
	return out, err
}

func finishedAt(in *inspection.Inspection) *time.Time {
	if in.FinishedAt.IsZero() {
		return nil
	}
	t := in.FinishedAt.UTC()
	return &t
}

// CreateInspection implements inspection.Store.
func (s *InspectionStore) CreateInspection(ctx context.Context, in inspection.Inspection, events []hazard.Event) (inspection.Inspection, error) {
	const op = "pgstore.CreateInspection"
	doc, err := encodeNew(op, &in, in.Version, inspection.Subject(in.ID), events)
	if err != nil {
		return inspection.Inspection{}, err
	}
	err = s.insertWithEvents(ctx, op, events, func(tx pgx.Tx) (pgconn.CommandTag, error) {
		return tx.Exec(ctx, `INSERT INTO inspections (id, unit_id, department, district, industry, kind, status, finished_at, version, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) ON CONFLICT DO NOTHING`,
			in.ID, in.UnitID, in.Department, in.Unit.Location.District, in.Unit.Industry, string(in.Kind), string(in.Status), finishedAt(&in), doc)
	})
	if err != nil {
		return inspection.Inspection{}, err
	}
	return in.Clone(), nil
}

// GetInspection implements inspection.Store.
func (s *InspectionStore) GetInspection(ctx context.Context, id uuid.UUID) (inspection.Inspection, error) {
	in, err := scanDoc[inspection.Inspection](ctx, s.db.pool, "inspection", `SELECT doc FROM inspections WHERE id = $1`, id)
	return in, translate("pgstore.GetInspection", err)
}

// UpdateInspection implements inspection.Store.
func (s *InspectionStore) UpdateInspection(ctx context.Context, in inspection.Inspection, expectedVersion int64, events []hazard.Event) (inspection.Inspection, error) {
	const op = "pgstore.UpdateInspection"
	in = in.Clone()
	in.Version = expectedVersion + 1
	if err := in.Validate(); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	if err := inspection.CheckEvents(inspection.Subject(in.ID), events); err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(&in)
	if err != nil {
		return inspection.Inspection{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		old, err := scanDoc[inspection.Inspection](ctx, tx, "inspection", `SELECT doc FROM inspections WHERE id = $1 FOR UPDATE`, in.ID)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return conflict(op, "version", "the inspection changed", old.Version)
		}
		if err := inspection.CheckInspectionUpdate(&old, &in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET department = $2, district = $3, industry = $4, status = $5, finished_at = $6,
			version = $7, doc = $8 WHERE id = $1`, in.ID, in.Department, in.Unit.Location.District, in.Unit.Industry, string(in.Status),
			finishedAt(&in), in.Version, doc); err != nil {
			return err
		}
		return appendTx(ctx, tx, events)
	})
	if err != nil {
		return inspection.Inspection{}, translate(op, err)
	}
	return in, nil
}

// keyset returns the conditions of a page walked newest first by the
// column idCol, the arguments and the limit.
func keyset(w *where, idCol string, p hazard.Page) (int, error) {
	limit, err := risk.PageLimit(p)
	if err != nil {
		return 0, err
	}
	if p.Cursor != "" {
		after, err := inspection.ParseCursor(p.Cursor)
		if err != nil {
			return 0, err
		}
		w.add(idCol+" < ?", after)
	}
	return limit, nil
}

// listDocs runs a keyset page newest first over table with queryDocs and
// makes the cursor of the next page.
func listDocs[T any](ctx context.Context, s *InspectionStore, op, what, table string, w where, limit int, id func(*T) uuid.UUID) ([]T, string, error) {
	w.args = append(w.args, limit+1)
	sql := fmt.Sprintf(`SELECT doc FROM %s WHERE %s ORDER BY id DESC LIMIT $%d`, table, w.sql(), len(w.args))
	out, more, err := queryDocs[T](ctx, s.db.pool, op, what, limit, sql, w.args...)
	if err != nil || !more {
		return out, "", err
	}
	return out, inspection.Cursor(id(&out[len(out)-1])), nil
}

// inspectionWhere returns the conditions of ListInspections and the limit.
func inspectionWhere(f inspection.InspectionFilter, p hazard.Page) (where, int, error) {
	var w where
	limit, err := keyset(&w, "id", p)
	if err != nil {
		return w, 0, err
	}
	if f.UnitID != uuid.Nil {
		w.add("unit_id = ?", f.UnitID)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.District != "" {
		w.add("district = ?", f.District)
	}
	if f.Industry != "" {
		w.add("industry = ?", f.Industry)
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if !f.FinishedSince.IsZero() || !f.FinishedUntil.IsZero() {
		w.add("finished_at IS NOT NULL")
	}
	if !f.FinishedSince.IsZero() {
		w.add("finished_at >= ?", f.FinishedSince.UTC())
	}
	if !f.FinishedUntil.IsZero() {
		w.add("finished_at < ?", f.FinishedUntil.UTC())
	}
	return w, limit, nil
}

// ListInspections implements inspection.Store.
func (s *InspectionStore) ListInspections(ctx context.Context, f inspection.InspectionFilter, p hazard.Page) (inspection.InspectionList, error) {
	const op = "pgstore.ListInspections"
	w, limit, err := inspectionWhere(f, p)
	if err != nil {
		return inspection.InspectionList{}, hazard.Wrap(op, err)
	}
	items, next, err := listDocs(ctx, s, op, "inspection", "inspections", w, limit, func(in *inspection.Inspection) uuid.UUID { return in.ID })
	return inspection.InspectionList{Items: items, Next: next}, err
}

// CreateSpotCheck implements inspection.Store.
func (s *InspectionStore) CreateSpotCheck(ctx context.Context, sc inspection.SpotCheck, events []hazard.Event) (inspection.SpotCheck, error) {
	const op = "pgstore.CreateSpotCheck"
	doc, err := encodeNew(op, &sc, sc.Version, inspection.SpotSubject(sc.ID), events)
	if err != nil {
		return inspection.SpotCheck{}, err
	}
	c := spotColumnsOf(&sc)
	err = s.insertWithEvents(ctx, op, events, func(tx pgx.Tx) (pgconn.CommandTag, error) {
		return tx.Exec(ctx, `INSERT INTO inspection_spot_checks (id, version, department, created_ns, verdicts, unit_ids, doc)
			VALUES ($1, 1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, sc.ID, c.department, c.createdNS, c.verdicts, c.unitIDs, doc)
	})
	if err != nil {
		return inspection.SpotCheck{}, err
	}
	return sc.Clone(), nil
}

// GetSpotCheck implements inspection.Store.
func (s *InspectionStore) GetSpotCheck(ctx context.Context, id uuid.UUID) (inspection.SpotCheck, error) {
	sc, err := scanDoc[inspection.SpotCheck](ctx, s.db.pool, "spot check", `SELECT doc FROM inspection_spot_checks WHERE id = $1`, id)
	return sc, translate("pgstore.GetSpotCheck", err)
}

// UpdateSpotCheck implements inspection.Store.
func (s *InspectionStore) UpdateSpotCheck(ctx context.Context, sc inspection.SpotCheck, expectedVersion int64, events []hazard.Event) (inspection.SpotCheck, error) {
	const op = "pgstore.UpdateSpotCheck"
	sc = sc.Clone()
	sc.Version = expectedVersion + 1
	doc, err := encodeChange(op, &sc, inspection.SpotSubject(sc.ID), events)
	if err != nil {
		return inspection.SpotCheck{}, err
	}
	c := spotColumnsOf(&sc)
	err = s.updateWithEvents(ctx, op, "inspection_spot_checks", "spot check", sc.ID, expectedVersion, events, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE inspection_spot_checks SET version = $2, department = $3, created_ns = $4, verdicts = $5,
			unit_ids = $6, doc = $7 WHERE id = $1`, sc.ID, sc.Version, c.department, c.createdNS, c.verdicts, c.unitIDs, doc)
		return err
	})
	if err != nil {
		return inspection.SpotCheck{}, err
	}
	return sc, nil
}

// spotColumns are the columns of a spot check's row beside its document:
// what ListSpotChecks filters by.
type spotColumns struct {
	department string
	createdNS  int64
	verdicts   []string // sorted, each once
	unitIDs    []string // sorted, each once, none empty
}

func spotColumnsOf(sc *inspection.SpotCheck) spotColumns {
	c := spotColumns{department: sc.Query.Department, createdNS: unixNanos(sc.CreatedAt), verdicts: []string{}, unitIDs: []string{}}
	for _, it := range sc.Items {
		c.verdicts = append(c.verdicts, string(it.Verdict))
		if it.UnitID != "" {
			c.unitIDs = append(c.unitIDs, it.UnitID)
		}
	}
	slices.Sort(c.verdicts)
	slices.Sort(c.unitIDs)
	c.verdicts, c.unitIDs = slices.Compact(c.verdicts), slices.Compact(c.unitIDs)
	return c
}

// spotCheckWhere returns the conditions of ListSpotChecks and the limit:
// the department's index, or the units' inverted index, with the ID of
// the keyset page.
func spotCheckWhere(f inspection.SpotFilter, p hazard.Page) (where, int, error) {
	var w where
	if err := f.Validate(); err != nil {
		return w, 0, err
	}
	limit, err := inspection.SpotPageLimit(p)
	if err != nil {
		return w, 0, err
	}
	if p.Cursor != "" {
		after, err := inspection.ParseCursor(p.Cursor)
		if err != nil {
			return w, 0, err
		}
		w.add("id < ?", after)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.UnitID != uuid.Nil {
		w.add("unit_ids @> ?::text[]", []string{f.UnitID.String()})
	}
	switch f.Status {
	case inspection.SpotOpen:
		w.add("verdicts @> ?::text[]", []string{string(inspection.VerdictPending)})
	case inspection.SpotDone:
		w.add("NOT verdicts @> ?::text[]", []string{string(inspection.VerdictPending)})
	}
	if f.Verdict != "" {
		w.add("verdicts @> ?::text[]", []string{string(f.Verdict)})
	}
	if !f.Since.IsZero() {
		w.add("created_ns >= ?", unixNanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("created_ns < ?", unixNanos(f.Until))
	}
	return w, limit, nil
}

// ListSpotChecks implements inspection.Store.
func (s *InspectionStore) ListSpotChecks(ctx context.Context, f inspection.SpotFilter, p hazard.Page) (inspection.SpotCheckList, error) {
	const op = "pgstore.ListSpotChecks"
	w, limit, err := spotCheckWhere(f, p)
	if err != nil {
		return inspection.SpotCheckList{}, hazard.Wrap(op, err)
	}
	items, next, err := listDocs(ctx, s, op, "spot check", "inspection_spot_checks", w, limit, func(sc *inspection.SpotCheck) uuid.UUID { return sc.ID })
	if items == nil && err == nil {
		items = []inspection.SpotCheck{}
	}
	return inspection.SpotCheckList{Items: items, Next: next}, err
}

// nilUUID returns nil for uuid.Nil (SQL NULL), else a pointer to id.
func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// CreateOrder implements inspection.Store.
func (s *InspectionStore) CreateOrder(ctx context.Context, o inspection.Order, events []hazard.Event) (inspection.Order, error) {
	const op = "pgstore.CreateOrder"
	doc, err := encodeNew(op, &o, o.Version, inspection.OrderSubject(o.ID), events)
	if err != nil {
		return inspection.Order{}, err
	}
	err = s.insertWithEvents(ctx, op, events, func(tx pgx.Tx) (pgconn.CommandTag, error) {
		return tx.Exec(ctx, `INSERT INTO inspection_orders (id, hazard_id, unit_id, department, status, deadline, version, doc)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT DO NOTHING`,
			o.ID, nilUUID(o.HazardID), nilUUID(o.UnitID), o.Department, string(o.Status), o.Deadline.UTC(), doc)
	})
	if err != nil {
		return inspection.Order{}, err
	}
	return o.Clone(), nil
}

// GetOrder implements inspection.Store.
func (s *InspectionStore) GetOrder(ctx context.Context, id uuid.UUID) (inspection.Order, error) {
	o, err := scanDoc[inspection.Order](ctx, s.db.pool, "order", `SELECT doc FROM inspection_orders WHERE id = $1`, id)
	return o, translate("pgstore.GetOrder", err)
}

// UpdateOrder implements inspection.Store.
func (s *InspectionStore) UpdateOrder(ctx context.Context, o inspection.Order, expectedVersion int64, events []hazard.Event) (inspection.Order, error) {
	const op = "pgstore.UpdateOrder"
	o = o.Clone()
	o.Version = expectedVersion + 1
	doc, err := encodeChange(op, &o, inspection.OrderSubject(o.ID), events)
	if err != nil {
		return inspection.Order{}, err
	}
	err = s.updateWithEvents(ctx, op, "inspection_orders", "order", o.ID, expectedVersion, events, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE inspection_orders SET department = $2, status = $3, deadline = $4, version = $5, doc = $6 WHERE id = $1`,
			o.ID, o.Department, string(o.Status), o.Deadline.UTC(), o.Version, doc)
		return err
	})
	if err != nil {
		return inspection.Order{}, err
	}
	return o, nil
}

// ListOrders implements inspection.Store.
func (s *InspectionStore) ListOrders(ctx context.Context, f inspection.OrderFilter, p hazard.Page) (inspection.OrderList, error) {
	const op = "pgstore.ListOrders"
	var w where
	limit, err := keyset(&w, "id", p)
	if err != nil {
		return inspection.OrderList{}, hazard.Wrap(op, err)
	}
	if f.HazardID != uuid.Nil {
		w.add("hazard_id = ?", f.HazardID)
	}
	if f.UnitID != uuid.Nil {
		w.add("unit_id = ?", f.UnitID)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if !f.DeadlineBefore.IsZero() {
		w.add("deadline < ?", f.DeadlineBefore.UTC())
	}
	items, next, err := listDocs(ctx, s, op, "order", "inspection_orders", w, limit, func(o *inspection.Order) uuid.UUID { return o.ID })
	return inspection.OrderList{Items: items, Next: next}, err
}

// CreateTraining implements inspection.Store.
func (s *InspectionStore) CreateTraining(ctx context.Context, t inspection.Training, events []hazard.Event) (inspection.Training, error) {
	const op = "pgstore.CreateTraining"
	doc, err := encodeChange(op, &t, inspection.TrainingSubject(t.ID), events)
	if err != nil {
		return inspection.Training{}, err
	}
	err = s.insertWithEvents(ctx, op, events, func(tx pgx.Tx) (pgconn.CommandTag, error) {
		return tx.Exec(ctx, `INSERT INTO inspection_trainings (id, department, unit_id, day, doc) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			t.ID, t.Department, nilUUID(t.UnitID), t.Date.UTC(), doc)
	})
	if err != nil {
		return inspection.Training{}, err
	}
	return t, nil
}

// ListTrainings implements inspection.Store.
func (s *InspectionStore) ListTrainings(ctx context.Context, f inspection.TrainingFilter, p hazard.Page) (inspection.TrainingList, error) {
	const op = "pgstore.ListTrainings"
	var w where
	limit, err := keyset(&w, "id", p)
	if err != nil {
		return inspection.TrainingList{}, hazard.Wrap(op, err)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.UnitID != uuid.Nil {
		w.add("unit_id = ?", f.UnitID)
	}
	if !f.Since.IsZero() {
		w.add("day >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		w.add("day < ?", f.Until.UTC())
	}
	items, next, err := listDocs(ctx, s, op, "training", "inspection_trainings", w, limit, func(t *inspection.Training) uuid.UUID { return t.ID })
	return inspection.TrainingList{Items: items, Next: next}, err
}

// validated is a document that checks itself.
type validated interface{ Validate() error }

// encodeNew checks a document about to be created (valid, version 1, its
// events its subject's) and returns its JSON.
func encodeNew(op string, v validated, version int64, subject hazard.Subject, events []hazard.Event) ([]byte, error) {
	if err := v.Validate(); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	if version != 1 {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	return encode(op, v, subject, events)
}

// encodeChange checks a document about to be written (valid, its events
// its subject's) and returns its JSON.
func encodeChange(op string, v validated, subject hazard.Subject, events []hazard.Event) ([]byte, error) {
	if err := v.Validate(); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	return encode(op, v, subject, events)
}

// encode checks that events are subject's and returns v's JSON.
func encode(op string, v validated, subject hazard.Subject, events []hazard.Event) ([]byte, error) {
	if err := inspection.CheckEvents(subject, events); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	return doc, nil
}

// insertWithEvents runs insert (an INSERT ... ON CONFLICT DO NOTHING) and
// appends events in one transaction; an ID already taken is CodeConflict.
func (s *InspectionStore) insertWithEvents(ctx context.Context, op string, events []hazard.Event, insert func(tx pgx.Tx) (pgconn.CommandTag, error)) error {
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		tag, err := insert(tx)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return conflict(op, "id", "is taken", 0)
		}
		return appendTx(ctx, tx, events)
	})
	return translate(op, err)
}

// updateWithEvents locks the row id of table, checks its version is
// expectedVersion (CodeConflict saying what changed otherwise), runs update
// and appends events, in one transaction.
func (s *InspectionStore) updateWithEvents(ctx context.Context, op, table, what string, id uuid.UUID, expectedVersion int64, events []hazard.Event, update func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var v int64
		if err := tx.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1 FOR UPDATE`, id).Scan(&v); err != nil {
			return err
		}
		if v != expectedVersion {
			return conflict(op, "version", "the "+what+" changed", v)
		}
		if err := update(tx); err != nil {
			return err
		}
		return appendTx(ctx, tx, events)
	})
	return translate(op, err)
}
