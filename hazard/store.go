package hazard

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
)

func isNil(id uuid.UUID) bool { return id == uuid.Nil }

// Limits of listing.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
	// MaxEventBatch is the most events Events returns at once.
	MaxEventBatch = 1000
	// MaxIdempotencyKeyLen is the longest idempotency key, in bytes.
	MaxIdempotencyKeyLen = 128
)

// Filter selects hazards in List. Zero fields do not filter. All set fields
// must match.
type Filter struct {
	// States matches any of the states.
	States     []string
	Category   string
	Department string
	Reporter   string // a reporter's user ID
	// UnitID keeps the hazards found at the unit (Hazard.UnitID).
	UnitID string
	Source Source
	// Open, when non-nil, keeps only open (true) or closed (false) hazards.
	Open *bool
	// CreatedSince and CreatedUntil bound CreatedAt: since <= t < until.
	CreatedSince time.Time
	CreatedUntil time.Time
	// Box keeps hazards with a point inside the WGS-84 box.
	Box *BBox
}

// Matches reports whether h passes every condition of f: the meaning of a
// Filter, which every Store's List keeps (adapters that filter elsewhere,
// in SQL say, are checked against it by hazardtest).
func (f *Filter) Matches(h *Hazard) bool {
	if len(f.States) > 0 && !slices.Contains(f.States, h.State) {
		return false
	}
	if f.Category != "" && h.Category != f.Category ||
		f.Department != "" && h.Department != f.Department ||
		f.Reporter != "" && h.Reporter.UserID != f.Reporter ||
		f.UnitID != "" && h.UnitID != f.UnitID ||
		f.Source != "" && h.Source != f.Source {
		return false
	}
	if f.Open != nil && *f.Open != h.Open() {
		return false
	}
	if !f.CreatedSince.IsZero() && h.CreatedAt.Before(f.CreatedSince) {
		return false
	}
	if !f.CreatedUntil.IsZero() && !h.CreatedAt.Before(f.CreatedUntil) {
		return false
	}
	if f.Box != nil && (h.Location.Point == nil || !f.Box.Contains(*h.Location.Point)) {
		return false
	}
	return true
}

// CheckUpdate returns a CodeInvalid error naming the first field that an
// update from h to next may not change (ref, reporter, created_at), or nil.
// Stores call it on the stored hazard before they replace it, so that every
// adapter refuses the same changes the same way.
func (h *Hazard) CheckUpdate(next *Hazard) error {
	field := ""
	switch {
	case next.Ref != h.Ref:
		field = "ref"
	case next.Reporter != h.Reporter:
		field = "reporter"
	case !next.CreatedAt.Equal(h.CreatedAt):
		field = "created_at"
	default:
		return nil
	}
	return &Error{Code: CodeInvalid, Op: "update", Field: field, Message: "cannot change"}
}

// Page asks for one page of a listing.
type Page struct {
	// Limit is the most items wanted; 0 means DefaultPageLimit and values
	// above MaxPageLimit are capped to it. Negative is invalid.
	Limit int
	// Cursor is the Next of the previous page; empty for the first page.
	Cursor string
}

