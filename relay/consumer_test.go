package relay_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

func TestCheckConsumerName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"letters digits underscore dash", "notify_sms-2", true},
		{"longest", strings.Repeat("a", relay.MaxConsumerNameLen), true},
		{"empty", "", false},
		{"too long", strings.Repeat("a", relay.MaxConsumerNameLen+1), false},
		{"upper case", "Notify", false},
		{"space", "no tify", false},
		{"dot", "notify.sms", false},
		{"non-ASCII", "通知", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := relay.CheckConsumerName("op", tt.in)
			if tt.ok {
				assert.NoError(t, err, "CheckConsumerName(%q)", tt.in)
				return
			}
			require.ErrorIs(t, err, hazard.ErrInvalid, "CheckConsumerName(%q)", tt.in)
			var e *hazard.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "consumer", e.Field, "CheckConsumerName(%q): field", tt.in)
			assert.Equal(t, "op", e.Op, "CheckConsumerName(%q): op", tt.in)
		})
	}
}
