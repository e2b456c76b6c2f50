package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

// BlobStore is the PostgreSQL hazard.BlobStore: photos by the SHA-256 of
// their content in the table blobs (bytea, at most hazard.MaxPhotoSize
// bytes each), so that every process on the database serves every photo.
// Put reads the content into memory before one INSERT; Open reads the
// whole blob in one SELECT. It is safe for concurrent use.
type BlobStore struct {
	db *DB
}

var (
	_ hazard.BlobStore   = (*BlobStore)(nil)
	_ hazard.BlobSweeper = (*BlobStore)(nil)
)

// Blobs returns the database's blob store.
func (db *DB) Blobs() *BlobStore { return &BlobStore{db: db} }

// Put implements hazard.BlobStore. It reads at most hazard.MaxPhotoSize+1
// bytes of r. Putting content already stored keeps the first content type
// (INSERT ... ON CONFLICT DO NOTHING, then the stored row is returned).
func (s *BlobStore) Put(ctx context.Context, r io.Reader, contentType string) (hazard.BlobInfo, error) {
	const op = "pgstore.BlobStore.Put"
	data, err := io.ReadAll(io.LimitReader(r, hazard.MaxPhotoSize+1))
	if err != nil {
		return hazard.BlobInfo{}, hazard.Wrap(op, err)
	}
	if len(data) > hazard.MaxPhotoSize {
		return hazard.BlobInfo{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "size",
			Message: "is larger than the limit of " + strconv.Itoa(hazard.MaxPhotoSize) + " bytes"}
	}
	sum := sha256.Sum256(data)
	info := hazard.BlobInfo{Key: hex.EncodeToString(sum[:]), ContentType: contentType, Size: int64(len(data))}
	// Insert, or renew the row an earlier Put stored (its put_at, for
	// BlobSweeper) and read its type and size: one statement, which waits
	// for a concurrent Put or DeleteOld of the same content to commit.
	err = s.db.pool.QueryRow(ctx, `INSERT INTO blobs (key, content_type, size, content) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO UPDATE SET put_at = now()
			RETURNING content_type, size`,
		info.Key, contentType, info.Size, data).Scan(&info.ContentType, &info.Size)
	if err != nil {
		return hazard.BlobInfo{}, translate(op, err)
	}
	return info, nil
}

func checkKey(op, key string) error {
	if !hazard.ValidKey(key) {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
	}
	return nil
}

// Open implements hazard.BlobStore.
func (s *BlobStore) Open(ctx context.Context, key string) (io.ReadCloser, hazard.BlobInfo, error) {
	const op = "pgstore.BlobStore.Open"
	if err := checkKey(op, key); err != nil {
		return nil, hazard.BlobInfo{}, err
	}
	info := hazard.BlobInfo{Key: key}
	var data []byte
	err := s.db.pool.QueryRow(ctx, `SELECT content_type, size, content FROM blobs WHERE key = $1`, key).
		Scan(&info.ContentType, &info.Size, &data)
	if err != nil {
		return nil, hazard.BlobInfo{}, translate(op, err)
	}
	return io.NopCloser(bytes.NewReader(data)), info, nil
}

// Stat implements hazard.BlobStore.
func (s *BlobStore) Stat(ctx context.Context, key string) (hazard.BlobInfo, error) {
	const op = "pgstore.BlobStore.Stat"
	if err := checkKey(op, key); err != nil {
		return hazard.BlobInfo{}, err
	}
	info := hazard.BlobInfo{Key: key}
	err := s.db.pool.QueryRow(ctx, `SELECT content_type, size FROM blobs WHERE key = $1`, key).
		Scan(&info.ContentType, &info.Size)
	if err != nil {
		return hazard.BlobInfo{}, translate(op, err)
	}
	return info, nil
}

// Delete implements hazard.BlobStore; a malformed key is CodeInvalid.
func (s *BlobStore) Delete(ctx context.Context, key string) error {
	const op = "pgstore.BlobStore.Delete"
	if err := checkKey(op, key); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `DELETE FROM blobs WHERE key = $1`, key)
	return translate(op, err)
}

// OldBlobs implements hazard.BlobSweeper, by the database's clock.
func (s *BlobStore) OldBlobs(ctx context.Context, age time.Duration, after string, limit int) ([]string, error) {
	const op = "pgstore.BlobStore.OldBlobs"
	if limit < 1 || age < 0 {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Message: "limit must be at least 1 and age not negative"}
	}
	rows, err := s.db.pool.Query(ctx, `SELECT key FROM blobs
		WHERE put_at < now() - $1 * interval '1 microsecond' AND key > $2 ORDER BY key LIMIT $3`,
		age.Microseconds(), after, limit)
	if err != nil {
		return nil, translate(op, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, translate(op, err)
	}
	return keys, nil
}

// DeleteOld implements hazard.BlobSweeper: one DELETE whose condition is
// checked again on the row a concurrent Put renewed.
func (s *BlobStore) DeleteOld(ctx context.Context, key string, age time.Duration) (bool, error) {
	const op = "pgstore.BlobStore.DeleteOld"
	if err := checkKey(op, key); err != nil {
		return false, err
	}
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM blobs WHERE key = $1 AND put_at < now() - $2 * interval '1 microsecond'`,
		key, age.Microseconds())
	if err != nil {
		return false, translate(op, err)
	}
	return tag.RowsAffected() == 1, nil
}
