package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Defaults and limits of a Config.
const (
	DefaultBatch        = 100
	DefaultPollInterval = time.Second
	DefaultMaxAttempts  = 5
	MaxAttempts         = 100
	DefaultBackoffBase  = 100 * time.Millisecond
	DefaultBackoffMax   = 30 * time.Second
	// MaxParkedError is the longest handler error kept with a parked event,
	// in bytes.
	MaxParkedError = 1000
	// finalSaveTimeout bounds the cursor save of a relay being stopped.
	finalSaveTimeout = 5 * time.Second
)

// Config configures a Relay.
type Config struct {
	// Consumers are fed the event log, each at its own pace; at least one.
	// Names are unique.
	Consumers []Consumer
	// Batch is how many events a consumer is given per read; 0 means
	// DefaultBatch, and it is capped at hazard.MaxEventBatch.
	Batch int
	// PollInterval is how long Run waits before looking for new events when
	// a consumer is caught up; 0 means DefaultPollInterval.
	PollInterval time.Duration
	// MaxAttempts is how many times an event is tried before it is parked;
	// 0 means DefaultMaxAttempts; at most the constant MaxAttempts.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the wait between attempts: the n-th
	// retry waits a random time between half and all of
	// min(BackoffBase*2^(n-1), BackoffMax). Zero means DefaultBackoffBase
	// and DefaultBackoffMax.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// Metrics receives the relay's lag and parking; nil for none.
	Metrics *Metrics
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Logger logs failures; default: discard.
	Logger *slog.Logger
}

// Relay feeds the event log to named consumers (the outbox pattern): each
// consumer has a saved cursor and gets every event after it, at least once
// and in log order, so in order per subject (hazard.Event.SubjectOf): the
// events of a hazard, a unit or an account travel the same road.
//
// A consumer whose handler fails is retried with exponential backoff and
// jitter, in its own goroutine: it never holds up another consumer. After
// MaxAttempts failures the event is parked (Cursors.Park) with its error and
// the consumer moves on; later events of the same subject are parked behind
// it (with Attempts 0), so that the subject's order holds when an operator
// re-drives them (Redrive). A parked event stays parked until re-driven:
// parking never drops anything. A handler that panics counts as failing.
//
// The cursor is saved after each batch, and on stopping after the last
// event handled, so a restart redelivers at most the events after the last
// saved cursor; handlers must be idempotent. A consumer with a
// RedeliveryWindow is never handed an event older than its window.
//
// A Relay is safe for concurrent use; within one process it never delivers
// one consumer's events from two goroutines at once. Across processes, see
// Locker.
type Relay struct {
	log         hazard.EventLog
	cursors     Cursors
	locker      Locker
	consumers   []Consumer
	byName      map[string]int
	locks       []sync.Mutex
	batch       int
	poll        time.Duration
	maxAttempts int
	base, max   time.Duration
	metrics     *Metrics
	clock       func() time.Time
	logger      *slog.Logger
}

