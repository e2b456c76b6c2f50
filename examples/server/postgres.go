package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
)

// The server's own tables (users, login codes, articles) are migrated
// beside pgstore's, after them, recorded in their own table. Uploads and
// photo references, once the server's, are pgstore's since 0002.
//
//go:embed migrations/*.sql
var serverMigrations embed.FS

// serverMigrateLock is the first half of the advisory lock key of the
// server's migrations; the second is a hash of the current schema.
const serverMigrateLock = 0x68617b // "ha{"

// MinPoolConns is the least size of the server's PostgreSQL connection
// pool when the database URL sets none (pool_max_conns): every relay
// consumer (rewards, notices, risk grades, inspection findings) holds a
// connection for its lock while it runs, and requests need the rest.
const MinPoolConns = 16

// openPostgres opens the PostgreSQL database named by url and brings its
// schema (pgstore's and the server's) up to date.
func openPostgres(ctx context.Context, url string) (*pgstore.DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "database_url", Message: "malformed database URL", Err: err}
	}
	if cfg.MaxConns < MinPoolConns && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = MinPoolConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, hazard.Wrap("open database", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, hazard.Wrap("open database", err)
	}
	db := pgstore.New(pool)
	if _, err := db.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := migrateServer(ctx, db); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// migrateServer applies the server's embedded migrations not yet recorded
// in server_schema_migrations, in order, in one transaction under an
// advisory lock (several processes may start at once).
func migrateServer(ctx context.Context, db *pgstore.DB) error {
	return migrateServerUpTo(ctx, db, math.MaxInt)
}

// migrateServerUpTo is migrateServer up to the version last (tests load
// the rows of an older server with it).
func migrateServerUpTo(ctx context.Context, db *pgstore.DB, last int) error {
	names, err := fs.Glob(serverMigrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, serverMigrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS server_schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		for _, p := range names {
			name := strings.TrimPrefix(p, "migrations/")
			num, _, _ := strings.Cut(name, "_")
			v, err := strconv.Atoi(num)
			if err != nil {
				return fmt.Errorf("migration %s: no version", name)
			}
			if v > last {
				break
			}
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM server_schema_migrations WHERE version = $1)`, v).Scan(&done); err != nil {
				return err
			}
			if done {
				continue
			}
			b, err := fs.ReadFile(serverMigrations, p)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(b)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO server_schema_migrations (version, name) VALUES ($1, $2)`, v, name); err != nil {
				return err
			}
		}
		return nil
	})
	return pgError("server migrations", err)
}

// pgError translates a driver error into a *hazard.Error for op: no rows
// is CodeNotFound, a unique violation CodeConflict, anything else
// CodeInternal (its cause kept for the log). Errors already coded pass.
func pgError(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *hazard.Error
	if errors.As(err, &he) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "not found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "already exists", Err: err}
	}
	return hazard.Wrap(op, err)
}

// uniqueViolation returns the constraint of a unique violation, "" for
// any other error.
func uniqueViolation(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return pe.ConstraintName
	}
	return ""
}

// nsTime turns Unix nanoseconds into a UTC time; 0 is the zero time.
func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// timeNS turns a time into Unix nanoseconds; the zero time is 0.
func timeNS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
