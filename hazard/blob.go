package hazard

import (
	"context"
	"io"
)

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key         string // hex SHA-256 of the content
	ContentType string
	Size        int64
}

// BlobStore keeps photos by the SHA-256 of their content. Putting the same
// content twice stores it once. It is safe for concurrent use.
type BlobStore interface {
	// Put reads r to its end (at most MaxPhotoSize bytes, else CodeInvalid
	// and nothing is stored), stores the content under its SHA-256 and
	// returns its info. contentType is recorded as given.
	Put(ctx context.Context, r io.Reader, contentType string) (BlobInfo, error)

	// Open returns the content of the blob with the key and its info, or
	// CodeNotFound. A malformed key is CodeInvalid. The caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)

	// Stat returns the blob's info, or CodeNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)

	// Delete removes the blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}
