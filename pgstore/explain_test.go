package pgstore_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envExplainRows overrides the number of rows TestPlazaQueryPlans loads.
const envExplainRows = "HAZARDLOOP_EXPLAIN_ROWS"

// TestPlazaQueryPlans loads a million hazards (HAZARDLOOP_EXPLAIN_ROWS
// overrides the count) and checks that the plaza's listings - no filter, a
// state, a category, several states, a department, a reporter, a unit,
// first pages and cursor pages - are
// planned without a sequential scan, by index ranges in cursor order.
func TestPlazaQueryPlans(t *testing.T) {
	rows := 1_000_000
	if testing.Short() {
		rows = 100_000
	}
	if v := os.Getenv(envExplainRows); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, envExplainRows)
		rows = n
	}
	t.Parallel()
	ctx := t.Context()
	db := newDB(t)
	start := time.Now()
	conn, err := db.Pool().Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	// Load without the indexes of the migrations, then build them again
	// from their own definitions: much faster than maintaining them row by
	// row.
	var defs []string
	require.NoError(t, conn.QueryRow(ctx, `SELECT array_agg(pg_get_indexdef(indexrelid))
		FROM pg_index WHERE indrelid = 'hazards'::regclass AND NOT indisprimary`).Scan(&defs))
	_, err = conn.Exec(ctx, `DO $$ DECLARE r record; BEGIN
		FOR r IN SELECT c.relname, con.conname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
			WHERE i.indrelid = 'hazards'::regclass AND NOT i.indisprimary LOOP
			IF r.conname IS NOT NULL THEN
				EXECUTE format('ALTER TABLE hazards DROP CONSTRAINT %I', r.conname);
			ELSE
				EXECUTE format('DROP INDEX %I', r.relname);
			END IF;
		END LOOP; END $$`)
	require.NoError(t, err, "drop indexes")
	// Time-ordered IDs, 7 states, 20 categories, 10 departments,
	// 100,000 reporters, 20,000 units for a third of the hazards (the rest
	// have none), points around Beijing.
	_, err = conn.Exec(ctx, `
		INSERT INTO hazards (id, ref, category, state, department, reporter, unit_id, source, open,
			created_ns, lat, lng, version, doc)
		SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
			'R-' || i, 'cat' || (i % 20), (ARRAY['submitted','dispatched','accepted','resolved','closed_valid','closed_invalid','withdrawn'])[1 + i % 7],
			'dept' || (i % 10), 'user' || (i % 100000), CASE WHEN i % 3 = 0 THEN 'unit' || (i % 20000) ELSE '' END, 'citizen', i % 7 < 4,
			1700000000000000000 + i::bigint * 1000000000, 39.9 + (i % 1000) * 0.0001, 116.4 + (i / 1000 % 1000) * 0.0001,
			1, '{}'::jsonb
		FROM generate_series(1, $1::int) AS i`, rows)
	require.NoError(t, err, "load %d rows", rows)
	_, err = conn.Exec(ctx, `SET maintenance_work_mem = '256MB'`)
	require.NoError(t, err)
	for _, d := range defs {
		_, err = conn.Exec(ctx, d)
		require.NoError(t, err, "%s", d)
	}
	_, err = conn.Exec(ctx, `ANALYZE hazards`)
	require.NoError(t, err)
	t.Logf("loaded and analysed %d rows in %v", rows, time.Since(start))

	// A cursor half-way down the listing.
	mid, err := uuid.Parse(timeOrderedID(rows / 2))
	require.NoError(t, err)
	cursor := pgstore.MakeCursor(mid)
	for _, c := range []struct {
		name string
		f    hazard.Filter
		// sorts allows a Sort of the few rows read from each state's
		// index range, merged.
		sorts bool
	}{
		{"no filter", hazard.Filter{}, false},
		{"state", hazard.Filter{States: []string{"submitted"}}, false},
		{"category", hazard.Filter{Category: "cat7"}, false},
		{"category and state", hazard.Filter{Category: "cat7", States: []string{"resolved"}}, false},
		{"several states", hazard.Filter{States: []string{"closed_valid", "closed_invalid"}}, true},
		{"department", hazard.Filter{Department: "dept3"}, false},
		{"reporter", hazard.Filter{Reporter: "user42"}, false},
		{"unit", hazard.Filter{UnitID: "unit42"}, false},
		{"open", hazard.Filter{Open: ptr(true)}, false},
	} {
		for _, page := range []hazard.Page{{}, {Cursor: cursor}} {
			name := c.name + "/first page"
			if page.Cursor != "" {
				name = c.name + "/cursor page"
			}
			t.Run(name, func(t *testing.T) {
				sql, args, _, err := pgstore.ListQuery(c.f, page)
				require.NoError(t, err)
				requireIndexedPlan(t, db, name, sql, args, c.sorts)
			})
		}
	}
	t.Run("nearby", func(t *testing.T) {
		sql, args := pgstore.NearbyQuery(hazard.NearbyQuery{Category: "cat7", RadiusMeters: 50,
			Center: hazard.Point{Lat: 39.95, Lng: 116.45, System: hazard.WGS84}, Since: time.Unix(1700000000, 0)})
		// The few candidates in the box are sorted by age.
		requireIndexedPlan(t, db, "nearby", sql, args, true)
	})
}

// requireIndexedPlan fails the test when the plan of sql has a Seq Scan or
// reads no index.
func requireIndexedPlan(t testing.TB, db *pgstore.DB, name, sql string, args []any, sorts bool) {
	t.Helper()
	var plan []byte
	require.NoError(t, db.Pool().QueryRow(t.Context(), "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan))
	var tree []struct{ Plan planNode }
	require.NoError(t, json.Unmarshal(plan, &tree))
	require.Len(t, tree, 1)
	nodes := tree[0].Plan.walk(nil)
	indexed := false
	for _, n := range nodes {
		indexed = indexed || strings.Contains(n.NodeType, "Index")
		assert.NotEqual(t, "Seq Scan", n.NodeType, "plan of %s:\n%s", name, plan)
		if !sorts {
			assert.NotEqual(t, "Sort", n.NodeType, "plan of %s sorts instead of reading an index in order:\n%s", name, plan)
		}
	}
	assert.True(t, indexed, "plan of %s reads no index:\n%s", name, plan)
}

type planNode struct {
	NodeType  string     `json:"Node Type"`
	IndexName string     `json:"Index Name"`
	Plans     []planNode `json:"Plans"`
}

func (n planNode) walk(out []planNode) []planNode {
	out = append(out, n)
	for _, c := range n.Plans {
		out = c.walk(out)
	}
	return out
}

func timeOrderedID(i int) string {
	h := strconv.FormatInt(int64(i), 16)
	for len(h) < 12 {
		h = "0" + h
	}
	return "00000000-0000-7000-8000-" + h
}

func ptr[T any](v T) *T { return &v }
