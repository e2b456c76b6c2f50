package pgstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reply"
)

// ReplyStore is the PostgreSQL reply.Store: every version of a template is
// a row of reply_templates, and its latest version a row of
// reply_template_heads (migration 0016). A save runs in one short
// transaction that takes the templates' advisory lock (saves are rare: an
// admin's), checks the latest version and the limits, inserts the version
// and appends its events to the DB's one event log.
type ReplyStore struct {
	db *DB
}

var _ reply.Store = (*ReplyStore)(nil)

// Replies returns the reply.Store over db.
func (db *DB) Replies() *ReplyStore { return &ReplyStore{db: db} }

// templateDoc is the document of a row of reply_templates (see hazardDoc
// for why pgstore has its own types).
type templateDoc struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	Action    string    `json:"action,omitempty"`
	State     string    `json:"state,omitempty"`
	Category  string    `json:"category,omitempty"`
	Title     string    `json:"title"`
	TextZH    string    `json:"text_zh"`
	TextEN    string    `json:"text_en,omitempty"`
	Deleted   bool      `json:"deleted,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

const replyLockSQL = `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':reply_templates', 0))`

// Save implements reply.Store.
func (s *ReplyStore) Save(ctx context.Context, t reply.Template, expectedVersion int64, events []hazard.Event) (reply.Template, error) {
	const op = "pgstore.SaveTemplate"
	t.Version = max(expectedVersion, 0) + 1
	if err := t.Validate(); err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	if err := reply.CheckEvents(t.ID, events); err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	doc, err := json.Marshal(templateDoc(t))
	if err != nil {
		return reply.Template{}, hazard.Wrap(op, err)
	}
	err = pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, replyLockSQL); err != nil {
			return err
		}
		var latest int64
		var wasLive bool
		var live int
		if err := tx.QueryRow(ctx, `SELECT
			coalesce((SELECT version FROM reply_template_heads WHERE id = $1), 0),
			coalesce((SELECT NOT deleted FROM reply_template_heads WHERE id = $1), false),
			(SELECT count(*) FROM reply_template_heads WHERE NOT deleted)`, t.ID).Scan(&latest, &wasLive, &live); err != nil {
			return err
		}
		switch {
		case latest != expectedVersion:
			return reply.ErrConflict(op, latest, expectedVersion)
		case !wasLive && !t.Deleted && live >= reply.MaxTemplates:
			return &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "too many templates: delete some first"}
		case latest >= reply.MaxVersions:
			return &hazard.Error{Code: hazard.CodeRateLimited, Op: op, Message: "the template has too many versions: make a new one"}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO reply_templates (id, version, deleted, doc) VALUES ($1, $2, $3, $4)`,
			t.ID, t.Version, t.Deleted, doc); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO reply_template_heads (id, version, deleted) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted`,
			t.ID, t.Version, t.Deleted); err != nil {
			return err
		}
		return appendTx(ctx, tx, events)
	})
	if err != nil {
		return reply.Template{}, translate(op, err)
	}
	return t, nil
}

func (s *ReplyStore) query(ctx context.Context, op, sql string, args ...any) ([]reply.Template, error) {
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	out := []reply.Template{}
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&doc}, func() error {
		var d templateDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return err
		}
		d.UpdatedAt = d.UpdatedAt.UTC()
		out = append(out, reply.Template(d))
		return nil
	})
	if err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// Get implements reply.Store.
func (s *ReplyStore) Get(ctx context.Context, id string) (reply.Template, error) {
	const op = "pgstore.GetTemplate"
	ts, err := s.query(ctx, op, `SELECT doc FROM reply_templates WHERE id = $1 ORDER BY version DESC LIMIT 1`, id)
	if err != nil {
		return reply.Template{}, err
	}
	if len(ts) == 0 {
		return reply.Template{}, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such template"}
	}
	return ts[0], nil
}

// List implements reply.Store.
func (s *ReplyStore) List(ctx context.Context) ([]reply.Template, error) {
	return s.query(ctx, "pgstore.ListTemplates", `SELECT r.doc FROM reply_template_heads h
		JOIN reply_templates r ON r.id = h.id AND r.version = h.version
		WHERE NOT h.deleted ORDER BY h.id`)
}

// Versions implements reply.Store.
func (s *ReplyStore) Versions(ctx context.Context, id string) ([]reply.Template, error) {
	const op = "pgstore.TemplateVersions"
	ts, err := s.query(ctx, op, `SELECT doc FROM reply_templates WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, &hazard.Error{Code: hazard.CodeNotFound, Op: op, Message: "no such template"}
	}
	return ts, nil
}
