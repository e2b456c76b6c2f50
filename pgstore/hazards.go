package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/jackc/pgx/v5"
)

// HazardStore is the PostgreSQL hazard.Store (hazards and the event log of
// every subject) and the relay.Cursors of a relay reading that log
// (consumer cursors and parked events, with the relay.Locker capability).
//
// Each hazard is kept whole as a JSONB document of pgstore's own shape
// (see rows.go), so that it reads back exactly as written (times to the
// nanosecond, with their zone offsets) whatever becomes of the domain
// types' JSON, beside the columns that filters, cursors and the duplicate
// search use.
//
// The event log's sequence numbers come from a one-row counter updated in
// the same statement that inserts the events. The counter row stays locked
// until that statement's transaction commits, so writers of events take
// their turn on it and commit in sequence order: a reader never sees an
// event before every event with a smaller number, and a rolled back writer
// leaves no gap. The price is that event writes are serialised for the
// length of one statement each; a hazard write is a single statement, so the
// lock is held for microseconds, not for a client round trip.
type HazardStore struct {
	db *DB
}

var (
	_ hazard.Store          = (*HazardStore)(nil)
	_ relay.Cursors         = (*HazardStore)(nil)
	_ hazard.EventsBatcher  = (*HazardStore)(nil)
	_ hazard.LimitedCreator = (*HazardStore)(nil)
)

// Hazards returns the hazard.Store over db.
func (db *DB) Hazards() *HazardStore { return &HazardStore{db: db} }

// hazardColumns are the indexed columns derived from a hazard.
type hazardColumns struct {
	category, state, department, reporter, unitID, source string
	open                                                  bool
	createdNS                                             int64
	lat, lng                                              *float64
}

func columnsOf(h *hazard.Hazard) hazardColumns {
	c := hazardColumns{
		category:   h.Category,
		state:      h.State,
		department: h.Department,
		reporter:   h.Reporter.UserID,
		unitID:     h.UnitID,
		source:     string(h.Source),
		open:       h.Open(),
		createdNS:  h.CreatedAt.UnixNano(),
	}
	if p := h.Location.Point; p != nil {
		w := p.WGS84()
		c.lat, c.lng = &w.Lat, &w.Lng
	}
	return c
}

// eventDocs validates events and encodes them as one JSON array, without
// their sequence numbers. With id set, every event must be of that hazard.
func eventDocs(events []hazard.Event, id uuid.UUID) ([]byte, error) {
	var p hazard.Problems
	docs := make([]eventDoc, len(events))
	for i := range events {
		e := &events[i]
		f := fmt.Sprintf("events[%d]", i)
		p.Merge(f, e.Validate())
		if id != uuid.Nil && e.HazardID != id {
			p.Add(f+".hazard_id", "must be the hazard's ID")
		}
		docs[i] = eventDocOf(e)
		docs[i].Seq = 0
	}
	if err := p.Err("events"); err != nil {
		return nil, err
	}
	return json.Marshal(docs)
}

// insertEvents is the tail of a writing statement: it takes len(events)
// sequence numbers from the counter when the CTE named by gate produced a
// row, and inserts the events (parameter $events, a JSON array) with them:
// a hazard's event with its hazard_id, an event of another subject with its
// subject_kind and subject_id (the JSON omits what is zero).
// The statement then returns whether gate produced a row and the last
// sequence number taken (NULL when none).
const insertEvents = insertEventsCTEs + insertEventsResult

// insertEventsCTEs are the CTEs of insertEvents, s and e, without its
// result.
const insertEventsCTEs = `,
s AS (
    UPDATE event_seq SET n = n + jsonb_array_length(@events::jsonb)
    WHERE jsonb_array_length(@events::jsonb) > 0 AND EXISTS (SELECT FROM gate)
    RETURNING n),
e AS (
    INSERT INTO events (seq, hazard_id, subject_kind, subject_id, doc)
    SELECT s.n - jsonb_array_length(@events::jsonb) + x.ord, (x.doc->>'hazard_id')::uuid,
        x.doc->'subject'->>'kind', x.doc->'subject'->>'id', x.doc
    FROM s, jsonb_array_elements(@events::jsonb) WITH ORDINALITY AS x(doc, ord))`

