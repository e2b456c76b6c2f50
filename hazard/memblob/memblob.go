// Package memblob is the in-memory adapter of hazard.BlobStore (with the
// hazard.BlobSweeper capability), for tests and demos. A *Store is safe for concurrent use; it keeps its own copy of
// every blob and hands out readers over it.
package memblob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

var (
	_ hazard.BlobStore   = (*Store)(nil)
	_ hazard.BlobSweeper = (*Store)(nil)
)

type blob struct {
	info hazard.BlobInfo
	data []byte    // never changed once stored
	put  time.Time // when last put
}

// Store is an in-memory hazard.BlobStore and hazard.BlobSweeper. The zero
// value is not usable; call New.
type Store struct {
	mu    sync.RWMutex
	blobs map[string]blob
	now   func() time.Time
}

// New returns an empty store on the system clock.
func New() *Store { return NewWithClock(time.Now) }

// NewWithClock returns an empty store that reads the time of a Put, and the
// age of a blob, from now.
func NewWithClock(now func() time.Time) *Store {
	return &Store{blobs: make(map[string]blob), now: now}
}

// Put implements hazard.BlobStore. It reads at most hazard.MaxPhotoSize+1
// bytes of r. Putting content already stored keeps the first content type.
func (s *Store) Put(ctx context.Context, r io.Reader, contentType string) (hazard.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap("memblob.put", err)
	}
	data, err := io.ReadAll(io.LimitReader(r, hazard.MaxPhotoSize+1))
	if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap("memblob.put", err)
	}
	if len(data) > hazard.MaxPhotoSize {
		return hazard.BlobInfo{}, &hazard.Error{Code: hazard.CodeInvalid, Op: "memblob.put", Field: "size",
			Message: "is larger than the limit of " + itoa(hazard.MaxPhotoSize) + " bytes"}
	}
	sum := sha256.Sum256(data)
	info := hazard.BlobInfo{Key: hex.EncodeToString(sum[:]), ContentType: contentType, Size: int64(len(data))}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.blobs[info.Key]; ok {
		b.put = s.now()
		s.blobs[info.Key] = b
		return b.info, nil
	}
	s.blobs[info.Key] = blob{info: info, data: data, put: s.now()}
	return info, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

func (s *Store) get(op, key string) (blob, error) {
	if !hazard.ValidKey(key) {
		return blob{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.blobs[key]
	if !ok {
		return blob{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "blob not found"}
	}
	return b, nil
}

// Open implements hazard.BlobStore.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, hazard.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.BlobInfo{}, hazard.Wrap("memblob.open", err)
	}
	b, err := s.get("memblob.open", key)
	if err != nil {
		return nil, hazard.BlobInfo{}, err
	}
	return io.NopCloser(bytes.NewReader(b.data)), b.info, nil
}

// Stat implements hazard.BlobStore. A malformed key is CodeInvalid.
func (s *Store) Stat(ctx context.Context, key string) (hazard.BlobInfo, error) {
	if err := ctx.Err(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap("memblob.stat", err)
	}
	b, err := s.get("memblob.stat", key)
	return b.info, err
}

// Delete implements hazard.BlobStore. A malformed key is CodeInvalid.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return hazard.Wrap("memblob.delete", err)
	}
	if !hazard.ValidKey(key) {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: "memblob.delete", Field: "key", Message: "is not a blob key"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blobs, key)
	return nil
}

// OldBlobs implements hazard.BlobSweeper.
func (s *Store) OldBlobs(ctx context.Context, age time.Duration, after string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memblob.old", err)
	}
	if limit < 1 || age < 0 {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "memblob.old", Message: "limit must be at least 1 and age not negative"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	cutoff := s.now().Add(-age)
	var keys []string
	for k, b := range s.blobs {
		if k > after && b.put.Before(cutoff) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) > limit {
		keys = keys[:limit]
	}
	return keys, nil
}

// DeleteOld implements hazard.BlobSweeper: under the store's lock, so
// that a Put of the same content either renews the blob first or stores
// it again after.
func (s *Store) DeleteOld(ctx context.Context, key string, age time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, hazard.Wrap("memblob.delete_old", err)
	}
	if !hazard.ValidKey(key) {
		return false, &hazard.Error{Code: hazard.CodeInvalid, Op: "memblob.delete_old", Field: "key", Message: "is not a blob key"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[key]
	if !ok || !b.put.Before(s.now().Add(-age)) {
		return false, nil
	}
	delete(s.blobs, key)
	return true, nil
}

// Len returns the number of stored blobs.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobs)
}
