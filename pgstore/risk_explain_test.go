package pgstore_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/risk"
)

// envRiskExplainUnits overrides the number of units TestRiskQueryPlans
// loads (default 100,000); BENCHMARKS.md records the run at 1,000,000.
const envRiskExplainUnits = "HAZARDLOOP_RISK_EXPLAIN_UNITS"

// loadRiskRows fills the risk tables of db with n units of 20 departments
// (half of them in a second one), 100 districts, 1,000 grids, 19
// industries, grades of a province's shape (10% red, 10% orange, 20%
// yellow, 60% blue), due dates spread over two years from 2026-01-01,
// and two risk points per unit, each with one assessment; then vacuums and
// analyses them, as autovacuum would after a load (the visibility map lets
// the due-date reads be index-only scans).
func loadRiskRows(t testing.TB, db *pgstore.DB, n int) {
	t.Helper()
	ctx := t.Context()
	start := time.Now()
	for _, sql := range []string{
		`INSERT INTO risk_units (id, credit_code, district, grid, industry, grade, version, doc)
		SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'C' || i, 'd' || (i % 100), 'g' || (i % 1000),
			'ind' || (i % 19), (ARRAY['red','orange','yellow','yellow','blue','blue','blue','blue','blue','blue'])[1 + i % 10], 1, '{}'::jsonb
		FROM generate_series(1, $1::int) AS i`,
		`INSERT INTO risk_unit_departments (department, unit_id, due_on, grade)
		SELECT 'dept' || (i % 20), ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
			date '2026-01-01' + (i::bigint * 7919 % 730)::int,
			(ARRAY['red','orange','yellow','yellow','blue','blue','blue','blue','blue','blue'])[1 + i % 10]
		FROM generate_series(1, $1::int) AS i`,
		`INSERT INTO risk_unit_departments (department, unit_id, due_on, grade)
		SELECT 'dept' || ((i + 7) % 20), ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
			date '2026-01-01' + (i::bigint * 7919 % 730)::int,
			(ARRAY['red','orange','yellow','yellow','blue','blue','blue','blue','blue','blue'])[1 + i % 10]
		FROM generate_series(2, $1::int, 2) AS i`,
		`INSERT INTO risk_points (id, unit_id, version, doc)
		SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid,
			('00000000-0000-7000-8000-' || lpad(to_hex((i + 1) / 2), 12, '0'))::uuid, 1, '{}'::jsonb
		FROM generate_series(1, 2 * $1::int) AS i`,
		`INSERT INTO risk_assessments (id, point_id, doc)
		SELECT ('00000000-0000-7000-a000-' || lpad(to_hex(i), 12, '0'))::uuid,
			('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, '{}'::jsonb
		FROM generate_series(1, 2 * $1::int) AS i`,
	} {
		_, err := db.Pool().Exec(ctx, sql, n)
		require.NoError(t, err, "%s", sql)
	}
	_, err := db.Pool().Exec(ctx, `VACUUM ANALYZE risk_units, risk_unit_departments, risk_points, risk_assessments`)
	require.NoError(t, err)
	t.Logf("loaded and analysed %d units and %d risk points in %v", n, 2*n, time.Since(start))
}

func riskUnitID(i int) uuid.UUID {
	return uuid.MustParse("00000000-0000-7000-8000-" + leftPad(strconv.FormatInt(int64(i), 16), 12))
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// TestRiskQueryPlans checks that the planner's due-date reads, the unit
// listings by department, district, grid, industry and grade, and a
// unit's points and a point's history are planned through indexes in
// their order, without a sequential scan or a sort.
func TestRiskQueryPlans(t *testing.T) {
	// Below about 100,000 units a grid holds so few that PostgreSQL rightly
	// prefers to sort them; the test needs the shape of a province.
	n := 100_000
	if v := os.Getenv(envRiskExplainUnits); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, envRiskExplainUnits)
	}
	t.Parallel()
	db := newDB(t)
	loadRiskRows(t, db, n)

	month := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	mid := risk.DueCursor(risk.DueEntry{UnitID: riskUnitID(n / 2), DueAt: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)})
	// Three grades are three ranges of the index: the planner may merge
	// them in order or sort the department's due rows they hold.
	for _, c := range []struct {
		name  string
		q     risk.DueQuery
		sorts bool
	}{
		{"due", risk.DueQuery{Department: "dept3", Before: month, Limit: risk.MaxDueLimit}, false},
		{"due cursor page", risk.DueQuery{Department: "dept3", Before: month, Cursor: mid, Limit: risk.MaxDueLimit}, false},
		{"due scheduled grades", risk.DueQuery{Department: "dept3", Before: month, Grades: []risk.Grade{risk.Red, risk.Orange, risk.Yellow}, Limit: risk.MaxDueLimit}, true},
		{"due sampled grade", risk.DueQuery{Department: "dept3", Before: month, Grades: []risk.Grade{risk.Blue}, Limit: risk.MaxDueLimit}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			requireIndexedPlan(t, db, c.name, pgstore.DueSQL, pgstore.DueArgs(&c.q), c.sorts)
		})
	}
	cursor := risk.IDCursor(riskUnitID(n/2), false)
	for _, c := range []struct {
		name string
		f    risk.UnitFilter
	}{
		{"department", risk.UnitFilter{Department: "dept3"}},
		{"department and grade", risk.UnitFilter{Department: "dept3", Grade: risk.Red}},
		{"district", risk.UnitFilter{District: "d42"}},
		{"grid", risk.UnitFilter{Grid: "g420"}},
		{"industry", risk.UnitFilter{Industry: "ind7"}},
		{"grade", risk.UnitFilter{Grade: risk.Orange}},
		{"no filter", risk.UnitFilter{}},
	} {
		for _, page := range []hazard.Page{{}, {Cursor: cursor}} {
			name := c.name + "/first page"
			if page.Cursor != "" {
				name = c.name + "/cursor page"
			}
			t.Run(name, func(t *testing.T) {
				sql, args, _, err := pgstore.UnitListQuery(c.f, page)
				require.NoError(t, err)
				requireIndexedPlan(t, db, name, sql, args, false)
				// The risk map's pages of public views read the same
				// indexes; a page of 1,000 may be sorted once read.
				page.Limit = risk.MaxPublicPageLimit
				sql, args, _, err = pgstore.PublicUnitsQuery(c.f, page)
				require.NoError(t, err)
				requireIndexedPlan(t, db, name+" (public views)", sql, args, true)
			})
		}
	}
	t.Run("points", func(t *testing.T) {
		requireIndexedPlan(t, db, "points", pgstore.PointsSQL, []any{riskUnitID(n / 3)}, false)
	})
	t.Run("assessments", func(t *testing.T) {
		requireIndexedPlan(t, db, "assessments", pgstore.AssessmentsSQL,
			[]any{uuid.MustParse("00000000-0000-7000-9000-000000000042"), int64(1 << 62), 21}, false)
	})
}
