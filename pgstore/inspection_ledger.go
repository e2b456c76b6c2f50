package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/inspection"
)

// ledgerQuery returns the statement of LedgerHazards and its arguments.
// It joins hazards found at units to the register's units by the unit's
// ID as text: a district's or an industry's ledger starts from the units
// (risk_units_district, risk_units_industry) and reads each unit's hazards
// through hazards_unit; a unit's reads hazards_unit, a department's
// hazards_department, each finding the unit through risk_units_id_text.
func ledgerQuery(q inspection.LedgerQuery, limit int) (string, []any) {
	var w where
	w.add("h.unit_id <> ''")
	if q.UnitID != uuid.Nil {
		w.add("h.unit_id = ?", q.UnitID.String())
	}
	if q.Department != "" {
		w.add("h.department = ?", q.Department)
	}
	if q.District != "" {
		w.add("u.district = ?", q.District)
	}
	if q.Industry != "" {
		w.add("u.industry = ?", q.Industry)
	}
	if !q.Since.IsZero() {
		w.add("h.created_ns >= ?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		w.add("h.created_ns < ?", q.Until.UnixNano())
	}
	w.args = append(w.args, limit)
	if q.District == "" && q.Industry == "" {
		// Each hazard's unit by its index, one probe a hazard.
		return fmt.Sprintf(`SELECT h.doc, coalesce((SELECT u.industry FROM risk_units u WHERE u.id::text = h.unit_id), ''),
			coalesce((SELECT u.district FROM risk_units u WHERE u.id::text = h.unit_id), '')
		FROM hazards h WHERE %s LIMIT $%d`, w.sql(), len(w.args)), w.args
	}
	return fmt.Sprintf(`SELECT h.doc, u.industry, u.district
		FROM risk_units u JOIN hazards h ON h.unit_id = u.id::text
		WHERE %s LIMIT $%d`, w.sql(), len(w.args)), w.args
}

// LedgerHazards implements inspection.LedgerReader.
func (s *InspectionStore) LedgerHazards(ctx context.Context, q inspection.LedgerQuery, limit int) ([]inspection.LedgerHazard, error) {
	const op = "pgstore.LedgerHazards"
	sql, args := ledgerQuery(q, limit)
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	var out []inspection.LedgerHazard
	var doc []byte
	var industry, district string
	_, err = pgx.ForEachRow(rows, []any{&doc, &industry, &district}, func() error {
		h, err := decodeHazard(doc)
		if err != nil {
			return err
		}
		out = append(out, inspection.LedgerHazard{Hazard: h, Industry: industry, District: district})
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}
