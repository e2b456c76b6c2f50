package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/cluster"
	"github.com/hazardloop/hazardloop/pgstore"
)

// soakDuration is how long TestSoak runs: 30 s unless told otherwise, e.g.
// go test ./examples/loadbench -run TestSoak -soak 10m.
var soakDuration = flag.Duration("soak", 30*time.Second, "how long TestSoak runs its mixed load")

// What TestSoak allows the process to keep.
const (
	// soakHeapPerWrite bounds the live heap a run may add per write while
	// it runs: the memory backend keeps every report it is sent (a few KiB
	// each); anything kept per read would be far above it.
	soakHeapPerWrite = 64 << 10
	// soakHeapSlack is the live heap allowed beyond that: caches that fill
	// once (templates, JSON encoders, the plaza's pages).
	soakHeapSlack = 8 << 20
	// soakGoroutineSlack is how many goroutines may differ between two
	// samples under load (requests in flight), and after the servers shut
	// down from before they started.
	soakGoroutineSlack = 4 * soakWorkers
	soakGoroutineLeft  = 5
)

// TestSoak runs the mixed load (95% plaza and report reads, 5% submissions
// and dispatches) at a steady rate on a memory server and, with
// HAZARDLOOP_TEST_DATABASE_URL, a PostgreSQL one at the same time, for
// -soak (30 s by default). It checks that every request was answered as
// expected, that the live heap stays flat while the load runs (it grows by
// no more than what the memory backend stores per write) and goes back
// near where it was once the servers shut down, and that the goroutines
// are flat under load and back where they were after.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: runs for -soak")
	}
	cfg := SoakConfig{Duration: *soakDuration}
	if base := os.Getenv("HAZARDLOOP_TEST_DATABASE_URL"); base != "" {
		ctx := context.Background()
		admin, err := pgstore.Open(ctx, base)
		require.NoError(t, err)
		t.Cleanup(admin.Close)
		schema := fmt.Sprintf("soak_%d", time.Now().UnixNano())
		_, err = admin.Pool().Exec(ctx, "CREATE SCHEMA "+schema)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = admin.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
		cfg.DatabaseURL = cluster.WithSearchPath(base, schema)
	} else {
		t.Log("HAZARDLOOP_TEST_DATABASE_URL is not set: soaking the memory backend only")
	}
	res, err := Soak(context.Background(), cfg)
	require.NoError(t, err)
	var buf bytes.Buffer
	PrintSoak(&buf, cfg, res)
	t.Log("\n" + buf.String())

	for _, b := range res.Backends {
		assert.Zero(t, b.Errors, "%s: unexpected answers %v", b.Name, b.Statuses())
		assert.Positive(t, b.Reads, "%s: reads", b.Name)
		assert.Positive(t, b.Writes, "%s: writes", b.Name)
	}
	require.Len(t, res.Samples, soakSamples)
	warm, last := res.Samples[soakSamples/4], res.Samples[soakSamples-1]
	allowed := uint64(last.Writes-warm.Writes)*soakHeapPerWrite + soakHeapSlack
	assert.LessOrEqual(t, last.HeapAlloc, warm.HeapAlloc+allowed,
		"live heap from %s to %s: grew by more than %d writes explain", warm.At, last.At, last.Writes-warm.Writes)
	assert.LessOrEqual(t, last.Goroutines, warm.Goroutines+soakGoroutineSlack, "goroutines from %s to %s", warm.At, last.At)
	assert.LessOrEqual(t, res.After.HeapAlloc, res.Before.HeapAlloc+soakHeapSlack, "live heap after the servers shut down")
	assert.LessOrEqual(t, res.After.Goroutines, res.Before.Goroutines+soakGoroutineLeft, "goroutines after the servers shut down")
}
