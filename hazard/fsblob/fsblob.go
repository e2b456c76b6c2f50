// Package fsblob is the filesystem adapter of hazard.BlobStore.
//
// A blob with key k (the hex SHA-256 of its content) is the file
// dir/k[0:2]/k[2:4]/k, with its content type in the sidecar file k.json
// beside it; its size is the file's. Put writes to a temporary file in dir,
// syncs it and renames it into place, so that a reader never sees a partial
// blob, even after a crash. Keys are checked with hazard.ValidKey before any
// path is built from them, so that no key can name a file outside dir.
//
// A *Store is safe for concurrent use, also by several processes sharing
// dir.
package fsblob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

var (
	_ hazard.BlobStore   = (*Store)(nil)
	_ hazard.BlobSweeper = (*Store)(nil)
)

// tempPrefix starts the names of files being written; blob directories are
// two hex digits, so they never clash.
const tempPrefix = ".put-"

// DefaultContentType is the content type of a blob whose sidecar is missing.
const DefaultContentType = "application/octet-stream"

// Store is a hazard.BlobStore in a directory.
type Store struct {
	dir string
}

// New returns a store keeping its blobs under dir, which it creates if
// needed.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: "fsblob.new", Field: "dir", Message: "is required"}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, hazard.Wrap("fsblob.new", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, hazard.Wrap("fsblob.new", err)
	}
	return &Store{dir: abs}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// path returns the file of a valid key.
func (s *Store) path(key string) string {
	return filepath.Join(s.dir, key[0:2], key[2:4], key)
}

type sidecar struct {
	ContentType string `json:"content_type"`
}

func invalidKey(op string) error {
	return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
}

func notFound(op string) error {
	return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "blob not found"}
}

// Put implements hazard.BlobStore. It reads at most hazard.MaxPhotoSize+1
// bytes of r. Putting content already stored keeps the first content type.
func (s *Store) Put(ctx context.Context, r io.Reader, contentType string) (hazard.BlobInfo, error) {
	const op = "fsblob.put"
	if err := ctx.Err(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, hazard.MaxPhotoSize+1))
	if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if n > hazard.MaxPhotoSize {
		return hazard.BlobInfo{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "size",
			Message: fmt.Sprintf("is larger than the limit of %d bytes", hazard.MaxPhotoSize)}
	}
	if err := tmp.Sync(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if err := tmp.Close(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	key := hex.EncodeToString(h.Sum(nil))
	final := s.path(key)
	// Stored already: renew its time (BlobSweeper), which fails when a
	// DeleteOld took it away meanwhile; then store it again.
	now := time.Now()
	if err := os.Chtimes(final, now, now); err == nil {
		if info, err := s.Stat(ctx, key); err == nil {
			os.Remove(tmp.Name())
			done = true
			return info, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	meta, err := json.Marshal(sidecar{ContentType: contentType})
	if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	// The sidecar goes first: a content file is never without its type.
	if err := s.writeAtomic(final+".json", meta); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	done = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	return hazard.BlobInfo{Key: key, ContentType: contentType, Size: n}, nil
}

// writeAtomic writes data to name through a synced temporary file in dir.
func (s *Store) writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), name)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// info returns the info of the blob whose content file has the FileInfo.
func (s *Store) info(key string, fi fs.FileInfo) (hazard.BlobInfo, error) {
	info := hazard.BlobInfo{Key: key, ContentType: DefaultContentType, Size: fi.Size()}
	b, err := os.ReadFile(s.path(key) + ".json")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return info, nil
	case err != nil:
		return info, err
	}
	var m sidecar
	if err := json.Unmarshal(b, &m); err != nil {
		return info, err
	}
	info.ContentType = m.ContentType
	return info, nil
}

