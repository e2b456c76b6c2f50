package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

var (
	_ hazard.BlobReferrer = (*HazardStore)(nil)
	_ hazard.BlobReferrer = (*Uploads)(nil)
)

// referenced runs a query of one text column over keys ($1) and returns
// its values as a set.
func (db *DB) referenced(ctx context.Context, op, query string, keys []string) (map[string]bool, error) {
	if err := checkKeys(op, keys); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, query, keys)
	if err != nil {
		return nil, translate(op, err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, translate(op, err)
	}
	out := make(map[string]bool, len(found))
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}

// ReferencedBlobs implements hazard.BlobReferrer: the keys that a hazard
// has as a photo or evidence, an event as an attachment, or a moderation
// as a redacted copy. It scans the hazards', events' and moderations'
// documents, as a sweep of old blobs may.
func (s *HazardStore) ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error) {
	return s.db.referenced(ctx, "pgstore.HazardStore.ReferencedBlobs", `
		SELECT p->>'sha256' FROM hazards,
			jsonb_array_elements(coalesce(doc->'photos', '[]') || coalesce(doc->'evidence', '[]')) p
		WHERE p->>'sha256' = ANY($1)
		UNION
		SELECT p->>'sha256' FROM events, jsonb_array_elements(coalesce(doc->'attachments', '[]')) p
		WHERE p->>'sha256' = ANY($1)
		UNION
		SELECT p->>'redacted' FROM moderations, jsonb_array_elements(coalesce(doc->'photos', '[]')) p
		WHERE p->>'redacted' = ANY($1)`, keys)
}

// ReferencedBlobs implements hazard.BlobReferrer: the keys that an upload
// has as its key or public key, or that a hazard is attached to.
func (s *Uploads) ReferencedBlobs(ctx context.Context, keys []string) (map[string]bool, error) {
	return s.db.referenced(ctx, "pgstore.Uploads.ReferencedBlobs", `
		SELECT key FROM uploads WHERE key = ANY($1)
		UNION SELECT public_key FROM uploads WHERE public_key = ANY($1)
		UNION SELECT key FROM upload_hazards WHERE key = ANY($1)`, keys)
}
