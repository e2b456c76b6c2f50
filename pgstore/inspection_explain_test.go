package pgstore_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/risk"
)

// envLedgerExplainUnits overrides the number of units
// TestLedgerQueryPlans loads (default 20,000, with as many hazards);
// BENCHMARKS.md records larger runs.
const envLedgerExplainUnits = "HAZARDLOOP_LEDGER_EXPLAIN_UNITS"

// loadLedgerRows loads n units (those of loadRiskRows, without their risk
// points: 100 districts, 19 industries) and m hazards found at them, hazard i at
// unit i mod n in department i mod 20, copies of one real hazard's row
// with their own ID, reference and unit, each with its submitted event;
// then analyses the hazards and events.
func loadLedgerRows(t testing.TB, db *pgstore.DB, n, m int) {
	t.Helper()
	ctx := t.Context()
	start := time.Now()
	// The register's units alone (those of loadRiskRows): the ledger reads
	// no risk point.
	_, err := db.Pool().Exec(ctx, `INSERT INTO risk_units (id, credit_code, district, grid, industry, grade, version, doc)
		SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'C' || i, 'd' || (i % 100), 'g' || (i % 1000),
			'ind' || (i % 19), 'blue', 1, '{}'::jsonb
		FROM generate_series(1, $1::int) AS i`, n)
	require.NoError(t, err)
	h := hazardtest.NewHazard()
	h.Category, h.Source = "hazardous_chemicals", hazard.SourceInspection
	_, _, err = db.Hazards().Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `INSERT INTO hazards (id, ref, category, state, department, reporter, unit_id, source, open,
			created_ns, lat, lng, version, idem_key, doc)
		SELECT ('00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'))::uuid, 'L' || i, t.category, t.state, 'dept' || (i % 20), t.reporter,
			'00000000-0000-7000-8000-' || lpad(to_hex(1 + i % $2::int), 12, '0'), t.source, t.open, t.created_ns + i, t.lat, t.lng, 1, NULL,
			t.doc || jsonb_build_object('id', '00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'), 'ref', 'L' || i,
				'unit_id', '00000000-0000-7000-8000-' || lpad(to_hex(1 + i % $2::int), 12, '0'), 'department', 'dept' || (i % 20))
		FROM hazards t, generate_series(1, $1::int) AS i WHERE t.id = $3`, m, n, h.ID)
	require.NoError(t, err)
	// Each its submitted event, after the log's last, as the log counts.
	_, err = db.Pool().Exec(ctx, `WITH last AS (SELECT n FROM event_seq)
		INSERT INTO events (seq, hazard_id, doc)
		SELECT last.n + i, ('00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'))::uuid,
			t.doc || jsonb_build_object('hazard_id', '00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'))
		FROM last, events t, generate_series(1, $1::int) AS i WHERE t.hazard_id = $2`, m, h.ID)
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `UPDATE event_seq SET n = n + $1`, m)
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `VACUUM ANALYZE risk_units, hazards, events`)
	require.NoError(t, err)
	t.Logf("loaded and analysed %d units and %d hazards at them in %v", n, m, time.Since(start))
}

// TestLedgerQueryPlans checks that the reconciliation ledger of one
// district, of one district and department, of one unit and of one
// department reads indexes, never a sequential scan: a district's units by
// an index-only scan of risk_units_district_refs, then their hazards by
// hazards_unit (hazard.StatsFilter.UnitIDs); and that the district's
// ledger through inspection.Service returns that district's hazards.
func TestLedgerQueryPlans(t *testing.T) {
	n := 20_000
	if v := os.Getenv(envLedgerExplainUnits); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, envLedgerExplainUnits)
	}
	t.Parallel()
	db := newDB(t)
	loadLedgerRows(t, db, n, n)
	requireLedgerPlans(t, db, n)
	svc := ledgerService(t, db)
	l, err := svc.Ledger(t.Context(), hazard.User{ID: "admin-1", Role: "admin"}, inspection.LedgerQuery{District: "d42"})
	require.NoError(t, err)
	require.Len(t, l.Rows, n/100, "one hazard a unit")
	assert.Equal(t, n/100, l.Counts.Found)
	for _, r := range l.Rows {
		require.Equal(t, "d42", r.District)
	}
}

