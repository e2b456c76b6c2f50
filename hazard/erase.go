package hazard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Erasure (PIPL's right to deletion): a citizen asks for their account to
// be deleted. Their account and contacts go, their reports stay with the
// identity removed, and the records that must stay (a paid reward's ledger
// row for finance, the events of the audit trail) keep the person under a
// pseudonym: a fresh random user ID that nothing links back to them.
//
// Every store or use case that keeps people's identifiers is a Forgetter;
// the Eraser calls each in turn with the same Erasure, after its
// ErasureGuards agreed, and records the erasure in an ErasureJournal (the
// hazard store's), which is the one place the person's ID and the
// pseudonym meet until the erasure ends: an interrupted erasure is
// finished later (Eraser.Resume) with the same pseudonym, and then the
// journal forgets the link too. Beginning and ending are events of the
// access log (EventErasureBegun, EventErased), which name the person by
// the pseudonym alone.

// PseudonymPrefix begins every pseudonym (NewPseudonym), the user ID that
// replaces an erased person's in what is kept of them; no account of the
// integrator's may use it.
const PseudonymPrefix = "erased-"

// pseudonymBytes is the randomness of a pseudonym: 128 bits.
const pseudonymBytes = 16

// Limits of erasures.
const (
	// MaxErasureBatch is the most erasures ErasureJournal.Erasures returns
	// at once, and Eraser.Resume finishes in one call.
	MaxErasureBatch = 100
	// DefaultErasureResumeAfter is how long an erasure may be under way
	// before Eraser.Resume takes it over (EraserConfig.ResumeAfter).
	DefaultErasureResumeAfter = time.Minute
)

// Event types and data keys of erasures, events of AccessLogSubject.
const (
	// EventErasureBegun: a person asked for their account to be erased;
	// the actor is the pseudonym (in the role the person had), and
	// Data[DataPseudonym] names it. It is written once per erasure, with
	// the journal's record.
	EventErasureBegun EventType = "erasure_begun"
	// EventErased: every store forgot the person (Data[DataPseudonym]);
	// the actor is the system. It is written once, as the journal forgets
	// the erasure.
	EventErased EventType = "erased"
	// DataPseudonym is the pseudonym of an erasure's events.
	DataPseudonym = "pseudonym"
)

// The words that confirm an erasure (ConfirmsErasure), in Chinese and
// English.
const (
	EraseConfirmZH = "删除"
	EraseConfirmEN = "DELETE"
)

// ConfirmsErasure reports whether confirm is one of the words a person
// types to confirm the erasure of their account: EraseConfirmZH or
// EraseConfirmEN (any letter case), spaces around ignored.
func ConfirmsErasure(confirm string) bool {
	c := strings.TrimSpace(confirm)
	return c == EraseConfirmZH || strings.EqualFold(c, EraseConfirmEN)
}

// NewPseudonym returns a fresh pseudonym: PseudonymPrefix and 128 bits from
// crypto/rand in hex. Nothing derives it from the person, so nothing leads
// back from it.
func NewPseudonym() (string, error) {
	b := make([]byte, pseudonymBytes)
	if _, err := rand.Read(b); err != nil {
		return "", Wrap("pseudonym", err)
	}
	return PseudonymPrefix + hex.EncodeToString(b), nil
}

// IsPseudonym reports whether userID is an erased person's pseudonym.
func IsPseudonym(userID string) bool { return strings.HasPrefix(userID, PseudonymPrefix) }

// validPseudonym reports whether p has the form NewPseudonym gives.
func validPseudonym(p string) bool {
	h, ok := strings.CutPrefix(p, PseudonymPrefix)
	if !ok || len(h) != 2*pseudonymBytes {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// Erasure is one person's erasure as the stores see it.
type Erasure struct {
	// UserID is the person's user ID, which every store forgets.
	UserID string
	// Pseudonym replaces UserID in the records that stay (NewPseudonym).
	Pseudonym string
	// RequestedAt is when the person asked, UTC.
	RequestedAt time.Time
}

// Validate reports every problem with e as one CodeInvalid error: a user
// ID of 1 to MaxUserIDLen characters that is neither an anonymous
// reporter's nor a pseudonym, a pseudonym of NewPseudonym's form, and a
// request time.
func (e Erasure) Validate() error {
	var p Problems
	switch {
	case e.UserID == "" || !utf8.ValidString(e.UserID) || utf8.RuneCountInString(e.UserID) > MaxUserIDLen:
		p.Add("user_id", "must be 1 to %d characters", MaxUserIDLen)
	case IsPseudonym(e.UserID) || IsAnonymous(e.UserID):
		p.Add("user_id", "is a pseudonym or an anonymous reporter's: there is no account to erase")
	}
	if !validPseudonym(e.Pseudonym) {
		p.Add("pseudonym", "must be %s and %d lower-case hex digits", PseudonymPrefix, 2*pseudonymBytes)
	}
	if e.RequestedAt.IsZero() {
		p.Add("requested_at", "is required")
	}
	return p.Err("erasure")
}

// ForgetEvent rewrites ev for the erasure: its actor, its subject and each
// of its Data values that is the person's user ID become the pseudonym
// (a new Data map: ev's is not written to). Notes, which people wrote,
// stay as written. It reports whether ev changed. Stores call it on every
// event they rewrite (see Forgetter), so that all rewrite alike.
func (e Erasure) ForgetEvent(ev *Event) bool {
	changed := false
	if ev.Actor.ID == e.UserID {
		ev.Actor.ID, changed = e.Pseudonym, true
	}
	if ev.HazardID == uuid.Nil && ev.Subject.ID == e.UserID {
		ev.Subject.ID, changed = e.Pseudonym, true
	}
	var data map[string]string // ev.Data's copy, made at the first write
	for k, v := range ev.Data {
		if v != e.UserID {
			continue
		}
		if data == nil {
			data = maps.Clone(ev.Data)
		}
		data[k] = e.Pseudonym
	}
	if data != nil {
		ev.Data, changed = data, true
	}
	return changed
}

// ForgetHazard rewrites h, when the person reported it, for the erasure:
// the reporter becomes the pseudonym, the contact they left is cleared
// (Verified stays: the report was made by a verified citizen), and Version
// is incremented, so that a writer holding the former version gets
// CodeConflict rather than writing the person back. It reports whether h
// changed. Stores call it on every hazard they rewrite.
func (e Erasure) ForgetHazard(h *Hazard) bool {
	if h.Reporter.UserID != e.UserID {
		return false
	}
	h.Reporter.UserID = e.Pseudonym
	h.Reporter.Contact = Contact{}
	h.Version++
	return true
}

// Forgetter is the capability of a store, or of a use case over stores,
// that keeps people's identifiers: it forgets one person when they are
// erased. The Eraser calls ForgetUser on each of its steps in turn.
//
// ForgetUser removes e.UserID from everything the implementation keeps:
// it deletes what has no reason to stay and replaces the ID by
// e.Pseudonym in what stays; each implementation's documentation says
// which is which. It is idempotent: called again with the same erasure (a
// retry after a failure, two processes at once) it changes nothing more
// and succeeds, and a person it keeps nothing of is no error. An invalid
// erasure (Erasure.Validate) is CodeInvalid and changes nothing. An
// implementation that may not forget now (a payout in flight) returns a
// coded error and changes nothing; the Eraser tries again later.
//
// A Store that is a Forgetter (memstore's, pgstore's) rewrites, in one
// atomic step: the hazards the person reported (ForgetHazard), dropping
// their idempotency keys; every event of those hazards and of the
// hazards the person acted on (an EventClaimBound binding them to an
// anonymous report among others: its reward events name them too), and
// every event of a subject whose ID is theirs (ForgetEvent); and, when it
// also keeps the relay's parked events, their copies of those events.
// hazardtest.TestErasure pins these promises.
type Forgetter interface {
	ForgetUser(ctx context.Context, e Erasure) error
}

// ForgetterFunc is a function that is a Forgetter.
type ForgetterFunc func(ctx context.Context, e Erasure) error

// ForgetUser implements Forgetter.
func (f ForgetterFunc) ForgetUser(ctx context.Context, e Erasure) error { return f(ctx, e) }

// ErasureGuard is an optional capability of a Forgetter that may refuse an
// erasure before it begins: CheckErasure returns nil when user may be
// erased now, else a coded error saying why not (a reward being paid is
// CodeConflict: try again once it is paid). It changes nothing.
type ErasureGuard interface {
	CheckErasure(ctx context.Context, user User) error
}

// ErasureJournal keeps the erasures begun and not yet ended, so that an
// interrupted one is finished later with the same pseudonym. It is the
// only place where a person's user ID and their pseudonym are kept
// together, and only until the erasure ends. hazardtest.TestErasure pins
// the promises below; memstore and pgstore's hazard stores implement it.
//
// Erasures are values, copied in and out. Implementations are safe for
// concurrent use; errors are *Error with a code.
type ErasureJournal interface {
	// BeginErasure records e (valid per Erasure.Validate, else
	// CodeInvalid) and appends events to the event log, in one atomic
	// step, and returns e and true. When an erasure of e.UserID is
	// recorded already, it changes nothing and returns that one (its
	// pseudonym, its time) and false, so that of two concurrent
	// beginnings one records and both go on with one pseudonym. An
	// invalid event is CodeInvalid.
	BeginErasure(ctx context.Context, e Erasure, events []Event) (stored Erasure, begun bool, err error)

	// Erasures returns up to limit of the erasures recorded with
	// RequestedAt at or before before, oldest first. limit <= 0 or above
	// MaxErasureBatch means MaxErasureBatch.
	Erasures(ctx context.Context, before time.Time, limit int) ([]Erasure, error)

	// EndErasure forgets the erasure of userID and appends events, in one
	// atomic step, and returns true; when none is recorded, it changes
	// nothing (events are not appended) and returns false. An invalid
	// event is CodeInvalid.
	EndErasure(ctx context.Context, userID string, events []Event) (bool, error)
}

// ErasureStep is one Forgetter of an Eraser, named for its logs and for
// ErasureReceipt.Pending.
type ErasureStep struct {
	Name      string
	Forgetter Forgetter
}

// EraserConfig configures an Eraser. Journal and Steps are required.
type EraserConfig struct {
	// Journal records erasures under way: the hazard store.
	Journal ErasureJournal
	// Steps are called in order. Put first the one that ends the
	// person's sessions (the integrator's account store), so that they
	// write nothing more while the others forget them.
	Steps []ErasureStep
	// ResumeAfter is how long an erasure may be under way before Resume
	// takes it over; default DefaultErasureResumeAfter.
	ResumeAfter time.Duration
	Clock       func() time.Time
	Logger      *slog.Logger
}

// Eraser is the use case of erasure: Erase erases a citizen at their
// request, and Resume finishes erasures that were interrupted. It is safe
// for concurrent use.
type Eraser struct {
	cfg EraserConfig
}

// NewEraser checks cfg, fills in its defaults and returns an Eraser.
func NewEraser(cfg EraserConfig) (*Eraser, error) {
	var p Problems
	if cfg.Journal == nil {
		p.Add("journal", "is required")
	}
	if len(cfg.Steps) == 0 {
		p.Add("steps", "needs at least one step")
	}
	for i, s := range cfg.Steps {
		if s.Name == "" || s.Forgetter == nil {
			p.Add("steps", "step %d needs a name and a forgetter", i)
		}
	}
	if cfg.ResumeAfter < 0 {
		p.Add("resume_after", "must not be negative")
	}
	if err := p.Err("eraser"); err != nil {
		return nil, err
	}
	if cfg.ResumeAfter == 0 {
		cfg.ResumeAfter = DefaultErasureResumeAfter
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Steps = append([]ErasureStep(nil), cfg.Steps...)
	return &Eraser{cfg: cfg}, nil
}

// ErasureReceipt is what an erasure answers the person.
type ErasureReceipt struct {
	// Pseudonym is what names the person in the records that stay (a paid
	// reward's ledger row): theirs to keep, should they ask finance about
	// such a record; nothing else links it to them.
	Pseudonym   string    `json:"pseudonym"`
	RequestedAt time.Time `json:"requested_at"`
	// Done is true when every step forgot the person; false when one
	// failed, and Resume finishes the erasure later.
	Done bool `json:"done"`
	// Pending names the step that failed when Done is false.
	Pending string `json:"pending,omitempty"`
}

// MayErase returns nil when user may erase their own account: a signed-in
// citizen (role reporter) with an account, not an anonymous reporter nor
// a pseudonym. Staff, units' safety managers and auditors are
// CodeForbidden: their accounts are their organisation's to close.
func MayErase(user User) error {
	const op = "erase"
	if err := authenticated(op, user); err != nil {
		return err
	}
	if user.Role != string(RoleReporter) || IsAnonymous(user.ID) || IsPseudonym(user.ID) {
		return &Error{Code: CodeForbidden, Op: op, Message: "only a citizen erases their own account: staff and unit accounts are closed by their organisation"}
	}
	return nil
}

// Erase erases user's account at their request: confirm must confirm it
// (ConfirmsErasure, else CodeInvalid on the field "confirm") and user must
// be a citizen (MayErase). Every step that is an ErasureGuard is asked
// first, and the first refusal is returned as it is (nothing begins).
// Then the erasure is recorded in the journal with a fresh pseudonym and
// an EventErasureBegun, or the one under way is taken up with its own,
// and every step forgets the person in order; the journal then forgets the
// erasure with an EventErased.
//
// Once recorded, the erasure is durable: when a step fails, Erase logs the
// failure and answers a receipt with Done false and Pending naming the
// step, and Resume finishes it later with the same pseudonym; an error is
// returned only when nothing began.
func (x *Eraser) Erase(ctx context.Context, user User, confirm string) (ErasureReceipt, error) {
	const op = "erase"
	if err := MayErase(user); err != nil {
		return ErasureReceipt{}, err
	}
	if !ConfirmsErasure(confirm) {
		return ErasureReceipt{}, &Error{Code: CodeInvalid, Op: op, Field: "confirm",
			Message: "type " + EraseConfirmZH + " or " + EraseConfirmEN + " to confirm the erasure of your account"}
	}
	for _, s := range x.cfg.Steps {
		if g, ok := s.Forgetter.(ErasureGuard); ok {
			if err := g.CheckErasure(ctx, user); err != nil {
				return ErasureReceipt{}, Wrap(op, err)
			}
		}
	}
	pseudonym, err := NewPseudonym()
	if err != nil {
		return ErasureReceipt{}, err
	}
	now := x.cfg.Clock().UTC()
	e := Erasure{UserID: user.ID, Pseudonym: pseudonym, RequestedAt: now}
	begun := Event{Subject: AccessLogSubject, Type: EventErasureBegun, Time: now,
		Actor: Actor{ID: pseudonym, Role: user.Role}, Data: map[string]string{DataPseudonym: pseudonym}}
	e, _, err = x.cfg.Journal.BeginErasure(ctx, e, []Event{begun})
	if err != nil {
		return ErasureReceipt{}, Wrap(op, err)
	}
	r := ErasureReceipt{Pseudonym: e.Pseudonym, RequestedAt: e.RequestedAt}
	r.Pending, err = x.finish(ctx, e)
	if err != nil {
		x.cfg.Logger.ErrorContext(ctx, "erasure interrupted: resumed later", "step", r.Pending, "pseudonym", e.Pseudonym, "error", err)
		return r, nil
	}
	r.Done = true
	return r, nil
}

// finish runs every step for e and ends it in the journal; on failure it
// returns the name of the step that failed (or "journal") and its error.
func (x *Eraser) finish(ctx context.Context, e Erasure) (string, error) {
	for _, s := range x.cfg.Steps {
		if err := s.Forgetter.ForgetUser(ctx, e); err != nil {
			return s.Name, Wrap("erase "+s.Name, err)
		}
	}
	ended := Event{Subject: AccessLogSubject, Type: EventErased, Time: x.cfg.Clock().UTC(),
		Actor: System, Data: map[string]string{DataPseudonym: e.Pseudonym}}
	if _, err := x.cfg.Journal.EndErasure(ctx, e.UserID, []Event{ended}); err != nil {
		return "journal", Wrap("erase", err)
	}
	return "", nil
}

// Resume finishes the erasures under way for longer than
// EraserConfig.ResumeAfter (a process stopped, a step failed), up to
// MaxErasureBatch of them, each with its own pseudonym, and returns how
// many it finished. An erasure that fails again stays for the next call;
// the errors are joined. The server's periodic sweep calls it.
func (x *Eraser) Resume(ctx context.Context) (int, error) {
	const op = "erase resume"
	es, err := x.cfg.Journal.Erasures(ctx, x.cfg.Clock().Add(-x.cfg.ResumeAfter), MaxErasureBatch)
	if err != nil {
		return 0, Wrap(op, err)
	}
	n := 0
	var first error
	for _, e := range es {
		step, err := x.finish(ctx, e)
		if err != nil {
			x.cfg.Logger.ErrorContext(ctx, "erasure still interrupted", "step", step, "pseudonym", e.Pseudonym, "error", err)
			if first == nil {
				first = err
			}
			continue
		}
		n++
	}
	return n, first
}

// ForgetUser implements Forgetter for what the service keeps of a person:
// its store forgets them (the store must be a Forgetter, else
// CodeInternal; see Forgetter for what a store rewrites), and the windows
// of the service's limiter that name them (their submissions) are reset
// when the limiter is a LimitResetter.
func (s *Service) ForgetUser(ctx context.Context, e Erasure) error {
	const op = "forget user"
	if err := e.Validate(); err != nil {
		return err
	}
	f, ok := s.store.(Forgetter)
	if !ok {
		return &Error{Code: CodeInternal, Op: op, Message: "the hazard store cannot forget a person (it is no hazard.Forgetter)"}
	}
	if err := f.ForgetUser(ctx, e); err != nil {
		return Wrap(op, err)
	}
	if r, ok := s.limiter.(LimitResetter); ok {
		if err := r.Reset(ctx, submitLimitKey+e.UserID); err != nil {
			return Wrap(op, err)
		}
	}
	return nil
}

// ForgetUser implements Forgetter for the person's uploads: the Uploads
// (which must be a Forgetter, else CodeInternal) give the ones that stay
// (held for or attached to a report) to the pseudonym and expire the
// pending ones at once, and a sweep (Sweep) then deletes those with their
// photos.
func (p *Photos) ForgetUser(ctx context.Context, e Erasure) error {
	const op = "forget uploads"
	if err := e.Validate(); err != nil {
		return err
	}
	f, ok := p.uploads.(Forgetter)
	if !ok {
		return &Error{Code: CodeInternal, Op: op, Message: "the uploads cannot forget a person (they are no hazard.Forgetter)"}
	}
	if err := f.ForgetUser(ctx, e); err != nil {
		return Wrap(op, err)
	}
	_, err := p.Sweep(ctx)
	return err
}
