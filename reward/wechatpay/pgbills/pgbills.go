// Package pgbills is the PostgreSQL wechatpay.Store: the bill numbers of
// every reward, shared by every server process, in the table
// wechatpay_bills. Migrate creates it; New takes a pgx pool.
package pgbills

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

var _ wechatpay.Store = (*Store)(nil)

// migrations are the schema changes, applied in order; their index plus
// one is their version in wechatpay_migrations. Append only.
var migrations = []string{
	`CREATE TABLE wechatpay_bills (
		out_bill_no      text PRIMARY KEY,
		key              text NOT NULL,
		reward_id        uuid NOT NULL,
		attempt          integer NOT NULL CHECK (attempt >= 1),
		amount_fen       bigint NOT NULL CHECK (amount_fen > 0),
		state            text NOT NULL,
		transfer_bill_no text NOT NULL DEFAULT '',
		package_info     text NOT NULL DEFAULT '',
		fail_reason      text NOT NULL DEFAULT '',
		version          bigint NOT NULL,
		created_at       timestamptz NOT NULL,
		updated_at       timestamptz NOT NULL,
		UNIQUE (key, attempt)
	);
	CREATE INDEX wechatpay_bills_in_flight ON wechatpay_bills (updated_at, out_bill_no)
		WHERE state NOT IN ('SUCCESS', 'FAIL', 'CANCELLED', 'REFUSED');`,
}

// migrateLockKey is the first half of the advisory lock Migrate holds.
const migrateLockKey = 0x77787079 // "wxpy"

// Migrate creates or updates the tables of the store in the pool's
// current schema, once: under an advisory lock, so that processes starting
// together migrate one at a time. It returns the versions it applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool) ([]int, error) {
	var applied []int
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrateLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS wechatpay_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM wechatpay_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		have := map[int]bool{}
		for _, v := range done {
			have[v] = true
		}
		for i, m := range migrations {
			v := i + 1
			if have[v] {
				continue
			}
			if _, err := tx.Exec(ctx, m); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO wechatpay_migrations (version) VALUES ($1)`, v); err != nil {
				return err
			}
			applied = append(applied, v)
		}
		return nil
	})
	if err != nil {
		return nil, hazard.Wrap("pgbills.Migrate", err)
	}
	return applied, nil
}

// Store is the PostgreSQL wechatpay.Store. Use New.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over the pool; Migrate must have run.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const columns = `out_bill_no, key, reward_id, attempt, amount_fen, state, transfer_bill_no, package_info,
	fail_reason, version, created_at, updated_at`

func scan(row pgx.Row) (wechatpay.Bill, error) {
	var b wechatpay.Bill
	var amount int64
	var state string
	err := row.Scan(&b.OutBillNo, &b.Key, &b.RewardID, &b.Attempt, &amount, &state, &b.TransferBillNo,
		&b.PackageInfo, &b.FailReason, &b.Version, &b.CreatedAt, &b.UpdatedAt)
	b.Amount, b.State = reward.Fen(amount), wechatpay.State(state)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return b, err
}

func notFound(op string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such bill"}
}

// Open implements wechatpay.Store.
func (s *Store) Open(ctx context.Context, b wechatpay.Bill) (wechatpay.Bill, bool, error) {
	const op = "pgbills.Open"
	if err := b.Validate(); err != nil {
		return wechatpay.Bill{}, false, hazard.Wrap(op, err)
	}
	got, err := scan(s.pool.QueryRow(ctx, `INSERT INTO wechatpay_bills (`+columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)
		ON CONFLICT (key, attempt) DO NOTHING RETURNING `+columns,
		b.OutBillNo, b.Key, b.RewardID, b.Attempt, int64(b.Amount), string(b.State), b.TransferBillNo,
		b.PackageInfo, b.FailReason, b.CreatedAt, b.UpdatedAt))
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return got, true, nil
	case errors.As(err, &pe) && pe.Code == "23505":
		return wechatpay.Bill{}, false, &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "out_bill_no", Message: "the bill number is used"}
	case !errors.Is(err, pgx.ErrNoRows):
		return wechatpay.Bill{}, false, hazard.Wrap(op, err)
	}
	got, err = scan(s.pool.QueryRow(ctx, `SELECT `+columns+` FROM wechatpay_bills WHERE key = $1 AND attempt = $2`, b.Key, b.Attempt))
	if err != nil {
		return wechatpay.Bill{}, false, hazard.Wrap(op, err)
	}
	return got, false, nil
}

// Latest implements wechatpay.Store.
func (s *Store) Latest(ctx context.Context, key string) (wechatpay.Bill, error) {
	const op = "pgbills.Latest"
	b, err := scan(s.pool.QueryRow(ctx, `SELECT `+columns+` FROM wechatpay_bills WHERE key = $1 ORDER BY attempt DESC LIMIT 1`, key))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return wechatpay.Bill{}, notFound(op)
	case err != nil:
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	return b, nil
}

// Get implements wechatpay.Store.
func (s *Store) Get(ctx context.Context, outBillNo string) (wechatpay.Bill, error) {
	const op = "pgbills.Get"
	b, err := scan(s.pool.QueryRow(ctx, `SELECT `+columns+` FROM wechatpay_bills WHERE out_bill_no = $1`, outBillNo))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return wechatpay.Bill{}, notFound(op)
	case err != nil:
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	return b, nil
}

// Update implements wechatpay.Store.
func (s *Store) Update(ctx context.Context, b wechatpay.Bill) (wechatpay.Bill, error) {
	const op = "pgbills.Update"
	if err := b.Validate(); err != nil {
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	got, err := scan(s.pool.QueryRow(ctx, `UPDATE wechatpay_bills
		SET state = $3, transfer_bill_no = $4, package_info = $5, fail_reason = $6, updated_at = $7, version = version + 1
		WHERE out_bill_no = $1 AND version = $2 RETURNING `+columns,
		b.OutBillNo, b.Version, string(b.State), b.TransferBillNo, b.PackageInfo, b.FailReason, b.UpdatedAt))
	if err == nil {
		return got, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	var version int64
	err = s.pool.QueryRow(ctx, `SELECT version FROM wechatpay_bills WHERE out_bill_no = $1`, b.OutBillNo).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return wechatpay.Bill{}, notFound(op)
	case err != nil:
		return wechatpay.Bill{}, hazard.Wrap(op, err)
	}
	return wechatpay.Bill{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the bill changed meanwhile", Version: version}
}

// InFlight implements wechatpay.Store.
func (s *Store) InFlight(ctx context.Context, before time.Time, limit int) ([]wechatpay.Bill, error) {
	const op = "pgbills.InFlight"
	limit = min(max(limit, 0), wechatpay.MaxInFlightBatch)
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM wechatpay_bills
		WHERE state NOT IN ('SUCCESS', 'FAIL', 'CANCELLED', 'REFUSED') AND updated_at < $1
		ORDER BY updated_at, out_bill_no LIMIT $2`, before, limit)
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	bills, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wechatpay.Bill, error) { return scan(r) })
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	return bills, nil
}
