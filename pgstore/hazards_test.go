package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/relay/relaytest"
)

func TestHazardStoreConformance(t *testing.T) {
	testURL(t)
	hazardtest.TestStore(t, func(t *testing.T) hazard.Store { return newDB(t).Hazards() })
}

func TestCursorsConformance(t *testing.T) {
	testURL(t)
	relaytest.TestCursors(t, func(t *testing.T) relay.Cursors { return newDB(t).Hazards() })
}

func TestHazardStoreTextItCannotHold(t *testing.T) {
	testURL(t)
	s := newDB(t).Hazards()
	for _, tc := range []struct{ name, text string }{
		{"nul byte", "HL-\x00"},
		{"invalid utf-8", "HL-\xff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetByRef(context.Background(), tc.text)
			require.ErrorIs(t, err, hazard.ErrNotFound, "GetByRef(%q)", tc.text)
			_, err = s.List(context.Background(), hazard.Filter{Category: tc.text}, hazard.Page{})
			require.ErrorIs(t, err, hazard.ErrInvalid, "List with category %q", tc.text)
		})
	}
}

func TestModerationStoreConformance(t *testing.T) {
	testURL(t)
	hazardtest.TestModerationStore(t, func(t *testing.T) hazard.Store { return newDB(t).Hazards() })
}
