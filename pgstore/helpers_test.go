package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// envURL names the variable that holds the test database's URL.
const envURL = "HAZARDLOOP_TEST_DATABASE_URL"

// testURL returns the test database URL or skips the test.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set; run against a PostgreSQL database with e.g. "+
			"%s=postgres://postgres@127.0.0.1:5432/test go test ./...", envURL, envURL)
	}
	return u
}

// newSchema creates a fresh schema in the test database, dropped when the
// test ends, and returns a pool whose connections use it, configured by
// opts.
func newSchema(t testing.TB, opts ...func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	url := testURL(t)
	ctx := context.Background()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)

	admin, err := pgx.Connect(ctx, url)
	require.NoError(t, err, "connect to %s", envURL)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	require.NoError(t, admin.Close(ctx))

	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		admin, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return pool
}

// newDB returns a migrated DB in a fresh schema.
func newDB(t testing.TB) *pgstore.DB {
	t.Helper()
	db := pgstore.New(newSchema(t))
	_, err := db.Migrate(context.Background())
	require.NoError(t, err, "Migrate")
	return db
}
