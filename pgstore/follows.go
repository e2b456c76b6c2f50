package pgstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/hazard"
)

// FollowStore is the PostgreSQL follow.Store: tables follows and
// follow_areas (migration 0018). A follow and its me-too events are
// written in one transaction under an advisory lock on the user, so that
// the cap of follows and the once-only me-too hold across processes.
type FollowStore struct{ db *DB }

var _ follow.Store = (*FollowStore)(nil)

// Follows returns the database's follow store.
func (db *DB) Follows() *FollowStore { return &FollowStore{db: db} }

const followLockSQL = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':follow:' || $1, 0))`

// Follow implements follow.Store.
func (s *FollowStore) Follow(ctx context.Context, f follow.Follow, max int, meToo []hazard.Event) (follow.Follow, bool, error) {
	const op = "pgstore.Follow"
	if err := follow.CheckFollow(&f, max, meToo); err != nil {
		return follow.Follow{}, false, hazard.Wrap(op, err)
	}
	var out follow.Follow
	var counted bool
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, followLockSQL, f.UserID); err != nil {
			return err
		}
		old, found := follow.Follow{}, true
		var created int64
		err := tx.QueryRow(ctx, `SELECT ref, me_too, active, created_ns FROM follows WHERE user_id = $1 AND hazard_id = $2`,
			f.UserID, f.HazardID).Scan(&old.Ref, &old.MeToo, &old.Active, &created)
		switch {
		case err == pgx.ErrNoRows:
			found = false
		case err != nil:
			return err
		}
		if !found || !old.Active {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM follows WHERE user_id = $1 AND active`, f.UserID).Scan(&n); err != nil {
				return err
			}
			if n >= max {
				return follow.CapReached(op, "follows", max)
			}
		}
		out = f
		out.Active = true
		if found {
			out.Ref, out.CreatedAt, out.MeToo = old.Ref, time.Unix(0, created).UTC(), old.MeToo || f.MeToo
		}
		counted = f.MeToo && !(found && old.MeToo)
		if _, err := tx.Exec(ctx, `INSERT INTO follows (user_id, hazard_id, ref, me_too, active, created_ns)
			VALUES ($1, $2, $3, $4, true, $5)
			ON CONFLICT (user_id, hazard_id) DO UPDATE SET me_too = EXCLUDED.me_too, active = true`,
			f.UserID, f.HazardID, out.Ref, out.MeToo, out.CreatedAt.UnixNano()); err != nil {
			return err
		}
		if counted {
			return appendTx(ctx, tx, meToo)
		}
		return nil
	})
	if err != nil {
		return follow.Follow{}, false, translate(op, err)
	}
	out.CreatedAt = out.CreatedAt.UTC()
	return out, counted, nil
}

// Unfollow implements follow.Store.
func (s *FollowStore) Unfollow(ctx context.Context, userID string, hazardID uuid.UUID) error {
	const op = "pgstore.Unfollow"
	tag, err := s.db.pool.Exec(ctx, `UPDATE follows SET active = false WHERE user_id = $1 AND hazard_id = $2`, userID, hazardID)
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "not following"}
	}
	return nil
}

func (s *FollowStore) queryFollows(ctx context.Context, op, sql string, args ...any) ([]follow.Follow, error) {
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []follow.Follow{}
	for rows.Next() {
		var f follow.Follow
		var ns int64
		if err := rows.Scan(&f.UserID, &f.HazardID, &f.Ref, &f.MeToo, &f.Active, &ns); err != nil {
			rows.Close()
			return nil, translate(op, err)
		}
		f.CreatedAt = time.Unix(0, ns).UTC()
		out = append(out, f)
	}
	return out, translate(op, rows.Err())
}

// Follows implements follow.Store.
func (s *FollowStore) Follows(ctx context.Context, userID string) ([]follow.Follow, error) {
	return s.queryFollows(ctx, "pgstore.Follows", `SELECT user_id, hazard_id, ref, me_too, active, created_ns FROM follows
		WHERE user_id = $1 AND active ORDER BY created_ns DESC, hazard_id DESC`, userID)
}

