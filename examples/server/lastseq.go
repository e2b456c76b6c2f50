package server

import (
	"context"
	"sync"
	"time"
)

// lastSeqTimeout bounds one shared read of the event log's last seq.
const lastSeqTimeout = 5 * time.Second

// seqSource is what a lastSeqReader reads: the store's LastSeq, or the
// plaza cache's catchUp, which brings the cache up to the log as it reads.
type seqSource interface {
	LastSeq(ctx context.Context) (int64, error)
}

// lastSeqReader reads the event log's last seq for many concurrent callers
// with one store query at a time. A caller joins the next query to start,
// never one already running, so that the seq it gets was read after it
// asked: it sees every event committed before its call, as if it had asked
// the store itself. Under load, the store answers one query per round trip
// instead of one per request. It is safe for concurrent use; the zero value
// is ready.
type lastSeqReader struct {
	mu      sync.Mutex
	running bool     // a query is running
	next    *seqRead // the query that starts when the running one ends
}

// seqRead is one shared query; done is closed once seq or err is set.
type seqRead struct {
	done chan struct{}
	seq  int64
	err  error
}

// read returns the log's last seq, read after the call began.
func (r *lastSeqReader) read(ctx context.Context, src seqSource) (int64, error) {
	r.mu.Lock()
	if r.next == nil {
		r.next = &seqRead{done: make(chan struct{})}
	}
	q := r.next
	if !r.running {
		r.running = true
		go r.run(src)
	}
	r.mu.Unlock()
	select {
	case <-q.done:
		return q.seq, q.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run runs the waiting queries one after the other until none is left.
func (r *lastSeqReader) run(src seqSource) {
	for {
		r.mu.Lock()
		q := r.next
		r.next = nil
		if q == nil {
			r.running = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), lastSeqTimeout)
		q.seq, q.err = src.LastSeq(ctx)
		cancel()
		close(q.done)
	}
}
