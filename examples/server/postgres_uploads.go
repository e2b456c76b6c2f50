package server

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/hazard"
)

// Advisory lock namespaces of the uploads (the first half of a two-key
// lock; the second is hashtext of the owner or the blob key).
const (
	lockUploadOwner = 0x68617c // serialises one owner's uploads (the pending count)
	lockUploadBlob  = 0x68617d // a blob's records against its deletion by the sweep
)

// pgUploads is the uploadStore in PostgreSQL (tables server_uploads and
// server_photo_refs): an upload made through one process is used and
// served through any other. Each method is one short transaction.
//
// A blob's deletion by sweep and the recording of an upload of the same
// content exclude each other with an advisory lock on the blob key (shared
// by add, exclusive by sweep): sweep checks that no record needs the blob
// and deletes it under the lock, and the upload handler checks after add
// that the blob is still there (putting it again if not).
type pgUploads struct {
	pool *pgxpool.Pool
}

var _ uploadStore = (*pgUploads)(nil)

func (u *pgUploads) add(ctx context.Context, owner string, info hazard.BlobInfo, now time.Time) error {
	err := pgx.BeginFunc(ctx, u.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, hashtext($2))`, lockUploadBlob, info.Key); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockUploadOwner, owner); err != nil {
			return err
		}
		// An upload again renews the pending one.
		tag, err := tx.Exec(ctx, `UPDATE server_uploads SET created_ns = CASE WHEN used THEN created_ns ELSE $3 END
			WHERE owner = $1 AND key = $2`, owner, info.Key, now.UnixNano())
		if err != nil || tag.RowsAffected() > 0 {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM server_uploads WHERE owner = $1 AND NOT used`, owner).Scan(&pending); err != nil {
			return err
		}
		if pending >= MaxPendingUploads {
			return errTooManyPending()
		}
		_, err = tx.Exec(ctx, `INSERT INTO server_uploads (owner, key, content_type, size, created_ns) VALUES ($1, $2, $3, $4, $5)`,
			owner, info.Key, info.ContentType, info.Size, now.UnixNano())
		return err
	})
	return pgError("uploads.add", err)
}

func (u *pgUploads) reserve(ctx context.Context, owner, field string, keys []string, now time.Time, ttl time.Duration) ([]hazard.Photo, []string, error) {
	var photos []hazard.Photo
	var mark []string
	// Only well-formed keys reach the query (PostgreSQL refuses a NUL
	// byte); checkReserve reports the others.
	valid := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !hazard.ValidKey(k) })
	err := pgx.BeginFunc(ctx, u.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT key, content_type, size, created_ns, used FROM server_uploads
			WHERE owner = $1 AND key = ANY($2) ORDER BY key FOR UPDATE`, owner, valid)
		if err != nil {
			return err
		}
		recs := map[string]*uploadRec{}
		for rows.Next() {
			r := &uploadRec{}
			var createdNS int64
			if err := rows.Scan(&r.info.Key, &r.info.ContentType, &r.info.Size, &createdNS, &r.used); err != nil {
				rows.Close()
				return err
			}
			r.created = nsTime(createdNS)
			recs[r.info.Key] = r
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if photos, mark, err = checkReserve(field, keys, recs, now, ttl); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE server_uploads SET used = true WHERE owner = $1 AND key = ANY($2)`, owner, mark)
		return err
	})
	if err != nil {
		return nil, nil, pgError("uploads.reserve", err)
	}
	return photos, mark, nil
}

func (u *pgUploads) release(ctx context.Context, owner string, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := u.pool.Exec(ctx, `UPDATE server_uploads SET used = false, created_ns = $3 WHERE owner = $1 AND key = ANY($2)`,
		owner, keys, now.UnixNano())
	return pgError("uploads.release", err)
}

func (u *pgUploads) attach(ctx context.Context, id uuid.UUID, photos ...[]hazard.Photo) error {
	var keys []string
	for _, ps := range photos {
		for _, ph := range ps {
			keys = append(keys, ph.SHA256)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := u.pool.Exec(ctx, `INSERT INTO server_photo_refs (key, hazard_id) SELECT DISTINCT k, $2::uuid FROM unnest($1::text[]) AS k
		ON CONFLICT DO NOTHING`, keys, id)
	return pgError("uploads.attach", err)
}

func (u *pgUploads) hazards(ctx context.Context, key string) ([]uuid.UUID, error) {
	rows, err := u.pool.Query(ctx, `SELECT hazard_id FROM server_photo_refs WHERE key = $1 ORDER BY hazard_id`, key)
	if err != nil {
		return nil, pgError("uploads.hazards", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return ids, pgError("uploads.hazards", err)
}

func (u *pgUploads) owns(ctx context.Context, owner, key string) (bool, error) {
	var ok bool
	err := u.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM server_uploads WHERE owner = $1 AND key = $2)`, owner, key).Scan(&ok)
	return ok, pgError("uploads.owns", err)
}

// sweep deletes the expired pending uploads in one statement (of two
// processes sweeping at once, each deletes different rows), then, blob by
// blob under its advisory lock, deletes the blobs no upload and no hazard
// refers to.
func (u *pgUploads) sweep(ctx context.Context, blobs hazard.BlobStore, now time.Time, ttl time.Duration) (int, error) {
	rows, err := u.pool.Query(ctx, `DELETE FROM server_uploads WHERE NOT used AND created_ns <= $1 RETURNING key`,
		now.Add(-ttl).UnixNano())
	if err != nil {
		return 0, pgError("uploads.sweep", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, pgError("uploads.sweep", err)
	}
	done := map[string]bool{}
	for _, k := range keys {
		if done[k] {
			continue
		}
		done[k] = true
		err := pgx.BeginFunc(ctx, u.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockUploadBlob, k); err != nil {
				return err
			}
			var needed bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM server_uploads WHERE key = $1)
				OR EXISTS (SELECT 1 FROM server_photo_refs WHERE key = $1)`, k).Scan(&needed); err != nil || needed {
				return err
			}
			// The blob store is local storage (this database or a
			// directory): a short step, under the lock so that no upload
			// of the content is recorded meanwhile.
			return blobs.Delete(ctx, k)
		})
		if err != nil {
			return len(keys), pgError("uploads.sweep", err)
		}
	}
	return len(keys), nil
}
