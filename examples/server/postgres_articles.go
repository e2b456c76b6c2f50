package server

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hazardloop/hazardloop/hazard"
)

// pgArticles is the articleStore in PostgreSQL (table server_articles):
// an article published through one process is seen through every other.
// Updates are compare-and-set on the version, in one statement.
type pgArticles struct {
	pool *pgxpool.Pool
}

var _ articleStore = (*pgArticles)(nil)

const articleColumns = `id, kind, title, body, html, source, published, version, created_ns, updated_ns, coalesce(published_ns, 0)`

func scanArticle(row pgx.Row) (Article, error) {
	var x Article
	var kind string
	var created, updated, published int64
	err := row.Scan(&x.ID, &kind, &x.Title, &x.Body, &x.HTML, &x.Source, &x.Published, &x.Version, &created, &updated, &published)
	x.Kind, x.CreatedAt, x.UpdatedAt, x.PublishedAt = ArticleKind(kind), nsTime(created), nsTime(updated), nsTime(published)
	return x, err
}

func (p *pgArticles) create(ctx context.Context, x Article) error {
	var published *int64
	if !x.PublishedAt.IsZero() {
		ns := x.PublishedAt.UnixNano()
		published = &ns
	}
	_, err := p.pool.Exec(ctx, `INSERT INTO server_articles (id, kind, title, body, html, source, published, version,
		created_ns, updated_ns, published_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		x.ID, string(x.Kind), x.Title, x.Body, x.HTML, x.Source, x.Published, x.Version,
		x.CreatedAt.UnixNano(), x.UpdatedAt.UnixNano(), published)
	if uniqueViolation(err) != "" {
		return hazard.Errorf(hazard.CodeConflict, "article %s already exists", x.ID)
	}
	return pgError("articles.create", err)
}

// missing tells why a compare-and-set changed no row: the article is
// missing (CodeNotFound) or at another version (CodeConflict).
func (p *pgArticles) missing(ctx context.Context, id string) error {
	var v int64
	err := p.pool.QueryRow(ctx, `SELECT version FROM server_articles WHERE id = $1`, id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoArticle()
	}
	if err != nil {
		return pgError("articles", err)
	}
	return errArticleVersion(v)
}

func (p *pgArticles) update(ctx context.Context, id string, expected int64, c articleContent, now time.Time) (Article, error) {
	x, err := scanArticle(p.pool.QueryRow(ctx, `UPDATE server_articles
		SET kind = $3, title = $4, body = $5, html = $6, source = $7, version = version + 1, updated_ns = $8
		WHERE id = $1 AND version = $2 RETURNING `+articleColumns,
		id, expected, string(c.Kind), c.Title, c.Body, c.HTML, c.Source, now.UnixNano()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Article{}, p.missing(ctx, id)
	}
	return x, pgError("articles.update", err)
}

func (p *pgArticles) publish(ctx context.Context, id string, now time.Time) (Article, error) {
	x, err := scanArticle(p.pool.QueryRow(ctx, `UPDATE server_articles
		SET published = true, version = version + 1, updated_ns = $2, published_ns = $2
		WHERE id = $1 AND NOT published RETURNING `+articleColumns, id, now.UnixNano()))
	if errors.Is(err, pgx.ErrNoRows) {
		return p.get(ctx, id) // published already, or missing
	}
	return x, pgError("articles.publish", err)
}

func (p *pgArticles) get(ctx context.Context, id string) (Article, error) {
	x, err := scanArticle(p.pool.QueryRow(ctx, `SELECT `+articleColumns+` FROM server_articles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Article{}, errNoArticle()
	}
	return x, pgError("articles.get", err)
}

func (p *pgArticles) list(ctx context.Context, kind ArticleKind, drafts bool) ([]Article, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+articleColumns+` FROM server_articles
		WHERE ($1 = '' OR kind = $1) AND (published OR $2) ORDER BY created_ns DESC, id DESC`, string(kind), drafts)
	if err != nil {
		return nil, pgError("articles.list", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Article, error) { return scanArticle(r) })
	return out, pgError("articles.list", err)
}
