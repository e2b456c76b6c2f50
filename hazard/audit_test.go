package hazard_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

var auditor = hazard.User{ID: "audit-1", Role: string(hazard.RoleAuditor)}

func TestRevealContactIsLoggedAndScoped(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})

	refused := []struct {
		name   string
		user   hazard.User
		reason string
		err    error
	}{
		{"nobody", hazard.User{}, "call back", hazard.ErrUnauthenticated},
		{"the reporter", citizen, "call back", hazard.ErrForbidden},
		{"an enterprise", enterprise, "call back", hazard.ErrForbidden},
		{"an auditor", auditor, "call back", hazard.ErrForbidden},
		{"a handler of another department", gasDept, "call back", hazard.ErrNotFound},
		{"no reason", fireDept, "  ", hazard.ErrInvalid},
		{"a reason of two lines", fireDept, "a\nb", hazard.ErrInvalid},
		{"a reason too long", fireDept, strings.Repeat("因", hazard.MaxReasonLen+1), hazard.ErrInvalid},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.RevealContact(ctx, tt.user, h.ID, tt.reason)
			require.ErrorIs(t, err, tt.err)
		})
	}
	_, err := f.svc.RevealContact(ctx, fireDept, uuid.Must(uuid.NewV7()), "call back")
	require.ErrorIs(t, err, hazard.ErrNotFound)
	log, err := f.svc.AccessLog(ctx, auditor, 0, 0)
	require.NoError(t, err)
	assert.Empty(t, log, "a refused reading logs nothing")

	c, err := f.svc.RevealContact(ctx, fireDept, h.ID, " need the exact floor ")
	require.NoError(t, err)
	assert.Equal(t, citizenPhone, c.Phone)

	log, err = f.svc.AccessLog(ctx, auditor, 0, 0)
	require.NoError(t, err)
	require.Len(t, log, 1)
	e := log[0]
	assert.Equal(t, hazard.EventContactRevealed, e.Type)
	assert.Equal(t, fireDept.ID, e.Actor.ID)
	assert.Equal(t, h.Ref, e.Data[hazard.DataHazardRef])
	assert.Equal(t, h.ID.String(), e.Data[hazard.DataHazardID])
	assert.Equal(t, "need the exact floor", e.Data[hazard.DataReason])
	assert.Equal(t, f.clock.Now().UTC(), e.Time)
	assert.NotContains(t, e.Data, "phone", "the log says who read which contact, not the contact")

	more, err := f.svc.AccessLog(ctx, admin, e.Seq, 10)
	require.NoError(t, err)
	assert.Empty(t, more)
	for _, u := range []hazard.User{fireDept, reviewer, citizen} {
		_, err := f.svc.AccessLog(ctx, u, 0, 0)
		require.ErrorIs(t, err, hazard.ErrForbidden, u.Role)
	}
	_, err = f.svc.AccessLog(ctx, auditor, -1, 0)
	require.ErrorIs(t, err, hazard.ErrInvalid)
}

func TestLogExport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	require.NoError(t, f.svc.LogExport(ctx, reviewer, hazard.ExportLog{Export: "reports", Department: "fire", Since: t0, Until: t0.Add(24 * time.Hour), Rows: 3}))
	log, err := f.svc.AccessLog(ctx, admin, 0, 0)
	require.NoError(t, err)
	require.Len(t, log, 1)
	assert.Equal(t, hazard.EventExported, log[0].Type)
	assert.Equal(t, map[string]string{"export": "reports", "department": "fire", "rows": "3",
		"since": "2026-11-28T08:30:00Z", "until": "2026-11-29T08:30:00Z"}, log[0].Data)
}

func TestExportReports(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	fire := f.act(t, dispatcher, f.submit(t, citizen, fireReport()), "dispatch", hazard.ActInput{Department: "fire"})
	gas := f.act(t, dispatcher, f.submit(t, otherCit, fireReport()), "dispatch", hazard.ActInput{Department: "gas"})
	period := hazard.ReportsExport{Since: t0.Add(-time.Hour), Until: t0.Add(48 * time.Hour)}
	export := func(u hazard.User, q hazard.ReportsExport) ([]hazard.Hazard, error) {
		var rows []hazard.Hazard
		n, err := f.svc.ExportReports(ctx, u, q, func(h hazard.Hazard) error {
			rows = append(rows, h)
			return nil
		})
		assert.Equal(t, len(rows), n)
		return rows, err
	}

	rows, err := export(dispatcher, period)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, gas.ID, rows[0].ID, "newest first")
	for _, h := range rows {
		assert.Empty(t, h.Reporter, "an export carries nothing of the reporter")
	}
	own := period
	own.Department = "fire"
	rows, err = export(fireDept, period)
	require.NoError(t, err, "a handler's export is its department's")
	require.Len(t, rows, 1)
	assert.Equal(t, fire.ID, rows[0].ID)
	rows, err = export(reviewer, own)
	require.NoError(t, err)
	require.Len(t, rows, 1)

	other := period
	other.Department = "gas"
	_, err = export(fireDept, other)
	require.ErrorIs(t, err, hazard.ErrForbidden)
	for _, u := range []hazard.User{citizen, enterprise, auditor} {
		_, err = export(u, period)
		require.ErrorIs(t, err, hazard.ErrForbidden, u.Role)
	}
	for _, q := range []hazard.ReportsExport{
		{Until: t0},
		{Since: t0},
		{Since: t0, Until: t0},
		{Since: t0, Until: t0.Add(hazard.MaxExportPeriod + time.Second)},
	} {
		_, err = export(reviewer, q)
		require.ErrorIs(t, err, hazard.ErrInvalid, "%+v", q)
	}
	late := period
	late.Since = t0.Add(24 * time.Hour)
	rows, err = export(admin, late)
	require.NoError(t, err)
	assert.Empty(t, rows, "the period bounds the submission time")

	// A row's error stops the export, and the entry logs what was read.
	boom := errors.New("client went away")
	n, err := f.svc.ExportReports(ctx, admin, period, func(hazard.Hazard) error { return boom })
	require.ErrorIs(t, err, boom)
	assert.Zero(t, n)

	log, err := f.svc.AccessLog(ctx, auditor, 0, 0)
	require.NoError(t, err)
	var counts []string
	for _, e := range log {
		require.Equal(t, hazard.EventExported, e.Type)
		counts = append(counts, e.Actor.ID+":"+e.Data[hazard.DataDepartment]+":"+e.Data[hazard.DataRows])
	}
	assert.Equal(t, []string{"disp-1::2", "handler-fire:fire:1", "rev-1:fire:1", "admin-1::0", "admin-1::0"}, counts,
		"every export is logged, refused ones are not")
}