// New returns a relay that reads log and keeps its consumers' positions and
// parked events in cursors, or CodeInvalid when an argument is not usable.
// It uses the Locker capability of cursors when they have one.
func New(log hazard.EventLog, cursors Cursors, cfg Config) (*Relay, error) {
	var p hazard.Problems
	if log == nil {
		p.Add("log", "is required")
	}
	if cursors == nil {
		p.Add("cursors", "are required")
	}
	if len(cfg.Consumers) == 0 {
		p.Add("consumers", "needs at least one consumer")
	}
	r := &Relay{
		log: log, cursors: cursors, consumers: append([]Consumer(nil), cfg.Consumers...), byName: map[string]int{},
		batch: cfg.Batch, poll: cfg.PollInterval, maxAttempts: cfg.MaxAttempts,
		base: cfg.BackoffBase, max: cfg.BackoffMax, metrics: cfg.Metrics, clock: cfg.Clock, logger: cfg.Logger,
	}
	for i, c := range r.consumers {
		f := fmt.Sprintf("consumers[%d]", i)
		if !validName(c.Name) {
			p.Add(f+".name", "%s", nameRule)
		} else if _, dup := r.byName[c.Name]; dup {
			p.Add(f+".name", "repeats %q", c.Name)
		}
		if c.Handle == nil {
			p.Add(f+".handle", "is required")
		}
		if c.RedeliveryWindow < 0 {
			p.Add(f+".redelivery_window", "must not be negative")
		}
		r.byName[c.Name] = i
	}
	r.locks = make([]sync.Mutex, len(r.consumers))
	switch {
	case r.batch == 0:
		r.batch = DefaultBatch
	case r.batch < 0:
		p.Add("batch", "must not be negative")
	case r.batch > hazard.MaxEventBatch:
		r.batch = hazard.MaxEventBatch
	}
	switch {
	case r.maxAttempts == 0:
		r.maxAttempts = DefaultMaxAttempts
	case r.maxAttempts < 0 || r.maxAttempts > MaxAttempts:
		p.Add("max_attempts", "must be 1 to %d", MaxAttempts)
	}
	if r.poll < 0 || r.base < 0 || r.max < 0 {
		p.Add("backoff", "durations must not be negative")
	}
	if r.poll == 0 {
		r.poll = DefaultPollInterval
	}
	if r.base == 0 {
		r.base = DefaultBackoffBase
	}
	if r.max == 0 {
		r.max = DefaultBackoffMax
	}
	if r.clock == nil {
		r.clock = time.Now
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	if err := p.Err("relay.New"); err != nil {
		return nil, err
	}
	r.locker, _ = cursors.(Locker)
	return r, nil
}

// Run delivers events to every consumer, each in its own goroutine, until
// ctx is done; then it stops after the event being handled, saves each
// cursor and returns nil. Store errors are logged and retried after the poll
// interval.
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i := range r.consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.refreshParked(ctx, i)
			for ctx.Err() == nil {
				res, err := r.deliver(ctx, i)
				if err != nil && ctx.Err() == nil {
					r.metrics.storeError(r.consumers[i].Name)
					r.logger.Error("relay: delivery failed", "consumer", r.consumers[i].Name, "err", err)
				}
				if err != nil || res.busy || res.handled == 0 {
					sleep(ctx, r.poll)
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

// Drain delivers to every consumer, concurrently, every event logged when
// it is called, then returns: for tests and for a graceful shutdown. It
// returns ctx's error if ctx ends first, and the store errors met (it does
// not retry them). Failing handlers are retried and parked as in Run.
func (r *Relay) Drain(ctx context.Context) error {
	target, err := r.log.LastSeq(ctx)
	if err != nil {
		return hazard.Wrap("drain", err)
	}
	if len(r.consumers) == 1 { // no goroutine to start and wait for
		return r.drain(ctx, 0, target)
	}
	errs := make([]error, len(r.consumers))
	var wg sync.WaitGroup
	for i := range r.consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.drain(ctx, i, target)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// drain delivers to consumer i until its cursor reaches target or there is
// nothing more to deliver.
func (r *Relay) drain(ctx context.Context, i int, target int64) error {
	for {
		res, err := r.deliver(ctx, i)
		switch {
		case err != nil:
			return err
		case ctx.Err() != nil:
			return hazard.Wrap("drain", ctx.Err())
		case res.busy:
			sleep(ctx, r.poll)
		case res.cursor >= target || res.handled == 0:
			return nil
		}
	}
}

// batchResult is the outcome of one batch.
type batchResult struct {
	handled int   // events handled or parked
	cursor  int64 // the consumer's cursor after the batch
	busy    bool  // another process holds the consumer's lock
}

// lockConsumer takes consumer i for one batch or re-drive: its mutex in this
// process and, with a Locker, its lock across processes ("relay:" plus its
// name). ok is false when another process holds it; unlock releases both.
func (r *Relay) lockConsumer(ctx context.Context, i int) (unlock func(), ok bool, err error) {
	r.locks[i].Lock()
	if r.locker == nil {
		return r.locks[i].Unlock, true, nil
	}
	release, ok, err := r.locker.TryLock(ctx, "relay:"+r.consumers[i].Name)
	if err != nil || !ok {
		r.locks[i].Unlock()
		return nil, ok, err
	}
	return func() { release(); r.locks[i].Unlock() }, true, nil
}

// deliver hands the consumer i one batch of events after its cursor.
func (r *Relay) deliver(ctx context.Context, i int) (res batchResult, err error) {
	c := r.consumers[i]
	unlock, ok, err := r.lockConsumer(ctx, i)
	if err != nil {
		return res, hazard.Wrap("relay lock", err)
	}
	if !ok {
		res.busy = true
		return res, nil
	}
	defer unlock()
	cur, err := r.cursors.Cursor(ctx, c.Name)
	if err != nil {
		return res, hazard.Wrap("relay cursor", err)
	}
	res.cursor = cur
	events, err := r.log.Events(ctx, cur, r.batch)
	if err != nil {
		return res, hazard.Wrap("relay events", err)
	}
	if len(events) == 0 {
		r.metrics.lag(c.Name, 0, 0)
		return res, nil
	}
	parked, err := r.cursors.Parked(ctx, c.Name)
	if err != nil {
		return res, hazard.Wrap("relay parked", err)
	}
	// held maps each subject with a parked event to its first one.
	held := make(map[subjectKey]int64, len(parked))
	for _, p := range parked {
		if k := keyOf(&p.Event); !hasKey(held, k) {
			held[k] = p.Event.Seq
		}
	}
	nParked := len(parked)
	done := cur
	defer func() {
		sctx := ctx
		if ctx.Err() != nil { // stopping: still save how far we got
			var cancel context.CancelFunc
			sctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), finalSaveTimeout)
			defer cancel()
		}
		if done > cur {
			if serr := r.cursors.SaveCursor(sctx, c.Name, done); serr != nil && err == nil {
				err = hazard.Wrap("relay save cursor", serr)
			}
		}
		res.cursor = done
		r.metrics.setParked(c.Name, nParked)
		r.updateLag(sctx, c.Name, done)
	}()
	expired := 0
	defer func() {
		if expired > 0 {
			r.logger.Warn("relay: events past the consumer's redelivery window passed over", "consumer", c.Name, "count", expired)
		}
	}()
	for _, e := range events {
		if ctx.Err() != nil {
			break
		}
		if c.expired(&e, r.clock()) {
			r.metrics.delivered(c.Name, "expired")
			expired++
			done = e.Seq
			res.handled++
			continue
		}
		subject := keyOf(&e)
		if first, ok := held[subject]; ok {
			p := ParkedEvent{Consumer: c.Name, Event: e, Error: "held behind parked event " + strconv.FormatInt(first, 10) + " of the same subject", ParkedAt: r.clock().UTC()}
			if err := r.cursors.Park(ctx, p); err != nil {
				return res, hazard.Wrap("relay park", err)
			}
			nParked++
			r.metrics.delivered(c.Name, "parked")
			done = e.Seq
			res.handled++
			continue
		}
		attempts, herr, stopped, serr := r.try(ctx, c, &e)
		if serr != nil {
			return res, serr
		}
		if stopped {
			break
		}
		if herr != nil {
			p := ParkedEvent{Consumer: c.Name, Event: e, Attempts: attempts, Error: truncate(herr.Error()), ParkedAt: r.clock().UTC()}
			if err := r.cursors.Park(ctx, p); err != nil {
				return res, hazard.Wrap("relay park", err)
			}
			r.logger.Warn("relay: event parked", "consumer", c.Name, "seq", e.Seq, "attempts", attempts, "err", herr)
			held[subject] = e.Seq
			nParked++
			r.metrics.delivered(c.Name, "parked")
		}
		done = e.Seq
		res.handled++
	}
	return res, nil
}

// try hands *e to c until it succeeds or MaxAttempts fail, waiting with
// backoff between attempts. stopped reports that ctx ended first, in which
// case e counts as not handled.
//
// *e is the relay's own copy, read for this batch, and the first attempt
// gets it as it is. A handler that fails may have changed it (its Data map,
// say), so *e is then read again from the log, and every later attempt gets
// a copy of that: retries and the parked record always see the event as
// logged. A store error on that read is serr: the event counts as not
// handled.
func (r *Relay) try(ctx context.Context, c Consumer, e *hazard.Event) (attempts int, err error, stopped bool, serr error) {
	for attempts = 1; ; attempts++ {
		if attempts == 1 {
			err = call(ctx, c, *e)
		} else {
			err = call(ctx, c, e.Clone())
		}
		if err == nil {
			r.metrics.delivered(c.Name, "ok")
			return attempts, nil, false, nil
		}
		if ctx.Err() != nil {
			return attempts, err, true, nil
		}
		if attempts == 1 {
			if serr = r.reread(ctx, e); serr != nil {
				return attempts, err, false, serr
			}
		}
		r.metrics.delivered(c.Name, "error")
		if attempts >= r.maxAttempts {
			return attempts, err, false, nil
		}
		if !sleep(ctx, r.backoff(attempts)) {
			return attempts, err, true, nil
		}
	}
}

// reread replaces *e by a fresh copy of the logged event e.Seq.
func (r *Relay) reread(ctx context.Context, e *hazard.Event) error {
	evs, err := r.log.Events(ctx, e.Seq-1, 1)
	if err != nil {
		return hazard.Wrap("relay events", err)
	}
	if len(evs) == 0 || evs[0].Seq != e.Seq {
		return &hazard.Error{Code: hazard.CodeInternal, Op: "relay events", Message: "the event log lost event " + strconv.FormatInt(e.Seq, 10)}
	}
	*e = evs[0]
	return nil
}

// call runs the handler with e, which it may keep, turning a panic into an
// error.
func call(ctx context.Context, c Consumer, e hazard.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	return c.Handle(ctx, e)
}

// backoff returns the wait after the n-th failed attempt: exponential, with
// "equal jitter" (half fixed, half random).
func (r *Relay) backoff(n int) time.Duration {
	d := r.base
	for i := 1; i < n && d < r.max; i++ {
		d *= 2
	}
	d = min(d, r.max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d or until ctx ends, and reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// subjectKey identifies an event's subject as SubjectOf does, without
// formatting a hazard's ID: an event sets exactly one of the two fields.
type subjectKey struct {
	hazard uuid.UUID
	other  hazard.Subject
}

func keyOf(e *hazard.Event) subjectKey { return subjectKey{e.HazardID, e.Subject} }

func hasKey(m map[subjectKey]int64, k subjectKey) bool {
	_, ok := m[k]
	return ok
}

func truncate(s string) string {
	if len(s) <= MaxParkedError {
		return s
	}
	return s[:MaxParkedError]
}

// updateLag sets the consumer's lag gauges after a batch.
func (r *Relay) updateLag(ctx context.Context, name string, cursor int64) {
	if r.metrics == nil {
		return
	}
	last, err := r.log.LastSeq(ctx)
	if err != nil || last <= cursor {
		r.metrics.lag(name, 0, 0)
		return
	}
	var age time.Duration
	if next, err := r.log.Events(ctx, cursor, 1); err == nil && len(next) > 0 {
		age = max(0, r.clock().Sub(next[0].Time))
	}
	r.metrics.lag(name, last-cursor, age)
}

// refreshParked sets the parked gauge of consumer i from the store.
func (r *Relay) refreshParked(ctx context.Context, i int) {
	if r.metrics == nil {
		return
	}
	if p, err := r.cursors.Parked(ctx, r.consumers[i].Name); err == nil {
		r.metrics.setParked(r.consumers[i].Name, len(p))
	}
}

// Parked returns the events parked by the consumer, in Seq order; an empty
// consumer lists every consumer's.
func (r *Relay) Parked(ctx context.Context, consumer string) ([]ParkedEvent, error) {
	p, err := r.cursors.Parked(ctx, consumer)
	return p, hazard.Wrap("parked", err)
}

// Redrive hands the parked event seq to its consumer again, once, and
// unparks it when the handler succeeds; then it does the same, in order,
// with the events of the same subject parked after it, stopping at the
// first that fails. It returns CodeNotFound for an unknown consumer or an
// event that is not parked, CodeConflict when an earlier event of the same
// subject is still parked (re-drive that one first: order per subject
// holds), and
// the handler's error (CodeInternal) when the event fails again, in which
// case it stays parked with the new error and one more attempt. A parked
// event past the consumer's RedeliveryWindow is unparked without being
// handled (outcome "expired").
func (r *Relay) Redrive(ctx context.Context, consumer string, seq int64) error {
	const op = "redrive"
	i, ok := r.byName[consumer]
	if !ok {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "consumer", Message: "no such consumer"}
	}
	c := r.consumers[i]
	unlock, ok, err := r.lockConsumer(ctx, i)
	if err != nil {
		return hazard.Wrap(op, err)
	}
	if !ok {
		return &hazard.Error{Code: hazard.CodeConflict, Op: op, Message: "another process is delivering to this consumer: try again"}
	}
	defer unlock()
	parked, err := r.cursors.Parked(ctx, consumer)
	if err != nil {
		return hazard.Wrap(op, err)
	}
	if r.metrics != nil {
		defer func() { r.metrics.setParked(c.Name, r.countParked(ctx, c.Name)) }()
	}
	at := -1
	for j, p := range parked {
		if p.Event.Seq == seq {
			at = j
			break
		}
	}
	if at < 0 {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "seq", Message: "no such parked event"}
	}
	subject := keyOf(&parked[at].Event)
	for _, p := range parked[:at] {
		if keyOf(&p.Event) == subject {
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "seq", Message: "re-drive the earlier parked event " + strconv.FormatInt(p.Event.Seq, 10) + " of this subject first"}
		}
	}
	for _, p := range parked[at:] {
		if keyOf(&p.Event) != subject {
			continue
		}
		if c.expired(&p.Event, r.clock()) {
			r.metrics.delivered(c.Name, "expired")
			if err := r.cursors.Unpark(ctx, consumer, p.Event.Seq); err != nil {
				return hazard.Wrap(op, err)
			}
			continue
		}
		if herr := call(ctx, c, p.Event.Clone()); herr != nil { // p.Event stays as logged
			p.Attempts++
			p.Error = truncate(herr.Error())
			p.ParkedAt = r.clock().UTC()
			if err := r.cursors.Park(ctx, p); err != nil {
				return hazard.Wrap(op, err)
			}
			if p.Event.Seq == seq {
				return &hazard.Error{Code: hazard.CodeInternal, Op: op, Message: "the event failed again", Err: herr}
			}
			return nil
		}
		r.metrics.delivered(c.Name, "ok")
		if err := r.cursors.Unpark(ctx, consumer, p.Event.Seq); err != nil {
			return hazard.Wrap(op, err)
		}
	}
	return nil
}

func (r *Relay) countParked(ctx context.Context, name string) int {
	p, err := r.cursors.Parked(ctx, name)
	if err != nil {
		return 0
	}
	return len(p)
}
