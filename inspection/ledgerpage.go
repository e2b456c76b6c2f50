package inspection

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// Limits of a ledger page.
const (
	// DefaultLedgerPageLimit is the number of rows a ledger page holds
	// when the page asks for none.
	DefaultLedgerPageLimit = 50
	// MaxLedgerPageLimit is the most rows one ledger page holds; a larger
	// limit is capped to it.
	MaxLedgerPageLimit = 500
)

// LedgerPageLimit returns the rows a ledger page of p holds, after the
// default (DefaultLedgerPageLimit) and the cap (MaxLedgerPageLimit), or
// CodeInvalid on "limit" for a negative limit.
func LedgerPageLimit(p hazard.Page) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, &hazard.Error{Code: hazard.CodeInvalid, Op: "ledger", Field: "limit", Message: "must not be negative"}
	case p.Limit == 0:
		return DefaultLedgerPageLimit, nil
	case p.Limit > MaxLedgerPageLimit:
		return MaxLedgerPageLimit, nil
	}
	return p.Limit, nil
}

// LedgerPage is one page of a reconciliation ledger: some of its rows,
// oldest first, and the counts of every row of the ledger.
type LedgerPage struct {
	Query LedgerQuery `json:"query"`
	Rows  []LedgerRow `json:"rows"`
	// Next is the cursor of the following page; empty on the last page.
	Next   string       `json:"next,omitempty"`
	Counts LedgerCounts `json:"counts"`
	At     time.Time    `json:"at"`
}

// LedgerKey is the place of a row in a ledger's order: oldest first (by
// FoundAt), then by ID. The zero key is before every row.
type LedgerKey struct {
	FoundAt time.Time
	ID      uuid.UUID
}

// After reports whether a row found at foundAt with the ID id comes after
// k in a ledger's order. Found times compare to the nanosecond.
func (k LedgerKey) After(foundAt time.Time, id uuid.UUID) bool {
	if k == (LedgerKey{}) {
		return true
	}
	a, b := foundAt.UnixNano(), k.FoundAt.UnixNano()
	return a > b || a == b && bytes.Compare(id[:], k.ID[:]) > 0
}

// ledgerCursorPrefix starts the cursors of ledger pages.
const ledgerCursorPrefix = "l1."

// LedgerCursor returns the cursor of the ledger page that starts after k.
func LedgerCursor(k LedgerKey) string {
	return ledgerCursorPrefix + strconv.FormatInt(k.FoundAt.UnixNano(), 10) + "." + k.ID.String()
}

// ParseLedgerCursor reads a cursor made by LedgerCursor, or returns
// CodeInvalid on "cursor".
func ParseLedgerCursor(c string) (LedgerKey, error) {
	bad := &hazard.Error{Code: hazard.CodeInvalid, Op: "ledger", Field: "cursor", Message: "is not a cursor of this listing"}
	rest, ok := strings.CutPrefix(c, ledgerCursorPrefix)
	ns, idText, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || !ok2 || err != nil {
		return LedgerKey{}, bad
	}
	id, err := uuid.Parse(idText)
	if err != nil || id.String() != idText || id == uuid.Nil {
		return LedgerKey{}, bad
	}
	return LedgerKey{FoundAt: time.Unix(0, n).UTC(), ID: id}, nil
}

// LedgerEntry is one hazard of a ledger as a LedgerReader reads it: the
// fields of the hazard that a ledger row shows (of the StatsRow, ID, Ref,
// Workflow, WorkflowVersion, State, Department, UnitID, Source, Severity,
// CreatedAt, ClosedAt and Deadline; the others are not read) and its
// unit's industry and district in the register now (empty for a unit the
// register does not know).
type LedgerEntry struct {
	hazard.StatsRow
	Industry string
	District string
}

// LedgerGroup counts the hazards of a ledger that agree on everything its
// counts tell apart: the process and state (which give the stage of
// reconciliation), whether the hazard is major (hazard.SeverityMajor),
// open (ClosedAt zero) and overdue at the reader's time
// (hazard.StatsRow.Overdue).
type LedgerGroup struct {
	Workflow        string
	WorkflowVersion int
	State           string
	Major           bool
	Open            bool
	Overdue         bool
	N               int
}

// LedgerRead is what a LedgerReader reads of a ledger: one page of its
// entries and the counts of all of them.
type LedgerRead struct {
	// Entries are the hazards after the key, oldest first, at most the
	// limit asked for.
	Entries []LedgerEntry
	// Groups count every hazard the query selects, one group per set of
	// values that has any, in any order.
	Groups []LedgerGroup
}

// LedgerReader is an optional capability of a Store that reads a page of a
// reconciliation ledger and its counts through indexes of its own, at a
// cost in proportion to the page (and, for the counts, to one range of an
// index) rather than to the units of a district or an industry, which the
// general path lists first. Service.LedgerPage uses it when the Store has
// it.
//
// ReadLedger reads the hazards that Service.Ledger would list for q (q's
// department scope already applied): those found at units, of q's unit
// and department, found in q's period, at units whose industry and
// district in the register now are q's. Entries are those after the key
// in the ledger's order (LedgerKey.After), oldest first, at most limit
// (1 or more); Groups count every selected hazard, overdue at now. Both
// come from one snapshot. inspectiontest.TestLedgerReader checks an
// adapter against the general path, with units registered after their
// hazards and units moved to another district.
type LedgerReader interface {
	ReadLedger(ctx context.Context, q LedgerQuery, after LedgerKey, limit int, now time.Time) (LedgerRead, error)
}

