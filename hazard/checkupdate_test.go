package hazard_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestCheckUpdate(t *testing.T) {
	old := hazardtest.NewHazard()
	for _, tc := range []struct {
		name   string
		change func(h *hazard.Hazard)
		field  string
	}{
		{"state and version may change", func(h *hazard.Hazard) { h.State = "dispatched"; h.Version++ }, ""},
		{"ref", func(h *hazard.Hazard) { h.Ref = "HZ-20260101-000009" }, "ref"},
		{"reporter", func(h *hazard.Hazard) { h.Reporter.Verified = !h.Reporter.Verified }, "reporter"},
		{"created_at", func(h *hazard.Hazard) { h.CreatedAt = h.CreatedAt.Add(1) }, "created_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := old.Clone()
			tc.change(&next)
			err := old.CheckUpdate(&next)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var e *hazard.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tc.field, e.Field, "CheckUpdate field")
		})
	}
}
