package hazard

import (
	"context"
	"errors"
	"time"
)

// Limits of the sweep of unreferenced blobs.
const (
	// DefaultBlobGrace is how long a blob nothing refers to is kept after
	// it was last put, before SweepBlobs deletes it: longer than
	// DefaultUploadTTL, so that a pending upload's blob is held by its
	// upload first, and long enough for any use case that stores a blob
	// and then refers to it to finish.
	DefaultBlobGrace = 48 * time.Hour
	// BlobSweepBatch is how many blobs SweepBlobs checks at once.
	BlobSweepBatch = 500
)

// BlobSweeper is an optional capability of a BlobStore: listing the blobs
// put long ago, and deleting one only if no Put renewed it meanwhile.
// hazardtest.TestBlobSweeper checks these promises. memblob, fsblob and
// pgstore's BlobStore have it.
//
// A store with this capability records, per blob, when it was last put:
// Put of content already stored renews that time. The time is the store's
// own (the file system's, the database's), which is why the methods take
// an age, not an instant.
type BlobSweeper interface {
	// OldBlobs returns the keys of at most limit blobs last put more than
	// age ago whose key is greater than after, in ascending order of key.
	// limit must be at least 1 and age at least 0, else CodeInvalid.
	OldBlobs(ctx context.Context, age time.Duration, after string, limit int) ([]string, error)

	// DeleteOld deletes the blob with the key if it was last put more than
	// age ago, in one step with Put: a Put of the same content that
	// returns before DeleteOld decides keeps the blob, and one that returns
	// after it stores the content again. It reports whether it deleted. A
	// missing blob is not an error (false); a malformed key is
	// CodeInvalid.
	DeleteOld(ctx context.Context, key string, age time.Duration) (bool, error)
}

// BlobReferrer is anything that refers to blobs by key: a hazard store
// (photos, evidence and event attachments), the uploads (pending uploads,
// public copies and attachments), and later inspection results or
// moderated copies. SweepBlobs deletes a blob only when every referrer
// says it does not refer to it.
type BlobReferrer interface {
	// ReferencedBlobs returns those of keys that it refers to (a set; the
	// map is the caller's). Malformed keys are CodeInvalid.
	ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error)
}

// ErrNoReferenceCheck is the cause of SweepBlobs refusing to run because a
// store it must ask about references cannot answer (it does not implement
// BlobReferrer): deleting without asking every referrer could delete a
// photo in use.
var ErrNoReferenceCheck = errors.New("a store cannot say which blobs it refers to")

// SweepBlobs deletes the blobs nothing refers to that were last put more
// than the grace period ago (PhotosConfig.BlobGrace, default
// DefaultBlobGrace), and returns how many it deleted. Blobs are
// content-addressed and shared, so every referrer is asked: the Service's
// store, the uploads, and PhotosConfig.Referrers. When the blob store is
// no BlobSweeper there is nothing to sweep (0, nil); when a store to ask is
// no BlobReferrer, SweepBlobs refuses with CodeInternal and the cause
// ErrNoReferenceCheck. Any number of processes may sweep at once.
func (p *Photos) SweepBlobs(ctx context.Context) (int, error) {
	const op = "sweep blobs"
	bs, ok := p.blobs.(BlobSweeper)
	if !ok {
		return 0, nil
	}
	refs := make([]BlobReferrer, 0, 2+len(p.referrers))
	for _, r := range []any{p.svc.store, p.uploads} {
		br, ok := r.(BlobReferrer)
		if !ok {
			return 0, &Error{Code: CodeInternal, Op: op, Err: ErrNoReferenceCheck,
				Message: "the hazard store or the uploads cannot say which blobs they refer to"}
		}
		refs = append(refs, br)
	}
	refs = append(refs, p.referrers...)
	deleted, after := 0, ""
	for {
		keys, err := bs.OldBlobs(ctx, p.grace, after, BlobSweepBatch)
		if err != nil {
			return deleted, Wrap(op, err)
		}
		if len(keys) == 0 {
			return deleted, nil
		}
		after = keys[len(keys)-1]
		used := make(map[string]bool, len(keys))
		for _, r := range refs {
			got, err := r.ReferencedBlobs(ctx, keys)
			if err != nil {
				return deleted, Wrap(op, err)
			}
			for k := range got {
				used[k] = true
			}
		}
		for _, k := range keys {
			if used[k] {
				continue
			}
			// A use case that refers to the blob after the check above
			// put it first (Photos.Upload reserves, then puts), which
			// renews it: DeleteOld then keeps it.
			ok, err := bs.DeleteOld(ctx, k, p.grace)
			if err != nil {
				return deleted, Wrap(op, err)
			}
			if ok {
				deleted++
			}
		}
		if len(keys) < BlobSweepBatch {
			return deleted, nil
		}
	}
}

// referencedIn returns those of keys that photos refer to, added to set
// (made when nil).
func referencedIn(set map[string]bool, want map[string]bool, photos []Photo) map[string]bool {
	for _, ph := range photos {
		if want[ph.SHA256] {
			if set == nil {
				set = map[string]bool{}
			}
			set[ph.SHA256] = true
		}
	}
	return set
}

// ReferencedByHazard returns those of keys (given as a set) that h refers
// to as photos or evidence, added to set (made when nil): the helper of a
// hazard store's BlobReferrer.
func ReferencedByHazard(set, keys map[string]bool, h *Hazard) map[string]bool {
	set = referencedIn(set, keys, h.Photos)
	return referencedIn(set, keys, h.Evidence)
}

// ReferencedByEvent is ReferencedByHazard for an event's attachments.
func ReferencedByEvent(set, keys map[string]bool, e *Event) map[string]bool {
	return referencedIn(set, keys, e.Attachments)
}