// insertEventsResult is the result of insertEvents.
const insertEventsResult = `
SELECT EXISTS (SELECT FROM gate), (SELECT n FROM s)`

const createGate = `WITH gate AS (
    INSERT INTO hazards (id, ref, category, state, department, reporter, unit_id, source, open,
        created_ns, lat, lng, version, idem_key, doc)
    VALUES (@id, @ref, @category, @state, @department, @reporter, @unit_id, @source, @open,
        @created_ns, @lat, @lng, 1, @idem_key, @doc)
    ON CONFLICT (reporter, idem_key) WHERE idem_key IS NOT NULL DO NOTHING
    RETURNING 1)`

const createSQL = createGate + insertEvents

// createAttachedSQL is createSQL that also attaches the owner's uploads
// with the keys (@owner, @keys, distinct) to the hazard when it is
// inserted, as Uploads.Attach does, in the same statement: the event
// log's counter row, which every writer of the log waits for, is then
// held for that statement and the commit alone.
const createAttachedSQL = createGate + insertEventsCTEs + `,
attached AS (
    UPDATE uploads SET state = 'attached'
    WHERE owner = @owner AND key = ANY(@keys) AND EXISTS (SELECT FROM gate)
    RETURNING 1),
refs AS (
    INSERT INTO upload_hazards (key, hazard_id)
    SELECT k, @id FROM unnest(@keys::text[]) AS k WHERE EXISTS (SELECT FROM gate)
    ON CONFLICT DO NOTHING
    RETURNING 1)` + insertEventsResult

// numberEvents sets the sequence numbers of events whose last one is last.
func numberEvents(events []hazard.Event, last int64) []hazard.Event {
	out := make([]hazard.Event, len(events))
	first := last - int64(len(events)) + 1
	for i, e := range events {
		e = e.Clone()
		e.Seq = first + int64(i)
		out[i] = e
	}
	return out
}

// Create implements hazard.Store.
func (s *HazardStore) Create(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string) (hazard.Hazard, bool, error) {
	return s.create(ctx, "pgstore.Create", h, events, idempotencyKey, time.Time{}, 0, nil)
}

// CreateLimited implements hazard.LimitedCreator: in one transaction it
// takes an advisory lock on the reporter (so that every process's
// submissions of that reporter queue there), counts the reporter's hazards
// since the time and inserts, so the limit is exact across processes.
func (s *HazardStore) CreateLimited(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string, since time.Time, limit int) (hazard.Hazard, bool, error) {
	const op = "pgstore.CreateLimited"
	if limit < 1 {
		return hazard.Hazard{}, false, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: "must be at least 1"}
	}
	return s.create(ctx, op, h, events, idempotencyKey, since, limit, nil)
}

