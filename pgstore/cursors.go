package pgstore

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/jackc/pgx/v5"
)

// checkConsumer validates a consumer name as every relay.Cursors does.
func checkConsumer(op, name string) error { return relay.CheckConsumerName(op, name) }

// Cursor implements relay.Cursors.
func (s *HazardStore) Cursor(ctx context.Context, consumer string) (int64, error) {
	const op = "pgstore.Cursor"
	if err := checkConsumer(op, consumer); err != nil {
		return 0, err
	}
	var seq int64
	err := s.db.pool.QueryRow(ctx, `SELECT seq FROM consumer_cursors WHERE consumer = $1`, consumer).Scan(&seq)
	if err == pgx.ErrNoRows {
		return 0, nil
	}
	return seq, translate(op, err)
}

// SaveCursor implements relay.Cursors.
func (s *HazardStore) SaveCursor(ctx context.Context, consumer string, seq int64) error {
	const op = "pgstore.SaveCursor"
	if err := checkConsumer(op, consumer); err != nil {
		return err
	}
	if seq < 0 {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "seq", Message: "must not be negative"}
	}
	tag, err := s.db.pool.Exec(ctx, `INSERT INTO consumer_cursors (consumer, seq) VALUES ($1, $2)
		ON CONFLICT (consumer) DO UPDATE SET seq = EXCLUDED.seq WHERE consumer_cursors.seq <= EXCLUDED.seq`, consumer, seq)
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "a cursor never moves back"}
	}
	return nil
}

// Park implements relay.Cursors.
func (s *HazardStore) Park(ctx context.Context, p relay.ParkedEvent) error {
	const op = "pgstore.Park"
	if err := checkConsumer(op, p.Consumer); err != nil {
		return err
	}
	if p.Event.Seq < 1 {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "event.seq", Message: "must be at least 1"}
	}
	doc, err := encodeParked(&p)
	if err != nil {
		return hazard.Wrap(op, err)
	}
	_, err = s.db.pool.Exec(ctx, `INSERT INTO parked_events (consumer, seq, doc) VALUES ($1, $2, $3)
		ON CONFLICT (consumer, seq) DO UPDATE SET doc = EXCLUDED.doc`, p.Consumer, p.Event.Seq, doc)
	return translate(op, err)
}

// Parked implements relay.Cursors.
func (s *HazardStore) Parked(ctx context.Context, consumer string) ([]relay.ParkedEvent, error) {
	const op = "pgstore.Parked"
	if consumer != "" {
		if err := checkConsumer(op, consumer); err != nil {
			return nil, err
		}
	}
	var rows pgx.Rows
	var err error
	if consumer == "" {
		rows, err = s.db.pool.Query(ctx, `SELECT doc FROM parked_events ORDER BY seq, consumer`)
	} else {
		rows, err = s.db.pool.Query(ctx, `SELECT doc FROM parked_events WHERE consumer = $1 ORDER BY seq`, consumer)
	}
	if err != nil {
		return nil, translate(op, err)
	}
	out := []relay.ParkedEvent{}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		p, err := decodeParked(doc)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// Unpark implements relay.Cursors.
func (s *HazardStore) Unpark(ctx context.Context, consumer string, seq int64) error {
	const op = "pgstore.Unpark"
	if err := checkConsumer(op, consumer); err != nil {
		return err
	}
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM parked_events WHERE consumer = $1 AND seq = $2`, consumer, seq)
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such parked event"}
	}
	return nil
}
