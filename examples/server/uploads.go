package server

import (
	"context"
	"fmt"
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

// uploads remembers who uploaded which photo, and which hazards refer to
// each photo (for /photos access). Blobs are content-addressed and may be
// shared: a blob is deleted only when no upload record and no hazard needs
// it. It is safe for concurrent use.
type uploads struct {
	mu      sync.Mutex
	byOwner map[string]map[string]*uploadRec
	used    map[string][]uuid.UUID // blob key -> hazards that refer to it
}

type uploadRec struct {
	info    hazard.BlobInfo
	created time.Time
	// used is set once a report or an action referred to the upload (or is
	// about to): such an upload is never swept.
	used bool
}

func newUploads() *uploads {
	return &uploads{byOwner: map[string]map[string]*uploadRec{}, used: map[string][]uuid.UUID{}}
}

// add records that owner uploaded the blob. It is CodeRateLimited when the
// owner holds MaxPendingUploads unused uploads already.
func (u *uploads) add(owner string, info hazard.BlobInfo, now time.Time) error {
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
		return withRetryAfter(hazard.Errorf(hazard.CodeRateLimited,
			"at most %d photos may wait for a report: use them or wait a day", MaxPendingUploads), time.Hour)
	}
	m[info.Key] = &uploadRec{info: info, created: now}
	return nil
}

// reserve turns the owner's upload keys into photos and marks them used, so
// that the sweeper keeps them. Every unknown, expired or someone else's key
// is a problem of the field (field[i]); then nothing is marked. release
// undoes the marks of this call, for a use case that failed.
func (u *uploads) reserve(owner, field string, keys []string, now time.Time, ttl time.Duration) (photos []hazard.Photo, release func(), err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	var p hazard.Problems
	m := u.byOwner[owner]
	photos = make([]hazard.Photo, 0, len(keys))
	var recs []*uploadRec
	for i, k := range keys {
		f := fmt.Sprintf("%s[%d]", field, i)
		r, ok := m[k]
		switch {
		case !hazard.ValidKey(k):
			p.Add(f, "is not an upload key")
		case !ok:
			p.Add(f, "is not one of your uploads")
		case !r.used && now.Sub(r.created) >= ttl:
			p.Add(f, "has expired: upload the photo again")
		default:
			photos = append(photos, hazard.Photo{SHA256: r.info.Key, ContentType: r.info.ContentType, Size: r.info.Size})
			recs = append(recs, r)
		}
	}
	if err := p.Err("photos"); err != nil {
		return nil, func() {}, err
	}
	var marked []*uploadRec
	for _, r := range recs {
		if !r.used {
			r.used = true
			marked = append(marked, r)
		}
	}
	return photos, func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		for _, r := range marked {
			r.used = false
			r.created = now
		}
	}, nil
}

// attach records that the hazard refers to the photos.
func (u *uploads) attach(id uuid.UUID, photos ...[]hazard.Photo) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, ps := range photos {
		for _, ph := range ps {
			ids := u.used[ph.SHA256]
			found := false
			for _, x := range ids {
				found = found || x == id
			}
			if !found {
				u.used[ph.SHA256] = append(ids, id)
			}
		}
	}
}

// hazards returns the hazards that refer to the blob.
func (u *uploads) hazards(key string) []uuid.UUID {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]uuid.UUID(nil), u.used[key]...)
}

// owns reports whether owner uploaded the blob.
func (u *uploads) owns(owner, key string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.byOwner[owner][key]
	return ok
}

// sweep forgets the uploads that stayed unused for ttl and deletes the
// blobs nothing else needs. It returns how many uploads it forgot.
func (u *uploads) sweep(ctx context.Context, blobs hazard.BlobStore, now time.Time, ttl time.Duration) (int, error) {
	u.mu.Lock()
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
	var del []string
	for _, k := range doomed {
		if len(u.used[k]) == 0 && !u.heldLocked(k) {
			del = append(del, k)
		}
	}
	// Deleting under the lock keeps a concurrent upload of the same content
	// from being recorded while its blob goes away.
	defer u.mu.Unlock()
	for _, k := range del {
		if err := blobs.Delete(ctx, k); err != nil {
			return n, err
		}
	}
	return n, nil
}

// heldLocked reports whether any owner still holds an upload of the key.
func (u *uploads) heldLocked(key string) bool {
	for _, m := range u.byOwner {
		if _, ok := m[key]; ok {
			return true
		}
	}
	return false
}
