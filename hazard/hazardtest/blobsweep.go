package hazardtest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// SweepStore is a blob store with the hazard.BlobSweeper capability.
type SweepStore interface {
	hazard.BlobStore
	hazard.BlobSweeper
}

// TestBlobSweeper runs the conformance suite of hazard.BlobSweeper. open
// is called once per subtest and returns a fresh, empty store and a
// function that makes every blob stored so far look put d earlier (moving
// a test clock back, or the recorded times of the blobs). For memblob:
//
//	hazardtest.TestBlobSweeper(t, func(t *testing.T) (hazardtest.SweepStore, func(time.Duration)) {
//		clock := hazardtest.NewClock(time.Now())
//		return memblob.NewWithClock(clock.Now), clock.Advance
//	})
func TestBlobSweeper(t *testing.T, open func(t *testing.T) (SweepStore, func(d time.Duration))) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, SweepStore, func(time.Duration))
	}{
		{"YoungBlobsStay", sweepYoung},
		{"OldBlobsInKeyOrder", sweepOrder},
		{"PutRenews", sweepPutRenews},
		{"DeleteOld", sweepDelete},
		{"Invalid", sweepInvalid},
		{"ConcurrentPutAndDeleteOld", sweepConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) {
			bs, older := open(t)
			if bs == nil || older == nil {
				t.Fatal("open returned a nil store or function")
			}
			c.fn(t, bs, older)
		})
	}
}

// putBlobs stores n distinct blobs and returns their keys in order.
func putBlobs(t *testing.T, bs SweepStore, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		info, err := bs.Put(t.Context(), bytes.NewReader([]byte(fmt.Sprintf("blob %d", i))), hazard.TypePNG)
		require.NoError(t, err, "Put")
		keys[i] = info.Key
	}
	slices.Sort(keys)
	return keys
}

func sweepYoung(t *testing.T, bs SweepStore, _ func(time.Duration)) {
	keys := putBlobs(t, bs, 2)
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(1h) of blobs just put")
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.False(t, ok, "DeleteOld(1h) of a blob just put")
	_, err = bs.Stat(t.Context(), keys[0])
	assert.NoError(t, err, "Stat after a refused DeleteOld")
}

func sweepOrder(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 3)
	older(2 * time.Hour)
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Equal(t, keys, got, "OldBlobs(1h), all")
	got, err = bs.OldBlobs(t.Context(), time.Hour, "", 2)
	require.NoError(t, err)
	assert.Equal(t, keys[:2], got, "OldBlobs limit 2")
	got, err = bs.OldBlobs(t.Context(), time.Hour, keys[1], 10)
	require.NoError(t, err)
	assert.Equal(t, keys[2:], got, "OldBlobs after the second")
	got, err = bs.OldBlobs(t.Context(), 3*time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(3h) of blobs 2h old")
}

func sweepPutRenews(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 1)
	older(2 * time.Hour)
	putBlobs(t, bs, 1) // the same content again
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Empty(t, got, "OldBlobs(1h) after the content was put again")
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.False(t, ok, "DeleteOld of a renewed blob")
}

func sweepDelete(t *testing.T, bs SweepStore, older func(time.Duration)) {
	keys := putBlobs(t, bs, 2)
	older(2 * time.Hour)
	ok, err := bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err)
	assert.True(t, ok, "DeleteOld of an old blob")
	_, err = bs.Stat(t.Context(), keys[0])
	assert.ErrorIs(t, err, hazard.ErrNotFound, "Stat after DeleteOld")
	_, err = bs.Stat(t.Context(), keys[1])
	assert.NoError(t, err, "the other blob stays")
	ok, err = bs.DeleteOld(t.Context(), keys[0], time.Hour)
	require.NoError(t, err, "DeleteOld of a missing blob")
	assert.False(t, ok, "DeleteOld of a missing blob")
	got, err := bs.OldBlobs(t.Context(), time.Hour, "", 10)
	require.NoError(t, err)
	assert.Equal(t, keys[1:], got, "OldBlobs after DeleteOld")
}

func sweepInvalid(t *testing.T, bs SweepStore, _ func(time.Duration)) {
	_, err := bs.DeleteOld(t.Context(), "../etc/passwd", time.Hour)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "DeleteOld of a malformed key")
	_, err = bs.OldBlobs(t.Context(), time.Hour, "", 0)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "OldBlobs with limit 0")
	_, err = bs.OldBlobs(t.Context(), -time.Hour, "", 1)
	assert.ErrorIs(t, err, hazard.ErrInvalid, "OldBlobs with a negative age")
}

// sweepConcurrent: a Put of an old blob's content racing DeleteOld leaves
// the blob stored, whichever comes first.
func sweepConcurrent(t *testing.T, bs SweepStore, older func(time.Duration)) {
	for round := range 10 {
		content := []byte(fmt.Sprintf("raced blob %d", round))
		info, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
		require.NoError(t, err)
		older(2 * time.Hour)
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
			assert.NoError(t, err, "Put")
		}()
		go func() {
			defer wg.Done()
			<-start
			_, err := bs.DeleteOld(t.Context(), info.Key, time.Hour)
			assert.NoError(t, err, "DeleteOld")
		}()
		close(start)
		wg.Wait()
		_, err = bs.Stat(t.Context(), info.Key)
		require.NoError(t, err, "round %d: the blob a Put stored is gone", round)
	}
}
