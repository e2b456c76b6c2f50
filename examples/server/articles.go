package server

import (
	"context"
	"html"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of articles.
const (
	MaxArticleTitleLen  = 200   // runes
	MaxArticleBodyLen   = 20000 // runes
	MaxArticleSourceLen = 200   // runes
)

// ArticleKind says what an article of the knowledge section is.
type ArticleKind string

// The kinds of articles (安全知识与法规).
const (
	KindLaw       ArticleKind = "law"       // a law (法律)
	KindRule      ArticleKind = "rule"      // a regulation or rule (法规、规章)
	KindKnowledge ArticleKind = "knowledge" // safety knowledge (安全知识)
)

// Valid reports whether k is a known kind.
func (k ArticleKind) Valid() bool { return k == KindLaw || k == KindRule || k == KindKnowledge }

// Article is an entry of the knowledge section. Body is plain text with a
// few line conventions ("# " heading, "- " list item, blank line between
// paragraphs); it is never HTML. HTML is Body rendered with every character
// escaped.
type Article struct {
	ID          string      `json:"id"`
	Kind        ArticleKind `json:"kind"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	HTML        string      `json:"html"`
	Source      string      `json:"source,omitempty"`
	Published   bool        `json:"published"`
	Version     int64       `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	PublishedAt time.Time   `json:"published_at,omitzero"`
}

// ArticleInput is what an admin writes.
type ArticleInput struct {
	Kind   ArticleKind `json:"kind"`
	Title  string      `json:"title"`
	Body   string      `json:"body"`
	Source string      `json:"source"`
	// ExpectedVersion is required on update: the version the admin read.
	ExpectedVersion int64 `json:"expected_version,omitempty"`
}

func (in *ArticleInput) validate() error {
	var p hazard.Problems
	in.Title = hazard.NormalizeText(in.Title)
	in.Source = hazard.NormalizeText(in.Source)
	in.Body = strings.ReplaceAll(strings.TrimSpace(in.Body), "\r\n", "\n")
	if !in.Kind.Valid() {
		p.Add("kind", "must be law, rule or knowledge")
	}
	hazard.CheckLine(&p, "title", in.Title, 1, MaxArticleTitleLen)
	hazard.CheckLine(&p, "source", in.Source, 0, MaxArticleSourceLen)
	switch n := utf8.RuneCountInString(in.Body); {
	case !utf8.ValidString(in.Body):
		p.Add("body", "is not valid UTF-8")
	case n == 0:
		p.Add("body", "is required")
	case n > MaxArticleBodyLen:
		p.Add("body", "is longer than %d characters", MaxArticleBodyLen)
	}
	return p.Err("article")
}

// renderText renders plain text as HTML safely: every character of the
// text is escaped, and only the line conventions make tags.
func renderText(s string) string {
	var b strings.Builder
	inList := false
	closeList := func() {
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	for _, para := range strings.Split(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		for _, line := range strings.Split(para, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "# "):
				closeList()
				b.WriteString("<h2>" + html.EscapeString(strings.TrimPrefix(line, "# ")) + "</h2>\n")
			case strings.HasPrefix(line, "- "):
				if !inList {
					b.WriteString("<ul>\n")
					inList = true
				}
				b.WriteString("<li>" + html.EscapeString(strings.TrimPrefix(line, "- ")) + "</li>\n")
			case line == "":
			default:
				closeList()
				b.WriteString("<p>" + html.EscapeString(line) + "</p>\n")
			}
		}
		closeList()
	}
	return b.String()
}

// articleContent is what an update of an article sets.
type articleContent struct {
	Kind                      ArticleKind
	Title, Body, HTML, Source string
}

// articleStore keeps the knowledge section. The server uses memArticles,
// or pgArticles over PostgreSQL so that an article published through one
// process is seen through every other. Implementations are safe for
// concurrent use and return copies.
type articleStore interface {
	// create stores a new article; a taken ID is CodeConflict.
	create(ctx context.Context, x Article) error
	// update sets the content of the article at version expected, adds one
	// to its version and sets UpdatedAt to now. A missing article is
	// CodeNotFound; another version is CodeConflict with the stored version
	// (field expected_version).
	update(ctx context.Context, id string, expected int64, c articleContent, now time.Time) (Article, error)
	// publish publishes the article (a new version, PublishedAt now) and
	// returns it; publishing a published article returns it unchanged. A
	// missing article is CodeNotFound.
	publish(ctx context.Context, id string, now time.Time) (Article, error)
	// get returns the article, draft or not, or CodeNotFound.
	get(ctx context.Context, id string) (Article, error)
	// list returns the articles of the kind (any when empty), newest first
	// (by CreatedAt, then ID); drafts only when drafts is true.
	list(ctx context.Context, kind ArticleKind, drafts bool) ([]Article, error)
}

