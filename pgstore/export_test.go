package pgstore

import (
	"context"
	"time"
)

// ListQuery exposes the statement of List to the tests that EXPLAIN it.
var ListQuery = listQuery

// MakeCursor exposes the cursor encoding of List to the same tests.
var MakeCursor = makeCursor

// The statements of Create, Update and NextSeq, for the plain pgx baseline
// of the benchmarks.
const (
	CreateSQL  = createSQL
	UpdateSQL  = updateSQL
	NextSeqSQL = nextSeqSQL
)

// NearbyQuery exposes the prefilter statement of Nearby.
var NearbyQuery = nearbyQuery

// MigrateTo applies the migrations up to version upTo only, so that a test
// can write rows as an older schema held them, then migrate.
func (db *DB) MigrateTo(ctx context.Context, upTo int) ([]int, error) { return db.migrate(ctx, upTo) }

// UnitListQuery, DueSQL and DueArgs expose the statements of
// RiskStore.ListUnits and RiskStore.Due to the tests that EXPLAIN them.
var (
	UnitListQuery = unitListQuery
	DueArgs       = dueArgs
)

// The statements of RiskStore.Due, Points and Assessments.
const (
	DueSQL         = dueSQL
	PointsSQL      = pointsSQL
	AssessmentsSQL = assessmentsSQL
)

// The statements of a district's ledger, for the tests that EXPLAIN them:
// RiskStore.UnitRefs, then HazardStore.StatsRows over the district's units.
var (
	UnitRefsQuery = unitRefsQuery
	StatsQuery    = statsQuery
)

// AgeBlobs makes every stored blob look put d earlier.
func (db *DB) AgeBlobs(t interface{ Fatal(...any) }, d time.Duration) {
	if _, err := db.pool.Exec(context.Background(), `UPDATE blobs SET put_at = put_at - $1 * interval '1 microsecond'`, d.Microseconds()); err != nil {
		t.Fatal(err)
	}
}

// The statements of HazardStore.ForgetUser that find a person's rows.
const (
	ReportedSQL    = reportedSQL
	ActedOnSQL     = actedOnSQL
	TheirEventsSQL = theirEventsSQL
)

// The statements of InspectionStore.ReadLedger and PublicUnits, for the
// tests that EXPLAIN them.
var (
	LedgerRowsQuery   = ledgerRowsQuery
	LedgerGroupsQuery = ledgerGroupsQuery
	PublicUnitsQuery  = publicUnitsQuery
)
