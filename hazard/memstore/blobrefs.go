package memstore

import (
	"context"

	"github.com/hazardloop/hazardloop/hazard"
)

var (
	_ hazard.BlobReferrer = (*Store)(nil)
	_ hazard.BlobReferrer = (*Uploads)(nil)
)

// keySet checks keys and returns them as a set.
func keySet(op string, keys []string) (map[string]bool, error) {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !hazard.ValidKey(k) {
			return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
		}
		set[k] = true
	}
	return set, nil
}

// ReferencedBlobs implements hazard.BlobReferrer: the keys that a hazard
// has as a photo or evidence, an event as an attachment, or a moderation
// as a redacted copy. It scans the store, as a sweep of old blobs may.
func (s *Store) ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error) {
	want, err := keySet("memstore.referenced_blobs", keys)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.referenced_blobs", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]bool{}
	for _, h := range s.hazards {
		out = hazard.ReferencedByHazard(out, want, h)
	}
	for seq := int64(1); seq <= s.events.len(); seq++ {
		out = hazard.ReferencedByEvent(out, want, s.events.at(seq))
	}
	s.moderatedBlobs(out, want)
	return out, nil
}

// ReferencedBlobs implements hazard.BlobReferrer: the keys that an upload
// has as Key or PublicKey, or that a hazard is attached to.
func (s *Uploads) ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error) {
	want, err := keySet("memstore.uploads.referenced_blobs", keys)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, hazard.Wrap("memstore.uploads.referenced_blobs", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for k := range want {
		if s.holders[k] > 0 || len(s.hazards[k]) > 0 {
			out[k] = true
		}
	}
	return out, nil
}
