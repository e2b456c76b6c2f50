package pgstore_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/pgstore"
)

// TestEventSubjectsMigrationKeepsOldRows writes a hazard and its events as
// the code before 0004_event_subjects.sql did (events with a hazard_id and
// a document, no subject columns), then migrates: the old events read back
// unchanged by every read, and new events of other subjects follow them in
// the same sequence.
func TestEventSubjectsMigrationKeepsOldRows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newSchema(t)
	_, err := pool.Exec(ctx, `CREATE TABLE schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err, "schema_migrations")
	for _, m := range pgstore.Migrations() {
		if m.Version >= 4 {
			break
		}
		_, err := pool.Exec(ctx, m.SQL)
		require.NoError(t, err, "migration %s", m.Name)
		_, err = pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		require.NoError(t, err, "record migration %s", m.Name)
	}

	// The rows as the earlier code wrote them.
	h := hazardtest.NewHazard()
	hdoc, err := json.Marshal(h)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO hazards (id, ref, category, state, department, reporter, source, open,
		created_ns, version, doc) VALUES ($1, $2, $3, $4, '', $5, $6, true, $7, 1, $8)`,
		h.ID, h.Ref, h.Category, h.State, h.Reporter.UserID, string(h.Source), h.CreatedAt.UnixNano(), hdoc)
	require.NoError(t, err, "insert an old hazard row")
	// A document in the earlier shape, written out literally, and a full
	// event: a hazard's event marshals as it always did.
	old := `{"seq":0,"hazard_id":"` + h.ID.String() + `","type":"submitted","actor":{"id":"citizen-1","role":"reporter"},"to":"submitted","time":"2026-11-28T08:30:00Z"}`
	full := hazardtest.FullEvent(h)
	fdoc, err := json.Marshal(full)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO events (seq, hazard_id, doc) VALUES (1, $1, $2), (2, $1, $3)`, h.ID, old, fdoc)
	require.NoError(t, err, "insert old event rows")
	_, err = pool.Exec(ctx, `UPDATE event_seq SET n = 2`)
	require.NoError(t, err)

	db := pgstore.New(pool)
	applied, err := db.Migrate(ctx)
	require.NoError(t, err, "Migrate")
	assert.Equal(t, 4, applied[0], "Migrate applies 0004 (and what follows) over the old rows")

	st := db.Hazards()
	want := []hazard.Event{
		{Seq: 1, HazardID: h.ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "citizen-1", Role: "reporter"}, To: "submitted", Time: hazardtest.Epoch},
		full,
	}
	want[1].Seq = 2
	all, err := st.Events(ctx, 0, 0)
	require.NoError(t, err, "Events")
	assert.Equal(t, want, all, "Events: the old rows read back unchanged")
	byHazard, err := st.HazardEvents(ctx, h.ID)
	require.NoError(t, err, "HazardEvents")
	assert.Equal(t, want, byHazard, "HazardEvents of the old rows")
	bySubject, err := st.SubjectEvents(ctx, hazard.HazardSubject(h.ID), 0, 0)
	require.NoError(t, err, "SubjectEvents")
	assert.Equal(t, want, bySubject, "SubjectEvents of the old rows' hazard")

	// The log goes on with events of other subjects, in one sequence.
	unit := hazard.Subject{Kind: "unit", ID: "unit-1"}
	added, err := st.Append(ctx, hazardtest.NewSubjectEvent(unit, "unit_graded"), hazardtest.NewEvent(h, hazard.EventNote))
	require.NoError(t, err, "Append after the migration")
	assert.Equal(t, []int64{3, 4}, []int64{added[0].Seq, added[1].Seq}, "Append: sequence numbers after the old rows")
	units, err := st.SubjectEvents(ctx, unit, 0, 0)
	require.NoError(t, err, "SubjectEvents")
	assert.Equal(t, added[:1], units, "SubjectEvents of the unit")
	byHazard, err = st.HazardEvents(ctx, h.ID)
	require.NoError(t, err, "HazardEvents")
	assert.Len(t, byHazard, 3, "HazardEvents: the old rows and the new note")

	// The table refuses a row with both or neither of a hazard and a subject.
	_, err = pool.Exec(ctx, `INSERT INTO events (seq, hazard_id, subject_kind, subject_id, doc) VALUES (99, $1, 'unit', 'u', '{}')`, h.ID)
	assert.Error(t, err, "a row with a hazard and a subject")
	_, err = pool.Exec(ctx, `INSERT INTO events (seq, doc) VALUES (98, '{}')`)
	assert.Error(t, err, "a row with neither a hazard nor a subject")
}
