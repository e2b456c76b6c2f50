package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RiskStore is the PostgreSQL risk.Store. It stores; the rules (credit
// codes, grades, the policy) are package risk's, and the checks every
// adapter makes are risk's own functions (Unit.Validate, CheckUnitUpdate,
// CheckAssessed, DueQuery.Validate).
//
// A unit's row, its department rows (the due-date index) and the events
// written with it are written in one short transaction; an update first
// locks the unit's row (SELECT ... FOR UPDATE), so that of racing updates
// at one version exactly one wins. The events go to the one event log of
// the DB, the log Hazards reads. Listings are keyset pages over indexes
// that match their filters and order: Due reads
// risk_unit_departments_due alone.
type RiskStore struct {
	db *DB
}

var _ risk.Store = (*RiskStore)(nil)

// Risk returns the risk.Store over db.
func (db *DB) Risk() *RiskStore { return &RiskStore{db: db} }

func decodeJSON[T any](what string, doc []byte) (T, error) {
	var v T
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}

// appendTx appends events in tx, numbering them in the one log.
func appendTx(ctx context.Context, tx pgx.Tx, events []hazard.Event) error {
	if len(events) == 0 {
		return nil
	}
	evs, err := eventDocs(events, uuid.Nil)
	if err != nil {
		return err
	}
	var ok bool
	var last *int64
	if err := tx.QueryRow(ctx, appendSQL, pgx.NamedArgs{"events": evs}).Scan(&ok, &last); err != nil {
		return err
	}
	if last == nil {
		return errors.New("events were not numbered")
	}
	return nil
}

func dueOn(u *risk.Unit) *time.Time {
	if u.DueAt.IsZero() {
		return nil
	}
	d := risk.Day(u.DueAt)
	return &d
}

// writeDepartments replaces the unit's department rows.
func writeDepartments(ctx context.Context, tx pgx.Tx, u *risk.Unit) error {
	if _, err := tx.Exec(ctx, `DELETE FROM risk_unit_departments WHERE unit_id = $1`, u.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO risk_unit_departments (department, unit_id, due_on, grade)
		SELECT d, $2, $3, $4 FROM unnest($1::text[]) AS d`, u.Departments, u.ID, dueOn(u), string(u.Grade))
	return err
}

// CreateUnit implements risk.Store.
func (s *RiskStore) CreateUnit(ctx context.Context, u risk.Unit, events []hazard.Event) (risk.Unit, error) {
	const op = "pgstore.CreateUnit"
	if err := u.Validate(); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	if u.Version != 1 {
		return risk.Unit{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := risk.CheckEvents(u.ID, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(&u)
	if err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO risk_units (id, credit_code, district, grid, industry, grade, version, doc)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT DO NOTHING`,
			u.ID, u.CreditCode, u.Location.District, u.Grid, u.Industry, string(u.Grade), doc)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the ID or the credit code is taken"}
		}
		if err := writeDepartments(ctx, tx, &u); err != nil {
			return err
		}
		return appendTx(ctx, tx, events)
	})
	if err != nil {
		return risk.Unit{}, translate(op, err)
	}
	return u.Clone(), nil
}

func scanUnit(ctx context.Context, q querier, sql string, args ...any) (risk.Unit, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		return risk.Unit{}, err
	}
	return decodeJSON[risk.Unit]("unit", doc)
}

// GetUnit implements risk.Store.
func (s *RiskStore) GetUnit(ctx context.Context, id uuid.UUID) (risk.Unit, error) {
	u, err := scanUnit(ctx, s.db.pool, `SELECT doc FROM risk_units WHERE id = $1`, id)
	return u, translate("pgstore.GetUnit", err)
}

// GetUnitByCode implements risk.Store.
func (s *RiskStore) GetUnitByCode(ctx context.Context, code string) (risk.Unit, error) {
	u, err := scanUnit(ctx, s.db.pool, `SELECT doc FROM risk_units WHERE credit_code = $1`, code)
	return u, translate("pgstore.GetUnitByCode", err)
}

