package pgstore_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/pgstore"
)

// envLedgerExplainUnits overrides the number of units
// TestLedgerQueryPlans loads (default 20,000, with as many hazards);
// BENCHMARKS.md records larger runs.
const envLedgerExplainUnits = "HAZARDLOOP_LEDGER_EXPLAIN_UNITS"

// loadLedgerRows loads n units (loadRiskRows: 100 districts, 19
// industries, 20 departments) and m hazards found at them, hazard i at
// unit i mod n in department i mod 20, copies of one real hazard's row
// with their own ID, reference and unit; then analyses the hazards.
func loadLedgerRows(t testing.TB, db *pgstore.DB, n, m int) {
	t.Helper()
	ctx := t.Context()
	loadRiskRows(t, db, n)
	start := time.Now()
	h := hazardtest.NewHazard()
	h.Category, h.Source = "hazardous_chemicals", hazard.SourceInspection
	_, _, err := db.Hazards().Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `INSERT INTO hazards (id, ref, category, state, department, reporter, unit_id, source, open,
			created_ns, lat, lng, version, idem_key, doc)
		SELECT ('00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'))::uuid, 'L' || i, t.category, t.state, 'dept' || (i % 20), t.reporter,
			'00000000-0000-7000-8000-' || lpad(to_hex(1 + i % $2::int), 12, '0'), t.source, t.open, t.created_ns + i, t.lat, t.lng, 1, NULL,
			t.doc || jsonb_build_object('id', '00000000-0000-7000-b000-' || lpad(to_hex(i), 12, '0'), 'ref', 'L' || i,
				'unit_id', '00000000-0000-7000-8000-' || lpad(to_hex(1 + i % $2::int), 12, '0'), 'department', 'dept' || (i % 20))
		FROM hazards t, generate_series(1, $1::int) AS i WHERE t.id = $3`, m, n, h.ID)
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `VACUUM ANALYZE hazards`)
	require.NoError(t, err)
	t.Logf("loaded and analysed %d hazards at units in %v", m, time.Since(start))
}

// TestLedgerQueryPlans checks that the reconciliation ledger of one
// district, one unit and one department reads indexes, never a sequential
// scan, and that the district's ledger returns that district's hazards.
// (One industry's ledger is a nineteenth of the hazards: there PostgreSQL
// rightly prefers to read the hazards table and hash the industry's
// units, so it is not held to indexes.)
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
	for _, c := range []struct {
		name string
		q    inspection.LedgerQuery
	}{
		{"district", inspection.LedgerQuery{District: "d42"}},
		{"district and department", inspection.LedgerQuery{District: "d42", Department: "dept2"}},
		{"unit", inspection.LedgerQuery{UnitID: riskUnitID(n / 3)}},
		{"department", inspection.LedgerQuery{Department: "dept3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sql, args := pgstore.LedgerQuery(c.q, inspection.MaxLedgerRows+1)
			requireIndexedPlan(t, db, c.name, sql, args, true)
		})
	}
	got, err := db.Inspection().LedgerHazards(t.Context(), inspection.LedgerQuery{District: "d42"}, inspection.MaxLedgerRows+1)
	require.NoError(t, err)
	require.Len(t, got, n/100, "one hazard a unit, a hundredth of the units in a district")
	for _, h := range got {
		require.Equal(t, "d42", h.District)
	}
}
