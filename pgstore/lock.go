package pgstore

import (
	"context"
	"time"

	"github.com/hazardloop/hazardloop/relay"
)

var _ relay.Locker = (*HazardStore)(nil)

// unlockTimeout bounds the release of an advisory lock.
const unlockTimeout = 5 * time.Second

// TryLock implements relay.Locker, which lets relays in several processes
// share one database: it takes the session-level advisory lock named by
// name (hashed with the current schema to a 64-bit key) on a connection it
// keeps out of the pool until unlock, without waiting. ok is false when
// another session holds the lock. If the process dies, PostgreSQL ends its
// session and so releases the lock.
func (s *HazardStore) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	return s.db.TryLock(ctx, name)
}

// TryLock is HazardStore.TryLock, for other work that one process at a time
// should do (a sweep, a scan).
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	const op = "pgstore.TryLock"
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, false, translate(op, err)
	}
	const key = `hashtextextended(current_schema() || ':' || $1, 0)`
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, translate(op, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	released := false
	return func() {
		if released {
			return
		}
		released = true
		ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
		defer cancel()
		var freed bool
		if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock(`+key+`)`, name).Scan(&freed); err != nil || !freed {
			// Ending the session is the sure way to free its locks.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}, true, nil
}