// UpdateUnit implements risk.Store.
func (s *RiskStore) UpdateUnit(ctx context.Context, u risk.Unit, expectedVersion int64, events []hazard.Event) (risk.Unit, error) {
	const op = "pgstore.UpdateUnit"
	u = u.Clone()
	u.Version = expectedVersion + 1
	if err := u.Validate(); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	if err := risk.CheckEvents(u.ID, events); err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(&u)
	if err != nil {
		return risk.Unit{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		old, err := scanUnit(ctx, tx, `SELECT doc FROM risk_units WHERE id = $1 FOR UPDATE`, u.ID)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the unit changed", Version: old.Version}
		}
		if err := risk.CheckUnitUpdate(&old, &u); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE risk_units SET district = $2, grid = $3, industry = $4, grade = $5, version = $6, doc = $7
			WHERE id = $1`, u.ID, u.Location.District, u.Grid, u.Industry, string(u.Grade), u.Version, doc); err != nil {
			return err
		}
		if err := writeDepartments(ctx, tx, &u); err != nil {
			return err
		}
		return appendTx(ctx, tx, events)
	})
	if err != nil {
		return risk.Unit{}, translate(op, err)
	}
	return u.Clone(), nil
}

// unitListQuery returns the statement of ListUnits, its arguments and the
// page limit; the statement asks for one row more than the limit. With a
// department it walks the department's rows (primary key order); otherwise
// the units' IDs, through the index of the filters set.
func unitListQuery(f risk.UnitFilter, p hazard.Page) (string, []any, int, error) {
	limit, err := risk.PageLimit(p)
	if err != nil {
		return "", nil, 0, err
	}
	after := uuid.Nil
	if p.Cursor != "" {
		if after, err = risk.ParseIDCursor(p.Cursor, false); err != nil {
			return "", nil, 0, err
		}
	}
	from, order, w := unitWhere(f, after)
	w.args = append(w.args, limit+1)
	return fmt.Sprintf(`SELECT u.doc FROM %s WHERE %s ORDER BY %s LIMIT $%d`, from, w.sql(), order, len(w.args)), w.args, limit, nil
}

// unitWhere returns the tables, the order and the conditions of the units
// f selects after the ID after.
func unitWhere(f risk.UnitFilter, after uuid.UUID) (string, string, where) {
	var w where
	from, order := `risk_units u`, "u.id"
	if f.Department != "" {
		from, order = `risk_unit_departments d JOIN risk_units u ON u.id = d.unit_id`, "d.unit_id"
		w.add("d.department = ?", f.Department)
		w.add("d.unit_id > ?", after)
	} else {
		w.add("u.id > ?", after)
	}
	if f.District != "" {
		w.add("u.district = ?", f.District)
	}
	if f.Grid != "" {
		w.add("u.grid = ?", f.Grid)
	}
	if f.Industry != "" {
		w.add("u.industry = ?", f.Industry)
	}
	if f.Grade != "" {
		w.add("u.grade = ?", string(f.Grade))
	}
	return from, order, w
}

// ListUnits implements risk.Store.
func (s *RiskStore) ListUnits(ctx context.Context, f risk.UnitFilter, p hazard.Page) (risk.UnitList, error) {
	const op = "pgstore.ListUnits"
	sql, args, limit, err := unitListQuery(f, p)
	if err != nil {
		return risk.UnitList{}, err
	}
	items, more, err := queryDocs[risk.Unit](ctx, s.db.pool, op, "unit", limit, sql, args...)
	if err != nil {
		return risk.UnitList{}, err
	}
	out := risk.UnitList{Items: items}
	if more {
		out.Next = risk.IDCursor(items[len(items)-1].ID, false)
	}
	return out, nil
}

// maxPointsCheck is the statement that counts a unit's points under the
// unit's row lock.
const maxPointsCheck = `SELECT count(*) FROM risk_points WHERE unit_id = $1`

// CreatePoint implements risk.Store.
func (s *RiskStore) CreatePoint(ctx context.Context, p risk.Point, a risk.Assessment) (risk.Point, error) {
	const op = "pgstore.CreatePoint"
	if p.Version != 1 {
		return risk.Point{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "must be 1"}
	}
	if err := risk.CheckAssessed(&p, &a); err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	pdoc, err := json.Marshal(&p)
	if err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	adoc, err := json.Marshal(&a)
	if err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM risk_units WHERE id = $1 FOR UPDATE`, p.UnitID).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "unit_id", Message: "no such unit"}
			}
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, maxPointsCheck, p.UnitID).Scan(&n); err != nil {
			return err
		}
		if n >= risk.MaxPointsPerUnit {
			return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "unit_id", Message: "has the most risk points a unit may have"}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO risk_points (id, unit_id, version, doc) VALUES ($1, $2, 1, $3)`, p.ID, p.UnitID, pdoc); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO risk_assessments (id, point_id, doc) VALUES ($1, $2, $3)`, a.ID, p.ID, adoc)
		return err
	})
	if err != nil {
		return risk.Point{}, translate(op, err)
	}
	return p, nil
}

