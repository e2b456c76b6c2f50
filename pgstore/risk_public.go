package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

var _ risk.PublicUnitReader = (*RiskStore)(nil)

// publicUnitsQuery returns the statement of PublicUnits, its arguments and
// the page limit: the filters and order of ListUnits, reading the indexed
// columns and, of each document, only the name and the point (PostgreSQL
// extracts them; nothing else of the unit reaches the process). The
// statement asks for one row more than the limit.
func publicUnitsQuery(f risk.UnitFilter, p hazard.Page) (string, []any, int, error) {
	limit, err := risk.PublicPageLimit(p)
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
	return fmt.Sprintf(`SELECT u.id, coalesce(u.doc->>'name', ''), u.industry, u.grade, u.district,
		(u.doc #>> '{location,point,lat}')::float8, (u.doc #>> '{location,point,lng}')::float8, u.doc #>> '{location,point,system}'
		FROM %s WHERE %s ORDER BY %s LIMIT $%d`, from, w.sql(), order, len(w.args)), w.args, limit, nil
}

// PublicUnits implements risk.PublicUnitReader: one statement over the
// index of the filters set (as ListUnits), without decoding the units'
// documents; the point is rounded by risk's own Unit.Public.
func (s *RiskStore) PublicUnits(ctx context.Context, f risk.UnitFilter, p hazard.Page) (risk.PublicUnitList, error) {
	const op = "pgstore.PublicUnits"
	sql, args, limit, err := publicUnitsQuery(f, p)
	if err != nil {
		return risk.PublicUnitList{}, hazard.Wrap(op, err)
	}
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return risk.PublicUnitList{}, translate(op, err)
	}
	out := risk.PublicUnitList{Items: make([]risk.PublicUnit, 0, min(limit, 1024))}
	var u risk.Unit
	var grade string
	var lat, lng *float64
	var system *string
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.Industry, &grade, &u.Location.District, &lat, &lng, &system}, func() error {
		if len(out.Items) == limit {
			out.Next = risk.IDCursor(out.Items[limit-1].ID, false)
			return nil
		}
		u.Grade, u.Location.Point = risk.Grade(grade), nil
		if lat != nil && lng != nil {
			pt := hazard.Point{Lat: *lat, Lng: *lng}
			if system != nil {
				pt.System = hazard.CoordSystem(*system)
			}
			u.Location.Point = &pt
		}
		out.Items = append(out.Items, u.Public())
		return nil
	})
	if err != nil {
		return risk.PublicUnitList{}, translate(op, err)
	}
	return out, nil
}
