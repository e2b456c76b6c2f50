package pgstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

// Uploads is the PostgreSQL hazard.Uploads (tables uploads and
// upload_hazards): an upload made through one process is held, attached
// and served through any other. Each method is one short transaction.
//
// Reserve and Expire exclude each other with transaction advisory locks on
// the blob keys (shared by Reserve, exclusive by Expire, taken in key order
// so that they cannot deadlock): Expire forgets a blob key's expired
// uploads, checks that nothing holds the blob and drops it under the lock.
// Reserve also takes an exclusive lock on the owner, so that the pending
// count and the insert are one step across processes. PurgeOriginals
// (hazard.OriginalPurger) takes a key's exclusive lock as Expire does. It
// is safe for concurrent use and passes hazardtest.TestUploads.
type Uploads struct {
	db *DB
}

var (
	_ hazard.Uploads        = (*Uploads)(nil)
	_ hazard.OriginalPurger = (*Uploads)(nil)
)

// Uploads returns the database's uploads.
func (db *DB) Uploads() *Uploads { return &Uploads{db: db} }

// Advisory lock keys of the uploads, hashed with the schema so that
// schemas of one database do not wait for each other.
const (
	blobLockSQL       = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':blob:' || $1, 0))`
	blobSharedLockSQL = `SELECT pg_advisory_xact_lock_shared(hashtextextended(current_schema() || ':blob:' || $1, 0))`
	uploaderLockSQL   = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':uploader:' || $1, 0))`
)

const uploadColumns = `owner, key, public_key, content_type, size, created_ns, state, original_purged`

func scanUpload(row pgx.Row) (hazard.Upload, error) {
	var u hazard.Upload
	var ns int64
	var state string
	err := row.Scan(&u.Owner, &u.Key, &u.PublicKey, &u.ContentType, &u.Size, &ns, &state, &u.OriginalPurged)
	u.Created, u.State = time.Unix(0, ns).UTC(), hazard.UploadState(state)
	return u, err
}

// lockKeys takes the lock sql on each distinct key, in ascending order.
func lockKeys(ctx context.Context, tx pgx.Tx, sql string, keys ...string) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, err := tx.Exec(ctx, sql, k); err != nil {
			return err
		}
	}
	return nil
}

// Reserve implements hazard.Uploads.
func (s *Uploads) Reserve(ctx context.Context, u hazard.Upload, maxPending int) (hazard.Upload, error) {
	const op = "pgstore.Uploads.Reserve"
	if err := u.Validate(); err != nil {
		return hazard.Upload{}, hazard.Wrap(op, err)
	}
	if maxPending < 1 {
		return hazard.Upload{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "max_pending", Message: "must be at least 1"}
	}
	var out hazard.Upload
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if err := lockKeys(ctx, tx, blobSharedLockSQL, u.Key, u.PublicKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, uploaderLockSQL, u.Owner); err != nil {
			return err
		}
		var err error
		out, err = scanUpload(tx.QueryRow(ctx, `UPDATE uploads SET
				created_ns = CASE WHEN state = 'pending' OR original_purged THEN $3 ELSE created_ns END,
				original_purged = false,
				public_key = CASE WHEN public_key = '' THEN $4 ELSE public_key END
			WHERE owner = $1 AND key = $2 RETURNING `+uploadColumns,
			u.Owner, u.Key, u.Created.UnixNano(), u.PublicKey))
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM uploads WHERE owner = $1 AND state = 'pending'`, u.Owner).Scan(&pending); err != nil {
			return err
		}
		if pending >= maxPending {
			return &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "too many pending uploads"}
		}
		out, err = scanUpload(tx.QueryRow(ctx, `INSERT INTO uploads (owner, key, public_key, content_type, size, created_ns)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+uploadColumns,
			u.Owner, u.Key, u.PublicKey, u.ContentType, u.Size, u.Created.UnixNano()))
		return err
	})
	if err != nil {
		return hazard.Upload{}, translate(op, err)
	}
	return out, nil
}

func checkKeys(op string, keys []string) error {
	for _, k := range keys {
		if !hazard.ValidKey(k) {
			return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "keys", Message: "holds a malformed blob key"}
		}
	}
	return nil
}

