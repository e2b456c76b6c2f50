package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limiter is the PostgreSQL hazard.Limiter: each key's window is a row of
// the table limit_windows, shared by every process on the database, so
// that a limit holds across all of them exactly. It is safe for concurrent
// use.
//
// A take is one short transaction: an upsert that locks the key's row and
// returns its hits (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), the
// window rule (hazard.Limit.Admit) applied in Go with the limiter's clock,
// and an update of the row. Takes of one key wait for each other's commit
// and nothing else; takes of other keys do not wait. Sweep deletes the rows
// whose window has ended.
type Limiter struct {
	db    *DB
	clock func() time.Time
}

var _ hazard.Limiter = (*Limiter)(nil)

// Limiter returns the database's limiter, reading the time from clock
// (default time.Now). Processes sharing a limit should have clocks that
// agree: a unit counts from the time of the process that took it.
func (db *DB) Limiter(clock func() time.Time) *Limiter {
	if clock == nil {
		clock = time.Now
	}
	return &Limiter{db: db, clock: clock}
}

// Take implements hazard.Limiter.
func (l *Limiter) Take(ctx context.Context, key string, rule hazard.Limit, n int) (hazard.Decision, error) {
	const op = "pgstore.Limiter.Take"
	if err := rule.CheckTake(key, n); err != nil {
		return hazard.Decision{}, err
	}
	var d hazard.Decision
	err := pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		var ns []int64
		if err := tx.QueryRow(ctx, `INSERT INTO limit_windows (key, hits_ns, ends_ns) VALUES ($1, '{}', 0)
			ON CONFLICT (key) DO UPDATE SET ends_ns = limit_windows.ends_ns
			RETURNING hits_ns`, key).Scan(&ns); err != nil {
			return err
		}
		// The time is read with the key's row locked, so that the takes of
		// a key are in the order of their times.
		now := l.clock().UTC()
		hits := make([]time.Time, len(ns), len(ns)+n)
		for i, v := range ns {
			hits[i] = time.Unix(0, v).UTC()
		}
		var live []time.Time
		d, live = rule.Admit(hits, now, n)
		ns = ns[:0]
		for _, t := range live {
			ns = append(ns, t.UnixNano())
		}
		// live is never empty: an allowed take adds hits, a refused one
		// had some.
		_, err := tx.Exec(ctx, `UPDATE limit_windows SET hits_ns = $2, ends_ns = $3 WHERE key = $1`,
			key, ns, live[len(live)-1].Add(rule.Per).UnixNano())
		return err
	})
	if err != nil {
		return hazard.Decision{}, translate(op, err)
	}
	return d, nil
}

// Sweep deletes the windows that ended at the limiter's clock's time and
// returns how many. Any number of processes may sweep at once.
func (l *Limiter) Sweep(ctx context.Context) (int64, error) {
	tag, err := l.db.pool.Exec(ctx, `DELETE FROM limit_windows WHERE ends_ns <= $1`, l.clock().UnixNano())
	if err != nil {
		return 0, translate("pgstore.Limiter.Sweep", err)
	}
	return tag.RowsAffected(), nil
}
