package notify

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Delivery records one message handed over to a channel.
type Delivery struct {
	Key     string
	Channel Channel
	UserID  string
	At      time.Time
}

// DeliveryLog remembers which idempotency keys were delivered, so that a
// message delivered again (after a crash, a relay retry) is dropped. It is
// the port that storage adapters implement; notifytest.TestDeliveryLog pins
// its promises.
//
// Keys are compared exactly, byte for byte, up to MaxIdempotencyKeyLen
// bytes. A log may forget keys older than it keeps (MemoryLog beyond its
// size, pgstore's after Forget), never a recent one. Implementations are
// safe for concurrent use.
type DeliveryLog interface {
	// Delivered reports whether key was recorded; a key never recorded is
	// false, not an error.
	Delivered(ctx context.Context, key string) (bool, error)
	// Record records d. Recording a key again, even at once from several
	// callers, keeps the first record and returns nil.
	Record(ctx context.Context, d Delivery) error
}

// MaxDeliveriesTo is the most deliveries DeliveriesTo returns at once.
const MaxDeliveriesTo = 1000

// UserDeliveries is an optional capability of a DeliveryLog that lists
// the deliveries to one user, for the user's download of their own data
// (the notices they were sent). DeliveriesTo returns up to limit of the
// deliveries recorded for userID, newest first (by At, then by key); limit
// <= 0 or above MaxDeliveriesTo reads MaxDeliveriesTo. Times are UTC.
// notifytest.TestDeliveryLog checks it when a log has it.
type UserDeliveries interface {
	DeliveriesTo(ctx context.Context, userID string, limit int) ([]Delivery, error)
}

// DeliveryForgetter is an optional capability of a DeliveryLog: forgetting
// old deliveries, for a retention period. Forget removes the deliveries
// recorded (Delivery.At) before the time given, keeps those recorded at or
// after it, and returns how many it removed; a key it removed is no longer
// Delivered. A log should keep each record longer than the redelivery
// window of the relay consumers that deliver through it
// (relay.Consumer.RedeliveryWindow), so that every redelivery is still
// recognised. notifytest.TestDeliveryLog checks it when a log has it;
// MemoryLog and pgstore's DeliveryLog have it.
type DeliveryForgetter interface {
	Forget(ctx context.Context, before time.Time) (int64, error)
}

// ForgetDeliveries removes the deliveries of log recorded before the time
// given (DeliveryForgetter.Forget) and returns how many it removed; a log
// without the capability is CodeInternal, since its records could not be
// held to a retention period.
func ForgetDeliveries(ctx context.Context, log DeliveryLog, before time.Time) (int64, error) {
	f, ok := log.(DeliveryForgetter)
	if !ok {
		return 0, &hazard.Error{Code: hazard.CodeInternal, Op: "notify.ForgetDeliveries", Message: "the delivery log cannot forget deliveries"}
	}
	return f.Forget(ctx, before)
}

// DefaultMemoryLogSize is the number of keys a MemoryLog keeps by default.
const DefaultMemoryLogSize = 100_000

// MemoryLog is an in-memory DeliveryLog keeping the most recent keys; the
// oldest are forgotten beyond its size, and Forget forgets those recorded
// before a time (DeliveryForgetter). It is for tests, demos and single
// processes: a restarted process forgets everything.
type MemoryLog struct {
	mu    sync.Mutex
	size  int
	keys  map[string]Delivery
	order []string
}

// NewMemoryLog returns an empty log keeping up to size keys
// (DefaultMemoryLogSize when size <= 0).
func NewMemoryLog(size int) *MemoryLog {
	if size <= 0 {
		size = DefaultMemoryLogSize
	}
	return &MemoryLog{size: size, keys: make(map[string]Delivery)}
}

var _ DeliveryLog = (*MemoryLog)(nil)

// Delivered implements DeliveryLog.
func (l *MemoryLog) Delivered(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.keys[key]
	return ok, nil
}

// Record implements DeliveryLog.
func (l *MemoryLog) Record(ctx context.Context, d Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.keys[d.Key]; ok {
		return nil
	}
	if len(l.order) >= l.size {
		delete(l.keys, l.order[0])
		l.order = l.order[1:]
	}
	l.keys[d.Key] = d
	l.order = append(l.order, d.Key)
	return nil
}

var _ DeliveryForgetter = (*MemoryLog)(nil)

// Forget implements DeliveryForgetter.
func (l *MemoryLog) Forget(ctx context.Context, before time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	l.order = slices.DeleteFunc(l.order, func(k string) bool {
		if l.keys[k].At.Before(before) {
			delete(l.keys, k)
			n++
			return true
		}
		return false
	})
	return n, nil
}

// DeliveriesTo implements UserDeliveries.
func (l *MemoryLog) DeliveriesTo(ctx context.Context, userID string, limit int) ([]Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxDeliveriesTo {
		limit = MaxDeliveriesTo
	}
	l.mu.Lock()
	var out []Delivery
	for _, k := range l.order {
		if d := l.keys[k]; d.UserID == userID {
			d.At = d.At.UTC()
			out = append(out, d)
		}
	}
	l.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Delivery) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.Key, a.Key)
	})
	return out[:min(len(out), limit)], nil
}

// Deliveries returns the recorded deliveries, oldest first.
func (l *MemoryLog) Deliveries() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Delivery, 0, len(l.order))
	for _, k := range l.order {
		out = append(out, l.keys[k])
	}
	return out
}

// DedupConfig configures Deduplicate.
type DedupConfig struct {
	// Channel is recorded with each delivery and labels the metrics.
	Channel Channel
	Metrics *Metrics
	Logger  *slog.Logger
	// Clock stamps deliveries; default time.Now (UTC).
	Clock func() time.Time
}

// Deduplicate returns a Notifier that drops a message whose idempotency key
// log already holds (returning nil and counting a duplicate), and records the
// key once n delivered it. A message without a key passes through. A key
// longer than MaxIdempotencyKeyLen is a KindPermanent error wrapping
// hazard.ErrInvalid. An error of the log itself is KindTemporary: nothing is
// sent, so a retry may deliver.
//
// Two concurrent deliveries of one key may both go out: the log drops
// redeliveries, it is not a lock.
func Deduplicate(n Notifier, log DeliveryLog, cfg DedupConfig) Notifier {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return NotifierFunc(func(ctx context.Context, to Recipient, m Message) error {
		if m.IdempotencyKey == "" {
			return n.Notify(ctx, to, m)
		}
		if len(m.IdempotencyKey) > MaxIdempotencyKeyLen {
			return Permanent(cfg.Channel, "notify.dedup", "idempotency key too long", hazard.ErrInvalid)
		}
		seen, err := log.Delivered(ctx, m.IdempotencyKey)
		if err != nil {
			return Temporary(cfg.Channel, "notify.dedup", "delivery log", err)
		}
		if seen {
			cfg.Metrics.incDuplicate(cfg.Channel)
			cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "notify: duplicate dropped",
				slog.String("channel", string(cfg.Channel)), slog.String("template", m.Template))
			return nil
		}
		if err := n.Notify(ctx, to, m); err != nil {
			return err
		}
		if err := log.Record(ctx, Delivery{Key: m.IdempotencyKey, Channel: cfg.Channel, UserID: to.UserID, At: cfg.Clock().UTC()}); err != nil {
			// Delivered but not recorded: a redelivery may send it again,
			// which at-least-once allows; report nothing to the caller, whose
			// retry would send it again now.
			cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "notify: delivery not recorded",
				slog.String("channel", string(cfg.Channel)), slog.String("error", err.Error()))
		}
		return nil
	})
}