// Open implements hazard.BlobStore.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, hazard.BlobInfo, error) {
	const op = "fsblob.open"
	if err := ctx.Err(); err != nil {
		return nil, hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if !hazard.ValidKey(key) {
		return nil, hazard.BlobInfo{}, invalidKey(op)
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hazard.BlobInfo{}, notFound(op)
	} else if err != nil {
		return nil, hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	info, err := s.info(key, fi)
	if err != nil {
		f.Close()
		return nil, hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	return f, info, nil
}

// Stat implements hazard.BlobStore. A malformed key is CodeInvalid.
func (s *Store) Stat(ctx context.Context, key string) (hazard.BlobInfo, error) {
	const op = "fsblob.stat"
	if err := ctx.Err(); err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if !hazard.ValidKey(key) {
		return hazard.BlobInfo{}, invalidKey(op)
	}
	fi, err := os.Stat(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return hazard.BlobInfo{}, notFound(op)
	} else if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	info, err := s.info(key, fi)
	return info, hazard.Wrap(op, err)
}

// Delete implements hazard.BlobStore. A malformed key is CodeInvalid.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "fsblob.delete"
	if err := ctx.Err(); err != nil {
		return hazard.Wrap(op, err)
	}
	if !hazard.ValidKey(key) {
		return invalidKey(op)
	}
	p := s.path(key)
	for _, name := range []string{p, p + ".json"} {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return hazard.Wrap(op, err)
		}
	}
	return nil
}

// OldBlobs implements hazard.BlobSweeper: the blobs whose content file was
// last modified (written, or renewed by a Put) more than age ago.
func (s *Store) OldBlobs(ctx context.Context, age time.Duration, after string, limit int) ([]string, error) {
	const op = "fsblob.old"
	if limit < 1 || age < 0 {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Message: "limit must be at least 1 and age not negative"}
	}
	cutoff := time.Now().Add(-age)
	var keys []string
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !hazard.ValidKey(name) || name <= after {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if fi.ModTime().Before(cutoff) {
			keys = append(keys, name)
		}
		return nil
	})
	if err != nil {
		return nil, hazard.Wrap(op, err)
	}
	slices.Sort(keys)
	if len(keys) > limit {
		keys = keys[:limit]
	}
	return keys, nil
}

// DeleteOld implements hazard.BlobSweeper, also against Puts of other
// processes sharing the directory: it first renames the content file
// aside, then checks the time of the renamed file, so that a Put that
// renewed the blob before the rename is seen (the file goes back) and one
// after it finds no file and stores the content again.
func (s *Store) DeleteOld(ctx context.Context, key string, age time.Duration) (bool, error) {
	const op = "fsblob.delete_old"
	if err := ctx.Err(); err != nil {
		return false, hazard.Wrap(op, err)
	}
	if !hazard.ValidKey(key) {
		return false, invalidKey(op)
	}
	p := s.path(key)
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, hazard.Wrap(op, err)
	}
	cutoff := time.Now().Add(-age)
	if !fi.ModTime().Before(cutoff) {
		return false, nil
	}
	aside, err := os.CreateTemp(s.dir, tempPrefix+"sweep-*")
	if err != nil {
		return false, hazard.Wrap(op, err)
	}
	_ = aside.Close()
	if err := os.Rename(p, aside.Name()); errors.Is(err, fs.ErrNotExist) {
		_ = os.Remove(aside.Name())
		return false, nil
	} else if err != nil {
		_ = os.Remove(aside.Name())
		return false, hazard.Wrap(op, err)
	}
	fi, err = os.Stat(aside.Name())
	if err != nil {
		return false, hazard.Wrap(op, err)
	}
	if !fi.ModTime().Before(cutoff) {
		// Renewed before the rename: put it back, unless a Put stored
		// it again meanwhile (the same content).
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(aside.Name(), p); err != nil {
				return false, hazard.Wrap(op, err)
			}
			return false, nil
		}
		_ = os.Remove(aside.Name())
		return false, nil
	}
	if err := os.Remove(aside.Name()); err != nil {
		return false, hazard.Wrap(op, err)
	}
	// The sidecar goes only with no content file: a Put after the rename
	// wrote its own.
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		if err := os.Remove(p + ".json"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true, hazard.Wrap(op, err)
		}
	}
	return true, nil
}

// Temporary reports whether name, a file name in the store's directory, is
// a write in progress (or left by a crash, and safe to remove when no Put
// is running).
func Temporary(name string) bool { return strings.HasPrefix(filepath.Base(name), tempPrefix) }
