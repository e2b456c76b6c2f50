package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	// Version is the number the file name starts with; migrations apply in
	// increasing Version.
	Version int
	// Name is the file name, e.g. "0001_hazards.sql".
	Name string
	// SQL is the file's content.
	SQL string
}

// Migrations returns the embedded migrations in the order Migrate applies
// them.
func Migrations() []Migration {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		// The files are embedded at build time and checked by the tests.
		panic(err)
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, p := range names {
		name := path.Base(p)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("pgstore: migration %q does not start with a positive number and '_'", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("pgstore: migrations %q and %q share version %d", other, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// migrateLockKey is the first half of the advisory lock key Migrate holds;
// the second is a hash of the current schema, so that migrations of
// different schemas of one database do not wait for each other.
const migrateLockKey = 0x68617a // "haz"

// Migrate applies, in order, the embedded migrations that the database has
// not recorded in its schema_migrations table, all in one transaction under
// an advisory lock: when several processes start at once, one migrates and
// the others wait, then find nothing left to do. It returns the versions it
// applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	return db.migrate(ctx, math.MaxInt)
}

// migrate is Migrate applying the migrations up to version upTo only.
func (db *DB) migrate(ctx context.Context, upTo int) ([]int, error) {
	const op = "pgstore.Migrate"
	ms := Migrations()
	var applied []int
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrateLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		have := make(map[int]bool, len(done))
		for _, v := range done {
			have[v] = true
		}
		for _, m := range ms {
			if have[m.Version] || m.Version > upTo {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return err
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	return applied, nil
}
