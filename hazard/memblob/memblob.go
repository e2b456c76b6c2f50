// Package memblob is the in-memory adapter of hazard.BlobStore, for tests
// and demos. A *Store is safe for concurrent use; it keeps its own copy of
// every blob and hands out readers over it.
package memblob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.BlobStore = (*Store)(nil)

type blob struct {
	info hazard.BlobInfo
	data []byte // never changed once stored
}

// Store is an in-memory hazard.BlobStore. The zero value is not usable;
// call New.
type Store struct {
	mu    sync.RWMutex
	blobs map[string]blob
}

// New returns an empty store.
func New() *Store { return &Store{blobs: make(map[string]blob)} }

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
		return b.info, nil
	}
	s.blobs[info.Key] = blob{info: info, data: data}
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

// Len returns the number of stored blobs.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.blobs)
}
