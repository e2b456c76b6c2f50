package hazard

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Causes of an upload refused for its content, under a CodeInvalid *Error
// whose Field is "file": match them with errors.Is (an HTTP layer answers
// 413 and 415 for them).
var (
	// ErrPhotoTooLarge is the cause of a photo larger than MaxPhotoSize.
	ErrPhotoTooLarge = errors.New("photo too large")
	// ErrPhotoType is the cause of content that is not a JPEG, PNG or WebP
	// photo (SniffPhoto).
	ErrPhotoType = errors.New("not a JPEG, PNG or WebP photo")
)

// PhotosConfig configures Photos. Service, Uploads and Blobs are required.
type PhotosConfig struct {
	// Service runs the use cases that photos are used in (Submit, Act) and
	// decides who may see a hazard (SightOf).
	Service *Service
	// Uploads records uploads and what they are attached to.
	Uploads Uploads
	// Blobs keeps the originals and their public copies.
	Blobs BlobStore
	// Clock returns the current time; default the Service's clock.
	Clock func() time.Time
	// TTL is how long a pending upload is kept; default DefaultUploadTTL.
	TTL time.Duration
	// MaxPending is how many pending uploads one user may have; default
	// MaxPendingUploads.
	MaxPending int
	// MaxConcurrent is how many uploads run at once (Upload); more wait
	// for a turn. Default DefaultMaxConcurrentUploads.
	MaxConcurrent int
	// BlobGrace is how long SweepBlobs keeps a blob nothing refers to
	// after it was last put; default DefaultBlobGrace.
	BlobGrace time.Duration
	// Referrers are the other stores that refer to blobs, which
	// SweepBlobs asks besides the Service's store and Uploads.
	Referrers []BlobReferrer
	// OriginalRetention is how long the original of an uploaded photo,
	// with its metadata, is kept after its upload before PurgeOriginals
	// deletes it (its public copy stays); default
	// DefaultOriginalRetention.
	OriginalRetention time.Duration
}

// Photos runs the use cases of photo uploads: upload a photo, use uploads
// in a report or an action, read a photo (the original or its public copy,
// by who asks) and sweep uploads nobody used. It is safe for concurrent
// use and keeps no state of its own beyond its configuration.
type Photos struct {
	svc        *Service
	uploads    Uploads
	blobs      BlobStore
	now        func() time.Time
	ttl        time.Duration
	maxPending int
	grace      time.Duration
	originals  time.Duration
	referrers  []BlobReferrer
	slots      chan struct{} // one per running Upload
}

// NewPhotos returns Photos for cfg, or CodeInvalid naming the missing
// field.
func NewPhotos(cfg PhotosConfig) (*Photos, error) {
	var p Problems
	if cfg.Service == nil {
		p.Add("service", "is required")
	}
	if cfg.Uploads == nil {
		p.Add("uploads", "is required")
	}
	if cfg.Blobs == nil {
		p.Add("blobs", "is required")
	}
	if cfg.TTL < 0 {
		p.Add("ttl", "must not be negative")
	}
	if cfg.MaxPending < 0 {
		p.Add("max_pending", "must not be negative")
	}
	if cfg.MaxConcurrent < 0 {
		p.Add("max_concurrent", "must not be negative")
	}
	if cfg.BlobGrace < 0 {
		p.Add("blob_grace", "must not be negative")
	}
	if cfg.OriginalRetention < 0 {
		p.Add("original_retention", "must not be negative")
	}
	if err := p.Err("photos config"); err != nil {
		return nil, err
	}
	ph := &Photos{svc: cfg.Service, uploads: cfg.Uploads, blobs: cfg.Blobs,
		ttl: cmp.Or(cfg.TTL, DefaultUploadTTL), maxPending: cmp.Or(cfg.MaxPending, MaxPendingUploads),
		grace: cmp.Or(cfg.BlobGrace, DefaultBlobGrace), originals: cmp.Or(cfg.OriginalRetention, DefaultOriginalRetention),
		referrers: slices.Clone(cfg.Referrers),
		slots:     make(chan struct{}, cmp.Or(cfg.MaxConcurrent, DefaultMaxConcurrentUploads))}
	ph.now = cfg.Service.now
	if cfg.Clock != nil {
		ph.now = func() time.Time { return cfg.Clock().UTC() }
	}
	return ph, nil
}