// Hold implements hazard.Uploads. It locks the owner's rows with the keys
// (FOR UPDATE) while check runs.
func (s *Uploads) Hold(ctx context.Context, owner string, keys []string, check func([]hazard.Upload) error) ([]hazard.Upload, error) {
	const op = "pgstore.Uploads.Hold"
	if err := checkKeys(op, keys); err != nil {
		return nil, err
	}
	var found []hazard.Upload
	var checkErr error
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var err error
		if found, err = lockUploads(ctx, tx, owner, keys); err != nil {
			return err
		}
		if checkErr = check(slices.Clone(found)); checkErr != nil {
			return checkErr
		}
		if _, err := tx.Exec(ctx, `UPDATE uploads SET state = 'held' WHERE owner = $1 AND key = ANY($2) AND state = 'pending'`, owner, keys); err != nil {
			return err
		}
		for i := range found {
			if found[i].State == hazard.UploadPending {
				found[i].State = hazard.UploadHeld
			}
		}
		return nil
	})
	if checkErr != nil {
		return nil, checkErr
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return found, nil
}

// lockUploads returns the owner's uploads with the keys (found[i] has
// keys[i], or is the zero Upload), locked FOR UPDATE until tx ends.
func lockUploads(ctx context.Context, tx pgx.Tx, owner string, keys []string) ([]hazard.Upload, error) {
	rows, err := tx.Query(ctx, `SELECT `+uploadColumns+` FROM uploads
		WHERE owner = $1 AND key = ANY($2) ORDER BY key FOR UPDATE`, owner, keys)
	if err != nil {
		return nil, err
	}
	byKey, err := collectUploads(rows)
	if err != nil {
		return nil, err
	}
	found := make([]hazard.Upload, len(keys))
	for i, k := range keys {
		found[i] = byKey[k]
	}
	return found, nil
}

func collectUploads(rows pgx.Rows) (map[string]hazard.Upload, error) {
	defer rows.Close()
	m := map[string]hazard.Upload{}
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, err
		}
		m[u.Key] = u
	}
	return m, rows.Err()
}

// Release implements hazard.Uploads.
func (s *Uploads) Release(ctx context.Context, owner string, keys []string, now time.Time) error {
	const op = "pgstore.Uploads.Release"
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !hazard.ValidKey(k) })
	if len(keys) == 0 {
		return nil
	}
	_, err := s.db.pool.Exec(ctx, `UPDATE uploads SET state = 'pending', created_ns = $3
		WHERE owner = $1 AND key = ANY($2) AND state = 'held'`, owner, keys, now.UnixNano())
	return translate(op, err)
}

// Attach implements hazard.Uploads.
func (s *Uploads) Attach(ctx context.Context, owner string, id uuid.UUID, keys []string) error {
	const op = "pgstore.Uploads.Attach"
	if err := checkKeys(op, keys); err != nil {
		return err
	}
	if id == uuid.Nil {
		return &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "id", Message: "is required"}
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	if len(keys) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		return attachUploads(ctx, tx, owner, id, keys)
	})
	return translate(op, err)
}

// attachUploads is Attach in tx, of well-formed keys and a non-nil id.
func attachUploads(ctx context.Context, tx pgx.Tx, owner string, id uuid.UUID, keys []string) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	if len(keys) == 0 {
		return nil
	}
	tag, err := tx.Exec(ctx, `UPDATE uploads SET state = 'attached' WHERE owner = $1 AND key = ANY($2)`, owner, keys)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != int64(len(keys)) {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: "pgstore.Uploads.Attach", Field: "keys", Message: "names an upload the owner does not have"}
	}
	_, err = tx.Exec(ctx, `INSERT INTO upload_hazards (key, hazard_id) SELECT k, $2 FROM unnest($1::text[]) AS k
		ON CONFLICT DO NOTHING`, keys, id)
	return err
}

// KeepsUploads implements hazard.AttachingCreator: u is the Uploads of
// the store's database.
func (s *HazardStore) KeepsUploads(u hazard.Uploads) bool {
	pu, ok := u.(*Uploads)
	return ok && pu.db.pool == s.db.pool
}

