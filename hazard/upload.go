package hazard

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Limits and defaults of uploads.
const (
	// MaxPendingUploads is how many pending uploads (reserved, not yet held
	// for or attached to a report) one user may have at once.
	MaxPendingUploads = 50
	// DefaultUploadTTL is how long a pending upload is kept before it
	// expires and its blobs are deleted.
	DefaultUploadTTL = 24 * time.Hour
	// DefaultMaxConcurrentUploads is how many Photos.Upload calls run at
	// once by default; more wait. Each holds up to about two copies of a
	// photo (MaxPhotoSize) in memory while it runs, so this bounds the
	// memory of uploads at about 2 * 16 * 10 MiB.
	DefaultMaxConcurrentUploads = 16
)

// UploadState is where an upload stands in its life.
type UploadState string

// The states of an upload: pending when reserved (it counts against the
// owner's cap and expires), held while a use case that refers to it runs,
// attached once a hazard refers to it (it never expires).
const (
	UploadPending  UploadState = "pending"
	UploadHeld     UploadState = "held"
	UploadAttached UploadState = "attached"
)

// Upload is one photo a user uploaded: the original blob, kept for its
// owner and for staff, and the blob of its public copy without metadata.
// The same content uploaded by two users is two uploads of one blob.
type Upload struct {
	// Owner is the ID of the user who uploaded it.
	Owner string
	// Key is the blob key (hex SHA-256) of the original.
	Key string
	// PublicKey is the blob key of the copy without metadata (equal to Key
	// when the original had none); "" for an upload recorded before public
	// copies were kept, whose public copy is made when it is read.
	PublicKey   string
	ContentType string
	Size        int64
	// Created is when the upload was reserved, or renewed by an upload of
	// the same content, or released; UTC.
	Created time.Time
	State   UploadState
	// OriginalPurged is true once the original's retention period ended
	// and its blob was deleted (OriginalPurger, Photos.PurgeOriginals):
	// the public copy, PublicKey, stands for it from then on.
	OriginalPurged bool
}

// ExpiredAt reports whether u, if pending, has expired at cutoff (now minus
// the time to live): it was reserved at or before cutoff. Held and
// attached uploads never expire.
func (u Upload) ExpiredAt(cutoff time.Time) bool {
	return u.State == UploadPending && !u.Created.After(cutoff)
}

// Photo returns the photo a hazard records for the upload.
func (u Upload) Photo() Photo {
	return Photo{SHA256: u.Key, ContentType: u.ContentType, Size: u.Size}
}

// Validate reports every problem with u as a new upload to reserve.
func (u Upload) Validate() error {
	var p Problems
	if u.Owner == "" {
		p.Add("owner", "is required")
	}
	if !ValidKey(u.Key) {
		p.Add("key", "must be 64 lower-case hex digits")
	}
	if u.PublicKey != "" && !ValidKey(u.PublicKey) {
		p.Add("public_key", "must be empty or 64 lower-case hex digits")
	}
	p.Merge("", Photo{SHA256: u.Key, ContentType: u.ContentType, Size: u.Size}.Validate())
	if u.Created.IsZero() {
		p.Add("created", "is required")
	}
	return p.Err("upload")
}

// UploadRefs is what the uploads know of one blob key.
type UploadRefs struct {
	// Owned reports whether the user asked about uploaded the blob.
	Owned bool
	// PublicKey is the key of the blob's public copy; "" when its uploads
	// were recorded before public copies were kept.
	PublicKey string
	// Hazards are the IDs of the hazards the blob is attached to, in
	// ascending order, each once.
	Hazards []uuid.UUID
}

// Uploads is the port of pending uploads: who uploaded which blob, whether
// a report uses it yet, and which hazards it is attached to. Photos (the
// use case) is its only caller; hazardtest.TestUploads checks every promise
// below. Adapters: memstore.Uploads, pgstore's (*DB).Uploads.
//
// An Uploads that is a Forgetter (an erasure; both adapters are) gives the
// person's uploads to the pseudonym in one step, held and attached ones as
// they are, pending ones reserved at the Unix epoch so that the next
// Expire forgets them with their blobs.
//
// Every method is one atomic step, safe for concurrent use, also across
// processes sharing an adapter's database. Values are copied in and out.
// Uploads are keyed by (Owner, Key): the same content uploaded by two users
// is two uploads. A blob key is held while any upload has it as Key or
// PublicKey, or a hazard is attached to it.
type Uploads interface {
	// Reserve records u (State and the stored fields are set by Reserve)
	// as a pending upload of u.Owner and returns it as stored. When the
	// owner already has an upload with u.Key, Reserve renews it instead: a
	// pending one is reserved again at u.Created, one without a PublicKey
	// gains u.PublicKey, and Reserve returns it, whatever the cap.
	// Otherwise an owner who has maxPending pending uploads already is
	// refused with CodeRateLimited. An invalid u (Upload.Validate) or a
	// maxPending below 1 is CodeInvalid. Nothing changes on error.
	//
	// Reserve and Expire exclude each other on the blob keys of u: a
	// Reserve that returns before Expire decides on a key keeps that blob,
	// and one that returns after it has dropped the blob has recorded an
	// upload whose blob the caller stores afterwards.
	Reserve(ctx context.Context, u Upload, maxPending int) (Upload, error)

	// Hold loads the owner's uploads with the keys (found[i] is the upload
	// with keys[i], or the zero Upload when the owner has none) and calls
	// check with them inside its atomic step. When check returns nil, the
	// pending ones become held (Expire leaves them) and Hold returns found
	// as stored after the change; else nothing changes and Hold returns
	// check's error as is. check must not call the Uploads. A malformed key
	// is CodeInvalid.
	Hold(ctx context.Context, owner string, keys []string, check func(found []Upload) error) ([]Upload, error)

	// Release turns the owner's held uploads with the keys back into
	// pending ones, reserved at now: the use case that held them failed.
	// Pending, attached and unknown keys are left as they are.
	Release(ctx context.Context, owner string, keys []string, now time.Time) error

	// Attach records that the hazard id refers to the owner's uploads with
	// the keys: each becomes attached (and never expires), and each pair of
	// key and hazard is recorded once, however often it is attached. A key
	// that is not one of the owner's uploads is CodeNotFound, a malformed
	// key or a nil id CodeInvalid; nothing changes on error.
	Attach(ctx context.Context, owner string, id uuid.UUID, keys []string) error

	// Expire forgets the pending uploads reserved at or before cutoff
	// (Upload.ExpiredAt) and returns them, in ascending order of Key then
	// Owner. For every blob key of theirs (Key and PublicKey) that is no
	// longer held, it calls drop(ctx, key) before it returns, excluding a
	// Reserve of that key meanwhile (see Reserve). drop must be short (a
	// local blob store's Delete) and must not call the Uploads. When drop
	// fails, Expire stops and returns its error: the uploads whose blob it
	// was dropping stay, to be expired by a later call.
	Expire(ctx context.Context, cutoff time.Time, drop func(ctx context.Context, key string) error) ([]Upload, error)

	// Lookup returns what the uploads know of the blob key: whether owner
	// (may be "", owning nothing) uploaded it, its public copy's key and
	// the hazards attached to it. A key that is no upload's Key (a public
	// copy's alone is not) and has no hazard attached is CodeNotFound; a
	// malformed one CodeInvalid. The Hazards slice is the caller's.
	Lookup(ctx context.Context, owner, key string) (UploadRefs, error)
}
