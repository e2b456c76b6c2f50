package hazardtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestBlobStore runs the conformance suite of hazard.BlobStore against the
// stores open returns. open is called once per subtest and must return a
// fresh, empty store. An adapter's test is one line:
//
//	hazardtest.TestBlobStore(t, func(t *testing.T) hazard.BlobStore { return memblob.New() })
func TestBlobStore(t *testing.T, open func(t *testing.T) hazard.BlobStore) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(*testing.T, hazard.BlobStore)
	}{
		{"PutOpenStat", blobRoundTrip},
		{"DedupeByContent", blobDedupe},
		{"SizeLimit", blobSizeLimit},
		{"ReaderError", blobReaderError},
		{"MalformedKey", blobMalformedKey},
		{"Missing", blobMissing},
		{"DeleteIdempotent", blobDelete},
		{"ConcurrentPutsOfSameContent", blobConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) {
			bs := open(t)
			if bs == nil {
				t.Fatal("open returned a nil blob store")
			}
			c.fn(t, bs)
		})
	}
}

func keyOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func readBlob(t *testing.T, bs hazard.BlobStore, key string) ([]byte, hazard.BlobInfo, error) {
	t.Helper()
	rc, info, err := bs.Open(t.Context(), key)
	if err != nil {
		return nil, info, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, info, err
}

func blobRoundTrip(t *testing.T, bs hazard.BlobStore) {
	content := []byte("\xff\xd8\xff\xe0 a jpeg, or near enough")
	want := hazard.BlobInfo{Key: keyOf(content), ContentType: hazard.TypeJPEG, Size: int64(len(content))}
	info, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypeJPEG)
	require.NoError(t, err, "Put")
	assert.Equal(t, want, info, "Put: key is the hex SHA-256, content type as given, size")
	got, oinfo, err := readBlob(t, bs, info.Key)
	if assert.NoError(t, err, "Open") {
		assert.Equal(t, content, got, "Open: content")
		assert.Equal(t, want, oinfo, "Open: info")
	}
	sinfo, err := bs.Stat(t.Context(), info.Key)
	if assert.NoError(t, err, "Stat") {
		assert.Equal(t, want, sinfo, "Stat")
	}
	other := []byte("a second blob")
	oi, err := bs.Put(t.Context(), bytes.NewReader(other), "application/x-anything")
	require.NoError(t, err, "Put")
	assert.Equal(t, "application/x-anything", oi.ContentType, "Put: content type recorded as given")
	got, _, err = readBlob(t, bs, oi.Key)
	if assert.NoError(t, err, "Open") {
		assert.Equal(t, other, got, "Open of the second blob")
	}
	// Exactly MaxPhotoSize bytes are accepted.
	big, err := bs.Put(t.Context(), io.LimitReader(zeros{}, hazard.MaxPhotoSize), hazard.TypePNG)
	if assert.NoError(t, err, "Put of MaxPhotoSize bytes") {
		assert.Equal(t, int64(hazard.MaxPhotoSize), big.Size, "Put of MaxPhotoSize bytes: size")
	}
}

func blobDedupe(t *testing.T, bs hazard.BlobStore) {
	content := []byte("same bytes")
	a, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
	require.NoError(t, err, "Put")
	b, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypePNG)
	require.NoError(t, err, "Put of the same content")
	assert.Equal(t, a, b, "Put of the same content: same info")
	got, _, err := readBlob(t, bs, a.Key)
	if assert.NoError(t, err, "Open") {
		assert.Equal(t, content, got)
	}
	// One Delete removes the one stored copy.
	require.NoError(t, bs.Delete(t.Context(), a.Key), "Delete")
	_, err = bs.Stat(t.Context(), a.Key)
	assertCode(t, err, hazard.ErrNotFound, "Stat after Delete of content put twice")
}

// zeros reads an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func blobSizeLimit(t *testing.T, bs hazard.BlobStore) {
	var read atomic.Int64
	r := &countingReader{r: io.LimitReader(zeros{}, 4*hazard.MaxPhotoSize), n: &read}
	_, err := bs.Put(t.Context(), r, hazard.TypeJPEG)
	assertCode(t, err, hazard.ErrInvalid, "Put of more than MaxPhotoSize bytes")
	assert.LessOrEqual(t, read.Load(), int64(hazard.MaxPhotoSize+1)+64<<10, "Put read far past MaxPhotoSize+1 bytes")

	_, err = bs.Put(t.Context(), io.LimitReader(zeros{}, hazard.MaxPhotoSize+1), hazard.TypeJPEG)
	assertCode(t, err, hazard.ErrInvalid, "Put of MaxPhotoSize+1 bytes")
	for _, n := range []int64{hazard.MaxPhotoSize, hazard.MaxPhotoSize + 1} {
		h := sha256.New()
		_, _ = io.Copy(h, io.LimitReader(zeros{}, n))
		_, err := bs.Stat(t.Context(), hex.EncodeToString(h.Sum(nil)))
		assertCode(t, err, hazard.ErrNotFound, "Stat of a prefix of refused content: nothing stored")
	}
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type failingReader struct{ after int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), f.after)
	clear(p[:n])
	f.after -= n
	return n, nil
}

