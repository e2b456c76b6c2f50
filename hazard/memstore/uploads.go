package memstore

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Uploads is the in-memory hazard.Uploads, with the hazard.OriginalPurger
// capability. One mutex guards it: every method is one step under the
// lock, and Expire and PurgeOriginals call drop under it, so that a
// Reserve of the same content waits until the blob is gone. It is safe for
// concurrent use and passes hazardtest.TestUploads.
type Uploads struct {
	mu      sync.Mutex
	byOwner map[string]map[string]*hazard.Upload
	pending map[string]int // owner -> pending uploads
	// holders counts, per blob key, the uploads that have it as Key or
	// PublicKey (once per upload).
	holders map[string]int
	owners  map[string]map[string]struct{} // key -> owners with an upload of it
	hazards map[string][]uuid.UUID         // key -> attached hazards, ascending
}

var (
	_ hazard.Uploads        = (*Uploads)(nil)
	_ hazard.OriginalPurger = (*Uploads)(nil)
)

// NewUploads returns an empty Uploads.
func NewUploads() *Uploads {
	return &Uploads{
		byOwner: map[string]map[string]*hazard.Upload{},
		pending: map[string]int{},
		holders: map[string]int{},
		owners:  map[string]map[string]struct{}{},
		hazards: map[string][]uuid.UUID{},
	}
}

// blobKeys returns the distinct blob keys of u.
func blobKeys(u *hazard.Upload) []string {
	if u.PublicKey == "" || u.PublicKey == u.Key {
		return []string{u.Key}
	}
	return []string{u.Key, u.PublicKey}
}

func (s *Uploads) insertLocked(u *hazard.Upload) {
	m := s.byOwner[u.Owner]
	if m == nil {
		m = map[string]*hazard.Upload{}
		s.byOwner[u.Owner] = m
	}
	m[u.Key] = u
	if u.State == hazard.UploadPending {
		s.pending[u.Owner]++
	}
	for _, k := range blobKeys(u) {
		s.holders[k]++
	}
	o := s.owners[u.Key]
	if o == nil {
		o = map[string]struct{}{}
		s.owners[u.Key] = o
	}
	o[u.Owner] = struct{}{}
}

func (s *Uploads) removeLocked(u *hazard.Upload) {
	m := s.byOwner[u.Owner]
	delete(m, u.Key)
	if len(m) == 0 {
		delete(s.byOwner, u.Owner)
	}
	if u.State == hazard.UploadPending {
		if s.pending[u.Owner]--; s.pending[u.Owner] == 0 {
			delete(s.pending, u.Owner)
		}
	}
	for _, k := range blobKeys(u) {
		if s.holders[k]--; s.holders[k] == 0 {
			delete(s.holders, k)
		}
	}
	delete(s.owners[u.Key], u.Owner)
	if len(s.owners[u.Key]) == 0 {
		delete(s.owners, u.Key)
	}
}

// setStateLocked moves u to state, keeping the pending counts.
func (s *Uploads) setStateLocked(u *hazard.Upload, state hazard.UploadState) {
	if u.State == hazard.UploadPending {
		s.pending[u.Owner]--
	}
	if state == hazard.UploadPending {
		s.pending[u.Owner]++
	}
	u.State = state
}

// Reserve implements hazard.Uploads.
func (s *Uploads) Reserve(_ context.Context, u hazard.Upload, maxPending int) (hazard.Upload, error) {
	const op = "memstore.Uploads.Reserve"
	if err := u.Validate(); err != nil {
		return hazard.Upload{}, hazard.Wrap(op, err)
	}
	if maxPending < 1 {
		return hazard.Upload{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "max_pending", Message: "must be at least 1"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byOwner[u.Owner][u.Key]; ok {
		if r.State == hazard.UploadPending || r.OriginalPurged {
			r.Created, r.OriginalPurged = u.Created.UTC(), false
		}
		if r.PublicKey == "" && u.PublicKey != "" {
			s.removeLocked(r) // re-counted with its new public key
			r.PublicKey = u.PublicKey
			s.insertLocked(r)
		}
		return *r, nil
	}
	if s.pending[u.Owner] >= maxPending {
		return hazard.Upload{}, &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "too many pending uploads"}
	}
	r := u
	r.Created, r.State = u.Created.UTC(), hazard.UploadPending
	s.insertLocked(&r)
	return r, nil
}

func checkKeys(op string, keys []string) error {
	for _, k := range keys {
		if !hazard.ValidKey(k) {
			return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "keys", Message: "holds a malformed blob key"}
		}
	}
	return nil
}

// Hold implements hazard.Uploads.
func (s *Uploads) Hold(_ context.Context, owner string, keys []string, check func([]hazard.Upload) error) ([]hazard.Upload, error) {
	if err := checkKeys("memstore.Uploads.Hold", keys); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byOwner[owner]
	found := make([]hazard.Upload, len(keys))
	for i, k := range keys {
		if r, ok := m[k]; ok {
			found[i] = *r
		}
	}
	if err := check(slices.Clone(found)); err != nil {
		return nil, err
	}
	for i, k := range keys {
		if r, ok := m[k]; ok && r.State == hazard.UploadPending {
			s.setStateLocked(r, hazard.UploadHeld)
		}
		if r, ok := m[k]; ok {
			found[i] = *r
		}
	}
	return found, nil
}