// requireLedgerPlans checks the plans of the ledger's statements over the
// n units and hazards loadLedgerRows loaded: no sequential scan.
func requireLedgerPlans(t testing.TB, db *pgstore.DB, n int) {
	t.Helper()
	ctx := context.Background()
	refs, err := db.Risk().UnitRefs(ctx, risk.UnitFilter{District: "d42"}, risk.MaxUnitRefs)
	require.NoError(t, err)
	require.Len(t, refs, n/100, "a hundredth of the units in a district")
	units := make([]string, len(refs))
	for i, r := range refs {
		units[i] = r.ID.String()
	}
	sql, args := pgstore.UnitRefsQuery(risk.UnitFilter{District: "d42"}, risk.MaxUnitRefs)
	requireIndexedPlan(t, db, "a district's units", sql, args, false)
	for _, c := range []struct {
		name string
		f    hazard.StatsFilter
	}{
		{"district", hazard.StatsFilter{UnitIDs: units, AtUnits: true}},
		{"district and department", hazard.StatsFilter{UnitIDs: units, AtUnits: true, Department: "dept2"}},
		{"unit", hazard.StatsFilter{UnitIDs: []string{riskUnitID(n / 3).String()}, AtUnits: true}},
		{"department", hazard.StatsFilter{Department: "dept3", AtUnits: true}},
	} {
		sql, args := pgstore.StatsQuery(c.f)
		requireIndexedPlan(t, db, c.name, sql, args, true)
	}
	// A page of a district's ledger (InspectionStore.ReadLedger) is a range
	// of hazards_ledger_district in its order, from the cursor; its counts
	// one index-only range scan of the same index. With a department or a
	// period as well, the planner may intersect indexes and sort what is
	// left, never scanning the table.
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		q      inspection.LedgerQuery
		strict bool
	}{
		{"district page", inspection.LedgerQuery{District: "d42"}, true},
		{"district and department page", inspection.LedgerQuery{District: "d42", Department: "dept2"}, false},
		{"district page in a period", inspection.LedgerQuery{District: "d42", Since: now.AddDate(-1, 0, 0)}, false},
	} {
		first, firstArgs := pgstore.LedgerRowsQuery(c.q, inspection.LedgerKey{}, 51)
		next, nextArgs := pgstore.LedgerRowsQuery(c.q, inspection.LedgerKey{FoundAt: now.AddDate(-1, 0, 0), ID: riskUnitID(n / 2)}, 51)
		counts, countsArgs := pgstore.LedgerGroupsQuery(c.q, now)
		if c.strict {
			requirePlanReads(t, db, c.name, first, firstArgs, "hazards_ledger_district", false)
			requirePlanReads(t, db, c.name+" after a cursor", next, nextArgs, "hazards_ledger_district", false)
			requirePlanReads(t, db, c.name+"'s counts", counts, countsArgs, "hazards_ledger_district", true)
			continue
		}
		requireIndexedPlan(t, db, c.name, first, firstArgs, true)
		requireIndexedPlan(t, db, c.name+" after a cursor", next, nextArgs, true)
		requireIndexedPlan(t, db, c.name+"'s counts", counts, countsArgs, true)
	}
	sql, args = pgstore.LedgerGroupsQuery(inspection.LedgerQuery{Industry: "ind3"}, now)
	requirePlanReads(t, db, "an industry's counts", sql, args, "hazards_ledger_industry", true)
}

// requirePlanReads checks that the plan of sql reads index and scans no
// table: for a page (counts false) in the index's order, never sorting or
// fetching rows by bitmap; for counts, from the index (the groups may be
// sorted). The counts' plan is an index-only scan where the visibility map
// is set; while any transaction of the cluster is older than the last
// VACUUM (other tests', other sessions'), the planner may fetch the rows
// the index names by bitmap instead, still never the whole table.
func requirePlanReads(t testing.TB, db *pgstore.DB, name, sql string, args []any, index string, counts bool) {
	t.Helper()
	var plan []byte
	require.NoError(t, db.Pool().QueryRow(t.Context(), "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan))
	var tree []struct{ Plan planNode }
	require.NoError(t, json.Unmarshal(plan, &tree))
	require.Len(t, tree, 1)
	refused := []string{"Seq Scan"}
	if !counts {
		refused = append(refused, "Sort", "Bitmap Heap Scan")
	}
	reads := false
	for _, n := range tree[0].Plan.walk(nil) {
		assert.NotContains(t, refused, n.NodeType, "plan of %s:\n%s", name, plan)
		if n.IndexName == index {
			reads = true
		}
	}
	assert.True(t, reads, "plan of %s does not read %s:\n%s", name, index, plan)
}

// ledgerService returns an inspection.Service over db at a fixed clock.
func ledgerService(t testing.TB, db *pgstore.DB) *inspection.Service {
	t.Helper()
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	hz, err := hazard.NewService(hazard.ServiceConfig{Store: db.Hazards(), Clock: clock})
	require.NoError(t, err)
	rs, err := risk.New(risk.Config{Store: db.Risk(), Hazards: db.Hazards(), Clock: clock})
	require.NoError(t, err)
	svc, err := inspection.New(inspection.Config{Store: db.Inspection(), Units: db.Risk(), Hazards: hz, HazardStore: db.Hazards(), Risk: rs, Clock: clock})
	require.NoError(t, err)
	return svc
}
