package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// unitRefsQuery returns the statement of UnitRefs: the filters of
// ListUnits without documents. A district's refs are an index-only scan of
// risk_units_district_refs (migration 0012), an industry's read
// risk_units_industry.
func unitRefsQuery(f risk.UnitFilter, limit int) (string, []any) {
	from, order, w := unitWhere(f, uuid.Nil)
	w.args = append(w.args, limit)
	return fmt.Sprintf(`SELECT u.id, u.industry, u.district FROM %s WHERE %s ORDER BY %s LIMIT $%d`, from, w.sql(), order, len(w.args)), w.args
}

// UnitRefs implements risk.Store.
func (s *RiskStore) UnitRefs(ctx context.Context, f risk.UnitFilter, limit int) ([]risk.UnitRef, error) {
	const op = "pgstore.UnitRefs"
	if err := risk.CheckRefsLimit("limit", limit); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	sql, args := unitRefsQuery(f, limit)
	return s.scanRefs(ctx, op, sql, args...)
}

// UnitRefsOf implements risk.Store.
func (s *RiskStore) UnitRefsOf(ctx context.Context, ids []uuid.UUID) ([]risk.UnitRef, error) {
	const op = "pgstore.UnitRefsOf"
	if err := risk.CheckRefsLimit("ids", len(ids)); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	if len(ids) == 0 {
		return []risk.UnitRef{}, nil
	}
	return s.scanRefs(ctx, op, `SELECT u.id, u.industry, u.district FROM risk_units u WHERE u.id = ANY($1::uuid[]) ORDER BY u.id`, ids)
}

func (s *RiskStore) scanRefs(ctx context.Context, op, sql string, args ...any) ([]risk.UnitRef, error) {
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []risk.UnitRef{}
	var r risk.UnitRef
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Industry, &r.District}, func() error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}
