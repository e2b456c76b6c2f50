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
		var sentNS []int64
		if err := tx.QueryRow(ctx, `SELECT mac, expires_ns, attempts, sent_ns FROM server_login_codes
			WHERE phone = $1 FOR UPDATE`, phone).Scan(&st.mac, &expiresNS, &st.attempts, &sentNS); err != nil {
			return err
		}
		if len(st.mac) == 0 {
			st.mac = nil
		}
		st.expires = nsTime(expiresNS)
		for _, ns := range sentNS {
			st.sent = append(st.sent, nsTime(ns))
		}
		fnErr = fn(&st)
		if st.empty() {
			_, err := tx.Exec(ctx, `DELETE FROM server_login_codes WHERE phone = $1`, phone)
			return err
		}
		sentNS = sentNS[:0]
		for _, t := range st.sent {
			sentNS = append(sentNS, t.UnixNano())
		}
		_, err := tx.Exec(ctx, `UPDATE server_login_codes SET mac = $2, expires_ns = $3, attempts = $4, sent_ns = $5
			WHERE phone = $1`, phone, st.mac, timeNS(st.expires), st.attempts, sentNS)
		return err
	})
	if err != nil {
		return pgError("login codes", err)
	}
	return fnErr
}

func (c *pgCodes) sweep(ctx context.Context, now time.Time) error {
	_, err := c.pool.Exec(ctx, `UPDATE server_login_codes SET mac = NULL, attempts = 0
		WHERE mac IS NOT NULL AND expires_ns < $1`, now.UnixNano())
	if err == nil {
		_, err = c.pool.Exec(ctx, `DELETE FROM server_login_codes WHERE mac IS NULL
			AND coalesce(sent_ns[cardinality(sent_ns)], 0) <= $1`, now.Add(-time.Hour).UnixNano())
	}
	return pgError("login codes sweep", err)
}
