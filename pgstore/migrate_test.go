package pgstore_test

import (
	"context"
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrationsAreNumberedInOrder(t *testing.T) {
	ms := pgstore.Migrations()
	require.NotEmpty(t, ms)
	// Numbers increase; a gap is allowed (a number reserved for a change
	// still under way elsewhere), since Migrate applies each missing one.
	assert.Equal(t, 1, ms[0].Version, "the first migration")
	for i, m := range ms {
		if i > 0 {
			assert.Greater(t, m.Version, ms[i-1].Version, "migration %s", m.Name)
		}
		assert.NotEmpty(t, m.SQL, "migration %s", m.Name)
	}
}

func TestMigrateAppliesEachMigrationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgstore.New(newSchema(t))
	all := pgstore.Migrations()

	applied, err := db.Migrate(ctx)
	require.NoError(t, err)
	require.Len(t, applied, len(all), "first Migrate applies every migration")

	applied, err = db.Migrate(ctx)
	require.NoError(t, err)
	assert.Empty(t, applied, "second Migrate applies nothing")

	var n int
	require.NoError(t, db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n))
	assert.Equal(t, len(all), n, "rows in schema_migrations")
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newSchema(t)
	const processes = 4
	// Each "process" has its own DB value over the shared schema.
	results := make([][]int, processes)
	errs := make([]error, processes)
	hazardtest.Together(processes, func(i int) {
		results[i], errs[i] = pgstore.New(pool).Migrate(ctx)
	})
	total := 0
	for i := range processes {
		require.NoError(t, errs[i], "Migrate #%d", i)
		total += len(results[i])
	}
	assert.Equal(t, len(pgstore.Migrations()), total, "migrations applied across all callers")
}

func TestOpen(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	db, err := pgstore.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Pool().Ping(ctx))
}

func TestOpenMalformedURL(t *testing.T) {
	_, err := pgstore.Open(context.Background(), "postgres://%zz")
	require.ErrorIs(t, err, hazard.ErrInvalid)
}