func blobKey(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Upload takes one photo by user from r and returns its pending upload.
//
// It reads at most MaxPhotoSize bytes (more is CodeInvalid with the cause
// ErrPhotoTooLarge; nothing is CodeInvalid), sniffs the type from the
// content (anything but a JPEG, PNG or WebP photo is CodeInvalid with the
// cause ErrPhotoType), makes the public copy without metadata
// (StripMetadata: a malformed image is CodeInvalid) and reserves the upload
// within the user's cap (CodeRateLimited past MaxPending pending uploads)
// before it stores anything: a refused upload stores no blob. It then
// stores the original and the public copy. Every such error names the
// field "file". Uploading the same content again renews the pending upload.
//
// At most PhotosConfig.MaxConcurrent uploads run at once; Upload waits for
// a turn before it reads r (returning ctx's error, wrapped, when ctx is
// done first). One upload keeps the photo in memory once, and its public
// copy once when the photo had metadata to strip.
func (p *Photos) Upload(ctx context.Context, user User, r io.Reader) (Upload, error) {
	const op = "upload"
	if err := authenticated(op, user); err != nil {
		return Upload{}, err
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return Upload{}, Wrap(op, ctx.Err())
	}
	buf := photoBuffers.Get().(*[]byte)
	defer photoBuffers.Put(buf)
	data, err := readPhoto(r, *buf)
	if err != nil {
		return Upload{}, Wrap(op, err)
	}
	switch {
	case len(data) == 0:
		return Upload{}, &Error{Code: CodeInvalid, Op: op, Field: "file", Message: "a photo is required"}
	case len(data) > MaxPhotoSize:
		return Upload{}, &Error{Code: CodeInvalid, Op: op, Field: "file", Err: ErrPhotoTooLarge,
			Message: fmt.Sprintf("the photo is larger than %d MiB", MaxPhotoSize>>20)}
	}
	ct := SniffPhoto(data)
	if ct == "" {
		return Upload{}, &Error{Code: CodeInvalid, Op: op, Field: "file", Err: ErrPhotoType,
			Message: "the photo must be JPEG, PNG or WebP"}
	}
	public, err := StripMetadata(ct, data)
	if err != nil {
		return Upload{}, Wrap(op, err)
	}
	u, err := p.uploads.Reserve(ctx, Upload{
		Owner: user.ID, Key: blobKey(data), PublicKey: blobKey(public),
		ContentType: ct, Size: int64(len(data)), Created: p.now(),
	}, p.maxPending)
	if errors.Is(err, ErrRateLimited) {
		return Upload{}, &Error{Code: CodeRateLimited, Op: op, Field: "file", Err: err,
			Message: fmt.Sprintf("at most %d photos may wait for a report: use them or wait a day", p.maxPending)}
	}
	if err != nil {
		return Upload{}, Wrap(op, err)
	}
	// Stored after the reservation, which a concurrent sweep of the same
	// content waits for or has finished before (Uploads.Reserve).
	if _, err := p.blobs.Put(ctx, bytes.NewReader(data), ct); err != nil {
		return Upload{}, Wrap(op, err)
	}
	if u.PublicKey != u.Key {
		if _, err := p.blobs.Put(ctx, bytes.NewReader(public), ct); err != nil {
			return Upload{}, Wrap(op, err)
		}
	}
	return u, nil
}

// photoBuffers keeps buffers of MaxPhotoSize+1 bytes for Upload to read
// photos into: one buffer per running upload, reused rather than grown
// and dropped per upload (reading 10 MiB with io.ReadAll allocates about
// twice that); the garbage collector frees those no upload used lately.
var photoBuffers = sync.Pool{New: func() any {
	b := make([]byte, MaxPhotoSize+1)
	return &b
}}

// readPhoto reads r into buf until EOF or buf is full, and returns what it
// read.
func readPhoto(r io.Reader, buf []byte) ([]byte, error) {
	n, err := io.ReadFull(r, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return buf[:n], err
}

// hold turns user's upload keys (field "photos", at most MaxPhotos) into
// photos, in order, and holds the pending ones so that no sweep removes
// them while the use case runs. Every malformed, unknown (another user's)
// or expired key is a problem of its field photos[i]; then nothing is held.
// It returns the well-formed keys, to attach or release.
func (p *Photos) hold(ctx context.Context, op string, user User, keys []string) ([]Photo, []string, error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	if len(keys) > MaxPhotos {
		return nil, nil, &Error{Code: CodeInvalid, Op: op, Field: "photos", Message: fmt.Sprintf("takes at most %d photos", MaxPhotos)}
	}
	valid := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !ValidKey(k) })
	cutoff := p.now().Add(-p.ttl)
	var photos []Photo
	_, err := p.uploads.Hold(ctx, user.ID, valid, func(found []Upload) error {
		var err error
		photos, err = uploadPhotos(keys, valid, found, cutoff)
		return err
	})
	if err != nil {
		return nil, nil, Wrap(op, err)
	}
	return photos, valid, nil
}

