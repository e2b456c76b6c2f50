package pgstore

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/jackc/pgx/v5"
)

const appendSQL = `WITH gate AS (SELECT 1)` + insertEvents

// Append implements hazard.EventLog. A hazard's event whose hazard is
// missing is CodeNotFound and nothing is appended; events of other subjects
// need no row to exist.
func (s *HazardStore) Append(ctx context.Context, events ...hazard.Event) ([]hazard.Event, error) {
	const op = "pgstore.Append"
	if len(events) == 0 {
		return []hazard.Event{}, nil
	}
	evs, err := eventDocs(events, uuid.Nil)
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	var ok bool
	var last *int64
	if err := s.db.pool.QueryRow(ctx, appendSQL, pgx.NamedArgs{"events": evs}).Scan(&ok, &last); err != nil {
		return nil, translate(op, err)
	}
	if last == nil {
		return nil, hazard.Wrap(op, errors.New("events were not numbered"))
	}
	return numberEvents(events, *last), nil
}

// Events implements hazard.EventLog.
func (s *HazardStore) Events(ctx context.Context, after int64, limit int) ([]hazard.Event, error) {
	if limit <= 0 || limit > hazard.MaxEventBatch {
		limit = hazard.MaxEventBatch
	}
	evs, err := s.queryEvents(ctx, `SELECT seq, doc FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	return evs, translate("pgstore.Events", err)
}

// HazardEvents implements hazard.EventLog. A hazard without events (or a
// missing one) has none.
func (s *HazardStore) HazardEvents(ctx context.Context, id uuid.UUID) ([]hazard.Event, error) {
	evs, err := s.queryEvents(ctx, `SELECT seq, doc FROM events WHERE hazard_id = $1 ORDER BY seq`, id)
	return evs, translate("pgstore.HazardEvents", err)
}

// SubjectEvents implements hazard.EventLog: a hazard subject's events by
// the hazard_id index, another subject's by the subject index.
func (s *HazardStore) SubjectEvents(ctx context.Context, sub hazard.Subject, after int64, limit int) ([]hazard.Event, error) {
	const op = "pgstore.SubjectEvents"
	if err := sub.Validate(); err != nil {
		return nil, hazard.Wrap(op, err)
	}
	if limit <= 0 || limit > hazard.MaxEventBatch {
		limit = hazard.MaxEventBatch
	}
	var evs []hazard.Event
	var err error
	if id, ok := sub.HazardID(); ok {
		evs, err = s.queryEvents(ctx, `SELECT seq, doc FROM events WHERE hazard_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, id, after, limit)
	} else {
		evs, err = s.queryEvents(ctx, `SELECT seq, doc FROM events
			WHERE subject_kind = $1 AND subject_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`, string(sub.Kind), sub.ID, after, limit)
	}
	return evs, translate(op, err)
}

// EventsOf implements hazard.EventsBatcher: one query for every hazard.
func (s *HazardStore) EventsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]hazard.Event, error) {
	if len(ids) > hazard.MaxEventsBatch {
		return nil, hazard.Errorf(hazard.CodeInvalid, "at most %d hazards at once, not %d", hazard.MaxEventsBatch, len(ids))
	}
	out := make(map[uuid.UUID][]hazard.Event, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	evs, err := s.queryEvents(ctx, `SELECT seq, doc FROM events WHERE hazard_id = ANY($1) ORDER BY seq`, ids)
	if err != nil {
		return nil, translate("pgstore.EventsOf", err)
	}
	for _, e := range evs {
		out[e.HazardID] = append(out[e.HazardID], e)
	}
	return out, nil
}

func (s *HazardStore) queryEvents(ctx context.Context, sql string, args ...any) ([]hazard.Event, error) {
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := []hazard.Event{}
	var seq int64
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &doc}, func() error {
		e, err := decodeEvent(seq, doc)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LastSeq implements hazard.EventLog.
func (s *HazardStore) LastSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&n)
	return n, translate("pgstore.LastSeq", err)
}
