package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
)

var _ hazard.ModerationStore = (*HazardStore)(nil)

// moderationDoc is the document of a row of moderations (see hazardDoc for
// why pgstore has its own types).
type moderationDoc struct {
	HazardID    uuid.UUID         `json:"hazard_id"`
	Version     int64             `json:"version"`
	Hidden      bool              `json:"hidden,omitempty"`
	Released    bool              `json:"released,omitempty"`
	Description string            `json:"description,omitempty"`
	Photos      []photoModeration `json:"photos,omitempty"`
	UpdatedAt   time.Time         `json:"updated_at,omitzero"`
}

type photoModeration struct {
	Key      string `json:"key"`
	Hidden   bool   `json:"hidden,omitempty"`
	Redacted string `json:"redacted,omitempty"`
}

func encodeModeration(m *hazard.Moderation) ([]byte, error) {
	d := moderationDoc{HazardID: m.HazardID, Version: m.Version, Hidden: m.Hidden, Released: m.Released,
		Description: m.Description, UpdatedAt: m.UpdatedAt}
	for _, p := range m.Photos {
		d.Photos = append(d.Photos, photoModeration(p))
	}
	return json.Marshal(d)
}

func decodeModeration(b []byte) (hazard.Moderation, error) {
	var d moderationDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return hazard.Moderation{}, err
	}
	m := hazard.Moderation{HazardID: d.HazardID, Version: d.Version, Hidden: d.Hidden, Released: d.Released,
		Description: d.Description, UpdatedAt: d.UpdatedAt.UTC()}
	for _, p := range d.Photos {
		m.Photos = append(m.Photos, hazard.PhotoModeration(p))
	}
	return m, nil
}

// Moderation implements hazard.ModerationStore.
func (s *HazardStore) Moderation(ctx context.Context, id uuid.UUID) (hazard.Moderation, error) {
	var doc []byte
	err := s.db.pool.QueryRow(ctx, `SELECT doc FROM moderations WHERE hazard_id = $1`, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return hazard.Moderation{HazardID: id}, nil
	}
	if err != nil {
		return hazard.Moderation{}, translate("pgstore.Moderation", err)
	}
	m, err := decodeModeration(doc)
	return m, translate("pgstore.Moderation", err)
}

// ModerationsOf implements hazard.ModerationStore.
func (s *HazardStore) ModerationsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]hazard.Moderation, error) {
	const op = "pgstore.ModerationsOf"
	if len(ids) > hazard.MaxEventsBatch {
		return nil, hazard.Errorf(hazard.CodeInvalid, "at most %d hazards at once, not %d", hazard.MaxEventsBatch, len(ids))
	}
	out := make(map[uuid.UUID]hazard.Moderation, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.pool.Query(ctx, `SELECT doc FROM moderations WHERE hazard_id = ANY($1)`, ids)
	if err != nil {
		return nil, translate(op, err)
	}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		m, err := decodeModeration(doc)
		if err != nil {
			return err
		}
		out[m.HazardID] = m
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

const insertModerationSQL = `WITH gate AS (
    INSERT INTO moderations (hazard_id, version, released, doc)
    SELECT @id, 1, @released, @doc WHERE EXISTS (SELECT FROM hazards WHERE id = @id)
    ON CONFLICT (hazard_id) DO NOTHING
    RETURNING 1)` + insertEvents

const updateModerationSQL = `WITH gate AS (
    UPDATE moderations SET version = version + 1, released = @released, doc = @doc
    WHERE hazard_id = @id AND version = @expected
    RETURNING 1)` + insertEvents

// SaveModeration implements hazard.ModerationStore: one statement stores
// the moderation (an insert for the first, else an update of the version
// read) and its events.
func (s *HazardStore) SaveModeration(ctx context.Context, m hazard.Moderation, expectedVersion int64, events []hazard.Event) (hazard.Moderation, error) {
	const op = "pgstore.SaveModeration"
	m = m.Clone()
	m.Version = max(expectedVersion, 0) + 1
	if err := m.Validate(); err != nil {
		return hazard.Moderation{}, hazard.Wrap(op, err)
	}
	evs, err := eventDocs(events, m.HazardID)
	if err != nil {
		return hazard.Moderation{}, hazard.Wrap(op, err)
	}
	doc, err := encodeModeration(&m)
	if err != nil {
		return hazard.Moderation{}, hazard.Wrap(op, err)
	}
	sql := updateModerationSQL
	if expectedVersion == 0 {
		sql = insertModerationSQL
	}
	args := pgx.NamedArgs{"id": m.HazardID, "expected": expectedVersion, "released": m.Released, "doc": doc, "events": evs}
	var saved bool
	var last *int64
	if err := s.db.pool.QueryRow(ctx, sql, args).Scan(&saved, &last); err != nil {
		return hazard.Moderation{}, translate(op, err)
	}
	if saved {
		if len(events) > 0 && last == nil {
			return hazard.Moderation{}, hazard.Wrap(op, errors.New("events were not numbered"))
		}
		return m, nil
	}
	// Nothing changed: say why.
	var exists bool
	var stored *int64
	if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM hazards WHERE id = $1),
		(SELECT version FROM moderations WHERE hazard_id = $1)`, m.HazardID).Scan(&exists, &stored); err != nil {
		return hazard.Moderation{}, translate(op, err)
	}
	if !exists {
		return hazard.Moderation{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Field: "hazard_id", Message: "hazard not found"}
	}
	v := int64(0)
	if stored != nil {
		v = *stored
	}
	return hazard.Moderation{}, &hazard.Error{Code: hazard.CodeConflict, Op: op, Version: v,
		Message: fmt.Sprintf("the moderation is at version %d, not %d", v, expectedVersion)}
}

// HeldHazards implements hazard.ModerationStore, by the partial index of
// held events.
func (s *HazardStore) HeldHazards(ctx context.Context, limit int) ([]hazard.Hazard, error) {
	const op = "pgstore.HeldHazards"
	if limit < 1 || limit > hazard.MaxHeldQueue {
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Op: op, Field: "limit", Message: fmt.Sprintf("must be 1 to %d", hazard.MaxHeldQueue)}
	}
	rows, err := s.db.pool.Query(ctx, `SELECT h.doc FROM hazards h
		WHERE h.id IN (SELECT hazard_id FROM events WHERE doc->>'type' = 'held')
		AND NOT EXISTS (SELECT FROM moderations m WHERE m.hazard_id = h.id AND m.released)
		ORDER BY h.created_ns, h.id LIMIT $1`, limit)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []hazard.Hazard{}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		h, err := decodeHazard(doc)
		if err != nil {
			return err
		}
		out = append(out, h)
		return nil
	})
	return out, translate(op, err)
}