// List is one page of hazards, newest first (by ID, which is time-ordered).
type List struct {
	Items []Hazard
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// NearbyQuery asks for open hazards of a category near a point, for
// duplicate detection.
type NearbyQuery struct {
	Category string
	Center   Point
	// RadiusMeters is the search radius; it must be positive.
	RadiusMeters float64
	// Since keeps hazards created at or after it.
	Since time.Time
	// Limit caps the result (0: DefaultPageLimit; at most MaxPageLimit).
	Limit int
}

// Validate reports every problem with q as one CodeInvalid error: a
// category is required, the radius must be a positive finite number of
// metres, the center a valid point and the limit not negative. Stores call
// it before they search, so that every adapter refuses the same queries.
func (q *NearbyQuery) Validate() error {
	var p Problems
	if q.Category == "" {
		p.Add("category", "is required")
	}
	if !(q.RadiusMeters > 0) || math.IsInf(q.RadiusMeters, 1) {
		p.Add("radius", "must be a positive number of metres")
	}
	p.Merge("center", Location{Address: "-", Point: &q.Center}.Validate())
	if q.Limit < 0 {
		p.Add("limit", "must not be negative")
	}
	return p.Err("nearby")
}

// Store keeps hazards and the event log. It is the port that storage
// adapters implement; hazardtest.TestStore pins every promise below. (The
// relay's cursors and parked events are a port of their own,
// relay.Cursors, used by the relay alone.)
//
// Hazards and events are values: a Store copies them on the way in and out,
// so that no caller shares memory with it or with another caller. A Store
// is safe for concurrent use. Errors are *Error with a code.
type Store interface {
	// Create stores h (whose Version must be 1) with its first events in one
	// atomic step, assigning the events their sequence numbers.
	//
	// With a non-empty idempotencyKey, the key is unique per reporter
	// (h.Reporter.UserID): when the reporter already created a hazard with
	// that key, Create changes nothing and returns that hazard with
	// created == false. Otherwise it returns the stored hazard and true.
	//
	// An invalid hazard or event is CodeInvalid; an ID or Ref already taken
	// is CodeConflict. Nothing is stored on error.
	Create(ctx context.Context, h Hazard, events []Event, idempotencyKey string) (stored Hazard, created bool, err error)

	// Get returns the hazard with the ID, or CodeNotFound.
	Get(ctx context.Context, id uuid.UUID) (Hazard, error)

	// GetByRef returns the hazard with the reference number, or CodeNotFound.
	GetByRef(ctx context.Context, ref string) (Hazard, error)

	// Update replaces the stored hazard h.ID, whose version must be
	// expectedVersion, by h with Version expectedVersion+1, and appends
	// events, in one atomic step. It returns the stored hazard.
	//
	// A missing hazard is CodeNotFound. A stored version other than
	// expectedVersion is CodeConflict with Error.Version set to the stored
	// version, and changes nothing. ID, Ref, Reporter and CreatedAt cannot
	// change (CodeInvalid).
	Update(ctx context.Context, h Hazard, expectedVersion int64, events []Event) (Hazard, error)

	// List returns one page of the hazards matching f, newest first. Cursor
	// pagination is stable: walking the pages while hazards are added never
	// skips nor repeats an item that existed when the walk started. A cursor
	// that the store did not make is CodeInvalid.
	List(ctx context.Context, f Filter, p Page) (List, error)

	// Nearby returns the open hazards of q.Category with a point within
	// q.RadiusMeters of q.Center, created at or after q.Since, oldest first.
	Nearby(ctx context.Context, q NearbyQuery) ([]Hazard, error)

	// NextSeq returns the next number of the named counter, starting at 1,
	// unique across callers (reference numbers are made from it).
	NextSeq(ctx context.Context, counter string) (int64, error)

	EventLog
}

// EventLog is the ordered log of the events of every subject: a hazard's
// events and those of other subjects (see Event.SubjectOf) share one
// sequence. Readers see sequence numbers without gaps: an event is never
// visible before every event with a smaller number is.
type EventLog interface {
	// Append adds events that change no hazard state (notes, reward
	// events, events of other subjects) and returns them with their
	// sequence numbers, all or none. An invalid event is CodeInvalid; a
	// hazard's event whose hazard does not exist is CodeNotFound. An event
	// of another subject needs nothing to exist.
	Append(ctx context.Context, events ...Event) ([]Event, error)

	// Events returns up to limit events with Seq > after, in Seq order.
	// limit <= 0 means MaxEventBatch; larger values are capped to it.
	Events(ctx context.Context, after int64, limit int) ([]Event, error)

	// HazardEvents returns every event of one hazard in Seq order.
	HazardEvents(ctx context.Context, id uuid.UUID) ([]Event, error)

	// SubjectEvents returns up to limit events of the subject s with
	// Seq > after, in Seq order: what Events returns, keeping only the
	// events whose SubjectOf is s. limit is as in Events. For a hazard
	// subject they are that hazard's events, as HazardEvents returns them.
	// An invalid subject (Subject.Validate) is CodeInvalid; a subject
	// without events has none.
	SubjectEvents(ctx context.Context, s Subject, after int64, limit int) ([]Event, error)

	// LastSeq returns the highest sequence number, 0 for an empty log.
	LastSeq(ctx context.Context) (int64, error)
}

// MaxEventsBatch is the most hazards [EventsBatcher.EventsOf] reads in one
// call: a page of the largest size.
const MaxEventsBatch = MaxPageLimit

// EventsBatcher is an optional capability of a Store that reads the events
// of several hazards in one round trip, such as the timelines of a page of
// the plaza. EventsOf returns, for each ID that has events, its events in
// Seq order, exactly as HazardEvents would; an ID without events (or
// unknown) is absent from the map, and a repeated ID counts once. More than
// MaxEventsBatch IDs is CodeInvalid. Without the capability the service
// calls HazardEvents once per hazard.
type EventsBatcher interface {
	EventsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]Event, error)
}

// eventsOf reads the events of the hazards ids from st: in one call when st
// is an EventsBatcher, else one HazardEvents call each.
func eventsOf(ctx context.Context, st Store, ids []uuid.UUID) (map[uuid.UUID][]Event, error) {
	if b, ok := st.(EventsBatcher); ok {
		return b.EventsOf(ctx, ids)
	}
	out := make(map[uuid.UUID][]Event, len(ids))
	for _, id := range ids {
		evs, err := st.HazardEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			out[id] = evs
		}
	}
	return out, nil
}
