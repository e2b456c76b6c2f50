package pgstore

import (
	"context"
	"math"
	"time"

	"github.com/hazardloop/hazardloop/reward"
)

// CountByStatus implements reward.StatusCounter: it counts the rewards
// issued in [since, until) (zero ends are open) by status, with their
// amounts, in one aggregate statement over the index rewards_issued;
// callers cache the answer.
func (l *Ledger) CountByStatus(ctx context.Context, since, until time.Time) (map[reward.Status]reward.Total, error) {
	const op = "pgstore.Ledger.CountByStatus"
	from, to := boundNanos(since, math.MinInt64), boundNanos(until, math.MaxInt64)
	rows, err := l.db.pool.Query(ctx, `SELECT status, count(*), coalesce(sum(amount), 0) FROM rewards
		WHERE issued_ns >= $1 AND issued_ns < $2 GROUP BY status`, from, to)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	out := map[reward.Status]reward.Total{}
	for rows.Next() {
		var st string
		var t reward.Total
		if err := rows.Scan(&st, &t.Count, &t.Amount); err != nil {
			return nil, translate(op, err)
		}
		out[reward.Status(st)] = t
	}
	return out, translate(op, rows.Err())
}

// Times that Unix nanoseconds represent (time.Time.UnixNano is undefined
// outside them).
var (
	minNanosTime = time.Unix(0, math.MinInt64)
	maxNanosTime = time.Unix(0, math.MaxInt64)
)

// boundNanos returns t in Unix nanoseconds for a bound of a period, open
// (zero t) being open: the value zero t stands for, and a t beyond what
// nanoseconds represent the nearest representable one.
func boundNanos(t time.Time, open int64) int64 {
	switch {
	case t.IsZero():
		return open
	case t.Before(minNanosTime):
		return math.MinInt64
	case t.After(maxNanosTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}
