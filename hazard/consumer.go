package hazard

import (
	"context"
	"fmt"
)

// Consumer is a named reader of the event log, fed by the relay at least
// once and in order per hazard. Handle must be idempotent: after a crash the
// relay delivers again the events after the consumer's last saved cursor.
// A Handle error makes the relay retry the event with backoff and, after too
// many attempts, park it.
type Consumer struct {
	// Name identifies the consumer's cursor; 1 to MaxConsumerNameLen bytes
	// of lower-case letters, digits, '_' and '-'.
	Name string
	// Handle handles one event.
	Handle func(ctx context.Context, e Event) error
}

// ValidConsumerName reports whether name is a valid Consumer.Name: 1 to
// MaxConsumerNameLen bytes of lower-case letters, digits, '_' and '-'. The
// relay and every Cursors implementation check names with it.
func ValidConsumerName(name string) bool {
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

// CheckConsumerName returns nil for a valid consumer name, else a
// CodeInvalid error on the field "consumer" for op, as every Cursors
// implementation reports it.
func CheckConsumerName(op, name string) error {
	if ValidConsumerName(name) {
		return nil
	}
	return &Error{Code: CodeInvalid, Op: op, Field: "consumer",
		Message: fmt.Sprintf("must be 1 to %d lower-case letters, digits, '_' or '-'", MaxConsumerNameLen)}
}
