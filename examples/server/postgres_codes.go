package server

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgCodes is the codeStore in PostgreSQL (table server_login_codes): a
// code one process sent is checked by any other. A change is one short
// transaction holding the phone's row lock.
type pgCodes struct {
	pool *pgxpool.Pool
}

var _ codeStore = (*pgCodes)(nil)

func (c *pgCodes) change(ctx context.Context, phone string, fn func(*otpState) error) error {
	var fnErr error
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO server_login_codes (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING`, phone); err != nil {
			return err
		}
		var st otpState
		var expiresNS int64
		if err := tx.QueryRow(ctx, `SELECT mac, expires_ns, attempts FROM server_login_codes
			WHERE phone = $1 FOR UPDATE`, phone).Scan(&st.mac, &expiresNS, &st.attempts); err != nil {
			return err
		}
		if len(st.mac) == 0 {
			st.mac = nil
		}
		st.expires = nsTime(expiresNS)
		fnErr = fn(&st)
		if st.empty() {
			_, err := tx.Exec(ctx, `DELETE FROM server_login_codes WHERE phone = $1`, phone)
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE server_login_codes SET mac = $2, expires_ns = $3, attempts = $4
			WHERE phone = $1`, phone, st.mac, timeNS(st.expires), st.attempts)
		return err
	})
	if err != nil {
		return pgError("login codes", err)
	}
	return fnErr
}

func (c *pgCodes) purge(ctx context.Context, before time.Time) (int64, error) {
	tag, err := c.pool.Exec(ctx, `DELETE FROM server_login_codes WHERE expires_ns < $1`, before.UnixNano())
	if err != nil {
		return 0, pgError("login codes purge", err)
	}
	return tag.RowsAffected(), nil
}
