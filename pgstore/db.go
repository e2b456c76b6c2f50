package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a PostgreSQL database holding hazardloop's tables. It hands out the
// adapters (Hazards, Ledger) that share its connection pool. A DB is safe
// for concurrent use.
type DB struct {
	pool  *pgxpool.Pool
	owned bool
}

// Open connects to the database at url (a PostgreSQL URL or key=value
// string, as pgxpool.ParseConfig takes) and checks that it answers. It
// does not migrate: call Migrate. Close releases the pool.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "pgstore.Open", Message: "malformed database URL", Err: err}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, hazard.Wrap("pgstore.Open", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, hazard.Wrap("pgstore.Open", err)
	}
	return &DB{pool: pool, owned: true}, nil
}

// New returns a DB over a pool the caller made and keeps owning: Close does
// not close it.
func New(pool *pgxpool.Pool) *DB { return &DB{pool: pool} }

// Pool returns the connection pool.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes the pool if Open made it.
func (db *DB) Close() {
	if db.owned {
		db.pool.Close()
	}
}

// PostgreSQL error codes translated to hazard codes.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	// pgBadEncoding and pgUntranslatable are text PostgreSQL cannot hold
	// (a NUL byte, invalid UTF-8): the caller's input, not a failure.
	pgBadEncoding    = "22021"
	pgUntranslatable = "22P05"
)

// translate turns a driver error into a *hazard.Error for op: no rows is
// CodeNotFound, a unique violation CodeConflict, a foreign key violation
// CodeNotFound, text the database cannot hold CodeInvalid, a cancelled
// context keeps its cause, anything else CodeInternal.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *hazard.Error
	if errors.As(err, &he) {
		if he.Op == "" {
			// Keep the value itself: it may be a sentinel callers match
			// with errors.Is (reward.ErrBudgetExhausted, say).
			return fmt.Errorf("%s: %w", op, err)
		}
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "not found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgUniqueViolation:
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "already exists", Err: err}
		case pgForeignKeyViolation:
			return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "refers to a missing item", Err: err}
		case pgBadEncoding, pgUntranslatable:
			return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Message: "text holds a NUL byte or invalid UTF-8", Err: err}
		}
	}
	return hazard.Wrap(op, err)
}