// Followers implements follow.Store.
func (s *FollowStore) Followers(ctx context.Context, hazardID uuid.UUID, after string, limit int) ([]follow.Follow, error) {
	return s.queryFollows(ctx, "pgstore.Followers", `SELECT user_id, hazard_id, ref, me_too, active, created_ns FROM follows
		WHERE hazard_id = $1 AND active AND user_id COLLATE "C" > $2 ORDER BY user_id COLLATE "C" LIMIT $3`,
		hazardID, after, follow.BatchLimit(limit, follow.MaxFollowerBatch))
}

// AddArea implements follow.Store.
func (s *FollowStore) AddArea(ctx context.Context, a follow.Area, max int) (follow.Area, error) {
	const op = "pgstore.AddArea"
	if err := follow.CheckArea(&a, max); err != nil {
		return follow.Area{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(a)
	if err != nil {
		return follow.Area{}, hazard.Wrap(op, err)
	}
	var district *string
	if a.District != "" {
		district = &a.District
	}
	var box [4]*float64
	if b, ok := a.Box(); ok {
		box = [4]*float64{&b.MinLat, &b.MaxLat, &b.MinLng, &b.MaxLng}
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, followLockSQL, a.UserID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM follow_areas WHERE user_id = $1`, a.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return follow.CapReached(op, "areas", max)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO follow_areas (id, user_id, district, min_lat, max_lat, min_lng, max_lng, created_ns, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
			a.ID, a.UserID, district, box[0], box[1], box[2], box[3], a.CreatedAt.UnixNano(), doc)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return &hazard.Error{Code: hazard.CodeConflict, Op: op, Field: "id", Message: "is taken"}
		}
		return nil
	})
	if err != nil {
		return follow.Area{}, translate(op, err)
	}
	return a, nil
}

// RemoveArea implements follow.Store.
func (s *FollowStore) RemoveArea(ctx context.Context, userID string, id uuid.UUID) error {
	const op = "pgstore.RemoveArea"
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM follow_areas WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such area"}
	}
	return nil
}

func (s *FollowStore) queryAreas(ctx context.Context, op, sql string, args ...any) ([]follow.Area, error) {
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []follow.Area{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			rows.Close()
			return nil, translate(op, err)
		}
		var a follow.Area
		if err := json.Unmarshal(doc, &a); err != nil {
			rows.Close()
			return nil, hazard.Wrap(op, err)
		}
		out = append(out, a)
	}
	return out, translate(op, rows.Err())
}

// Areas implements follow.Store.
func (s *FollowStore) Areas(ctx context.Context, userID string) ([]follow.Area, error) {
	areas, err := s.queryAreas(ctx, "pgstore.Areas", `SELECT doc FROM follow_areas WHERE user_id = $1 ORDER BY created_ns, id`, userID)
	for i := range areas {
		areas[i].UserID = userID
	}
	return areas, err
}

// AreasAt implements follow.Store: the areas whose box holds the point
// (in WGS-84) or whose district is the location's.
func (s *FollowStore) AreasAt(ctx context.Context, loc hazard.Location, after uuid.UUID, limit int) ([]follow.Area, error) {
	const op = "pgstore.AreasAt"
	var lat, lng *float64
	if loc.Point != nil {
		w := loc.Point.WGS84()
		lat, lng = &w.Lat, &w.Lng
	}
	rows, err := s.db.pool.Query(ctx, `SELECT user_id, doc FROM follow_areas
		WHERE id > $1 AND ((district = $2 AND $2 <> '')
			OR (min_lat <= $3 AND max_lat >= $3 AND min_lng <= $4 AND max_lng >= $4))
		ORDER BY id LIMIT $5`, after, loc.District, lat, lng, follow.BatchLimit(limit, follow.MaxAreaBatch))
	if err != nil {
		return nil, translate(op, err)
	}
	out := []follow.Area{}
	for rows.Next() {
		var user string
		var doc []byte
		if err := rows.Scan(&user, &doc); err != nil {
			rows.Close()
			return nil, translate(op, err)
		}
		var a follow.Area
		if err := json.Unmarshal(doc, &a); err != nil {
			rows.Close()
			return nil, hazard.Wrap(op, err)
		}
		a.UserID = user
		out = append(out, a)
	}
	return out, translate(op, rows.Err())
}
