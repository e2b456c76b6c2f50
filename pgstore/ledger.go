package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/jackc/pgx/v5"
)

// Ledger is the PostgreSQL reward.Ledger.
//
// Issue runs in one short transaction that takes transaction-level advisory
// locks on the reporter's caps (policy and reporter) and on the policy's
// budget before it counts and inserts, so that concurrent issues in any
// number of processes never overspend; a unique index on (hazard, policy)
// makes a second reward for a hazard impossible. Claim changes are compare
// and set on the reward's version. Expire takes its batch with FOR UPDATE
// SKIP LOCKED, so that many processes may sweep at once and each reward
// expires once.
type Ledger struct {
	db *DB
}

var _ reward.Ledger = (*Ledger)(nil)

// Ledger returns the reward.Ledger over db.
func (db *DB) Ledger() *Ledger { return &Ledger{db: db} }

// maxChangeRetries bounds the compare-and-set retries of one claim change;
// each retry follows another caller's successful change of the reward.
const maxChangeRetries = 100

func encodeReward(r *reward.Reward) ([]byte, error) { return json.Marshal(r) }

func decodeReward(doc []byte) (reward.Reward, error) {
	var r reward.Reward
	if err := json.Unmarshal(doc, &r); err != nil {
		return reward.Reward{}, fmt.Errorf("decode reward: %w", err)
	}
	return r, nil
}

func nsOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := unixNanos(t)
	return &n
}

// Issue implements reward.Ledger.
func (l *Ledger) Issue(ctx context.Context, r reward.Reward, limits reward.Limits) (reward.Reward, bool, error) {
	const op = "pgstore.Ledger.Issue"
	if err := r.Validate(); err != nil {
		return reward.Reward{}, false, hazard.Wrap(op, err)
	}
	s := r.Clone()
	s.Version = 1
	s.IssuedAt, s.ClaimBy = s.IssuedAt.UTC(), s.ClaimBy.UTC()
	doc, err := encodeReward(&s)
	if err != nil {
		return reward.Reward{}, false, hazard.Wrap(op, err)
	}
	var out reward.Reward
	created := false
	err = pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		existing, err := l.scanOne(ctx, tx, `SELECT doc FROM rewards WHERE hazard_id = $1 AND policy = $2`, s.HazardID, s.Policy)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := l.checkLimits(ctx, tx, &s, limits); err != nil {
			return err
		}
		var inserted bool
		err = tx.QueryRow(ctx, `WITH i AS (
			INSERT INTO rewards (id, hazard_id, reporter, policy, amount, status, issued_ns, claim_by_ns, version, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)
			ON CONFLICT (hazard_id, policy) DO NOTHING RETURNING 1)
			SELECT EXISTS (SELECT FROM i)`,
			s.ID, s.HazardID, s.ReporterID, s.Policy, int64(s.Amount), string(s.Status),
			unixNanos(s.IssuedAt), unixNanos(s.ClaimBy), doc).Scan(&inserted)
		if err != nil {
			return err
		}
		if !inserted {
			// Another caller issued for the hazard and policy meanwhile.
			out, err = l.scanOne(ctx, tx, `SELECT doc FROM rewards WHERE hazard_id = $1 AND policy = $2`, s.HazardID, s.Policy)
			return err
		}
		out, created = s.Clone(), true
		return nil
	})
	if err != nil {
		return reward.Reward{}, false, translate(op, err)
	}
	return out, created, nil
}

