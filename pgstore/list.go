package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/jackc/pgx/v5"
)

// cursorPrefix starts every cursor List makes; the rest is the base64 of the
// last item's ID and a check sum, so that a cursor the store did not make is
// refused rather than misread.
const cursorPrefix = "h1."

func cursorSum(prefix string, id uuid.UUID) []byte {
	s := sha256.Sum256(append([]byte("pgstore cursor "+prefix), id[:]...))
	return s[:6]
}

func makeCursor(id uuid.UUID) string { return makeCursorWith(cursorPrefix, id) }

func parseCursor(c string) (uuid.UUID, error) {
	return parseCursorWith("pgstore.List", cursorPrefix, c)
}

func makeCursorWith(prefix string, id uuid.UUID) string {
	return prefix + base64.RawURLEncoding.EncodeToString(append(id[:], cursorSum(prefix, id)...))
}

func parseCursorWith(op, prefix, c string) (uuid.UUID, error) {
	bad := &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "cursor", Message: "is not a cursor of this listing"}
	rest, ok := strings.CutPrefix(c, prefix)
	if !ok {
		return uuid.Nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 16+6 {
		return uuid.Nil, bad
	}
	id := uuid.UUID(b[:16])
	if !bytes.Equal(b[16:], cursorSum(prefix, id)) {
		return uuid.Nil, bad
	}
	return id, nil
}

// pageLimit applies the Page rules: 0 is the default, above the maximum is
// capped, negative is invalid.
func pageLimit(op string, n int) (int, error) {
	switch {
	case n < 0:
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: "must not be negative"}
	case n == 0:
		return hazard.DefaultPageLimit, nil
	case n > hazard.MaxPageLimit:
		return hazard.MaxPageLimit, nil
	}
	return n, nil
}

// unixNanos returns t in Unix nanoseconds, clamped to the int64 range.
func unixNanos(t time.Time) int64 {
	s := t.Unix()
	switch {
	case s < math.MinInt64/1_000_000_000+1:
		return math.MinInt64
	case s > math.MaxInt64/1_000_000_000-1:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// where collects the conditions of a query and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}

// listQuery returns the statement of List, its arguments and the page
// limit. The statement asks for one row more than the limit, to tell
// whether there is a next page.
func listQuery(f hazard.Filter, p hazard.Page) (string, []any, int, error) {
	const op = "pgstore.List"
	limit, err := pageLimit(op, p.Limit)
	if err != nil {
		return "", nil, 0, err
	}
	var w where
	if p.Cursor != "" {
		after, err := parseCursor(p.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		w.add("id < ?", after)
	}
	states := slices.Clone(f.States)
	slices.Sort(states)
	states = slices.Compact(states)
	if len(states) == 1 {
		w.add("state = ?", states[0])
	}
	if f.Category != "" {
		w.add("category = ?", f.Category)
	}
	if f.Department != "" {
		w.add("department = ?", f.Department)
	}
	if f.Reporter != "" {
		w.add("reporter = ?", f.Reporter)
	}
	if f.UnitID != "" {
		w.add("unit_id = ?", f.UnitID)
	}
	if f.Source != "" {
		w.add("source = ?", string(f.Source))
	}
	if f.Open != nil {
		w.add("open = ?", *f.Open)
	}
	if !f.CreatedSince.IsZero() {
		w.add("created_ns >= ?", unixNanos(f.CreatedSince))
	}
	if !f.CreatedUntil.IsZero() {
		w.add("created_ns < ?", unixNanos(f.CreatedUntil))
	}
	if b := f.Box; b != nil {
		w.add("lat BETWEEN ? AND ?", b.MinLat, b.MaxLat)
		w.add("lng BETWEEN ? AND ?", b.MinLng, b.MaxLng)
	}
	var sql string
	if len(states) > 1 {
		w.args = append(w.args, states, limit+1)
		n := len(w.args)
		sql = fmt.Sprintf(`SELECT h.id, h.doc FROM unnest($%d::text[]) AS st(state)
			CROSS JOIN LATERAL (SELECT id, doc FROM hazards WHERE state = st.state AND %s ORDER BY id DESC LIMIT $%d) h
			ORDER BY h.id DESC LIMIT $%d`, n-1, w.sql(), n, n)
	} else {
		w.args = append(w.args, limit+1)
		sql = fmt.Sprintf(`SELECT id, doc FROM hazards WHERE %s ORDER BY id DESC LIMIT $%d`, w.sql(), len(w.args))
	}
	return sql, w.args, limit, nil
}

// List implements hazard.Store. Every filter is served by an index that
// ends in the ID order of the listing (see the migrations), and pages are
// taken by keyset (id < the cursor's), so that a page costs the same however
// deep it is. Several states are listed as one index range per state,
// merged.
func (s *HazardStore) List(ctx context.Context, f hazard.Filter, p hazard.Page) (hazard.List, error) {
	const op = "pgstore.List"
	sql, args, limit, err := listQuery(f, p)
	if err != nil {
		return hazard.List{}, err
	}
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return hazard.List{}, translate(op, err)
	}
	out := hazard.List{Items: make([]hazard.Hazard, 0, limit)}
	var id uuid.UUID
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &doc}, func() error {
		if len(out.Items) == limit {
			out.Next = makeCursor(out.Items[limit-1].ID)
			return nil
		}
		h, err := decodeHazard(doc)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, h)
		return nil
	})
	if err != nil {
		return hazard.List{}, translate(op, err)
	}
	return out, nil
}

// nearbyQuery returns the prefilter statement of Nearby and its arguments:
// the open hazards of the category in the box around the circle, oldest
// first.
func nearbyQuery(q hazard.NearbyQuery) (string, []any) {
	box := q.Center.Around(q.RadiusMeters)
	var w where
	w.add("open")
	w.add("lat IS NOT NULL")
	w.add("category = ?", q.Category)
	w.add("lat BETWEEN ? AND ?", box.MinLat, box.MaxLat)
	w.add("lng BETWEEN ? AND ?", box.MinLng, box.MaxLng)
	if !q.Since.IsZero() {
		w.add("created_ns >= ?", unixNanos(q.Since))
	}
	return `SELECT doc FROM hazards WHERE ` + w.sql() + ` ORDER BY created_ns, id`, w.args
}

// Nearby implements hazard.Store. Candidates come from the box around the
// circle, by an index on the WGS-84 coordinates of open hazards per
// category; the exact distance is then checked on each.
func (s *HazardStore) Nearby(ctx context.Context, q hazard.NearbyQuery) ([]hazard.Hazard, error) {
	const op = "pgstore.Nearby"
	if err := q.Validate(); err != nil {
		return nil, err
	}
	limit, _ := pageLimit(op, q.Limit)
	sql, args := nearbyQuery(q)
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []hazard.Hazard{}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		if len(out) == limit {
			return nil
		}
		h, err := decodeHazard(doc)
		if err != nil {
			return err
		}
		if pt := h.Location.Point; pt != nil && q.Center.DistanceMeters(*pt) <= q.RadiusMeters {
			out = append(out, h)
		}
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}
