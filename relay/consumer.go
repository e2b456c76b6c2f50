package relay

import (
	"context"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// MaxConsumerNameLen is the longest consumer name, in bytes.
const MaxConsumerNameLen = 64

// Consumer is a named reader of the event log, fed by the relay at least
// once and in order per subject. Handle must be idempotent: after a crash
// the relay delivers again the events after the consumer's last saved
// cursor. A Handle error makes the relay retry the event with backoff and,
// after too many attempts, park it.
//
// A consumer gets the events of every subject (see hazard.Event.SubjectOf)
// and skips those it has no use for.
type Consumer struct {
	// Name identifies the consumer's cursor; 1 to MaxConsumerNameLen bytes
	// of lower-case letters, digits, '_' and '-'.
	Name string
	// Handle handles one event.
	Handle func(ctx context.Context, e hazard.Event) error
	// RedeliveryWindow, when positive, is how long after an event was
	// logged (Event.Time, against the relay's Config.Clock) the relay
	// still hands it to this consumer: an older event, read after a long
	// outage, a lost cursor or from the parked events (Redrive), is
	// passed over (counted under the outcome "expired") and never
	// handled. A consumer whose handler drops redeliveries by a log it
	// keeps for a while (notifications and their delivery log) sets it:
	// since no event is handled later than the window after it was
	// logged, nor so after any earlier delivery of it, a log that keeps
	// each record longer than the window recognises every redelivery, and
	// may forget older records. Zero means no window: every event is
	// handed over, however old; negative is invalid.
	RedeliveryWindow time.Duration
}

// expired reports whether e is past the consumer's redelivery window at
// now.
func (c *Consumer) expired(e *hazard.Event, now time.Time) bool {
	return c.RedeliveryWindow > 0 && now.Sub(e.Time) > c.RedeliveryWindow
}

// validName reports whether name is a valid Consumer.Name.
func validName(name string) bool {
	if len(name) == 0 || len(name) > MaxConsumerNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// nameRule is how a bad consumer name is reported.
var nameRule = fmt.Sprintf("must be 1 to %d lower-case letters, digits, '_' or '-'", MaxConsumerNameLen)

// CheckConsumerName returns nil for a valid consumer name (1 to
// MaxConsumerNameLen bytes of lower-case letters, digits, '_' and '-'),
// else a CodeInvalid error on the field "consumer" for op. It is the one
// home of the rule: New checks Consumer.Name with it, and every Cursors
// implementation checks the names it is given with it, so that they all
// refuse the same names the same way (relaytest.TestCursors pins it).
func CheckConsumerName(op, name string) error {
	if validName(name) {
		return nil
	}
	return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "consumer", Message: nameRule}
}
