package hazard

import (
	"context"
	"errors"
	"time"
)

// The retention of originals: the photo as uploaded carries its metadata
// (EXIF with the GPS position where it was taken, the camera, the time),
// which staff may need while they handle a report, the public never. Its
// copy without metadata is what the public sees. After the retention
// period, PurgeOriginals deletes the original and keeps the copy, so that
// a report still shows its photos; whoever could see the original then
// gets the copy (Photos.Open).

// DefaultOriginalRetention is how long the original of an uploaded photo
// is kept after its upload before PurgeOriginals deletes it
// (PhotosConfig.OriginalRetention).
const DefaultOriginalRetention = 180 * Day

// ErrNoOriginalPurge is the cause of PurgeOriginals refusing to run
// because the uploads cannot purge originals (they do not implement
// OriginalPurger): originals would then be kept beyond their period.
var ErrNoOriginalPurge = errors.New("the uploads cannot purge originals")

// OriginalPurger is an optional capability of Uploads: purging the
// originals of old uploads, for the retention period of originals
// (PhotosConfig.OriginalRetention). memstore.Uploads and pgstore's Uploads
// have it; hazardtest.TestUploads checks it when an adapter has it.
//
// An original is due when some upload of its key is not OriginalPurged
// yet, every upload of the key was reserved (Upload.Created) at or before
// the cutoff, every upload of it has a public copy that is another blob
// (PublicKey neither "" nor the key: an original without metadata is its
// own public copy, and one recorded before public copies were kept has
// none), and no upload has the key as its PublicKey.
//
// An adapter with this capability also keeps this promise of Reserve: the
// owner's upload of a key whose original was purged is renewed (reserved
// again at u.Created and OriginalPurged false, whatever its state), since
// its caller stores the original again.
type OriginalPurger interface {
	// PurgeOriginals purges every due original at cutoff, in ascending
	// order of key: for each, in one atomic step that excludes Reserve of
	// the key (as Expire does), it marks every upload of the key
	// OriginalPurged and calls drop(ctx, key), which deletes the blob. It
	// returns how many it purged. When drop fails, that key stays unpurged
	// and PurgeOriginals returns the count so far and drop's error. drop
	// must be short and must not call the Uploads.
	PurgeOriginals(ctx context.Context, cutoff time.Time, drop func(ctx context.Context, key string) error) (int, error)
}

// PurgeOriginals deletes the originals, with their metadata, of the photos
// uploaded longer than PhotosConfig.OriginalRetention ago (by the Photos'
// clock; uploading the same photo again restarts its period), and returns
// how many it deleted: OriginalPurger.PurgeOriginals with the blob store's
// Delete. Public copies stay, so reports keep showing their photos; staff
// and uploaders then get the public copy (Open). Originals without
// metadata (their own public copy) are kept. When the uploads have no
// OriginalPurger capability, it refuses with CodeInternal and the cause
// ErrNoOriginalPurge. Any number of processes may purge at once.
func (p *Photos) PurgeOriginals(ctx context.Context) (int, error) {
	const op = "purge originals"
	purger, ok := p.uploads.(OriginalPurger)
	if !ok {
		return 0, &Error{Code: CodeInternal, Op: op, Err: ErrNoOriginalPurge, Message: "the uploads cannot purge originals"}
	}
	n, err := purger.PurgeOriginals(ctx, p.now().Add(-p.originals), p.blobs.Delete)
	return n, Wrap(op, err)
}