// reporterLockSQL takes the transaction's advisory lock on a reporter's
// submissions, in the key space of TryLock.
const reporterLockSQL = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))`

// create is Create, CreateLimited when limit > 0, CreateAttached when
// att is not nil.
func (s *HazardStore) create(ctx context.Context, op string, h hazard.Hazard, events []hazard.Event, idempotencyKey string, since time.Time, limit int, att *hazard.Attachment) (hazard.Hazard, bool, error) {
	if h.Version != 1 {
		return hazard.Hazard{}, false, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "version", Message: "a new hazard's version must be 1"}
	}
	if err := h.Validate(nil); err != nil {
		return hazard.Hazard{}, false, hazard.Wrap(op, err)
	}
	if len(idempotencyKey) > hazard.MaxIdempotencyKeyLen {
		return hazard.Hazard{}, false, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "idempotency_key",
			Message: fmt.Sprintf("must be at most %d bytes", hazard.MaxIdempotencyKeyLen)}
	}
	evs, err := eventDocs(events, h.ID)
	if err != nil {
		return hazard.Hazard{}, false, hazard.Wrap(op, err)
	}
	doc, err := encodeHazard(&h)
	if err != nil {
		return hazard.Hazard{}, false, hazard.Wrap(op, err)
	}
	c := columnsOf(&h)
	var key *string
	if idempotencyKey != "" {
		key = &idempotencyKey
	}
	args := pgx.NamedArgs{
		"id": h.ID, "ref": h.Ref, "category": c.category, "state": c.state, "department": c.department,
		"reporter": c.reporter, "unit_id": c.unitID, "source": c.source, "open": c.open, "created_ns": c.createdNS,
		"lat": c.lat, "lng": c.lng, "idem_key": key, "doc": doc, "events": evs,
	}
	sql := createSQL
	if att != nil {
		sql = createAttachedSQL
		args["owner"], args["keys"] = att.Owner, slices.Compact(slices.Sorted(slices.Values(att.Keys)))
	}
	insert := func(q querier) (hazard.Hazard, bool, error) {
		var inserted bool
		var last *int64
		if err := q.QueryRow(ctx, sql, args).Scan(&inserted, &last); err != nil {
			return hazard.Hazard{}, false, err
		}
		if inserted && len(events) > 0 && last == nil {
			return hazard.Hazard{}, false, errors.New("events were not numbered")
		}
		if !inserted {
			// The reporter already used the key: return that hazard.
			existing, err := scanHazard(ctx, q, `SELECT doc FROM hazards WHERE reporter = $1 AND idem_key = $2`, c.reporter, idempotencyKey)
			return existing, false, err
		}
		return h.Clone(), true, nil
	}
	if limit == 0 && att == nil {
		out, created, err := insert(s.db.pool)
		return out, created, translate(op, err)
	}
	var out hazard.Hazard
	var created bool
	var checkErr error
	// Read committed, whatever the database's default: the advisory lock
	// orders the reporter's transactions, and each must see the rows the
	// one before it committed.
	err = pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		if att != nil {
			// The uploads first, locked as Uploads.Hold locks them.
			found, err := lockUploads(ctx, tx, att.Owner, att.Keys)
			if err != nil {
				return err
			}
			if checkErr = att.Check(found); checkErr != nil {
				return checkErr
			}
			for _, u := range found {
				if u.Key == "" {
					return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "keys", Message: "names an upload the owner does not have"}
				}
			}
		}
		if limit == 0 {
			var err error
			out, created, err = insert(tx)
			return err
		}
		if _, err := tx.Exec(ctx, reporterLockSQL, "submit:"+c.reporter); err != nil {
			return err
		}
		if key != nil {
			existing, err := scanHazard(ctx, tx, `SELECT doc FROM hazards WHERE reporter = $1 AND idem_key = $2`, c.reporter, idempotencyKey)
			if err == nil {
				out = existing
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM hazards
			WHERE reporter = $1 AND created_ns >= $2 LIMIT $3) AS recent`,
			c.reporter, unixNanos(since), limit).Scan(&n); err != nil {
			return err
		}
		if n >= limit {
			return &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: hazard.RateLimitedMessage}
		}
		var err error
		out, created, err = insert(tx)
		return err
	})
	if checkErr != nil {
		return hazard.Hazard{}, false, checkErr
	}
	if err != nil {
		return hazard.Hazard{}, false, translate(op, err)
	}
	return out, created, nil
}

const updateSQL = `WITH gate AS (
    UPDATE hazards SET category = @category, state = @state, department = @department,
        unit_id = @unit_id, source = @source, open = @open, lat = @lat, lng = @lng, version = version + 1, doc = @doc
    WHERE id = @id AND version = @expected AND ref = @ref AND reporter = @reporter
        AND created_ns = @created_ns AND doc->'reporter' = @reporter_doc::jsonb
    RETURNING 1)` + insertEvents