// FindUploads implements hazard.AttachingCreator.
func (s *HazardStore) FindUploads(ctx context.Context, owner string, keys []string) ([]hazard.Upload, error) {
	const op = "pgstore.FindUploads"
	if err := checkKeys(op, keys); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE owner = $1 AND key = ANY($2)`, owner, keys)
	if err != nil {
		return nil, translate(op, err)
	}
	byKey, err := collectUploads(rows)
	if err != nil {
		return nil, translate(op, err)
	}
	found := make([]hazard.Upload, len(keys))
	for i, k := range keys {
		found[i] = byKey[k]
	}
	return found, nil
}

// CreateAttached implements hazard.AttachingCreator: one transaction locks
// the owner's uploads (as Uploads.Hold), calls att.Check, inserts the
// hazard as Create (CreateLimited when limit > 0) does and attaches the
// uploads (as Uploads.Attach): one commit, one wait for the disk.
func (s *HazardStore) CreateAttached(ctx context.Context, h hazard.Hazard, events []hazard.Event, idempotencyKey string, since time.Time, limit int, att hazard.Attachment) (hazard.Hazard, bool, error) {
	const op = "pgstore.CreateAttached"
	if limit < 0 {
		return hazard.Hazard{}, false, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: "must not be negative"}
	}
	if err := checkKeys(op, att.Keys); err != nil {
		return hazard.Hazard{}, false, err
	}
	if att.Check == nil {
		att.Check = func([]hazard.Upload) error { return nil }
	}
	return s.create(ctx, op, h, events, idempotencyKey, since, limit, &att)
}

var _ hazard.AttachingCreator = (*HazardStore)(nil)

// Expire implements hazard.Uploads: one transaction per original blob key
// whose uploads expired, which takes the blob locks, deletes them, and
// drops the keys nothing holds any more before it commits; a failed drop
// rolls that key back. Any number of processes may expire at once.
func (s *Uploads) Expire(ctx context.Context, cutoff time.Time, drop func(context.Context, string) error) ([]hazard.Upload, error) {
	const op = "pgstore.Uploads.Expire"
	rows, err := s.db.pool.Query(ctx, `SELECT DISTINCT key, public_key FROM uploads
		WHERE state = 'pending' AND created_ns <= $1 ORDER BY key`, cutoff.UnixNano())
	if err != nil {
		return nil, translate(op, err)
	}
	type cand struct{ key, public string }
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (cand, error) {
		var c cand
		return c, r.Scan(&c.key, &c.public)
	})
	if err != nil {
		return nil, translate(op, err)
	}
	lockSets := map[string][]string{}
	var order []string
	for _, c := range cands {
		if _, ok := lockSets[c.key]; !ok {
			order = append(order, c.key)
		}
		lockSets[c.key] = append(lockSets[c.key], c.key, c.public)
	}
	var out []hazard.Upload
	for _, k := range order {
		var gone []hazard.Upload
		err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
			gone = nil
			if err := lockKeys(ctx, tx, blobLockSQL, lockSets[k]...); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `DELETE FROM uploads WHERE key = $1 AND state = 'pending' AND created_ns <= $2
				RETURNING `+uploadColumns, k, cutoff.UnixNano())
			if err != nil {
				return err
			}
			if gone, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (hazard.Upload, error) { return scanUpload(r) }); err != nil {
				return err
			}
			var blobs []string
			for _, u := range gone {
				blobs = append(blobs, u.Key)
				if u.PublicKey != "" {
					if !slices.Contains(lockSets[k], u.PublicKey) {
						// A public key the candidates did not name: lock it too.
						if _, err := tx.Exec(ctx, blobLockSQL, u.PublicKey); err != nil {
							return err
						}
					}
					blobs = append(blobs, u.PublicKey)
				}
			}
			for _, b := range slices.Compact(slices.Sorted(slices.Values(blobs))) {
				var held bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM uploads WHERE key = $1)
					OR EXISTS (SELECT 1 FROM uploads WHERE public_key = $1)
					OR EXISTS (SELECT 1 FROM upload_hazards WHERE key = $1)`, b).Scan(&held); err != nil {
					return err
				}
				if held {
					continue
				}
				if err := drop(ctx, b); err != nil {
					return dropError{err}
				}
			}
			return nil
		})
		if err != nil {
			var de dropError
			if errors.As(err, &de) {
				return out, de.err
			}
			return out, translate(op, err)
		}
		slices.SortFunc(gone, func(a, b hazard.Upload) int { return strings.Compare(a.Owner, b.Owner) })
		out = append(out, gone...)
	}
	return out, nil
}