func errNoArticle() error { return hazard.Errorf(hazard.CodeNotFound, "no such article") }

// namesNoArticle reports whether id cannot name an article: it holds a NUL
// byte or invalid UTF-8, which no store keeps (PostgreSQL refuses it).
func namesNoArticle(id string) bool { return strings.IndexByte(id, 0) >= 0 || !utf8.ValidString(id) }

func errArticleVersion(stored int64) error {
	return &hazard.Error{Code: hazard.CodeConflict, Field: "expected_version", Version: stored,
		Message: "the article changed since you read it"}
}

// articles is the knowledge section: input checked and rendered here,
// kept in an articleStore.
type articles struct {
	store articleStore
	now   func() time.Time
}

func newArticles(store articleStore, now func() time.Time) *articles {
	return &articles{store: store, now: now}
}

func (a *articles) create(ctx context.Context, in ArticleInput) (Article, error) {
	return a.createWithID(ctx, uuid.Must(uuid.NewV7()).String(), in)
}

// createWithID creates the article with the ID; a taken ID is
// CodeConflict (the demo seeds articles of fixed IDs in every process).
func (a *articles) createWithID(ctx context.Context, id string, in ArticleInput) (Article, error) {
	if err := in.validate(); err != nil {
		return Article{}, err
	}
	now := a.now()
	x := Article{ID: id, Kind: in.Kind, Title: in.Title, Body: in.Body,
		HTML: renderText(in.Body), Source: in.Source, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := a.store.create(ctx, x); err != nil {
		return Article{}, err
	}
	return x, nil
}

func (a *articles) update(ctx context.Context, id string, in ArticleInput) (Article, error) {
	if err := in.validate(); err != nil {
		return Article{}, err
	}
	if namesNoArticle(id) {
		return Article{}, errNoArticle()
	}
	return a.store.update(ctx, id, in.ExpectedVersion,
		articleContent{Kind: in.Kind, Title: in.Title, Body: in.Body, HTML: renderText(in.Body), Source: in.Source}, a.now())
}

func (a *articles) publish(ctx context.Context, id string) (Article, error) {
	if namesNoArticle(id) {
		return Article{}, errNoArticle()
	}
	return a.store.publish(ctx, id, a.now())
}

// get returns the article; drafts only when drafts is true.
func (a *articles) get(ctx context.Context, id string, drafts bool) (Article, error) {
	if namesNoArticle(id) {
		return Article{}, errNoArticle()
	}
	x, err := a.store.get(ctx, id)
	if err != nil {
		return Article{}, err
	}
	if !x.Published && !drafts {
		return Article{}, errNoArticle()
	}
	return x, nil
}

// list returns the articles, newest first; drafts only when drafts is true.
func (a *articles) list(ctx context.Context, kind ArticleKind, drafts bool) ([]Article, error) {
	return a.store.list(ctx, kind, drafts)
}

// memArticles is the in-memory articleStore.
type memArticles struct {
	mu   sync.RWMutex
	byID map[string]Article
}

var _ articleStore = (*memArticles)(nil)

func newMemArticles() *memArticles { return &memArticles{byID: map[string]Article{}} }

func (m *memArticles) create(_ context.Context, x Article) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[x.ID]; ok {
		return hazard.Errorf(hazard.CodeConflict, "article %s already exists", x.ID)
	}
	m.byID[x.ID] = x
	return nil
}

func (m *memArticles) update(_ context.Context, id string, expected int64, c articleContent, now time.Time) (Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	x, ok := m.byID[id]
	if !ok {
		return Article{}, errNoArticle()
	}
	if expected != x.Version {
		return Article{}, errArticleVersion(x.Version)
	}
	x.Kind, x.Title, x.Body, x.HTML, x.Source = c.Kind, c.Title, c.Body, c.HTML, c.Source
	x.Version++
	x.UpdatedAt = now
	m.byID[id] = x
	return x, nil
}

func (m *memArticles) publish(_ context.Context, id string, now time.Time) (Article, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	x, ok := m.byID[id]
	if !ok {
		return Article{}, errNoArticle()
	}
	if !x.Published {
		x.Published = true
		x.Version++
		x.UpdatedAt, x.PublishedAt = now, now
		m.byID[id] = x
	}
	return x, nil
}

func (m *memArticles) get(_ context.Context, id string) (Article, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	x, ok := m.byID[id]
	if !ok {
		return Article{}, errNoArticle()
	}
	return x, nil
}

func (m *memArticles) list(_ context.Context, kind ArticleKind, drafts bool) ([]Article, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Article, 0, len(m.byID))
	for _, x := range m.byID {
		if (x.Published || drafts) && (kind == "" || x.Kind == kind) {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}
