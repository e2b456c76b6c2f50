package server

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"sync"

	"github.com/hazardloop/hazardloop/hazard"
)

// Limits of the plaza.
const (
	// MaxFilterLen bounds a plaza filter value.
	MaxFilterLen = 64
	// MaxCachedPages is how many encoded plaza answers are kept.
	MaxCachedPages = 1024
)

// pageCache keeps encoded plaza answers for as long as the event log does
// not grow. Every change of a hazard appends events, so an answer computed
// after the log reached seq is current while the log's last seq is still
// seq; the cache is emptied when it moves. It is safe for concurrent use,
// and correct across processes sharing a store, since the seq is the
// store's.
type pageCache struct {
	mu    sync.Mutex
	seq   int64
	pages map[string][]byte
}

func (c *pageCache) get(seq int64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq != seq {
		return nil, false
	}
	b, ok := c.pages[key]
	return b, ok
}

func (c *pageCache) put(seq int64, key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq < c.seq {
		return
	}
	if seq > c.seq || c.pages == nil || len(c.pages) >= MaxCachedPages {
		c.seq, c.pages = seq, map[string][]byte{}
	}
	c.pages[key] = b
}

// cachedJSON answers with the encoded value of compute for key, computed at
// most once per state of the event log, with an ETag naming that state.
func (s *Server) cachedJSON(w http.ResponseWriter, r *http.Request, key string, compute func(ctx context.Context) (any, error)) error {
	seq, err := s.store.LastSeq(r.Context())
	if err != nil {
		return err
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	etag := `"` + strconv.FormatInt(seq, 36) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body, ok := s.plazaCache.get(seq, key)
	if !ok {
		v, err := compute(r.Context())
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(v); err != nil {
			return hazard.Wrap("encode", err)
		}
		body = buf.Bytes()
		s.plazaCache.put(seq, key, body)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
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
	return s.cachedJSON(w, r, key, func(ctx context.Context) (any, error) {
		l, err := s.svc.PublicList(ctx, f, p)
		if err != nil {
			return nil, err
		}
		// Each item comes with its public timeline, as the plaza shows it.
		out := ListResponse[PublicReport]{Items: make([]PublicReport, len(l.Items)), Next: l.Next}
		for i, ph := range l.Items {
			out.Items[i] = publicReport(ph)
		}
		return out, nil
	})
}

func (s *Server) plazaReport(w http.ResponseWriter, r *http.Request, _ caller) error {
	ref := r.PathValue("ref")
	if len(ref) > hazard.MaxRefLen {
		return &hazard.Error{Code: hazard.CodeNotFound, Field: "ref", Message: "no such report"}
	}
	return s.cachedJSON(w, r, "item\x00"+ref, func(ctx context.Context) (any, error) {
		p, err := s.svc.PublicView(ctx, ref)
		if err != nil {
			return nil, err
		}
		return publicReport(p), nil
	})
}