// LedgerPage returns one page of the reconciliation ledger of q (as
// Ledger's rows, oldest first, at most LedgerPageLimit(p) of them, after
// the cursor p.Cursor) with the counts of the whole ledger, to staff, under
// Ledger's rules (CodeForbidden otherwise; a confined user's is their
// department's). It reads through the store's LedgerReader capability when
// it has one; otherwise it makes the whole ledger (Ledger, with its
// limits) and cuts the page from it. More than MaxLedgerRows hazards is
// CodeInvalid on "query" either way; a cursor that is not a ledger page's
// is CodeInvalid on "cursor".
func (s *Service) LedgerPage(ctx context.Context, user hazard.User, q LedgerQuery, p hazard.Page) (LedgerPage, error) {
	const op = "ledger"
	if err := staffOnly(op, user); err != nil {
		return LedgerPage{}, err
	}
	limit, err := LedgerPageLimit(p)
	if err != nil {
		return LedgerPage{}, err
	}
	var after LedgerKey
	if p.Cursor != "" {
		if after, err = ParseLedgerCursor(p.Cursor); err != nil {
			return LedgerPage{}, err
		}
	}
	r, ok := s.store.(LedgerReader)
	if !ok {
		l, err := s.Ledger(ctx, user, q)
		if err != nil {
			return LedgerPage{}, err
		}
		return pageOf(&l, after, limit), nil
	}
	dept, err := risk.DepartmentScope(op, user, q.Department)
	if err != nil {
		return LedgerPage{}, err
	}
	q.Department = dept
	now := s.now()
	read, err := r.ReadLedger(ctx, q, after, limit+1, now)
	if err != nil {
		return LedgerPage{}, hazard.Wrap(op, err)
	}
	out := LedgerPage{Query: q, At: now, Rows: make([]LedgerRow, 0, min(len(read.Entries), limit)), Counts: s.countsOfGroups(read.Groups)}
	if out.Counts.Found > MaxLedgerRows {
		return LedgerPage{}, tooLarge(op, strconv.Itoa(MaxLedgerRows)+" hazards")
	}
	ps := s.hazards.Processes()
	for i := range read.Entries {
		e := &read.Entries[i]
		if len(out.Rows) == limit {
			last := out.Rows[limit-1]
			out.Next = LedgerCursor(LedgerKey{FoundAt: last.FoundAt, ID: last.ID})
			break
		}
		it := hazard.LedgerItemOf(ps, &e.StatsRow, now)
		out.Rows = append(out.Rows, rowOf(&it, e.Industry, e.District))
	}
	return out, nil
}

// rowOf returns the ledger row of the item it at a unit of the industry
// and district.
func rowOf(it *hazard.LedgerItem, industry, district string) LedgerRow {
	return LedgerRow{ID: it.ID, Ref: it.Ref, UnitID: it.UnitID, Industry: industry, Department: it.Department,
		District: district, Source: it.Source, Severity: it.Severity, State: it.State, FoundAt: it.CreatedAt,
		Deadline: it.Deadline, Overdue: it.Overdue, Stage: it.Stage}
}

// pageOf cuts the page of at most limit rows after the key from the whole
// ledger l.
func pageOf(l *Ledger, after LedgerKey, limit int) LedgerPage {
	out := LedgerPage{Query: l.Query, Counts: l.Counts, At: l.At, Rows: []LedgerRow{}}
	for _, r := range l.Rows {
		if !after.After(r.FoundAt, r.ID) {
			continue
		}
		if len(out.Rows) == limit {
			last := out.Rows[limit-1]
			out.Next = LedgerCursor(LedgerKey{FoundAt: last.FoundAt, ID: last.ID})
			break
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

// countsOfGroups returns the reconciliation counts of groups, counted as
// countsOf counts hazard.Stats: a hazard counts in the stage its state has
// reached in its process and in every earlier one.
func (s *Service) countsOfGroups(groups []LedgerGroup) LedgerCounts {
	ps := s.hazards.Processes()
	var st hazard.Stats
	st.ByStage = map[hazard.Stage]int{}
	for _, g := range groups {
		st.Total += g.N
		if g.Major {
			st.Major += g.N
		}
		if g.Open {
			st.Open += g.N
		}
		if g.Overdue {
			st.Overdue += g.N
		}
		var stage hazard.Stage
		if ps != nil {
			if pr, err := ps.Get(g.Workflow, g.WorkflowVersion); err == nil {
				stage = pr.Stage(g.State)
			}
		}
		for _, x := range hazard.Stages() {
			if stage.Reached(x) {
				st.ByStage[x] += g.N
			}
		}
	}
	return countsOf(&st)
}
