package server

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatedSource answers LastSeq with the number of its call, once the test
// releases it.
type gatedSource struct {
	calls   atomic.Int64
	started chan int64
	release chan struct{}
}

func (g *gatedSource) LastSeq(context.Context) (int64, error) {
	n := g.calls.Add(1)
	g.started <- n
	<-g.release
	return n, nil
}

// TestLastSeqReaderJoinsTheNextQuery: a caller that asks while a query is
// running gets the answer of a query started after it asked, never the
// running one's; callers waiting together share one query.
func TestLastSeqReaderJoinsTheNextQuery(t *testing.T) {
	g := &gatedSource{started: make(chan int64, 4), release: make(chan struct{})}
	var r lastSeqReader
	ctx := context.Background()
	got := make(chan int64, 3)
	go func() { n, _ := r.read(ctx, g); got <- n }()
	require.Equal(t, int64(1), <-g.started, "the first caller's query")

	// Two callers ask while query 1 runs.
	for range 2 {
		go func() { n, _ := r.read(ctx, g); got <- n }()
	}
	for joined := false; !joined; runtime.Gosched() {
		r.mu.Lock()
		joined = r.next != nil
		r.mu.Unlock()
	}
	g.release <- struct{}{}
	assert.Equal(t, int64(1), <-got, "the first caller")
	require.Equal(t, int64(2), <-g.started, "the query of the callers who asked during query 1")
	close(g.release)
	// Both later callers get a query that started after they asked: the
	// second, or a third if one of them joined only after the second began.
	a, b := <-got, <-got
	assert.GreaterOrEqual(t, a, int64(2))
	assert.GreaterOrEqual(t, b, int64(2))
	assert.LessOrEqual(t, g.calls.Load(), int64(3), "queries for three callers")
}

// counterSource is a log whose last seq the test advances.
type counterSource struct{ n atomic.Int64 }

func (c *counterSource) LastSeq(context.Context) (int64, error) { return c.n.Load(), nil }

// TestLastSeqReaderSeesEarlierCommits: under concurrent use, every caller
// gets a seq at least the one committed before it asked.
func TestLastSeqReaderSeesEarlierCommits(t *testing.T) {
	src := &counterSource{}
	var r lastSeqReader
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				committed := src.n.Add(1)
				got, err := r.read(context.Background(), src)
				if assert.NoError(t, err) {
					assert.GreaterOrEqual(t, got, committed, "read after a commit")
				}
			}
		}()
	}
	wg.Wait()
}
