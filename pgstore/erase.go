package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
)

// Erasure: each adapter of this package that keeps people's identifiers is
// a hazard.Forgetter, and the hazard store keeps the erasures under way
// (the table erasures, migration 0019). Each ForgetUser is one
// transaction; the rules of what is rewritten are the domain's
// (hazard.Erasure.ForgetHazard and ForgetEvent, notify.ForgetDelivery),
// applied in Go to the rows read with FOR UPDATE.

var (
	_ hazard.Forgetter      = (*HazardStore)(nil)
	_ hazard.ErasureJournal = (*HazardStore)(nil)
	_ hazard.Forgetter      = (*Uploads)(nil)
	_ hazard.LimitResetter  = (*Limiter)(nil)
	_ hazard.Forgetter      = (*Ledger)(nil)
	_ hazard.Forgetter      = (*DeliveryLog)(nil)
	_ hazard.Forgetter      = (*FollowStore)(nil)
)

// ForgetUser implements hazard.Forgetter (see there for what a store
// rewrites) in one transaction: the person's hazards by the reporter
// index, the hazards they acted on and the events they acted in by the
// index on the actor (events_actor), the events of their hazards by
// hazard, and the events of a subject with their ID by events_subject_id.
// The relay's parked copies of the rewritten events are rewritten too.
func (s *HazardStore) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "pgstore.ForgetUser"
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		theirs, err := forgetHazards(ctx, tx, e)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, actedOnSQL, e.UserID)
		if err != nil {
			return err
		}
		acted, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		theirs = append(theirs, acted...)
		rewritten, err := forgetEvents(ctx, tx, e, theirs)
		if err != nil || len(rewritten) == 0 {
			return err
		}
		return forgetParked(ctx, tx, rewritten)
	})
	return translate(op, err)
}

// The statements of HazardStore.ForgetUser that find a person's rows, each
// by an index (TestErasureQueryPlans): the hazards they reported, the
// hazards they acted on, and the events to rewrite.
const (
	reportedSQL    = `SELECT doc FROM hazards WHERE reporter = $1 ORDER BY id FOR UPDATE`
	actedOnSQL     = `SELECT DISTINCT hazard_id FROM events WHERE doc #>> '{actor,id}' = $1 AND hazard_id IS NOT NULL`
	theirEventsSQL = `SELECT seq, doc FROM events
		WHERE hazard_id = ANY($2) OR doc #>> '{actor,id}' = $1 OR subject_id = $1
		ORDER BY seq FOR UPDATE`
)

// forgetHazards rewrites the hazards e.UserID reported, dropping their
// idempotency keys, and returns their IDs.
func forgetHazards(ctx context.Context, tx pgx.Tx, e hazard.Erasure) ([]uuid.UUID, error) {
	rows, err := tx.Query(ctx, reportedSQL, e.UserID)
	if err != nil {
		return nil, err
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, d := range docs {
		h, err := decodeHazard(d)
		if err != nil {
			return nil, err
		}
		e.ForgetHazard(&h)
		doc, err := encodeHazard(&h)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE hazards SET reporter = $2, idem_key = NULL, version = $3, doc = $4 WHERE id = $1`,
			h.ID, h.Reporter.UserID, h.Version, doc); err != nil {
			return nil, err
		}
		ids = append(ids, h.ID)
	}
	return ids, nil
}

// forgetEvents rewrites the events of the hazards ids, those e.UserID
// acted in and those of a subject with their ID, and returns the
// rewritten events by sequence number.
func forgetEvents(ctx context.Context, tx pgx.Tx, e hazard.Erasure, ids []uuid.UUID) (map[int64]hazard.Event, error) {
	rows, err := tx.Query(ctx, theirEventsSQL, e.UserID, ids)
	if err != nil {
		return nil, err
	}
	type row struct {
		seq int64
		doc []byte
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.seq, &x.doc)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int64]hazard.Event{}
	for _, x := range found {
		ev, err := decodeEvent(x.seq, x.doc)
		if err != nil {
			return nil, err
		}
		if !e.ForgetEvent(&ev) {
			continue
		}
		d := eventDocOf(&ev)
		d.Seq = 0 // the column's, as the documents always had
		doc, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		var subjectID *string
		if ev.HazardID == uuid.Nil {
			subjectID = &ev.Subject.ID
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET subject_id = $2, doc = $3 WHERE seq = $1`, x.seq, subjectID, doc); err != nil {
			return nil, err
		}
		out[x.seq] = ev
	}
	return out, nil
}