func blobReaderError(t *testing.T, bs hazard.BlobStore) {
	_, err := bs.Put(t.Context(), &failingReader{after: 10}, hazard.TypeJPEG)
	assert.Error(t, err, "Put from a failing reader")
	_, err = bs.Stat(t.Context(), keyOf(make([]byte, 10)))
	assertCode(t, err, hazard.ErrNotFound, "Stat of the part read before the failure")
}

func blobMalformedKey(t *testing.T, bs hazard.BlobStore) {
	valid := keyOf([]byte("x"))
	for _, key := range []string{
		"", "abc", strings.ToUpper(valid), valid[:63], valid + "0",
		"../" + valid[3:], "..%2f" + valid[5:], "/etc/passwd", "../../../../etc/passwd",
		valid[:32] + "/" + valid[33:], valid[:62] + "\x00a", "zz" + valid[2:],
	} {
		_, _, err := bs.Open(t.Context(), key)
		assertCode(t, err, hazard.ErrInvalid, fmt.Sprintf("Open(%q)", key))
		_, err = bs.Stat(t.Context(), key)
		if assert.Error(t, err, "Stat(%q)", key) {
			code := hazard.ErrorCode(err)
			assert.Contains(t, []hazard.Code{hazard.CodeInvalid, hazard.CodeNotFound}, code, "Stat(%q): code", key)
		}
		// Delete of a malformed key must not succeed in removing anything;
		// it may refuse with invalid or do nothing.
		if err := bs.Delete(t.Context(), key); err != nil {
			assertCode(t, err, hazard.ErrInvalid, fmt.Sprintf("Delete(%q)", key))
		}
	}
}

func blobMissing(t *testing.T, bs hazard.BlobStore) {
	_, err := bs.Put(t.Context(), strings.NewReader("present"), hazard.TypeJPEG)
	require.NoError(t, err, "Put")
	key := keyOf([]byte("absent"))
	_, _, err = bs.Open(t.Context(), key)
	assertCode(t, err, hazard.ErrNotFound, "Open of a missing blob")
	_, err = bs.Stat(t.Context(), key)
	assertCode(t, err, hazard.ErrNotFound, "Stat of a missing blob")
}

func blobDelete(t *testing.T, bs hazard.BlobStore) {
	keep, err := bs.Put(t.Context(), strings.NewReader("keep"), hazard.TypeJPEG)
	require.NoError(t, err, "Put")
	gone, err := bs.Put(t.Context(), strings.NewReader("gone"), hazard.TypeJPEG)
	require.NoError(t, err, "Put")
	assert.NoError(t, bs.Delete(t.Context(), gone.Key), "Delete")
	assert.NoError(t, bs.Delete(t.Context(), gone.Key), "Delete twice")
	assert.NoError(t, bs.Delete(t.Context(), keyOf([]byte("never"))), "Delete of a blob never stored")
	_, err = bs.Stat(t.Context(), gone.Key)
	assertCode(t, err, hazard.ErrNotFound, "Stat after Delete")
	_, _, err = bs.Open(t.Context(), gone.Key)
	assertCode(t, err, hazard.ErrNotFound, "Open after Delete")
	got, _, err := readBlob(t, bs, keep.Key)
	if assert.NoError(t, err, "Open of another blob after Delete") {
		assert.Equal(t, "keep", string(got))
	}
	again, err := bs.Put(t.Context(), strings.NewReader("gone"), hazard.TypeJPEG)
	if assert.NoError(t, err, "Put after Delete") {
		assert.Equal(t, gone, again, "Put after Delete")
		_, err = bs.Stat(t.Context(), gone.Key)
		assert.NoError(t, err, "Stat after Put after Delete")
	}
}

func blobConcurrent(t *testing.T, bs hazard.BlobStore) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	want := hazard.BlobInfo{Key: keyOf(content), ContentType: hazard.TypeJPEG, Size: int64(len(content))}
	const n = 8
	var failures atomic.Int64
	var mu sync.Mutex
	var infos []hazard.BlobInfo
	Together(n, func(int) {
		info, err := bs.Put(t.Context(), bytes.NewReader(content), hazard.TypeJPEG)
		if err != nil {
			failures.Add(1)
			return
		}
		mu.Lock()
		infos = append(infos, info)
		mu.Unlock()
		// Reading while others write sees the whole content.
		rc, _, err := bs.Open(t.Context(), info.Key)
		if err != nil {
			failures.Add(1)
			return
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, content) {
			failures.Add(1)
		}
	})
	assert.Zero(t, failures.Load(), "concurrent Put/Open of the same content that failed or read partial content")
	for _, info := range infos {
		assert.Equal(t, want, info, "concurrent Put: info")
	}
	got, _, err := readBlob(t, bs, want.Key)
	if assert.NoError(t, err, "Open after concurrent puts") {
		assert.True(t, bytes.Equal(content, got), "Open after concurrent puts: content intact")
	}
}
