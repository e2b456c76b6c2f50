package fsblob_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
)

func newStore(t *testing.T) (*fsblob.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := fsblob.New(dir)
	require.NoError(t, err, "fsblob.New")
	t.Cleanup(func() { assertNoTemp(t, dir) })
	return s, dir
}

// assertNoTemp fails when a temporary file is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, fsblob.Temporary(e.Name()), "temporary file %s left behind", e.Name())
	}
}

func TestBlobStore(t *testing.T) {
	hazardtest.TestBlobStore(t, func(t *testing.T) hazard.BlobStore {
		s, _ := newStore(t)
		return s
	})
}

func TestLayout(t *testing.T) {
	s, dir := newStore(t)
	info, err := s.Put(t.Context(), strings.NewReader("photo"), hazard.TypePNG)
	require.NoError(t, err, "Put")
	k := info.Key
	b, err := os.ReadFile(filepath.Join(dir, k[:2], k[2:4], k))
	require.NoError(t, err, "content file at dir/ab/cd/<key>")
	assert.Equal(t, "photo", string(b))
	_, err = os.Stat(filepath.Join(dir, k[:2], k[2:4], k+".json"))
	assert.NoError(t, err, "sidecar beside the content")
	assert.Equal(t, dir, s.Dir(), "Dir")

	// Reopening the directory finds the blob again.
	s2, err := fsblob.New(dir)
	require.NoError(t, err, "fsblob.New of an existing directory")
	got, err := s2.Stat(t.Context(), k)
	require.NoError(t, err, "Stat after reopening")
	assert.Equal(t, info, got, "Stat after reopening")

	// Without its sidecar the blob is still served, with a generic type.
	require.NoError(t, os.Remove(filepath.Join(dir, k[:2], k[2:4], k+".json")))
	got, err = s2.Stat(t.Context(), k)
	require.NoError(t, err, "Stat without the sidecar")
	assert.Equal(t, fsblob.DefaultContentType, got.ContentType, "Stat without the sidecar: content type")
	assert.Equal(t, info.Size, got.Size, "Stat without the sidecar: size")
}

func TestKeysNeverEscape(t *testing.T) {
	s, dir := newStore(t)
	parent := filepath.Dir(dir)
	victim := filepath.Join(parent, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o600))
	outsideKey := strings.Repeat("a", 64)
	outside := filepath.Join(parent, outsideKey)
	require.NoError(t, os.WriteFile(outside, []byte("keep me too"), 0o600))
	for _, key := range []string{
		"../victim", "../../victim", "..", ".", "/", victim, "aa/../../victim",
		"../" + outsideKey, "..\\victim", "aa/bb/../../../victim", "victim\x00",
	} {
		_, _, err := s.Open(t.Context(), key)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "Open(%q)", key)
		_, err = s.Stat(t.Context(), key)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "Stat(%q)", key)
		assert.ErrorIs(t, s.Delete(t.Context(), key), hazard.ErrInvalid, "Delete(%q)", key)
	}
	for _, f := range []string{victim, outside} {
		_, err := os.Stat(f)
		assert.NoError(t, err, "%s outside the store after malicious deletes", f)
	}
}

func TestNew(t *testing.T) {
	_, err := fsblob.New("")
	assert.ErrorIs(t, err, hazard.ErrInvalid, "New(\"\")")
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = fsblob.New(file)
	assert.ErrorIs(t, err, hazard.ErrInternal, "New of a regular file")
	_, err = fsblob.New(filepath.Join(file, "sub"))
	assert.Error(t, err, "New under a regular file")
}

func TestRefusedPutLeavesNothing(t *testing.T) {
	s, dir := newStore(t)
	_, err := s.Put(t.Context(), strings.NewReader(strings.Repeat("x", hazard.MaxPhotoSize+1)), hazard.TypeJPEG)
	require.ErrorIs(t, err, hazard.ErrInvalid, "Put of MaxPhotoSize+1 bytes")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "directory after a refused Put")
}

func TestBlobSweeper(t *testing.T) {
	hazardtest.TestBlobSweeper(t, func(t *testing.T) (hazardtest.SweepStore, func(time.Duration)) {
		s, dir := newStore(t)
		older := func(d time.Duration) {
			err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				fi, err := e.Info()
				if err != nil {
					return err
				}
				mt := fi.ModTime().Add(-d)
				return os.Chtimes(path, mt, mt)
			})
			require.NoError(t, err, "making the blobs older")
		}
		return s, older
	})
}
