package server

import (
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
	hazard.CheckText(&p, "title", in.Title, 1, MaxArticleTitleLen)
	hazard.CheckText(&p, "source", in.Source, 0, MaxArticleSourceLen)
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

// articles is the in-memory knowledge section; safe for concurrent use.
type articles struct {
	mu   sync.RWMutex
	byID map[string]Article
	now  func() time.Time
}

func newArticles(now func() time.Time) *articles {
	return &articles{byID: map[string]Article{}, now: now}
}

func (a *articles) create(in ArticleInput) (Article, error) {
	if err := in.validate(); err != nil {
		return Article{}, err
	}
	now := a.now()
	x := Article{ID: uuid.Must(uuid.NewV7()).String(), Kind: in.Kind, Title: in.Title, Body: in.Body,
		HTML: renderText(in.Body), Source: in.Source, Version: 1, CreatedAt: now, UpdatedAt: now}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.byID[x.ID] = x
	return x, nil
}

func (a *articles) update(id string, in ArticleInput) (Article, error) {
	if err := in.validate(); err != nil {
		return Article{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.byID[id]
	if !ok {
		return Article{}, hazard.Errorf(hazard.CodeNotFound, "no such article")
	}
	if in.ExpectedVersion != x.Version {
		return Article{}, &hazard.Error{Code: hazard.CodeConflict, Field: "expected_version", Version: x.Version,
			Message: "the article changed since you read it"}
	}
	x.Kind, x.Title, x.Body, x.Source = in.Kind, in.Title, in.Body, in.Source
	x.HTML = renderText(in.Body)
	x.Version++
	x.UpdatedAt = a.now()
	a.byID[id] = x
	return x, nil
}

func (a *articles) publish(id string) (Article, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.byID[id]
	if !ok {
		return Article{}, hazard.Errorf(hazard.CodeNotFound, "no such article")
	}
	if !x.Published {
		x.Published = true
		x.Version++
		x.UpdatedAt = a.now()
		x.PublishedAt = x.UpdatedAt
		a.byID[id] = x
	}
	return x, nil
}

// get returns the article; drafts only when drafts is true.
func (a *articles) get(id string, drafts bool) (Article, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	x, ok := a.byID[id]
	if !ok || (!x.Published && !drafts) {
		return Article{}, hazard.Errorf(hazard.CodeNotFound, "no such article")
	}
	return x, nil
}

// list returns the articles, newest first; drafts only when drafts is true.
func (a *articles) list(kind ArticleKind, drafts bool) []Article {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]Article, 0, len(a.byID))
	for _, x := range a.byID {
		if (x.Published || drafts) && (kind == "" || x.Kind == kind) {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}
