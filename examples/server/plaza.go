package server

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of the plaza.
const (
	// MaxFilterLen bounds a plaza filter value.
	MaxFilterLen = 64
	// MaxCachedPages is how many encoded plaza answers are kept; the cache
	// starts afresh when it is full.
	MaxCachedPages = 1024
	// maxCacheCatchUp is how many events the cache reads to bring itself up
	// to the log; further behind, it starts afresh instead.
	maxCacheCatchUp = hazard.MaxEventBatch
)

// pageCache keeps encoded plaza answers and drops one only when the event
// log says that what it shows may have changed. Every change of a hazard
// appends events, so an answer stays current while no event names one of
// the hazards it shows, no new report comes ahead of a first page, and no
// event moves a report into or out of a filtered list. The cache follows
// the log: before an answer is served, the events appended since the cache
// last looked are read (one query, shared by the readers waiting, see
// catchUp) and the answers they touch are dropped. Concurrent readers of an answer not yet cached
// wait for one of them to compute it. It is safe for concurrent use, and
// correct across processes sharing a store, since the log is the store's.
type pageCache struct {
	follow lastSeqReader // runs catchUp for the readers
	// publishes reports whether an event may change whether its hazard
	// is published (hazard.Service.MayChangePublication).
	publishes func(e *hazard.Event) bool

	mu    sync.Mutex
	seq   int64 // the log's last seq the answers are current at
	pages map[string]*cachedPage
}

// pageScope says which changes of the log an answer depends on, beside
// those of the hazards it shows.
type pageScope struct {
	// first is a list's first page: a new report may come ahead of it.
	first bool
	// filtered is a list filtered by category or state: any change of any
	// hazard may move one into or out of it.
	filtered bool
	// list is any list: a change of whether a hazard is published (a
	// moderation, a dispatch under the publish-on-forward policy) may
	// move it into or out of the list at any page.
	list bool
}

// cachedPage is one answer; done is closed once body or err is set.
type cachedPage struct {
	scope   pageScope
	seq     int64 // the log's seq when it was computed
	done    chan struct{}
	body    []byte
	err     error
	hazards map[uuid.UUID]bool // the hazards it shows, once done
}

// stale reports whether e may change the answer p; publishes says whether
// an event may change whether its hazard is published.
func (p *cachedPage) stale(e *hazard.Event, publishes func(*hazard.Event) bool) bool {
	select {
	case <-p.done:
	default:
		return true // being computed: what it shows is not known yet
	}
	switch {
	case e.HazardID == uuid.Nil:
		return false // an event of another subject (a unit, an inspection)
	case p.hazards[e.HazardID], p.scope.filtered:
		return true
	case p.scope.list && publishes != nil && publishes(e):
		return true
	}
	return p.scope.first && e.Type == hazard.EventSubmitted
}

// catchUp is what the plaza's readers share through the cache's
// lastSeqReader: it reads the events appended since the cache last looked,
// drops the answers they may change, and returns the log's last seq. One
// query when the cache is current or nearly; a cache further behind than
// maxCacheCatchUp events starts afresh at the store's LastSeq. The reader
// runs one at a time.
type catchUp struct {
	c     *pageCache
	store hazard.Store
}

