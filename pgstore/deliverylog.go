package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/notify"
)

// DeliveryLog is the PostgreSQL notify.DeliveryLog: the keys delivered, in
// the table deliveries, shared by every process on the database, so that
// a message one process delivered is dropped when another (or the same,
// restarted after a crash) delivers the event again. Keys are kept until
// Forget removes them. It is safe for concurrent use.
type DeliveryLog struct {
	db *DB
}

var (
	_ notify.DeliveryLog       = (*DeliveryLog)(nil)
	_ notify.DeliveryForgetter = (*DeliveryLog)(nil)
)

// DeliveryLog returns the database's delivery log.
func (db *DB) DeliveryLog() *DeliveryLog { return &DeliveryLog{db: db} }

// Delivered implements notify.DeliveryLog.
func (l *DeliveryLog) Delivered(ctx context.Context, key string) (bool, error) {
	var ok bool
	err := l.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries WHERE key = $1)`, key).Scan(&ok)
	return ok, translate("pgstore.DeliveryLog.Delivered", err)
}

// Record implements notify.DeliveryLog: recording a key again keeps the
// first record (the key is the primary key; ON CONFLICT DO NOTHING).
func (l *DeliveryLog) Record(ctx context.Context, d notify.Delivery) error {
	_, err := l.db.pool.Exec(ctx, `INSERT INTO deliveries (key, channel, user_id, at_ns) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO NOTHING`, d.Key, string(d.Channel), d.UserID, d.At.UnixNano())
	return translate("pgstore.DeliveryLog.Record", err)
}

// Deliveries returns the recorded deliveries with a key starting with
// prefix ("" for all), oldest first, at most limit (all when limit <= 0).
// Times are UTC.
func (l *DeliveryLog) Deliveries(ctx context.Context, prefix string, limit int) ([]notify.Delivery, error) {
	const op = "pgstore.DeliveryLog.Deliveries"
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := l.db.pool.Query(ctx, `SELECT key, channel, user_id, at_ns FROM deliveries
		WHERE starts_with(key, $1) ORDER BY at_ns, key LIMIT $2`, prefix, lim)
	return l.scan(op, rows, err)
}

// DeliveriesTo implements notify.UserDeliveries, through the index
// deliveries_user.
func (l *DeliveryLog) DeliveriesTo(ctx context.Context, userID string, limit int) ([]notify.Delivery, error) {
	const op = "pgstore.DeliveryLog.DeliveriesTo"
	if limit <= 0 || limit > notify.MaxDeliveriesTo {
		limit = notify.MaxDeliveriesTo
	}
	rows, err := l.db.pool.Query(ctx, `SELECT key, channel, user_id, at_ns FROM deliveries
		WHERE user_id = $1 ORDER BY at_ns DESC, key DESC LIMIT $2`, userID, limit)
	return l.scan(op, rows, err)
}

// scan reads the rows of a query of key, channel, user_id and at_ns
// (whose error is err) as deliveries, times in UTC.
func (l *DeliveryLog) scan(op string, rows pgx.Rows, err error) ([]notify.Delivery, error) {
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out []notify.Delivery
	for rows.Next() {
		var d notify.Delivery
		var ch string
		var ns int64
		if err := rows.Scan(&d.Key, &ch, &d.UserID, &ns); err != nil {
			return nil, translate(op, err)
		}
		d.Channel, d.At = notify.Channel(ch), time.Unix(0, ns).UTC()
		out = append(out, d)
	}
	return out, translate(op, rows.Err())
}

// Forget implements notify.DeliveryForgetter: it removes the deliveries
// recorded before t, through the index deliveries_at, and returns how many
// it removed. A redelivery of a message recorded before t would then be
// sent again, so keep them longer than the redelivery window of the relay
// consumers that deliver through the log (relay.Consumer.RedeliveryWindow).
func (l *DeliveryLog) Forget(ctx context.Context, before time.Time) (int64, error) {
	tag, err := l.db.pool.Exec(ctx, `DELETE FROM deliveries WHERE at_ns < $1`, before.UnixNano())
	if err != nil {
		return 0, translate("pgstore.DeliveryLog.Forget", err)
	}
	return tag.RowsAffected(), nil
}
