package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/pgstore"
)

// forEachBackend runs test on the in-memory server and, when
// HAZARDLOOP_TEST_DATABASE_URL is set, on a server over PostgreSQL (a fresh
// schema, photos in the database): every rule must hold on both.
func forEachBackend(t *testing.T, test func(t *testing.T, backend func(*server.Config))) {
	t.Run("memory", func(t *testing.T) { test(t, func(*server.Config) {}) })
	t.Run("postgres", func(t *testing.T) {
		dbURL := testSchema(t)
		test(t, func(c *server.Config) { c.DatabaseURL, c.PhotoDir = dbURL, "" })
	})
}

// testSchema skips the test without HAZARDLOOP_TEST_DATABASE_URL, makes a
// fresh schema (dropped at the end) and returns the URL working in it.
func testSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("HAZARDLOOP_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("HAZARDLOOP_TEST_DATABASE_URL is not set; e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	ctx := context.Background()
	admin, err := pgstore.Open(ctx, base)
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "server_" + hex.EncodeToString(b)
	_, err = admin.Pool().Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