func scanPoint(ctx context.Context, q querier, sql string, args ...any) (risk.Point, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		return risk.Point{}, err
	}
	return decodeJSON[risk.Point]("point", doc)
}

// GetPoint implements risk.Store.
func (s *RiskStore) GetPoint(ctx context.Context, id uuid.UUID) (risk.Point, error) {
	p, err := scanPoint(ctx, s.db.pool, `SELECT doc FROM risk_points WHERE id = $1`, id)
	return p, translate("pgstore.GetPoint", err)
}

// AssessPoint implements risk.Store.
func (s *RiskStore) AssessPoint(ctx context.Context, p risk.Point, expectedVersion int64, a risk.Assessment) (risk.Point, error) {
	const op = "pgstore.AssessPoint"
	p.Version = expectedVersion + 1
	if err := risk.CheckAssessed(&p, &a); err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	pdoc, err := json.Marshal(&p)
	if err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	adoc, err := json.Marshal(&a)
	if err != nil {
		return risk.Point{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		old, err := scanPoint(ctx, tx, `SELECT doc FROM risk_points WHERE id = $1 FOR UPDATE`, p.ID)
		if err != nil {
			return err
		}
		if old.Version != expectedVersion {
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "expected_version", Message: "the risk point changed", Version: old.Version}
		}
		if err := risk.CheckPointUpdate(&old, &p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE risk_points SET version = $2, doc = $3 WHERE id = $1`, p.ID, p.Version, pdoc); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO risk_assessments (id, point_id, doc) VALUES ($1, $2, $3)`, a.ID, p.ID, adoc)
		return err
	})
	if err != nil {
		return risk.Point{}, translate(op, err)
	}
	return p, nil
}

// The statements of Points and Assessments.
const (
	pointsSQL      = `SELECT doc FROM risk_points WHERE unit_id = $1 ORDER BY id`
	assessmentsSQL = `SELECT doc FROM risk_assessments WHERE point_id = $1 AND n < $2 ORDER BY n DESC LIMIT $3`
)

// Points implements risk.Store.
func (s *RiskStore) Points(ctx context.Context, unitID uuid.UUID) ([]risk.Point, error) {
	const op = "pgstore.Points"
	out, _, err := queryDocs[risk.Point](ctx, s.db.pool, op, "point", -1, pointsSQL, unitID)
	return out, err
}