// uploadPhotos returns the photos of the uploads with the keys (field
// "photos"), given found[i], the upload with valid[i] (the well-formed
// keys), or every problem: a malformed key, one that is none of the
// user's uploads, an expired upload (pending and reserved at or before
// cutoff).
func uploadPhotos(keys, valid []string, found []Upload, cutoff time.Time) ([]Photo, error) {
	byKey := make(map[string]Upload, len(found))
	for i, u := range found {
		byKey[valid[i]] = u
	}
	var pr Problems
	photos := make([]Photo, 0, len(keys))
	for i, k := range keys {
		f := fmt.Sprintf("photos[%d]", i)
		u := byKey[k]
		switch {
		case !ValidKey(k):
			pr.Add(f, "is not an upload key")
		case u.Key == "":
			pr.Add(f, "is not one of your uploads")
		case u.ExpiredAt(cutoff):
			pr.Add(f, "has expired: upload the photo again")
		default:
			photos = append(photos, u.Photo())
		}
	}
	return photos, pr.Err("photos")
}

// release undoes hold after the use case failed.
func (p *Photos) release(ctx context.Context, user User, keys []string) {
	if len(keys) == 0 {
		return
	}
	if err := p.uploads.Release(context.WithoutCancel(ctx), user.ID, keys, p.now()); err != nil {
		p.svc.log.Error("releasing uploads", "error", err)
	}
}

// Submit is Service.Submit with photos from user's uploads: the uploads
// with the keys (in the field "photos": 1 to MaxPhotos of the user's own
// uploads, none expired) are appended to in.Photos, held while the report
// is submitted, then attached to the stored hazard (or, when Submit fails,
// released with a fresh time to live). A retried submit (same idempotency
// key) attaches them to the hazard the first one created.
func (p *Photos) Submit(ctx context.Context, user User, in SubmitInput, uploads []string, idempotencyKey string) (Hazard, error) {
	const op = "submit"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	if ac, ok := p.svc.store.(AttachingCreator); ok && len(uploads) > 0 && ac.KeepsUploads(p.uploads) {
		return p.submitAttaching(ctx, ac, user, in, uploads, idempotencyKey)
	}
	return p.withUploads(ctx, op, user, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		return p.svc.Submit(ctx, user, in, idempotencyKey)
	})
}

// Act is Service.Act with photos from user's uploads: the uploads with the
// keys (field "photos", at most MaxPhotos of the user's own, none expired)
// are appended to in.Photos, held while the action runs, then attached to
// the hazard (or released when Act fails).
func (p *Photos) Act(ctx context.Context, user User, id uuid.UUID, action string, in ActInput, uploads []string) (Hazard, error) {
	const op = "act"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	return p.withUploads(ctx, op, user, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		return p.svc.Act(ctx, user, id, action, in)
	})
}

// withUploads holds user's uploads with the keys, runs use with their
// photos, then attaches them to the hazard it returns, or releases them
// when it fails: how every use case with uploads treats them.
func (p *Photos) withUploads(ctx context.Context, op string, user User, uploads []string, use func(photos []Photo) (Hazard, error)) (Hazard, error) {
	photos, held, err := p.hold(ctx, op, user, uploads)
	if err != nil {
		return Hazard{}, err
	}
	h, err := use(photos)
	if err != nil {
		p.release(ctx, user, held)
		return Hazard{}, err
	}
	if err := p.attach(ctx, op, user, h.ID, held); err != nil {
		return Hazard{}, err
	}
	return h, nil
}

func (p *Photos) attach(ctx context.Context, op string, user User, id uuid.UUID, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return Wrap(op, p.uploads.Attach(ctx, user.ID, id, keys))
}

// PhotoCopy describes the copy of a photo Open returns.
type PhotoCopy struct {
	ContentType string
	Size        int64
	// Original is true for the photo as uploaded, false for its public
	// copy without metadata.
	Original bool
	// Purged is true when the caller may see the original but its
	// retention period has ended (PurgeOriginals): the copy is the public
	// one without metadata (Original false), given to this caller
	// whether or not the public may see the report, so it is as private
	// as the original was.
	Purged bool
}

