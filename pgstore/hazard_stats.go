package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.StatsReader = (*HazardStore)(nil)

// statsQuery returns the statement of StatsRows and its arguments. It
// reads columns only, never documents: the indexed ones and the stat_
// columns that PostgreSQL keeps from the document (migration 0012). The
// hazards at some units are an index-only scan of hazards_unit_stats
// (unit_id = ANY), which covers every column read; otherwise the planner
// reads the index of the department, of the open hazards or of the
// creation time as it sees fit. Whether a rectification was late is one probe of events_hazard
// per rectified hazard (a lateral subquery, which the planner cannot turn
// into a hash of every late event of the log).
func statsQuery(f hazard.StatsFilter) (string, []any) {
	var w where
	if !f.Since.IsZero() {
		w.add("h.created_ns >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		w.add("h.created_ns < ?", f.Until.UnixNano())
	}
	if f.Department != "" {
		w.add("h.department = ?", f.Department)
	}
	if f.UnitIDs != nil {
		w.add("h.unit_id = ANY(?::text[])", f.UnitIDs)
	}
	if f.AtUnits {
		w.add("h.unit_id <> ''")
	}
	if f.Open {
		w.add("h.open")
	}
	return fmt.Sprintf(`SELECT h.id, h.ref, h.stat_workflow, h.stat_workflow_version, h.category, h.state, h.department,
		h.unit_id, h.source, h.stat_severity, h.created_ns, h.stat_closed_at, h.stat_deadline, h.stat_rectified,
		coalesce(late.late, false), h.doc->'aftercare'
		FROM hazards h LEFT JOIN LATERAL (SELECT true AS late FROM events e
			WHERE h.stat_rectified AND e.hazard_id = h.id
				AND e.doc->>'type' = 'transition' AND e.doc ? 'attachments' AND e.doc->'data'->>'late' = 'true'
			LIMIT 1) late ON true
		WHERE %s`, w.sql()), w.args
}

// StatsRows implements hazard.StatsReader with one statement (statsQuery),
// whose rows are yielded as they arrive.
func (s *HazardStore) StatsRows(ctx context.Context, f hazard.StatsFilter, yield func(*hazard.StatsRow) error) error {
	const op = "pgstore.StatsRows"
	if err := f.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	sql, args := statsQuery(f)
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return translate(op, err)
	}
	var r hazard.StatsRow
	var source, severity, closedAt, deadline string
	var createdNS int64
	var aftercare []byte
	var yieldErr error
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Ref, &r.Workflow, &r.WorkflowVersion, &r.Category, &r.State, &r.Department,
		&r.UnitID, &source, &severity, &createdNS, &closedAt, &deadline, &r.Rectified, &r.Late, &aftercare}, func() error {
		r.Source, r.Severity = hazard.Source(source), hazard.Severity(severity)
		r.Aftercare = hazard.Aftercare{}
		if len(aftercare) > 0 {
			var a aftercareDoc
			if err := json.Unmarshal(aftercare, &a); err != nil {
				return fmt.Errorf("decode hazard aftercare: %w", err)
			}
			r.Aftercare = hazard.Aftercare{Reopens: a.Reopens, AskedAt: a.AskedAt, AnsweredAt: a.AnsweredAt, FixedYes: a.FixedYes, FixedNo: a.FixedNo}
		}
		r.CreatedAt = time.Unix(0, createdNS).UTC()
		var err error
		if r.ClosedAt, err = docTime(closedAt); err != nil {
			return err
		}
		if r.Deadline, err = docTime(deadline); err != nil {
			return err
		}
		row := r
		if err := yield(&row); err != nil {
			yieldErr = err
			return err
		}
		return nil
	})
	if yieldErr != nil {
		return yieldErr
	}
	return translate(op, err)
}

// docTime reads a time of a hazard document in UTC; "" is the zero time.
func docTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("decode hazard time %q: %w", s, err)
	}
	return t.UTC(), nil
}
