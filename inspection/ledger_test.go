package inspection_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/inspection/inspectiontest"
)

func (f *fixture) inspectAndFail(t *testing.T, unitID uuid.UUID, failed ...int) {
	t.Helper()
	v, err := f.Inspection.Start(ctx, inspectiontest.Inspector1, inspection.StartInput{Kind: inspection.KindEnforcement, UnitID: unitID,
		Inspectors: []string{inspectiontest.Inspector1.ID, inspectiontest.Inspector2.ID}, Checklist: f.cl.ID})
	require.NoError(t, err)
	_, err = f.Inspection.Finish(ctx, inspectiontest.Inspector1, v.ID, inspection.FinishInput{ExpectedVersion: 1, Results: f.results(failed...)})
	require.NoError(t, err)
	f.Drain(t)
}

func TestLedgerByUnitDistrictAndIndustry(t *testing.T) {
	f := newFixture(t)
	other := f.register(t, 2, "110102")
	f.inspectAndFail(t, f.unit.ID, 0, 1)
	f.inspectAndFail(t, other.ID, 2)
	for _, tc := range []struct {
		name string
		q    inspection.LedgerQuery
		want int
	}{
		{"all", inspection.LedgerQuery{}, 3},
		{"unit", inspection.LedgerQuery{UnitID: other.ID}, 1},
		{"district", inspection.LedgerQuery{District: "110101"}, 2},
		{"department", inspection.LedgerQuery{Department: "emergency"}, 3},
		{"other department", inspection.LedgerQuery{Department: "fire"}, 0},
		{"industry", inspection.LedgerQuery{Industry: "hazardous_chemicals"}, 3},
		{"other industry", inspection.LedgerQuery{Industry: "fire"}, 0},
		{"period before", inspection.LedgerQuery{Until: inspectiontest.Epoch}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := f.Inspection.Ledger(ctx, inspectiontest.Officer, tc.q)
			require.NoError(t, err)
			assert.Len(t, l.Rows, tc.want)
			assert.Equal(t, tc.want, l.Counts.Found)
		})
	}
	_, err := f.Inspection.Ledger(ctx, inspectiontest.Manager(f.unit.ID), inspection.LedgerQuery{})
	require.ErrorIs(t, err, hazard.ErrForbidden)

	// Past their deadlines the hazards are overdue.
	f.Clock.Advance(5 * hazard.Day)
	l, err := f.Inspection.Ledger(ctx, inspectiontest.Officer, inspection.LedgerQuery{})
	require.NoError(t, err)
	assert.Equal(t, 3, l.Counts.Overdue, "not ordered within their deadlines")
	assert.True(t, l.Rows[0].Overdue)
	assert.False(t, l.Rows[0].FoundAt.After(l.Rows[2].FoundAt), "oldest first")
}

func TestLedgerCSVHasBOMAndEveryRow(t *testing.T) {
	f := newFixture(t)
	f.inspectAndFail(t, f.unit.ID, 0, 1)
	l, err := f.Inspection.Ledger(ctx, inspectiontest.Officer, inspection.LedgerQuery{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, l.WriteCSV(&b))
	require.True(t, bytes.HasPrefix(b.Bytes(), []byte("\uFEFF")), "UTF-8 with a byte order mark")
	rows, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3, "a header and one row a hazard")
	assert.Equal(t, "ref", rows[0][0])
	assert.Equal(t, l.Rows[0].Ref, rows[1][0])
	assert.Equal(t, "major", rows[1][7])
}

func TestFiguresCountTrainings(t *testing.T) {
	f := newFixture(t)
	f.inspectAndFail(t, f.unit.ID, 1)
	for _, k := range []inspection.TrainingKind{inspection.TrainingPrincipals, inspection.TrainingPrincipals, inspection.TrainingCriteria} {
		_, err := f.Inspection.RecordTraining(ctx, inspectiontest.Officer, inspection.Training{Kind: k, Date: inspectiontest.Epoch,
			Topic: "duties of principals", Department: "emergency", UnitID: f.unit.ID, Attendees: 30})
		require.NoError(t, err)
	}
	_, err := f.Inspection.RecordTraining(ctx, inspectiontest.Officer, inspection.Training{Kind: "party", Attendees: inspection.MaxAttendees + 1})
	assert.ElementsMatch(t, []string{"kind", "date", "topic", "department", "attendees"}, fields(t, err))
	_, err = f.Inspection.RecordTraining(ctx, inspectiontest.Manager(f.unit.ID), inspection.Training{})
	require.ErrorIs(t, err, hazard.ErrForbidden)

	fg, err := f.Inspection.Figures(ctx, inspectiontest.Officer, "", inspectiontest.Epoch, inspectiontest.Epoch.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, fg.Visits)
	assert.Equal(t, 1, fg.HazardsFound)
	assert.Equal(t, 1000, fg.PerVisitPermille)
	assert.Equal(t, map[inspection.TrainingKind]int{inspection.TrainingPrincipals: 2, inspection.TrainingCriteria: 1}, fg.TrainingSessions)
	assert.Equal(t, 60, fg.TrainingAttendees[inspection.TrainingPrincipals])
	_, err = f.Inspection.Figures(ctx, inspectiontest.Officer, "", inspectiontest.Epoch, inspectiontest.Epoch)
	assert.Equal(t, []string{"until"}, fields(t, err))
}

