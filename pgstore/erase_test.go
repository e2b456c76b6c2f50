package pgstore_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
)

func TestErasureConformance(t *testing.T) {
	t.Parallel()
	hazardtest.TestErasure(t, func(t *testing.T) hazard.Store { return newDB(t).Hazards() })
}

// TestErasureQueryPlans loads an event log of 300,000 events by 30,000
// people (30,000 with -short) and checks that the statements by which an
// erasure finds a person's hazards and events read indexes, never a
// sequential scan of the log.
func TestErasureQueryPlans(t *testing.T) {
	rows := 300_000
	if testing.Short() {
		rows = 30_000
	}
	t.Parallel()
	ctx := t.Context()
	db := newDB(t)
	conn, err := db.Pool().Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	// A hazard for every tenth event, reported by one of the people; every
	// event acted by one of them, or by staff; every 50th an event of an
	// account subject.
	_, err = conn.Exec(ctx, `
		INSERT INTO hazards (id, ref, category, state, department, reporter, unit_id, source, open,
			created_ns, lat, lng, version, doc)
		SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'R-' || i, 'fire', 'submitted', '',
			'user' || (i % ($1::int / 10)), '', 'citizen', true, 1700000000000000000 + i::bigint, NULL, NULL, 1, '{}'::jsonb
		FROM generate_series(1, $1::int / 10) AS i`, rows)
	require.NoError(t, err, "load hazards")
	_, err = conn.Exec(ctx, `
		INSERT INTO events (seq, hazard_id, subject_kind, subject_id, doc)
		SELECT i,
			CASE WHEN i % 50 = 0 THEN NULL ELSE ('00000000-0000-7000-8000-' || lpad(to_hex(1 + i % ($1::int / 10)), 12, '0'))::uuid END,
			CASE WHEN i % 50 = 0 THEN 'account' END,
			CASE WHEN i % 50 = 0 THEN 'user' || (i % ($1::int / 10)) END,
			jsonb_build_object('type', 'note', 'actor', jsonb_build_object('id',
				CASE WHEN i % 3 = 0 THEN 'dispatcher-1' ELSE 'user' || (i % ($1::int / 10)) END, 'role', 'reporter'))
		FROM generate_series(1, $1::int) AS i`, rows)
	require.NoError(t, err, "load %d events", rows)
	_, err = conn.Exec(ctx, `UPDATE event_seq SET n = $1`, rows)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `ANALYZE hazards; ANALYZE events`)
	require.NoError(t, err)

	ids := []uuid.UUID{uuid.MustParse(timeOrderedID(42)), uuid.MustParse(timeOrderedID(4242))}
	for _, c := range []struct {
		name, sql string
		args      []any
	}{
		{"hazards reported", pgstore.ReportedSQL, []any{"user42"}},
		{"hazards acted on", pgstore.ActedOnSQL, []any{"user42"}},
		{"events to rewrite", pgstore.TheirEventsSQL, []any{"user42", ids}},
	} {
		t.Run(c.name, func(t *testing.T) {
			requireIndexedPlan(t, db, c.name, c.sql, c.args, true)
		})
	}
}
