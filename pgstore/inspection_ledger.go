package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
)

var _ inspection.LedgerReader = (*InspectionStore)(nil)

// ledgerWhere returns the conditions of the hazards a ledger of q selects:
// those at units (unit_id set), of q's unit and department, found in q's
// period, at units of q's district and industry in the register now (the
// columns unit_district and unit_industry, which PostgreSQL keeps from
// risk_units: migration 0021).
func ledgerWhere(q inspection.LedgerQuery) where {
	var w where
	if q.UnitID == uuid.Nil && q.District == "" && q.Industry == "" {
		// Implied by the others (a unit's place is NULL for a hazard at no
		// unit), and not in the ledger's indexes.
		w.add("unit_id <> ''")
	}
	if q.UnitID != uuid.Nil {
		w.add("unit_id = ?", q.UnitID.String())
	}
	if q.Department != "" {
		w.add("department = ?", q.Department)
	}
	if q.District != "" {
		w.add("unit_district = ?", q.District)
	}
	if q.Industry != "" {
		w.add("unit_industry = ?", q.Industry)
	}
	if !q.Since.IsZero() {
		w.add("created_ns >= ?", unixNanos(q.Since))
	}
	if !q.Until.IsZero() {
		w.add("created_ns < ?", unixNanos(q.Until))
	}
	return w
}

// ledgerRowsQuery returns the statement of one page of a ledger: at most
// limit hazards after the key, oldest first. A district's (an industry's)
// page is a range of hazards_ledger_district (hazards_ledger_industry)
// from the key.
func ledgerRowsQuery(q inspection.LedgerQuery, after inspection.LedgerKey, limit int) (string, []any) {
	w := ledgerWhere(q)
	if after != (inspection.LedgerKey{}) {
		w.add("(created_ns, id) > (?, ?)", unixNanos(after.FoundAt), after.ID)
	}
	w.args = append(w.args, limit)
	return fmt.Sprintf(`SELECT id, ref, stat_workflow, stat_workflow_version, state, department, unit_id, source, stat_severity,
		created_ns, stat_closed_at, stat_deadline, coalesce(unit_industry, ''), coalesce(unit_district, '')
		FROM hazards WHERE %s ORDER BY created_ns, id LIMIT $%d`, w.sql(), len(w.args)), w.args
}

// ledgerGroupsQuery returns the statement of a ledger's counts at now: the
// selected hazards grouped by what the counts tell apart. A district's (an
// industry's) is one index-only range scan of hazards_ledger_district
// (hazards_ledger_industry), which covers every column it reads. Overdue
// is hazard.StatsRow.Overdue: open (no closing time) past a deadline.
func ledgerGroupsQuery(q inspection.LedgerQuery, now time.Time) (string, []any) {
	w := ledgerWhere(q)
	w.args = append(w.args, now.UTC())
	return fmt.Sprintf(`SELECT stat_workflow, stat_workflow_version, state, stat_severity = '%s', stat_closed_at = '',
		stat_closed_at = '' AND stat_deadline <> '' AND stat_deadline::timestamptz < $%d, count(*)
		FROM hazards WHERE %s GROUP BY 1, 2, 3, 4, 5, 6`, hazard.SeverityMajor, len(w.args), w.sql()), w.args
}

// ReadLedger implements inspection.LedgerReader: the page and the counts
// in one read-only transaction at one snapshot (repeatable read), each one
// statement over the ledger's indexes (ledgerRowsQuery,
// ledgerGroupsQuery), sent together.
func (s *InspectionStore) ReadLedger(ctx context.Context, q inspection.LedgerQuery, after inspection.LedgerKey, limit int, now time.Time) (inspection.LedgerRead, error) {
	const op = "pgstore.ReadLedger"
	if limit < 1 {
		return inspection.LedgerRead{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: "must be at least 1"}
	}
	out := inspection.LedgerRead{Entries: []inspection.LedgerEntry{}, Groups: []inspection.LedgerGroup{}}
	err := pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var b pgx.Batch
		sql, args := ledgerRowsQuery(q, after, limit)
		b.Queue(sql, args...)
		sql, args = ledgerGroupsQuery(q, now)
		b.Queue(sql, args...)
		br := tx.SendBatch(ctx, &b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var e inspection.LedgerEntry
		var source, severity, closedAt, deadline string
		var createdNS int64
		_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.Ref, &e.Workflow, &e.WorkflowVersion, &e.State, &e.Department, &e.UnitID,
			&source, &severity, &createdNS, &closedAt, &deadline, &e.Industry, &e.District}, func() error {
			e.Source, e.Severity, e.CreatedAt = hazard.Source(source), hazard.Severity(severity), time.Unix(0, createdNS).UTC()
			var err error
			if e.ClosedAt, err = docTime(closedAt); err != nil {
				return err
			}
			if e.Deadline, err = docTime(deadline); err != nil {
				return err
			}
			out.Entries = append(out.Entries, e)
			return nil
		})
		if err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		var g inspection.LedgerGroup
		_, err = pgx.ForEachRow(rows, []any{&g.Workflow, &g.WorkflowVersion, &g.State, &g.Major, &g.Open, &g.Overdue, &g.N}, func() error {
			out.Groups = append(out.Groups, g)
			return nil
		})
		if err != nil {
			return err
		}
		return br.Close()
	})
	if err != nil {
		return inspection.LedgerRead{}, translate(op, err)
	}
	return out, nil
}