func TestSpotCheckRefusals(t *testing.T) {
	f := newFixture(t)
	q := inspection.SpotQuery{Since: inspectiontest.Epoch, Until: inspectiontest.Epoch.Add(time.Hour), Size: 1}
	_, err := f.Inspection.DrawSpotCheck(ctx, inspectiontest.Inspector1, q)
	require.ErrorIs(t, err, hazard.ErrForbidden, "an inspector is not a supervision group")
	bad := q
	bad.Size, bad.Until = inspection.MaxSpotCheckSize+1, time.Time{}
	_, err = f.Inspection.DrawSpotCheck(ctx, inspectiontest.Supervisor, bad)
	assert.ElementsMatch(t, []string{"size", "until"}, fields(t, err))
	sc, err := f.Inspection.DrawSpotCheck(ctx, inspectiontest.Supervisor, q)
	require.NoError(t, err)
	assert.Empty(t, sc.Items, "nothing closed out to draw")
	_, err = f.Inspection.Verify(ctx, inspectiontest.Supervisor, sc.ID, inspection.VerifyInput{ExpectedVersion: 1, HazardID: uuid.Must(uuid.NewV7())})
	assert.ElementsMatch(t, []string{"hazard_id", "note"}, fields(t, err))
}

// TestLedgerPageCutsTheLedger: without a LedgerReader the pages of a
// ledger are cut from the whole ledger, oldest first, with its counts on
// each; limits and cursors are checked.
func TestLedgerPageCutsTheLedger(t *testing.T) {
	f := newFixture(t)
	f.inspectAndFail(t, f.unit.ID, 0, 1, 2)
	f.inspectAndFail(t, f.unit.ID, 3)
	whole, err := f.Inspection.Ledger(ctx, inspectiontest.Officer, inspection.LedgerQuery{})
	require.NoError(t, err)
	require.Len(t, whole.Rows, 4)
	var rows []inspection.LedgerRow
	p := hazard.Page{Limit: 3}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		pg, err := f.Inspection.LedgerPage(ctx, inspectiontest.Officer, inspection.LedgerQuery{}, p)
		require.NoError(t, err)
		assert.Equal(t, whole.Counts, pg.Counts, "every page counts the whole ledger")
		assert.LessOrEqual(t, len(pg.Rows), 3)
		rows = append(rows, pg.Rows...)
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	assert.Equal(t, whole.Rows, rows, "the pages are the ledger's rows, in its order")

	for _, c := range []struct {
		limit, want int
	}{{0, inspection.DefaultLedgerPageLimit}, {inspection.MaxLedgerPageLimit + 1, inspection.MaxLedgerPageLimit}, {2, 2}} {
		got, err := inspection.LedgerPageLimit(hazard.Page{Limit: c.limit})
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "LedgerPageLimit(%d)", c.limit)
	}
	for _, p := range []hazard.Page{{Limit: -1}, {Cursor: "nope"}, {Cursor: "l1.x.y"}, {Cursor: inspection.Cursor(f.unit.ID)}} {
		_, err := f.Inspection.LedgerPage(ctx, inspectiontest.Officer, inspection.LedgerQuery{}, p)
		assert.Equal(t, hazard.CodeInvalid, hazard.ErrorCode(err), "LedgerPage(%+v)", p)
	}
	_, err = f.Inspection.LedgerPage(ctx, inspectiontest.Manager(f.unit.ID), inspection.LedgerQuery{}, hazard.Page{})
	require.ErrorIs(t, err, hazard.ErrForbidden)
	k := inspection.LedgerKey{FoundAt: whole.Rows[1].FoundAt, ID: whole.Rows[1].ID}
	got, err := inspection.ParseLedgerCursor(inspection.LedgerCursor(k))
	require.NoError(t, err)
	assert.True(t, got.FoundAt.Equal(k.FoundAt) && got.ID == k.ID, "a cursor reads back as its key")
}
