package server

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of uploads.
const (
	// MaxUploadSize is the largest photo accepted, in bytes (10 MiB).
	MaxUploadSize = hazard.MaxPhotoSize
	// maxUploadOverhead is the room left for the multipart framing.
	maxUploadOverhead = 64 << 10
	// DefaultUploadTTL is how long an upload no report refers to is kept.
	DefaultUploadTTL = 24 * time.Hour
	// MaxPendingUploads is how many uploads one user may hold that no report
	// refers to yet.
	MaxPendingUploads = 50
)

// uploadStore remembers who uploaded which photo, and which hazards refer
// to each photo (for /photos access). Blobs are content-addressed and may
// be shared: a blob is deleted only when no upload record and no hazard
// needs it. The server uses memUploads, or pgUploads over PostgreSQL so
// that an upload made through one process may be used through any other.
// Implementations are safe for concurrent use.
type uploadStore interface {
	// add records that owner uploaded the blob; uploading it again renews
	// a pending upload. It is CodeRateLimited when the owner holds
	// MaxPendingUploads unused uploads already.
	add(ctx context.Context, owner string, info hazard.BlobInfo, now time.Time) error
	// reserve turns the owner's upload keys into photos and marks them
	// used, so that the sweeper keeps them: see checkReserve. It returns
	// the keys it marked, for release; on error nothing is marked.
	reserve(ctx context.Context, owner, field string, keys []string, now time.Time, ttl time.Duration) ([]hazard.Photo, []string, error)
	// release undoes the marks of a reserve whose use case failed: the
	// uploads are pending again from now.
	release(ctx context.Context, owner string, keys []string, now time.Time) error
	// attach records that the hazard refers to the photos.
	attach(ctx context.Context, id uuid.UUID, photos ...[]hazard.Photo) error
	// hazards returns the hazards that refer to the blob.
	hazards(ctx context.Context, key string) ([]uuid.UUID, error)
	// owns reports whether owner uploaded the blob.
	owns(ctx context.Context, owner, key string) (bool, error)
	// sweep forgets the uploads that stayed unused for ttl and deletes the
	// blobs nothing else needs, so that no upload recorded at the same
	// time loses its blob. It returns how many uploads it forgot.
	sweep(ctx context.Context, blobs hazard.BlobStore, now time.Time, ttl time.Duration) (int, error)
}

// uploadRec is one upload of an owner.
type uploadRec struct {
	info    hazard.BlobInfo
	created time.Time
	// used is set once a report or an action referred to the upload (or is
	// about to): such an upload is never swept.
	used bool
}

// checkReserve checks the keys against the owner's uploads recs: every
// malformed, unknown or expired key is a problem of the field (field[i]).
// It returns the photos and the keys to mark used.
func checkReserve(field string, keys []string, recs map[string]*uploadRec, now time.Time, ttl time.Duration) ([]hazard.Photo, []string, error) {
	var p hazard.Problems
	photos := make([]hazard.Photo, 0, len(keys))
	var mark []string
	for i, k := range keys {
		f := fmt.Sprintf("%s[%d]", field, i)
		r, ok := recs[k]
		switch {
		case !hazard.ValidKey(k):
			p.Add(f, "is not an upload key")
		case !ok:
			p.Add(f, "is not one of your uploads")
		case !r.used && now.Sub(r.created) >= ttl:
			p.Add(f, "has expired: upload the photo again")
		default:
			photos = append(photos, hazard.Photo{SHA256: r.info.Key, ContentType: r.info.ContentType, Size: r.info.Size})
			if !r.used && !slices.Contains(mark, k) {
				mark = append(mark, k)
			}
		}
	}
	if err := p.Err("photos"); err != nil {
		return nil, nil, err
	}
	return photos, mark, nil
}

// errTooManyPending is the refusal of an upload past MaxPendingUploads.
func errTooManyPending() error {
	return withRetryAfter(hazard.Errorf(hazard.CodeRateLimited,
		"at most %d photos may wait for a report: use them or wait a day", MaxPendingUploads), time.Hour)
}

// memUploads is the in-memory uploadStore.
type memUploads struct {
	mu      sync.Mutex
	byOwner map[string]map[string]*uploadRec
	used    map[string][]uuid.UUID // blob key -> hazards that refer to it
}

var _ uploadStore = (*memUploads)(nil)

func newMemUploads() *memUploads {
	return &memUploads{byOwner: map[string]map[string]*uploadRec{}, used: map[string][]uuid.UUID{}}
}

func (u *memUploads) add(_ context.Context, owner string, info hazard.BlobInfo, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.byOwner[owner]
	if m == nil {
		m = map[string]*uploadRec{}
		u.byOwner[owner] = m
	}
	if r, ok := m[info.Key]; ok {
		if !r.used {
			r.created = now // an upload again renews the pending one
		}
		return nil
	}
	pending := 0
	for _, r := range m {
		if !r.used {
			pending++
		}
	}
	if pending >= MaxPendingUploads {
		return errTooManyPending()
	}
	m[info.Key] = &uploadRec{info: info, created: now}
	return nil
}

func (u *memUploads) reserve(_ context.Context, owner, field string, keys []string, now time.Time, ttl time.Duration) ([]hazard.Photo, []string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.byOwner[owner]
	photos, mark, err := checkReserve(field, keys, m, now, ttl)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range mark {
		m[k].used = true
	}
	return photos, mark, nil
}

func (u *memUploads) release(_ context.Context, owner string, keys []string, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, k := range keys {
		if r, ok := u.byOwner[owner][k]; ok {
			r.used, r.created = false, now
		}
	}
	return nil
}

func (u *memUploads) attach(_ context.Context, id uuid.UUID, photos ...[]hazard.Photo) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, ps := range photos {
		for _, ph := range ps {
			if ids := u.used[ph.SHA256]; !slices.Contains(ids, id) {
				u.used[ph.SHA256] = append(ids, id)
			}
		}
	}
	return nil
}

func (u *memUploads) hazards(_ context.Context, key string) ([]uuid.UUID, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]uuid.UUID(nil), u.used[key]...), nil
}

func (u *memUploads) owns(_ context.Context, owner, key string) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.byOwner[owner][key]
	return ok, nil
}

func (u *memUploads) sweep(ctx context.Context, blobs hazard.BlobStore, now time.Time, ttl time.Duration) (int, error) {
	u.mu.Lock()
	// Deleting under the lock keeps a concurrent upload of the same content
	// from being recorded while its blob goes away.
	defer u.mu.Unlock()
	var doomed []string
	n := 0
	for owner, m := range u.byOwner {
		for k, r := range m {
			if !r.used && now.Sub(r.created) >= ttl {
				delete(m, k)
				n++
				doomed = append(doomed, k)
			}
		}
		if len(m) == 0 {
			delete(u.byOwner, owner)
		}
	}
	for _, k := range doomed {
		if len(u.used[k]) > 0 || u.heldLocked(k) {
			continue
		}
		if err := blobs.Delete(ctx, k); err != nil {
			return n, err
		}
	}
	return n, nil
}

// heldLocked reports whether any owner still holds an upload of the key.
func (u *memUploads) heldLocked(key string) bool {
	for _, m := range u.byOwner {
		if _, ok := m[key]; ok {
			return true
		}
	}
	return false
}