// LastSeq implements seqSource.
func (u catchUp) LastSeq(ctx context.Context) (int64, error) {
	c := u.c
	c.mu.Lock()
	from := c.seq
	c.mu.Unlock()
	events, err := u.store.Events(ctx, from, maxCacheCatchUp)
	if err != nil {
		return 0, err
	}
	if len(events) == maxCacheCatchUp {
		last, err := u.store.LastSeq(ctx)
		if err != nil {
			return 0, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.pages, c.seq = nil, last
		return last, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range events {
		for k, p := range c.pages {
			if p.stale(&events[i], c.publishes) {
				delete(c.pages, k)
			}
		}
	}
	if len(events) > 0 {
		c.seq = events[len(events)-1].Seq
	}
	return c.seq, nil
}

// lookup returns the answer for key and true, or a new answer to compute
// (registered, so that other readers wait for it) and false.
func (c *pageCache) lookup(key string, scope pageScope) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pages[key]; ok {
		return p, true
	}
	if c.pages == nil || len(c.pages) >= MaxCachedPages {
		c.pages = map[string]*cachedPage{}
	}
	p := &cachedPage{scope: scope, seq: c.seq, done: make(chan struct{})}
	c.pages[key] = p
	return p, false
}

// fail drops p after its computation failed, so that the next reader
// tries again.
func (c *pageCache) fail(key string, p *cachedPage, err error) {
	c.mu.Lock()
	if c.pages[key] == p {
		delete(c.pages, key)
	}
	p.err = err
	c.mu.Unlock()
	close(p.done)
}

// cachedJSON answers with the encoded value of compute for key, computed
// once for as long as the event log leaves it current (compute returns the
// value and the hazards it shows), with an ETag naming that answer.
func (s *Server) cachedJSON(w http.ResponseWriter, r *http.Request, key string, scope pageScope,
	compute func(ctx context.Context) (any, []uuid.UUID, error)) error {
	ctx := r.Context()
	last, err := s.plazaCache.follow.read(ctx, catchUp{&s.plazaCache, s.store})
	if err != nil {
		return err
	}
	build := func() ([]byte, map[uuid.UUID]bool, error) {
		v, ids, err := compute(ctx)
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(v); err != nil {
			return nil, nil, hazard.Wrap("plaza", err)
		}
		hazards := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			hazards[id] = true
		}
		return buf.Bytes(), hazards, nil
	}
	p, cached := s.plazaCache.lookup(key, scope)
	if !cached {
		body, hazards, err := build()
		if err != nil {
			s.plazaCache.fail(key, p, err)
			return err
		}
		p.body, p.hazards = body, hazards
		close(p.done)
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if p.err != nil {
		// The reader that computed it failed, perhaps because its own
		// request ended: compute this reader's answer, uncached.
		body, _, err := build()
		if err != nil {
			return err
		}
		p = &cachedPage{seq: last, body: body}
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	etag := `"` + strconv.FormatInt(p.seq, 36) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(p.body)
	return nil
}

func (s *Server) plaza(w http.ResponseWriter, r *http.Request, _ caller) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := hazard.PublicFilter{Category: q.Get("category"), State: q.Get("state")}
	if len(f.Category) > MaxFilterLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "category", Message: "is not a category"}
	}
	if len(f.State) > MaxFilterLen {
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "state", Message: "is not a state"}
	}
	key := "list\x00" + f.Category + "\x00" + f.State + "\x00" + strconv.Itoa(p.Limit) + "\x00" + p.Cursor
	scope := pageScope{first: p.Cursor == "", filtered: f.Category != "" || f.State != "", list: true}
	return s.cachedJSON(w, r, key, scope, func(ctx context.Context) (any, []uuid.UUID, error) {
		l, err := s.svc.PublicList(ctx, f, p)
		if err != nil {
			return nil, nil, err
		}
		// Each item comes with its public timeline, as the plaza shows it.
		out := ListResponse[PublicReport]{Items: make([]PublicReport, len(l.Items)), Next: l.Next}
		ids := make([]uuid.UUID, len(l.Items))
		for i, ph := range l.Items {
			out.Items[i], ids[i] = publicReport(ph), ph.ID
		}
		return out, ids, nil
	})
}

func (s *Server) plazaReport(w http.ResponseWriter, r *http.Request, _ caller) error {
	ref := r.PathValue("ref")
	if len(ref) > hazard.MaxRefLen {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "ref", Message: "no such report"}
	}
	return s.cachedJSON(w, r, "item\x00"+ref, pageScope{}, func(ctx context.Context) (any, []uuid.UUID, error) {
		p, err := s.svc.PublicView(ctx, ref)
		if err != nil {
			return nil, nil, err
		}
		return publicReport(p), []uuid.UUID{p.ID}, nil
	})
}