// Update implements hazard.Store.
func (s *HazardStore) Update(ctx context.Context, h hazard.Hazard, expectedVersion int64, events []hazard.Event) (hazard.Hazard, error) {
	const op = "pgstore.Update"
	// A version below 1 matches no stored hazard: it is a conflict.
	h.Version = max(expectedVersion, 0) + 1
	if err := h.Validate(nil); err != nil {
		return hazard.Hazard{}, hazard.Wrap(op, err)
	}
	evs, err := eventDocs(events, h.ID)
	if err != nil {
		return hazard.Hazard{}, hazard.Wrap(op, err)
	}
	doc, err := encodeHazard(&h)
	if err != nil {
		return hazard.Hazard{}, hazard.Wrap(op, err)
	}
	rep, err := encodeReporter(&h)
	if err != nil {
		return hazard.Hazard{}, hazard.Wrap(op, err)
	}
	c := columnsOf(&h)
	args := pgx.NamedArgs{
		"id": h.ID, "expected": expectedVersion, "ref": h.Ref, "category": c.category, "state": c.state,
		"department": c.department, "reporter": c.reporter, "unit_id": c.unitID, "source": c.source, "open": c.open,
		"created_ns": c.createdNS, "lat": c.lat, "lng": c.lng, "doc": doc, "reporter_doc": rep, "events": evs,
	}
	var updated bool
	var last *int64
	if err := s.db.pool.QueryRow(ctx, updateSQL, args).Scan(&updated, &last); err != nil {
		return hazard.Hazard{}, translate(op, err)
	}
	if updated && len(events) > 0 && last == nil {
		return hazard.Hazard{}, hazard.Wrap(op, errors.New("events were not numbered"))
	}
	if updated {
		return h.Clone(), nil
	}
	// Nothing changed: say why.
	stored, err := s.Get(ctx, h.ID)
	if err != nil {
		return hazard.Hazard{}, hazard.Wrap(op, err)
	}
	if stored.Version != expectedVersion {
		return hazard.Hazard{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Version: stored.Version,
			Message: fmt.Sprintf("the hazard is at version %d, not %d", stored.Version, expectedVersion)}
	}
	if err := stored.CheckUpdate(&h); err != nil {
		return hazard.Hazard{}, err
	}
	return hazard.Hazard{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op,
		Message: "id, ref, reporter and created_at cannot change"}
}

// Get implements hazard.Store.
func (s *HazardStore) Get(ctx context.Context, id uuid.UUID) (hazard.Hazard, error) {
	h, err := s.scanOne(ctx, `SELECT doc FROM hazards WHERE id = $1`, id)
	return h, translate("pgstore.Get", err)
}

// GetByRef implements hazard.Store. A ref PostgreSQL cannot hold (a NUL
// byte, invalid UTF-8) names no hazard: not found, as in every store.
func (s *HazardStore) GetByRef(ctx context.Context, ref string) (hazard.Hazard, error) {
	if strings.IndexByte(ref, 0) >= 0 || !utf8.ValidString(ref) {
		return hazard.Hazard{}, &hazard.Error{Code: hazard.CodeNotFound, Op: "pgstore.GetByRef", Message: "not found"}
	}
	h, err := s.scanOne(ctx, `SELECT doc FROM hazards WHERE ref = $1`, ref)
	return h, translate("pgstore.GetByRef", err)
}

func (s *HazardStore) scanOne(ctx context.Context, sql string, args ...any) (hazard.Hazard, error) {
	return scanHazard(ctx, s.db.pool, sql, args...)
}

// scanHazard reads the one hazard document sql selects through q.
func scanHazard(ctx context.Context, q querier, sql string, args ...any) (hazard.Hazard, error) {
	var doc []byte
	if err := q.QueryRow(ctx, sql, args...).Scan(&doc); err != nil {
		return hazard.Hazard{}, err
	}
	return decodeHazard(doc)
}

// nextSeqSQL draws a counter's next number in a transaction that commits
// without waiting for its WAL to reach the disk (synchronous_commit off
// for that transaction alone, set by set_config in the statement).
//
// Every submission of a day draws from one counter row, so with a flushed
// commit each waited for the one before it to reach the disk (the row lock
// is held until then): submissions queued there at one WAL flush each,
// whatever the number of connections. Without the wait the lock is held
// for microseconds. No stored number is ever drawn again: WAL is written
// and flushed in order, and the number is stored (a hazard's ref) by a
// transaction that commits after the draw, with a flushed commit that
// flushes the draw too. A crash can only lose draws that nothing stored,
// which are then drawn again; the unique ref refuses any mistake.
const nextSeqSQL = `INSERT INTO counters (name, n)
    SELECT $1, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async
    ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n`

// NextSeq implements hazard.Store. The draw's commit is asynchronous
// (see nextSeqSQL): a number is unique among those stored, and a crash may
// hand out again only a number that nothing stored.
func (s *HazardStore) NextSeq(ctx context.Context, counter string) (int64, error) {
	const op = "pgstore.NextSeq"
	if counter == "" {
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "counter", Message: "is required"}
	}
	var n int64
	err := s.db.pool.QueryRow(ctx, nextSeqSQL, counter).Scan(&n)
	return n, translate(op, err)
}
