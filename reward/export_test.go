package reward_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward"
)

func TestExportRewards(t *testing.T) {
	f := newFixture(t, nil)
	a := f.issue(t, f.closed("cit-a", nil))
	f.clock.Advance(time.Hour)
	b := f.issue(t, f.closed("cit-b", nil))
	since, until := T0.Add(-time.Hour), T0.Add(24*time.Hour)
	reviewer := hazard.User{ID: "rev-1", Role: "reviewer"}

	var got []reward.Reward
	n, err := f.svc.ExportRewards(ctx, reviewer, since, until, func(r reward.Reward) error {
		got = append(got, r)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	require.Len(t, got, 2)
	assert.Equal(t, b.ID, got[0].ID, "newest first")
	assert.Equal(t, a.ID, got[1].ID)

	n, err = f.svc.ExportRewards(ctx, hazard.User{ID: "admin-1", Role: "admin"}, T0.Add(30*time.Minute), until, func(reward.Reward) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the period bounds the issue time")

	for _, u := range []hazard.User{citizen("cit-a"), {ID: "h", Role: "handler", Department: "emergency"}, {ID: "aud", Role: "auditor"}} {
		_, err := f.svc.ExportRewards(ctx, u, since, until, func(reward.Reward) error { return nil })
		require.ErrorIs(t, err, hazard.ErrForbidden, u.Role)
	}
	_, err = f.svc.ExportRewards(ctx, hazard.User{}, since, until, func(reward.Reward) error { return nil })
	require.ErrorIs(t, err, hazard.ErrUnauthenticated)
	_, err = f.svc.ExportRewards(ctx, reviewer, until, since, func(reward.Reward) error { return nil })
	require.ErrorIs(t, err, hazard.ErrInvalid)

	boom := errors.New("disk full")
	_, err = f.svc.ExportRewards(ctx, reviewer, since, until, func(reward.Reward) error { return boom })
	require.ErrorIs(t, err, boom)

	var rows []string
	for _, e := range f.hazards.ofType(hazard.EventExported) {
		assert.Equal(t, hazard.AccessLogSubject, e.Subject)
		assert.Equal(t, "rewards", e.Data[hazard.DataExport])
		rows = append(rows, e.Actor.ID+":"+e.Data[hazard.DataRows])
	}
	assert.Equal(t, []string{"rev-1:2", "admin-1:1", "rev-1:0"}, rows, "every export is logged; refused ones are not")

	noLog := newFixture(t, func(c *reward.Config) { c.Events = nil })
	_, err = noLog.svc.ExportRewards(ctx, reviewer, since, until, func(reward.Reward) error { return nil })
	require.ErrorIs(t, err, hazard.ErrInternal, "an export that cannot be logged is not made")
}
