package memblob_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
)

func TestBlobStore(t *testing.T) {
	hazardtest.TestBlobStore(t, func(t *testing.T) hazard.BlobStore { return memblob.New() })
}

func TestLenCountsContentOnce(t *testing.T) {
	s := memblob.New()
	for _, c := range []string{"a", "b", "a"} {
		_, err := s.Put(t.Context(), strings.NewReader(c), hazard.TypeJPEG)
		require.NoError(t, err, "Put")
	}
	assert.Equal(t, 2, s.Len(), "Len after putting a, b, a")
}

func TestBlobSweeper(t *testing.T) {
	hazardtest.TestBlobSweeper(t, func(t *testing.T) (hazardtest.SweepStore, func(time.Duration)) {
		clock := hazardtest.NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		return memblob.NewWithClock(clock.Now), clock.Advance
	})
}
