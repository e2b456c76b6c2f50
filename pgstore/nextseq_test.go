package pgstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/pgstore"
)

// TestNextSeqAsyncCommitStaysInItsTransaction: NextSeq's draw commits
// without waiting for the disk, and that setting ends with its
// transaction: every connection of the pool, used by NextSeq or not, still
// commits synchronously afterwards (other writes wait for the disk as
// before), and the numbers keep counting.
func TestNextSeqAsyncCommitStaysInItsTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newSchema(t, func(c *pgxpool.Config) { c.MaxConns = 2 })
	db := pgstore.New(pool)
	_, err := db.Migrate(ctx)
	require.NoError(t, err)
	st := db.Hazards()
	for i := int64(1); i <= 20; i++ {
		n, err := st.NextSeq(ctx, "async")
		require.NoError(t, err)
		assert.Equal(t, i, n)
	}
	var conns []*pgxpool.Conn
	for range 2 {
		c, err := pool.Acquire(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	for _, c := range conns {
		var v string
		require.NoError(t, c.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v))
		assert.Equal(t, "on", v)
		// Inside the draw's statement the setting is off.
		require.NoError(t, c.QueryRow(ctx, `SELECT current_setting('synchronous_commit')
			FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async`).Scan(&v))
		assert.Equal(t, "off", v)
		require.NoError(t, c.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&v))
		assert.Equal(t, "on", v)
		c.Release()
	}
}
