package memstore

import "github.com/hazardloop/hazardloop/hazard"

// eventChunk is how many events one chunk of the log holds.
const eventChunk = 1024

// eventLog is the append-only event log in chunks of eventChunk events, so
// that appending never copies the events already logged (a single slice
// would copy them all, pointers and all, each time it grows). The event
// numbered seq is at chunks[(seq-1)/eventChunk][(seq-1)%eventChunk].
type eventLog struct {
	chunks [][]hazard.Event
	n      int64
}

func (l *eventLog) len() int64 { return l.n }

func (l *eventLog) append(e hazard.Event) {
	if l.n%eventChunk == 0 {
		l.chunks = append(l.chunks, make([]hazard.Event, 0, eventChunk))
	}
	last := len(l.chunks) - 1
	l.chunks[last] = append(l.chunks[last], e)
	l.n++
}

// at returns the event numbered seq, 1 to len().
func (l *eventLog) at(seq int64) *hazard.Event {
	i := seq - 1
	return &l.chunks[i/eventChunk][i%eventChunk]
}