// Assessments implements risk.Store.
func (s *RiskStore) Assessments(ctx context.Context, pointID uuid.UUID, p hazard.Page) (risk.AssessmentList, error) {
	const op = "pgstore.Assessments"
	limit, err := risk.PageLimit(p)
	if err != nil {
		return risk.AssessmentList{}, err
	}
	before := int64(1<<63 - 1)
	if p.Cursor != "" {
		after, err := risk.ParseIDCursor(p.Cursor, true)
		if err != nil {
			return risk.AssessmentList{}, err
		}
		err = s.db.pool.QueryRow(ctx, `SELECT n FROM risk_assessments WHERE id = $1 AND point_id = $2`, after, pointID).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return risk.AssessmentList{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "cursor", Message: "is not a cursor of this listing"}
		}
		if err != nil {
			return risk.AssessmentList{}, translate(op, err)
		}
	}
	items, more, err := queryDocs[risk.Assessment](ctx, s.db.pool, op, "assessment", limit, assessmentsSQL, pointID, before, limit+1)
	if err != nil {
		return risk.AssessmentList{}, err
	}
	out := risk.AssessmentList{Items: items}
	if more {
		out.Next = risk.IDCursor(items[len(items)-1].ID, true)
	}
	return out, nil
}

// queryDocs runs a statement that selects one JSON document per row and
// decodes each as a T (what names it in errors). With limit >= 0 the
// statement asks for limit+1 rows: queryDocs returns the first limit and
// whether there were more (a next page); with limit < 0 it returns them
// all.
func queryDocs[T any](ctx context.Context, pool *pgxpool.Pool, op, what string, limit int, sql string, args ...any) ([]T, bool, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, false, translate(op, err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, false, translate(op, err)
	}
	more := limit >= 0 && len(docs) > limit
	if more {
		docs = docs[:limit]
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		if out[i], err = decodeJSON[T](what, d); err != nil {
			return nil, false, hazard.Wrap(op, err)
		}
	}
	return out, more, nil
}

// dueSQL reads one page of a department's due-date index; $5 is NULL for
// every grade.
const dueSQL = `SELECT unit_id, grade, due_on FROM risk_unit_departments
WHERE department = $1 AND due_on IS NOT NULL AND due_on < $2 AND (due_on, unit_id) > ($3, $4)
    AND ($5::text[] IS NULL OR grade = ANY($5))
ORDER BY due_on, unit_id LIMIT $6`

// dueArgs returns the arguments of dueSQL for the valid query q.
func dueArgs(q *risk.DueQuery) []any {
	afterDay, afterID := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Nil
	if q.Cursor != "" {
		afterDay, afterID, _ = risk.ParseDueCursor(q.Cursor)
	}
	var grades []string
	for _, g := range q.Grades {
		grades = append(grades, string(g))
	}
	// A due date is a day: entries before q.Before are those on days
	// before it, and on its own day when it is later than midnight.
	before := risk.Day(q.Before)
	if !before.Equal(q.Before) {
		before = before.AddDate(0, 0, 1)
	}
	return []any{q.Department, before, afterDay, afterID, grades, q.DueLimit() + 1}
}

// Due implements risk.Store: an index range over risk_unit_departments_due.
func (s *RiskStore) Due(ctx context.Context, q risk.DueQuery) (risk.DueList, error) {
	const op = "pgstore.Due"
	if err := q.Validate(); err != nil {
		return risk.DueList{}, err
	}
	limit := q.DueLimit()
	rows, err := s.db.pool.Query(ctx, dueSQL, dueArgs(&q)...)
	if err != nil {
		return risk.DueList{}, translate(op, err)
	}
	out := risk.DueList{Items: make([]risk.DueEntry, 0, limit)}
	for rows.Next() {
		var e risk.DueEntry
		var g string
		if err := rows.Scan(&e.UnitID, &g, &e.DueAt); err != nil {
			rows.Close()
			return risk.DueList{}, translate(op, err)
		}
		e.Grade, e.DueAt = risk.Grade(g), e.DueAt.UTC()
		if len(out.Items) == limit {
			out.Next = risk.DueCursor(out.Items[limit-1])
			break
		}
		out.Items = append(out.Items, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return risk.DueList{}, translate(op, err)
	}
	return out, nil
}
