package relay

import (
	"context"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// ParkedEvent is an event a consumer failed to handle too many times, kept
// aside with its error until an operator re-drives it.
type ParkedEvent struct {
	Consumer string       `json:"consumer"`
	Event    hazard.Event `json:"event"`
	Attempts int          `json:"attempts"`
	Error    string       `json:"error"`
	ParkedAt time.Time    `json:"parked_at"`
}

// Cursors keeps each named consumer's position in the event log and the
// events it parked. It is the relay's own port: storage adapters implement
// it (memstore and pgstore beside their hazard.Store) and
// relaytest.TestCursors pins every promise below.
//
// Every method checks consumer names with CheckConsumerName (CodeInvalid),
// except Parked's empty name, which means every consumer. Parked events are
// values: a Cursors copies them in and out. A Cursors is safe for
// concurrent use. Errors are *hazard.Error with a code.
type Cursors interface {
	// Cursor returns the consumer's saved position: the Seq of the last event
	// it handled, 0 when it has none.
	Cursor(ctx context.Context, consumer string) (int64, error)

	// SaveCursor saves the consumer's position. A negative position is
	// CodeInvalid; a position lower than the saved one is CodeConflict
	// (cursors never move back) and changes nothing.
	SaveCursor(ctx context.Context, consumer string, seq int64) error

	// Park keeps p aside; parking the same consumer and Seq again replaces
	// the entry. An event Seq below 1 is CodeInvalid.
	Park(ctx context.Context, p ParkedEvent) error

	// Parked lists the consumer's parked events in Seq order; an empty
	// consumer lists those of every consumer, in Seq order then by
	// consumer.
	Parked(ctx context.Context, consumer string) ([]ParkedEvent, error)

	// Unpark removes a parked event, or returns CodeNotFound.
	Unpark(ctx context.Context, consumer string, seq int64) error
}

// Locker is an optional capability of a relay's Cursors that lets several
// processes run a Relay for the same consumers: TryLock takes the named
// lock (a PostgreSQL advisory lock, say) without waiting, and reports
// whether it got it; unlock releases it. The relay holds "relay:" plus the
// consumer's name while it delivers one batch to that consumer, so that two
// processes never deliver the same consumer's events at once. Without it a
// relay assumes it is the only one delivering to its consumers.
type Locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}