// Open returns the photo with the blob key as user may see it: the
// original to its uploader and to whoever sees a hazard it is attached to
// in full (Service.SightOf), or once PurgeOriginals deleted the original
// its public copy (PhotoCopy.Purged), to anyone else the public copy without
// metadata (or its moderator's redacted copy) when a hazard the public
// sees (Service.Published) shows it, and CodeNotFound (field "key") to
// anyone else, for a photo a moderator hid, or for a malformed or unknown
// key. user may be the
// zero User (nobody signed in). The caller closes the reader.
func (p *Photos) Open(ctx context.Context, user User, key string) (io.ReadCloser, PhotoCopy, error) {
	const op = "photo"
	notFound := &Error{Code: CodeNotFound, Op: op, Field: "key", Message: "no such photo"}
	if !ValidKey(key) {
		return nil, PhotoCopy{}, notFound
	}
	refs, err := p.uploads.Lookup(ctx, user.ID, key)
	if errors.Is(err, ErrNotFound) {
		return nil, PhotoCopy{}, notFound
	}
	if err != nil {
		return nil, PhotoCopy{}, Wrap(op, err)
	}
	original := refs.Owned && user.ID != ""
	for _, id := range refs.Hazards {
		if original {
			break
		}
		sight, err := p.svc.SightOf(ctx, user, id)
		if err != nil {
			return nil, PhotoCopy{}, Wrap(op, err)
		}
		original = sight == SightFull
	}
	public, redacted := false, ""
	if !original {
		// The public sees the photo as the moderation of a published
		// report shows it (Service.Published), or not at all.
		if public, redacted, err = p.svc.publicPhoto(ctx, refs.Hazards, key); err != nil {
			return nil, PhotoCopy{}, Wrap(op, err)
		}
	}
	switch {
	case original:
		rc, info, err := p.blobs.Open(ctx, key)
		if errors.Is(err, ErrNotFound) && refs.PublicKey != "" && refs.PublicKey != key {
			// The original's retention period ended: its public copy
			// stands for it.
			if rc, info, err = p.blobs.Open(ctx, refs.PublicKey); err == nil {
				return rc, PhotoCopy{ContentType: info.ContentType, Size: info.Size, Purged: true}, nil
			}
		}
		if err != nil {
			return nil, PhotoCopy{}, Wrap(op, err)
		}
		return rc, PhotoCopy{ContentType: info.ContentType, Size: info.Size, Original: true}, nil
	case !public:
		return nil, PhotoCopy{}, notFound
	case redacted != "":
		rc, info, err := p.blobs.Open(ctx, redacted)
		if err != nil {
			return nil, PhotoCopy{}, Wrap(op, err)
		}
		return rc, PhotoCopy{ContentType: info.ContentType, Size: info.Size}, nil
	case refs.PublicKey != "":
		rc, info, err := p.blobs.Open(ctx, refs.PublicKey)
		if err == nil {
			return rc, PhotoCopy{ContentType: info.ContentType, Size: info.Size}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, PhotoCopy{}, Wrap(op, err)
		}
	}
	// An upload recorded before public copies were kept (or whose copy is
	// missing): strip the original now.
	rc, info, err := p.blobs.Open(ctx, key)
	if err != nil {
		return nil, PhotoCopy{}, Wrap(op, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxPhotoSize+1))
	if err != nil {
		return nil, PhotoCopy{}, Wrap(op, err)
	}
	stripped, err := StripMetadata(info.ContentType, data)
	if err != nil {
		// Stored content that does not parse is the store's fault, not
		// the reader's input.
		return nil, PhotoCopy{}, &Error{Code: CodeInternal, Op: op, Err: err}
	}
	return io.NopCloser(bytes.NewReader(stripped)), PhotoCopy{ContentType: info.ContentType, Size: int64(len(stripped))}, nil
}

// Sweep forgets the pending uploads older than the time to live and
// deletes the blobs (originals and public copies) that nothing holds any
// more, and returns how many uploads it forgot. Any number of processes may
// sweep at once.
func (p *Photos) Sweep(ctx context.Context) (int, error) {
	expired, err := p.uploads.Expire(ctx, p.now().Add(-p.ttl), p.blobs.Delete)
	return len(expired), Wrap("sweep uploads", err)
}

// AddInfo is Service.AddInfo with photos from user's uploads (field
// "photos", at most MaxPhotos of the user's own, none expired), held while
// the information is recorded, then attached to the hazard (or released
// when AddInfo fails).
func (p *Photos) AddInfo(ctx context.Context, user User, id uuid.UUID, in AddInfoInput, uploads []string) (Hazard, error) {
	const op = "add info"
	if err := authenticated(op, user); err != nil {
		return Hazard{}, err
	}
	return p.withUploads(ctx, op, user, uploads, func(photos []Photo) (Hazard, error) {
		in.Photos = append(slices.Clone(in.Photos), photos...)
		return p.svc.AddInfo(ctx, user, id, in)
	})
}
