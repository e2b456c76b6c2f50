package pgstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func TestUploadsConformance(t *testing.T) {
	hazardtest.TestUploads(t, func(t *testing.T) hazard.Uploads { return newDB(t).Uploads() })
}

// TestUploadsCapAcrossProcesses: the per-user cap of pending uploads holds
// when two processes reserve at once.
func TestUploadsCapAcrossProcesses(t *testing.T) {
	a, b := twoProcesses(t)
	const n, max = 20, 5
	var ok, limited atomic.Int64
	hazardtest.Together(n, func(i int) {
		db := a
		if i%2 == 1 {
			db = b
		}
		data := fmt.Appendf(nil, "photo %d", i)
		u := hazard.Upload{Owner: "alice", Key: sha(data), PublicKey: sha(append(data, '!')), ContentType: hazard.TypePNG,
			Size: int64(len(data)), Created: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
		_, err := db.Uploads().Reserve(context.Background(), u, max)
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, hazard.ErrRateLimited):
			limited.Add(1)
		default:
			t.Errorf("Reserve %d: %v", i, err)
		}
	})
	assert.Equal(t, int64(max), ok.Load(), "Reserves that succeeded across two processes")
	assert.Equal(t, int64(n-max), limited.Load(), "Reserves refused")
	var rows int
	require.NoError(t, a.Pool().QueryRow(context.Background(), `SELECT count(*) FROM uploads WHERE owner = 'alice'`).Scan(&rows))
	assert.Equal(t, max, rows, "rows stored")
}

// sha returns the blob key of b.
func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
