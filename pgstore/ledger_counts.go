package pgstore

import (
	"context"

	"github.com/hazardloop/hazardloop/reward"
)

// CountByStatus counts the ledger's rewards of every policy and all time
// by status, with their amounts: the programme's public figures (rewards
// issued are all of them, paid are those claimed). A status without
// rewards is absent. It reads every reward in one aggregate statement;
// callers cache the answer.
func (l *Ledger) CountByStatus(ctx context.Context) (map[reward.Status]reward.Total, error) {
	const op = "pgstore.Ledger.CountByStatus"
	rows, err := l.db.pool.Query(ctx, `SELECT status, count(*), coalesce(sum(amount), 0) FROM rewards GROUP BY status`)
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
