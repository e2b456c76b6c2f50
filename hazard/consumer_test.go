package hazard_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestValidConsumerName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"letters digits underscore dash", "notify_sms-2", true},
		{"longest", strings.Repeat("a", hazard.MaxConsumerNameLen), true},
		{"empty", "", false},
		{"too long", strings.Repeat("a", hazard.MaxConsumerNameLen+1), false},
		{"upper case", "Notify", false},
		{"space", "no tify", false},
		{"dot", "notify.sms", false},
		{"non-ASCII", "通知", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, hazard.ValidConsumerName(tt.in), "ValidConsumerName(%q)", tt.in)
		})
	}
}

func TestCheckConsumerName(t *testing.T) {
	require.NoError(t, hazard.CheckConsumerName("op", "reward"))
	err := hazard.CheckConsumerName("op", "Bad Name")
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "consumer", e.Field, "CheckConsumerName field")
}