// forgetParked gives the parked copies of the rewritten events their new
// content.
func forgetParked(ctx context.Context, tx pgx.Tx, rewritten map[int64]hazard.Event) error {
	seqs := make([]int64, 0, len(rewritten))
	for seq := range rewritten {
		seqs = append(seqs, seq)
	}
	rows, err := tx.Query(ctx, `SELECT doc FROM parked_events WHERE seq = ANY($1) ORDER BY seq, consumer FOR UPDATE`, seqs)
	if err != nil {
		return err
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return err
	}
	for _, d := range docs {
		p, err := decodeParked(d)
		if err != nil {
			return err
		}
		p.Event = rewritten[p.Event.Seq]
		doc, err := encodeParked(&p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE parked_events SET doc = $3 WHERE consumer = $1 AND seq = $2`, p.Consumer, p.Event.Seq, doc); err != nil {
			return err
		}
	}
	return nil
}

const beginErasureSQL = `WITH gate AS (
    INSERT INTO erasures (user_id, pseudonym, requested_ns) VALUES (@user_id, @pseudonym, @requested_ns)
    ON CONFLICT (user_id) DO NOTHING
    RETURNING 1)` + insertEvents

// maxBeginTries bounds BeginErasure's attempts when the erasure it found
// ends before it is read.
const maxBeginTries = 3

// BeginErasure implements hazard.ErasureJournal: the row and the events in
// one statement, which inserts nothing when the person has a row.
func (s *HazardStore) BeginErasure(ctx context.Context, e hazard.Erasure, events []hazard.Event) (hazard.Erasure, bool, error) {
	const op = "pgstore.BeginErasure"
	if err := e.Validate(); err != nil {
		return hazard.Erasure{}, false, hazard.Wrap(op, err)
	}
	evs, err := eventDocs(events, uuid.Nil)
	if err != nil {
		return hazard.Erasure{}, false, hazard.Wrap(op, err)
	}
	e.RequestedAt = e.RequestedAt.UTC()
	for range maxBeginTries {
		var begun bool
		var last *int64
		err := s.db.pool.QueryRow(ctx, beginErasureSQL, pgx.NamedArgs{"user_id": e.UserID, "pseudonym": e.Pseudonym,
			"requested_ns": e.RequestedAt.UnixNano(), "events": evs}).Scan(&begun, &last)
		if err != nil {
			return hazard.Erasure{}, false, translate(op, err)
		}
		if begun {
			return e, true, nil
		}
		var prior hazard.Erasure
		var ns int64
		err = s.db.pool.QueryRow(ctx, `SELECT user_id, pseudonym, requested_ns FROM erasures WHERE user_id = $1`, e.UserID).
			Scan(&prior.UserID, &prior.Pseudonym, &ns)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // it ended meanwhile: begin again
		}
		if err != nil {
			return hazard.Erasure{}, false, translate(op, err)
		}
		prior.RequestedAt = time.Unix(0, ns).UTC()
		return prior, false, nil
	}
	return hazard.Erasure{}, false, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the erasure keeps ending and beginning: try again"}
}

// Erasures implements hazard.ErasureJournal, by the index on the time.
func (s *HazardStore) Erasures(ctx context.Context, before time.Time, limit int) ([]hazard.Erasure, error) {
	const op = "pgstore.Erasures"
	if limit <= 0 || limit > hazard.MaxErasureBatch {
		limit = hazard.MaxErasureBatch
	}
	rows, err := s.db.pool.Query(ctx, `SELECT user_id, pseudonym, requested_ns FROM erasures
		WHERE requested_ns <= $1 ORDER BY requested_ns, user_id LIMIT $2`, before.UnixNano(), limit)
	if err != nil {
		return nil, translate(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hazard.Erasure, error) {
		var e hazard.Erasure
		var ns int64
		err := r.Scan(&e.UserID, &e.Pseudonym, &ns)
		e.RequestedAt = time.Unix(0, ns).UTC()
		return e, err
	})
	return out, translate(op, err)
}

const endErasureSQL = `WITH gate AS (DELETE FROM erasures WHERE user_id = @user_id RETURNING 1)` + insertEvents

// EndErasure implements hazard.ErasureJournal: the row's deletion and the
// events in one statement, which appends nothing when there is no row.
func (s *HazardStore) EndErasure(ctx context.Context, userID string, events []hazard.Event) (bool, error) {
	const op = "pgstore.EndErasure"
	evs, err := eventDocs(events, uuid.Nil)
	if err != nil {
		return false, hazard.Wrap(op, err)
	}
	var ended bool
	var last *int64
	err = s.db.pool.QueryRow(ctx, endErasureSQL, pgx.NamedArgs{"user_id": userID, "events": evs}).Scan(&ended, &last)
	return ended, translate(op, err)
}

// ForgetUser implements hazard.Forgetter: the person's uploads pass to the
// pseudonym, the pending ones reserved at the Unix epoch so that the next
// Expire forgets them with their photos.
func (u *Uploads) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "pgstore.Uploads.ForgetUser"
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	_, err := u.db.pool.Exec(ctx, `UPDATE uploads SET owner = $2,
		created_ns = CASE WHEN state = 'pending' THEN 0 ELSE created_ns END
		WHERE owner = $1`, e.UserID, e.Pseudonym)
	return translate(op, err)
}

// Reset implements hazard.LimitResetter: the keys' rows are deleted.
func (l *Limiter) Reset(ctx context.Context, keys ...string) error {
	const op = "pgstore.Limiter.Reset"
	for _, k := range keys {
		if err := hazard.CheckLimitKey(k); err != nil {
			return hazard.Wrap(op, err)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := l.db.pool.Exec(ctx, `DELETE FROM limit_windows WHERE key = ANY($1)`, keys)
	return translate(op, err)
}

// ForgetUser implements hazard.Forgetter: every reward of e.UserID gets
// e.Pseudonym as its reporter, its version incremented, in one
// transaction; nothing else changes.
func (l *Ledger) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "pgstore.Ledger.ForgetUser"
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	err := pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT doc FROM rewards WHERE reporter = $1 ORDER BY id FOR UPDATE`, e.UserID)
		if err != nil {
			return err
		}
		docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		for _, d := range docs {
			r, err := decodeReward(d)
			if err != nil {
				return err
			}
			r.ReporterID = e.Pseudonym
			r.Version++
			doc, err := encodeReward(&r)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE rewards SET reporter = $2, version = $3, doc = $4 WHERE id = $1`,
				r.ID, r.ReporterID, r.Version, doc); err != nil {
				return err
			}
		}
		return nil
	})
	return translate(op, err)
}

// ForgetUser implements hazard.Forgetter: every delivery to e.UserID is
// rewritten by notify.ForgetDelivery, in one transaction.
func (l *DeliveryLog) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "pgstore.DeliveryLog.ForgetUser"
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	err := pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT key FROM deliveries WHERE user_id = $1 ORDER BY key FOR UPDATE`, e.UserID)
		if err != nil {
			return err
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, k := range keys {
			d := notify.Delivery{Key: k, UserID: e.UserID}
			notify.ForgetDelivery(&d, e)
			if _, err := tx.Exec(ctx, `UPDATE deliveries SET key = $2, user_id = $3 WHERE key = $1`, k, d.Key, d.UserID); err != nil {
				return err
			}
		}
		return nil
	})
	return translate(op, err)
}

// ForgetUser implements hazard.Forgetter: the person's follows and areas
// are deleted, in one transaction (their me-toos stay counted in the event
// log).
func (s *FollowStore) ForgetUser(ctx context.Context, e hazard.Erasure) error {
	const op = "pgstore.FollowStore.ForgetUser"
	if err := e.Validate(); err != nil {
		return hazard.Wrap(op, err)
	}
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM follows WHERE user_id = $1`, e.UserID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM follow_areas WHERE user_id = $1`, e.UserID)
		return err
	})
	return translate(op, err)
}
