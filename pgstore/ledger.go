package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/jackc/pgx/v5"
)

// Ledger is the PostgreSQL reward.Ledger. It stores; the rules (caps and
// budgets, claims, expiry) are package reward's, run inside its steps.
//
// Issue runs in one short transaction: when admit asks for a total, the
// transaction first takes a transaction-level advisory lock on what the
// total counts (the policy and reporter, or the policy's budget), so that
// concurrent issues in any number of processes see each other's rewards
// and never overspend (reward.Limits.Admit asks for the reporter's totals
// before the budget, so that no two issues wait on each other); a unique
// index on (hazard, policy) makes a second reward for a hazard impossible.
// Update is compare and set on the reward's version. UpdateDue takes its
// batch with FOR UPDATE SKIP LOCKED in one transaction, so that many
// processes may sweep at once and each reward is handed to one sweep.
type Ledger struct {
	db *DB
}

var _ reward.Ledger = (*Ledger)(nil)

// Ledger returns the reward.Ledger over db.
func (db *DB) Ledger() *Ledger { return &Ledger{db: db} }

// maxChangeRetries bounds the compare-and-set retries of one Update;
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
func (l *Ledger) Issue(ctx context.Context, r reward.Reward, admit func(reward.Reward, func(reward.Tally) (reward.Total, error)) error) (reward.Reward, bool, error) {
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
		if err := admit(s.Clone(), func(q reward.Tally) (reward.Total, error) { return lockedTotals(ctx, tx, q) }); err != nil {
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

// lockedTotals takes, for the rest of tx, the advisory lock of what q
// counts (a reporter's rewards under a policy, or all of a policy's for a
// budget), then counts: an issue that counts the same rewards waits until
// tx ends, and then sees its reward.
func lockedTotals(ctx context.Context, tx pgx.Tx, q reward.Tally) (reward.Total, error) {
	key := "budget:" + q.Policy
	if q.ReporterID != "" {
		key = fmt.Sprintf("cap:%d:%s:%s", len(q.Policy), q.Policy, q.ReporterID)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':reward:' || $1, 0))`, key); err != nil {
		return reward.Total{}, err
	}
	return totals(ctx, tx, q)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// totals adds up the rewards t selects: reward.Tally.Counts in SQL.
func totals(ctx context.Context, q querier, t reward.Tally) (reward.Total, error) {
	sql := `SELECT count(*), coalesce(sum(amount), 0) FROM rewards
		WHERE policy = $1 AND status <> 'expired' AND issued_ns >= $2 AND issued_ns < $3`
	args := []any{t.Policy, unixNanos(t.Since), int64(1<<63 - 1)}
	if !t.Until.IsZero() {
		args[2] = unixNanos(t.Until)
	}
	if t.ReporterID != "" {
		sql += ` AND reporter = $4`
		args = append(args, t.ReporterID)
	}
	var out reward.Total
	var amount int64
	err := q.QueryRow(ctx, sql, args...).Scan(&out.Count, &amount)
	out.Amount = reward.Fen(amount)
	return out, err
}

func (l *Ledger) scanOne(ctx context.Context, q querier, sql string, args ...any) (reward.Reward, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		return reward.Reward{}, err
	}
	return decodeReward(doc)
}

func (l *Ledger) scanMany(ctx context.Context, q querier, sql string, args ...any) ([]reward.Reward, error) {
	rows, err := q.Query(ctx, sql, args...)
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
	rs, err := l.scanMany(ctx, l.db.pool, `SELECT doc FROM rewards WHERE hazard_id = $1 ORDER BY issued_ns, id`, hazardID)
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
	var w where
	w.add("reporter = ?", reporterID)
	if status != "" {
		w.add("status = ?", string(status))
	}
	return l.list(ctx, op, w, p)
}

// list returns one page of the rewards w selects, newest first (by ID),
// with cursors of rewardCursorPrefix.
func (l *Ledger) list(ctx context.Context, op string, w where, p hazard.Page) (reward.List, error) {
	limit, err := pageLimit(op, p.Limit)
	if err != nil {
		return reward.List{}, err
	}
	if p.Cursor != "" {
		after, err := parseCursorWith(op, rewardCursorPrefix, p.Cursor)
		if err != nil {
			return reward.List{}, err
		}
		w.add("id < ?", after)
	}
	w.args = append(w.args, limit+1)
	items, err := l.scanMany(ctx, l.db.pool, fmt.Sprintf(`SELECT doc FROM rewards WHERE %s ORDER BY id DESC LIMIT $%d`, w.sql(), len(w.args)), w.args...)
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

// ListIssued implements reward.Ledger, through the index rewards_issued.
func (l *Ledger) ListIssued(ctx context.Context, since, until time.Time, p hazard.Page) (reward.List, error) {
	const op = "pgstore.Ledger.ListIssued"
	if !until.After(since) {
		return reward.List{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "until", Message: "must be after since"}
	}
	var w where
	w.add("issued_ns >= ?", boundNanos(since, math.MinInt64))
	w.add("issued_ns < ?", boundNanos(until, math.MaxInt64))
	return l.list(ctx, op, w, p)
}

// Totals implements reward.Ledger.
func (l *Ledger) Totals(ctx context.Context, q reward.Tally) (reward.Total, error) {
	t, err := totals(ctx, l.db.pool, q)
	return t, translate("pgstore.Ledger.Totals", err)
}

// Update implements reward.Ledger: it reads the reward, applies change and
// saves the result if the reward was not changed meanwhile (compare and set
// on Version), re-reading and retrying when it was.
func (l *Ledger) Update(ctx context.Context, id uuid.UUID, change func(r *reward.Reward) error) (reward.Reward, error) {
	const op = "pgstore.Ledger.Update"
	for range maxChangeRetries {
		r, err := l.scanOne(ctx, l.db.pool, `SELECT doc FROM rewards WHERE id = $1`, id)
		if err != nil {
			return reward.Reward{}, translate(op, err)
		}
		old := r.Version
		if err := change(&r); err != nil {
			return reward.Reward{}, translate(op, err)
		}
		r.Version = old + 1
		doc, err := encodeReward(&r)
		if err != nil {
			return reward.Reward{}, hazard.Wrap(op, err)
		}
		tag, err := l.db.pool.Exec(ctx, `UPDATE rewards SET status = $3, claim_by_ns = $4, claim_started_ns = $5,
			version = $6, doc = $7 WHERE id = $1 AND version = $2`,
			id, old, string(r.Status), unixNanos(r.ClaimBy), nsOrNil(r.ClaimStartedAt), r.Version, doc)
		if err != nil {
			return reward.Reward{}, translate(op, err)
		}
		if tag.RowsAffected() == 1 {
			return r, nil
		}
	}
	return reward.Reward{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "the reward kept changing; try again"}
}

// UpdateDue implements reward.Ledger. One transaction locks its batch with
// FOR UPDATE SKIP LOCKED (concurrent sweeps in other processes take other
// rewards; a reward changed meanwhile is checked again by the lock), applies
// change to each and writes them all back in one statement.
func (l *Ledger) UpdateDue(ctx context.Context, now time.Time, change func(r *reward.Reward) error) ([]reward.Reward, error) {
	const op = "pgstore.Ledger.UpdateDue"
	var out []reward.Reward
	err := pgx.BeginFunc(ctx, l.db.pool, func(tx pgx.Tx) error {
		due, err := l.scanMany(ctx, tx, `SELECT doc FROM rewards WHERE status = 'pending' AND claim_by_ns <= $1
			ORDER BY claim_by_ns, id LIMIT $2 FOR UPDATE SKIP LOCKED`, unixNanos(now), reward.MaxExpireBatch)
		if err != nil || len(due) == 0 {
			out = due
			return err
		}
		n := len(due)
		ids, versions, statuses := make([]uuid.UUID, n), make([]int64, n), make([]string, n)
		claimBy, started, docs := make([]int64, n), make([]*int64, n), make([]string, n)
		for i := range due {
			r := &due[i]
			ids[i] = r.ID
			old := r.Version
			if err := change(r); err != nil {
				return err
			}
			r.Version = old + 1
			doc, err := encodeReward(r)
			if err != nil {
				return err
			}
			versions[i], statuses[i], claimBy[i], started[i], docs[i] = r.Version, string(r.Status), unixNanos(r.ClaimBy), nsOrNil(r.ClaimStartedAt), string(doc)
		}
		if _, err := tx.Exec(ctx, `UPDATE rewards r SET status = u.status, claim_by_ns = u.claim_by_ns,
				claim_started_ns = u.claim_started_ns, version = u.version, doc = u.doc::jsonb
			FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
				AS u(id, version, status, claim_by_ns, claim_started_ns, doc)
			WHERE r.id = u.id`, ids, versions, statuses, claimBy, started, docs); err != nil {
			return err
		}
		out = due
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// StuckClaims implements reward.Ledger.
func (l *Ledger) StuckClaims(ctx context.Context, startedBefore time.Time) ([]reward.Reward, error) {
	rs, err := l.scanMany(ctx, l.db.pool, `SELECT doc FROM rewards WHERE status = 'claiming' AND claim_started_ns < $1
		ORDER BY claim_started_ns, id LIMIT $2`, unixNanos(startedBefore), reward.MaxExpireBatch)
	return rs, translate("pgstore.Ledger.StuckClaims", err)
}