// dropError carries the error of Expire's drop out of its transaction,
// untranslated.
type dropError struct{ err error }

func (e dropError) Error() string { return e.err.Error() }

// Lookup implements hazard.Uploads.
func (s *Uploads) Lookup(ctx context.Context, owner, key string) (hazard.UploadRefs, error) {
	const op = "pgstore.Uploads.Lookup"
	if !hazard.ValidKey(key) {
		return hazard.UploadRefs{}, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "key", Message: "is not a blob key"}
	}
	var refs hazard.UploadRefs
	var stored bool
	err := s.db.pool.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM uploads WHERE key = $1),
			$2 <> '' AND EXISTS (SELECT 1 FROM uploads WHERE key = $1 AND owner = $2),
			COALESCE((SELECT max(public_key) FROM uploads WHERE key = $1), ''),
			ARRAY(SELECT hazard_id FROM upload_hazards WHERE key = $1 ORDER BY hazard_id)`,
		key, owner).Scan(&stored, &refs.Owned, &refs.PublicKey, &refs.Hazards)
	if err != nil {
		return hazard.UploadRefs{}, translate(op, err)
	}
	if !stored && len(refs.Hazards) == 0 {
		return hazard.UploadRefs{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "key", Message: "no upload of the blob"}
	}
	return refs, nil
}

// originalsPage is how many candidate keys PurgeOriginals reads at once.
const originalsPage = 500

// PurgeOriginals implements hazard.OriginalPurger: it pages the keys of
// uploads not purged, with a public copy of their own and reserved at or
// before cutoff (index uploads_originals), and purges each due key in a
// transaction of its own that holds the key's exclusive blob lock,
// checks every upload of the key, marks them and drops the blob before it
// commits; a failed drop rolls that key back. Any number of processes may
// purge at once.
func (s *Uploads) PurgeOriginals(ctx context.Context, cutoff time.Time, drop func(context.Context, string) error) (int, error) {
	const op = "pgstore.Uploads.PurgeOriginals"
	n, after := 0, ""
	for {
		rows, err := s.db.pool.Query(ctx, `SELECT DISTINCT key FROM uploads
			WHERE NOT original_purged AND public_key <> '' AND public_key <> key AND created_ns <= $1 AND key > $2
			ORDER BY key LIMIT $3`, cutoff.UnixNano(), after, originalsPage)
		if err != nil {
			return n, translate(op, err)
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return n, translate(op, err)
		}
		for _, k := range keys {
			purged := false
			err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
				purged = false
				if _, err := tx.Exec(ctx, blobLockSQL, k); err != nil {
					return err
				}
				var due *bool // NULL when the key has no upload any more
				if err := tx.QueryRow(ctx, `SELECT bool_or(NOT original_purged) AND max(created_ns) <= $2
						AND bool_and(public_key <> '' AND public_key <> key)
						AND NOT EXISTS (SELECT 1 FROM uploads WHERE public_key = $1)
					FROM uploads WHERE key = $1`, k, cutoff.UnixNano()).Scan(&due); err != nil {
					return err
				}
				if due == nil || !*due {
					return nil
				}
				if _, err := tx.Exec(ctx, `UPDATE uploads SET original_purged = true WHERE key = $1`, k); err != nil {
					return err
				}
				if err := drop(ctx, k); err != nil {
					return dropError{err}
				}
				purged = true
				return nil
			})
			if err != nil {
				var de dropError
				if errors.As(err, &de) {
					return n, de.err
				}
				return n, translate(op, err)
			}
			if purged {
				n++
			}
		}
		if len(keys) < originalsPage {
			return n, nil
		}
		after = keys[len(keys)-1]
	}
}