// Release implements hazard.Uploads.
func (s *Uploads) Release(_ context.Context, owner string, keys []string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if r, ok := s.byOwner[owner][k]; ok && r.State == hazard.UploadHeld {
			s.setStateLocked(r, hazard.UploadPending)
			r.Created = now.UTC()
		}
	}
	return nil
}

// Attach implements hazard.Uploads.
func (s *Uploads) Attach(_ context.Context, owner string, id uuid.UUID, keys []string) error {
	const op = "memstore.Uploads.Attach"
	if err := checkKeys(op, keys); err != nil {
		return err
	}
	if id == uuid.Nil {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "id", Message: "is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byOwner[owner]
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "keys", Message: "names an upload the owner does not have"}
		}
	}
	for _, k := range keys {
		if r := m[k]; r.State != hazard.UploadAttached {
			s.setStateLocked(r, hazard.UploadAttached)
		}
		ids := s.hazards[k]
		if i, found := slices.BinarySearchFunc(ids, id, compareUUID); !found {
			s.hazards[k] = slices.Insert(ids, i, id)
		}
	}
	return nil
}

func compareUUID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// heldLocked reports whether any upload or hazard holds the blob key.
func (s *Uploads) heldLocked(key string) bool {
	return s.holders[key] > 0 || len(s.hazards[key]) > 0
}

// Expire implements hazard.Uploads. It forgets the expired uploads one
// original blob key at a time, dropping the blobs that key's uploads held
// alone; when drop fails, that key's uploads are put back.
func (s *Uploads) Expire(ctx context.Context, cutoff time.Time, drop func(context.Context, string) error) ([]hazard.Upload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byKey := map[string][]*hazard.Upload{}
	for _, m := range s.byOwner {
		for _, r := range m {
			if r.ExpiredAt(cutoff) {
				byKey[r.Key] = append(byKey[r.Key], r)
			}
		}
	}
	var out []hazard.Upload
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		group := byKey[k]
		slices.SortFunc(group, func(a, b *hazard.Upload) int { return strings.Compare(a.Owner, b.Owner) })
		var blobs []string
		for _, r := range group {
			s.removeLocked(r)
			for _, b := range blobKeys(r) {
				if !slices.Contains(blobs, b) {
					blobs = append(blobs, b)
				}
			}
		}
		slices.Sort(blobs)
		for _, b := range blobs {
			if s.heldLocked(b) {
				continue
			}
			if err := drop(ctx, b); err != nil {
				for _, r := range group {
					s.insertLocked(r)
				}
				return out, err
			}
		}
		for _, r := range group {
			out = append(out, *r)
		}
	}
	return out, nil
}

// Lookup implements hazard.Uploads.
func (s *Uploads) Lookup(_ context.Context, owner, key string) (hazard.UploadRefs, error) {
	const op = "memstore.Uploads.Lookup"
	if !hazard.ValidKey(key) {
		return hazard.UploadRefs{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owners, ids := s.owners[key], s.hazards[key]
	if len(owners) == 0 && len(ids) == 0 {
		return hazard.UploadRefs{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "key", Message: "no upload of the blob"}
	}
	var refs hazard.UploadRefs
	if owner != "" {
		_, refs.Owned = owners[owner]
	}
	for o := range owners {
		if pk := s.byOwner[o][key].PublicKey; pk != "" {
			refs.PublicKey = pk
			break
		}
	}
	refs.Hazards = slices.Clone(ids)
	return refs, nil
}

// PurgeOriginals implements hazard.OriginalPurger, under the lock.
func (s *Uploads) PurgeOriginals(ctx context.Context, cutoff time.Time, drop func(context.Context, string) error) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	publics := map[string]bool{}
	byKey := map[string][]*hazard.Upload{}
	for _, m := range s.byOwner {
		for _, r := range m {
			byKey[r.Key] = append(byKey[r.Key], r)
			if r.PublicKey != "" {
				publics[r.PublicKey] = true
			}
		}
	}
	n := 0
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		if publics[k] || !originalDue(byKey[k], cutoff) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return n, hazard.Wrap("memstore.Uploads.PurgeOriginals", err)
		}
		if err := drop(ctx, k); err != nil {
			return n, err
		}
		for _, r := range byKey[k] {
			r.OriginalPurged = true
		}
		n++
	}
	return n, nil
}

// originalDue reports whether the original of the uploads of one key is
// due at cutoff (see hazard.OriginalPurger), but for its being another
// upload's public copy.
func originalDue(ups []*hazard.Upload, cutoff time.Time) bool {
	unpurged := false
	for _, r := range ups {
		if r.Created.After(cutoff) || r.PublicKey == "" || r.PublicKey == r.Key {
			return false
		}
		unpurged = unpurged || !r.OriginalPurged
	}
	return unpurged
}