// checkLimits locks the reporter's caps and the policy's budget for the rest
// of tx and checks that r fits in them.
func (l *Ledger) checkLimits(ctx context.Context, tx pgx.Tx, r *reward.Reward, limits reward.Limits) error {
	const lock = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':reward:' || $1, 0))`
	var caps []reward.Cap
	for _, c := range limits.Reporter {
		if c.Applies(r.IssuedAt) {
			caps = append(caps, c)
		}
	}
	b := limits.Budget
	budget := b.Applies(r.IssuedAt)
	// Locks are always taken reporter first, then budget: no deadlock.
	if len(caps) > 0 {
		if _, err := tx.Exec(ctx, lock, fmt.Sprintf("cap:%d:%s:%s", len(r.Policy), r.Policy, r.ReporterID)); err != nil {
			return err
		}
	}
	if budget {
		if _, err := tx.Exec(ctx, lock, "budget:"+r.Policy); err != nil {
			return err
		}
	}
	for _, c := range caps {
		t, err := totals(ctx, tx, r.Policy, r.ReporterID, c.Since, c.Until)
		if err != nil {
			return err
		}
		if !c.Admits(t, r.Amount) {
			return reward.ErrCapReached
		}
	}
	if budget {
		t, err := totals(ctx, tx, r.Policy, "", b.Since, b.Until)
		if err != nil {
			return err
		}
		if !b.Admits(t, r.Amount) {
			return reward.ErrBudgetExhausted
		}
	}
	return nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func totals(ctx context.Context, q querier, policy, reporterID string, since, until time.Time) (reward.Total, error) {
	sql := `SELECT count(*), coalesce(sum(amount), 0) FROM rewards
		WHERE policy = $1 AND status <> 'expired' AND issued_ns >= $2 AND issued_ns < $3`
	args := []any{policy, unixNanos(since), int64(1<<63 - 1)}
	if !until.IsZero() {
		args[2] = unixNanos(until)
	}
	if reporterID != "" {
		sql += ` AND reporter = $4`
		args = append(args, reporterID)
	}
	var t reward.Total
	var amount int64
	err := q.QueryRow(ctx, sql, args...).Scan(&t.Count, &amount)
	t.Amount = reward.Fen(amount)
	return t, err
}

func (l *Ledger) scanOne(ctx context.Context, q querier, sql string, args ...any) (reward.Reward, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		return reward.Reward{}, err
	}
	return decodeReward(doc)
}

func (l *Ledger) scanMany(ctx context.Context, sql string, args ...any) ([]reward.Reward, error) {
	rows, err := l.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := []reward.Reward{}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		r, err := decodeReward(doc)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// Get implements reward.Ledger.
func (l *Ledger) Get(ctx context.Context, id uuid.UUID) (reward.Reward, error) {
	r, err := l.scanOne(ctx, l.db.pool, `SELECT doc FROM rewards WHERE id = $1`, id)
	return r, translate("pgstore.Ledger.Get", err)
}

// ByHazard implements reward.Ledger.
func (l *Ledger) ByHazard(ctx context.Context, hazardID uuid.UUID) ([]reward.Reward, error) {
	rs, err := l.scanMany(ctx, `SELECT doc FROM rewards WHERE hazard_id = $1 ORDER BY issued_ns, id`, hazardID)
	return rs, translate("pgstore.Ledger.ByHazard", err)
}

// rewardCursorPrefix starts the cursors of ListByReporter.
const rewardCursorPrefix = "r1."

// ListByReporter implements reward.Ledger.
func (l *Ledger) ListByReporter(ctx context.Context, reporterID string, status reward.Status, p hazard.Page) (reward.List, error) {
	const op = "pgstore.Ledger.ListByReporter"
	if status != "" && !status.Valid() {
		return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "status", Message: "is not a known status"}
	}
	limit, err := pageLimit(op, p.Limit)
	if err != nil {
		return reward.List{}, err
	}
	var w where
	w.add("reporter = ?", reporterID)
	if status != "" {
		w.add("status = ?", string(status))
	}
	if p.Cursor != "" {
		after, err := parseCursorWith(op, rewardCursorPrefix, p.Cursor)
		if err != nil {
			return reward.List{}, err
		}
		w.add("id < ?", after)
	}
	w.args = append(w.args, limit+1)
	items, err := l.scanMany(ctx, fmt.Sprintf(`SELECT doc FROM rewards WHERE %s ORDER BY id DESC LIMIT $%d`, w.sql(), len(w.args)), w.args...)
	if err != nil {
		return reward.List{}, translate(op, err)
	}
	out := reward.List{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.Next = makeCursorWith(rewardCursorPrefix, items[limit-1].ID)
	}
	return out, nil
}

// Totals implements reward.Ledger.
func (l *Ledger) Totals(ctx context.Context, policy, reporterID string, since, until time.Time) (reward.Total, error) {
	t, err := totals(ctx, l.db.pool, policy, reporterID, since, until)
	return t, translate("pgstore.Ledger.Totals", err)
}

// errUnchanged tells change that the reward is returned as it is.
var errUnchanged = errors.New("unchanged")

// change applies fn to the stored reward and saves the result if the reward
// was not changed meanwhile (compare and set on Version), re-reading and
// retrying when it was. fn returns errUnchanged to return the reward as it
// is, or another error to refuse. It reports whether it saved a change.
func (l *Ledger) change(ctx context.Context, op string, id uuid.UUID, fn func(r *reward.Reward) error) (reward.Reward, bool, error) {
	for range maxChangeRetries {
		r, err := l.scanOne(ctx, l.db.pool, `SELECT doc FROM rewards WHERE id = $1`, id)
		if err != nil {
			return reward.Reward{}, false, translate(op, err)
		}
		old := r.Version
		if err := fn(&r); errors.Is(err, errUnchanged) {
			return r, false, nil
		} else if err != nil {
			return reward.Reward{}, false, translate(op, err)
		}
		r.Version = old + 1
		doc, err := encodeReward(&r)
		if err != nil {
			return reward.Reward{}, false, hazard.Wrap(op, err)
		}
		tag, err := l.db.pool.Exec(ctx, `UPDATE rewards SET status = $3, claim_by_ns = $4, claim_started_ns = $5,
			version = $6, doc = $7 WHERE id = $1 AND version = $2`,
			id, old, string(r.Status), unixNanos(r.ClaimBy), nsOrNil(r.ClaimStartedAt), r.Version, doc)
		if err != nil {
			return reward.Reward{}, false, translate(op, err)
		}
		if tag.RowsAffected() == 1 {
			return r, true, nil
		}
	}
	return reward.Reward{}, false, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the reward kept changing; try again"}
}

// BeginClaim implements reward.Ledger.
func (l *Ledger) BeginClaim(ctx context.Context, id uuid.UUID, reporterID string, now time.Time) (reward.Reward, error) {
	r, _, err := l.change(ctx, "pgstore.Ledger.BeginClaim", id, func(r *reward.Reward) error {
		return r.BeginClaim(reporterID, now)
	})
	return r, err
}

// Settle implements reward.Ledger.
func (l *Ledger) Settle(ctx context.Context, id uuid.UUID, paymentRef string, now time.Time) (reward.Reward, bool, error) {
	const op = "pgstore.Ledger.Settle"
	if err := reward.CheckPaymentRef(paymentRef); err != nil {
		return reward.Reward{}, false, hazard.Wrap(op, err)
	}
	return l.change(ctx, op, id, func(r *reward.Reward) error {
		if changed, err := r.Settle(paymentRef, now); err != nil || changed {
			return err
		}
		return errUnchanged
	})
}

// FailClaim implements reward.Ledger.
func (l *Ledger) FailClaim(ctx context.Context, id uuid.UUID, errText string, claimBy time.Time) (reward.Reward, error) {
	return l.endClaim(ctx, "pgstore.Ledger.FailClaim", id, errText, func(r *reward.Reward) error { return r.FailClaim(errText, claimBy) })
}

// MarkFailed implements reward.Ledger.
func (l *Ledger) MarkFailed(ctx context.Context, id uuid.UUID, errText string) (reward.Reward, error) {
	return l.endClaim(ctx, "pgstore.Ledger.MarkFailed", id, errText, func(r *reward.Reward) error { return r.MarkFailed(errText) })
}

// endClaim ends a claim that did not pay with end, after checking errText
// before any I/O.
func (l *Ledger) endClaim(ctx context.Context, op string, id uuid.UUID, errText string, end func(r *reward.Reward) error) (reward.Reward, error) {
	if err := reward.CheckErrorText(errText); err != nil {
		return reward.Reward{}, hazard.Wrap(op, err)
	}
	r, _, err := l.change(ctx, op, id, end)
	return r, err
}

func byTimeThenID(at func(reward.Reward) time.Time) func(a, b reward.Reward) int {
	return func(a, b reward.Reward) int {
		if c := at(a).Compare(at(b)); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	}
}

// Expire implements reward.Ledger. It locks its batch with FOR UPDATE SKIP
// LOCKED: concurrent sweeps in other processes take other rewards, and the
// status check in the same statement makes each reward expire once.
func (l *Ledger) Expire(ctx context.Context, now time.Time, limit int) ([]reward.Reward, error) {
	const op = "pgstore.Ledger.Expire"
	at, err := json.Marshal(now.UTC())
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	rs, err := l.scanMany(ctx, `WITH due AS (
			SELECT id FROM rewards WHERE status = 'pending' AND claim_by_ns <= $1
			ORDER BY claim_by_ns, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE rewards r SET status = 'expired', version = r.version + 1,
			doc = r.doc || jsonb_build_object('status', 'expired', 'expired_at', $3::jsonb, 'version', r.version + 1)
		FROM due WHERE r.id = due.id AND r.status = 'pending'
		RETURNING r.doc`, unixNanos(now), reward.ExpireBatch(limit), at)
	if err != nil {
		return nil, translate(op, err)
	}
	slices.SortFunc(rs, byTimeThenID(func(r reward.Reward) time.Time { return r.ClaimBy }))
	return rs, nil
}

// StuckClaims implements reward.Ledger.
func (l *Ledger) StuckClaims(ctx context.Context, startedBefore time.Time, limit int) ([]reward.Reward, error) {
	rs, err := l.scanMany(ctx, `SELECT doc FROM rewards WHERE status = 'claiming' AND claim_started_ns < $1
		ORDER BY claim_started_ns, id LIMIT $2`, unixNanos(startedBefore), reward.ExpireBatch(limit))
	return rs, translate("pgstore.Ledger.StuckClaims", err)
}
