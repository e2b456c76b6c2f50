package pgstore_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/inspection"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/risk/risktest"
)

// TestLedgerPlaceMigrationFillsOldRows writes, at the schema before 0021,
// a unit, a hazard found at it, and a spot check whose document has the
// query's keys as the code before its JSON tags wrote them; then
// migrates: the hazard is in its unit's district's ledger page, and the
// spot check is listed by its department, unit, status and period.
func TestLedgerPlaceMigrationFillsOldRows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgstore.New(newSchema(t))
	_, err := db.MigrateTo(ctx, 20)
	require.NoError(t, err)

	u := risktest.NewUnit(1)
	u.Location.District = "d7"
	_, err = db.Risk().CreateUnit(ctx, u, nil)
	require.NoError(t, err)
	h := hazardtest.NewHazard(hazardtest.WithUnitID(u.ID.String()), hazardtest.WithSource(hazard.SourceInspection))
	_, _, err = db.Hazards().Create(ctx, h, []hazard.Event{hazardtest.NewEvent(h, hazard.EventSubmitted)}, "")
	require.NoError(t, err)
	sc := uuid.Must(uuid.NewV7())
	at := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)
	_, err = db.Pool().Exec(ctx, `INSERT INTO inspection_spot_checks (id, version, doc) VALUES ($1, 1, $2)`, sc,
		`{"id":"`+sc.String()+`","query":{"Department":"fire","Industry":"","Since":"2026-02-01T00:00:00Z","Until":"2026-03-01T00:00:00Z","Size":1,"Seed":3},`+
			`"items":[{"hazard_id":"`+h.ID.String()+`","unit_id":"`+u.ID.String()+`","verdict":"pending"}],`+
			`"created_by":"sup-1","created_at":"`+at.Format(time.RFC3339Nano)+`","version":1}`)
	require.NoError(t, err)

	applied, err := db.Migrate(ctx)
	require.NoError(t, err)
	assert.Contains(t, applied, 21)

	read, err := db.Inspection().ReadLedger(ctx, inspection.LedgerQuery{District: "d7"}, inspection.LedgerKey{}, 10, hazardtest.Epoch)
	require.NoError(t, err)
	if assert.Len(t, read.Entries, 1, "the old hazard is in its unit's district") {
		assert.Equal(t, h.ID, read.Entries[0].ID)
		assert.Equal(t, u.Industry, read.Entries[0].Industry)
	}
	for _, f := range []inspection.SpotFilter{{Department: "fire"}, {UnitID: u.ID}, {Status: inspection.SpotOpen},
		{Verdict: inspection.VerdictPending}, {Since: at, Until: at.Add(time.Microsecond)}} {
		l, err := db.Inspection().ListSpotChecks(ctx, f, hazard.Page{})
		require.NoError(t, err)
		if assert.Len(t, l.Items, 1, "ListSpotChecks(%+v) of the old row", f) {
			assert.Equal(t, "fire", l.Items[0].Query.Department, "the old document's query reads back")
			assert.Equal(t, 1, l.Items[0].Query.Size)
		}
	}
	l, err := db.Inspection().ListSpotChecks(ctx, inspection.SpotFilter{Status: inspection.SpotDone}, hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
}
