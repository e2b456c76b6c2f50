package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

// The risk map's answers.
const (
	// riskMapPath is the four-colour risk map's route.
	riskMapPath = "/api/v1/risk/map.geojson"
	// MapCoordDecimals is how many decimals of a degree the risk map keeps
	// of a longitude or latitude: 5, about a metre, finer than the
	// GCJ-02 conversion and far finer than the public point, which is
	// rounded to risk.ApproxDegrees (RFC 7946 §11.2 asks for no false
	// precision).
	MapCoordDecimals = 5
	// MapCacheTTL bounds how long an encoded risk map answer is served.
	// An answer is dropped at once when the event log records a unit's
	// registration or grade change; a change that logs no event (a unit's
	// name or address edited) shows within MapCacheTTL.
	MapCacheTTL = 30 * time.Second
	// MaxCachedMaps is how many risk map answers (one per filter) are
	// kept; the cache starts afresh when it is full.
	MaxCachedMaps = 256
)

// publication applies the city's publication switch to a route: when the
// four-colour risk map is not published (Config.RiskMapStaffOnly), its
// route is for staff only, in the router, the access table and the
// OpenAPI description alike.
func (s *Server) publication(rt Route) Route {
	if rt.Path == riskMapPath && s.cfg.RiskMapStaffOnly {
		rt.Access = AccessStaff
		rt.Summary += " This city does not publish its map: staff only."
	}
	return rt
}

// mapCache keeps the encoded risk map answers, one per filter, plain and
// gzip-compressed, and drops them all when the event log records a change
// of any unit (a unit registered, a grade changed): the map shows every
// unit, so any of them may change any answer. It follows the log as the
// plaza's cache does: before an answer is served the events appended
// since the cache last looked are read (one query shared by the readers
// waiting). Concurrent readers of an answer not yet cached wait for one of
// them to compute it. It is safe for concurrent use.
type mapCache struct {
	follow lastSeqReader

	mu      sync.Mutex
	seq     int64
	answers map[string]*mapAnswer
	// sizes are the lengths of the last answers, kept when the answers
	// are dropped: the next one is about as long.
	sizes map[string]int
}

// mapAnswer is one encoded answer; done is closed once it is set.
type mapAnswer struct {
	done     chan struct{}
	at       time.Time
	seq      int64
	body, gz []byte
	err      error
}

// mapCatchUp reads the events since the cache last looked and drops every
// answer when one is a unit's.
type mapCatchUp struct {
	c     *mapCache
	store hazard.Store
}

// LastSeq implements seqSource.
func (u mapCatchUp) LastSeq(ctx context.Context) (int64, error) {
	c := u.c
	c.mu.Lock()
	from := c.seq
	c.mu.Unlock()
	events, err := u.store.Events(ctx, from, maxCacheCatchUp)
	if err != nil {
		return 0, err
	}
	drop, last := false, from
	if len(events) == maxCacheCatchUp {
		if last, err = u.store.LastSeq(ctx); err != nil {
			return 0, err
		}
		drop = true
	} else if len(events) > 0 {
		last = events[len(events)-1].Seq
		for i := range events {
			drop = drop || events[i].Subject.Kind == risk.SubjectUnit
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if drop {
		c.answers = nil
	}
	c.seq = max(c.seq, last)
	return c.seq, nil
}

// get returns the answer for key, computing it with compute when the
// cache has none current.
func (c *mapCache) get(ctx context.Context, key string, now time.Time, compute func(ctx context.Context, sizeHint int) ([]byte, error)) (*mapAnswer, error) {
	c.mu.Lock()
	a, ok := c.answers[key]
	if ok && now.Sub(a.at) > MapCacheTTL {
		select {
		case <-a.done:
			ok = false
		default: // being computed: wait for it
		}
	}
	if !ok {
		if c.answers == nil || len(c.answers) >= MaxCachedMaps {
			c.answers = map[string]*mapAnswer{}
		}
		a = &mapAnswer{done: make(chan struct{}), at: now, seq: c.seq}
		c.answers[key] = a
	}
	hint := c.sizes[key]
	c.mu.Unlock()
	if !ok {
		body, err := compute(ctx, hint)
		if err == nil {
			c.mu.Lock()
			if c.sizes == nil || len(c.sizes) >= MaxCachedMaps {
				c.sizes = map[string]int{}
			}
			c.sizes[key] = len(body)
			c.mu.Unlock()
			var buf bytes.Buffer
			buf.Grow(len(body) / 8)
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
			_, _ = zw.Write(body)
			err = zw.Close()
			a.body, a.gz = body, buf.Bytes()
		}
		if err != nil {
			c.mu.Lock()
			if c.answers[key] == a {
				delete(c.answers, key)
			}
			c.mu.Unlock()
			a.err = err
		}
		close(a.done)
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	return a, nil
}

// mapQuery is a risk map request's filters.
type mapQuery struct {
	filter risk.UnitFilter
	bbox   *[4]float64
}

func parseMapQuery(r *http.Request) (mapQuery, error) {
	q := r.URL.Query()
	f := risk.UnitFilter{Industry: q.Get("industry"), Grade: risk.Grade(q.Get("grade")), District: q.Get("district")}
	if f.Grade != "" && !f.Grade.Valid() {
		return mapQuery{}, &hazard.Error{Code: hazard.CodeInvalid, Field: "grade", Message: "must be red, orange, yellow or blue"}
	}
	if len(f.Industry) > MaxFilterLen {
		return mapQuery{}, &hazard.Error{Code: hazard.CodeInvalid, Field: "industry", Message: "is not an industry"}
	}
	if len(f.District) > MaxFilterLen {
		return mapQuery{}, &hazard.Error{Code: hazard.CodeInvalid, Field: "district", Message: "is not a district"}
	}
	bbox, err := parseBBox(q.Get("bbox"))
	if err != nil {
		return mapQuery{}, err
	}
	return mapQuery{filter: f, bbox: bbox}, nil
}

// key names the answer of q in the cache.
func (q mapQuery) key() string {
	k := q.filter.Industry + "\x00" + string(q.filter.Grade) + "\x00" + q.filter.District
	if q.bbox != nil {
		for _, v := range q.bbox {
			k += "\x00" + strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return k
}

// roundCoord rounds a degree to MapCoordDecimals.
func roundCoord(v float64) float64 {
	const f = 1e5 // 10^MapCoordDecimals
	return math.Round(v*f) / f
}

// riskMapBody encodes the GeoJSON FeatureCollection of the units q selects.
// It appends each feature as encoding/json would encode a Feature (the
// types above document the shape; TestRiskMapEncoding holds the two
// equal), without reflection or a value per feature: the map of a whole
// city is the largest answer the server makes.
func (s *Server) riskMapBody(ctx context.Context, q mapQuery, sizeHint int) ([]byte, error) {
	buf := make([]byte, 0, max(64<<10, sizeHint+sizeHint/8))
	// Public points are rounded to risk.ApproxDegrees, so that units share
	// them: each is converted to WGS-84 once.
	converted := map[hazard.Point]hazard.Point{}
	buf = append(buf, `{"type":"FeatureCollection","features":[`...)
	n := 0
	p := hazard.Page{Limit: mapPage}
	for {
		l, err := s.regs.risk.PublicUnits(ctx, q.filter, p)
		if err != nil {
			return nil, err
		}
		for _, u := range l.Items {
			if u.Point == nil || !u.Grade.Valid() {
				continue
			}
			pt, ok := converted[*u.Point]
			if !ok {
				pt = u.Point.WGS84()
				converted[*u.Point] = pt
			}
			lng, lat := roundCoord(pt.Lng), roundCoord(pt.Lat)
			if b := q.bbox; b != nil && (lng < b[0] || lng > b[2] || lat < b[1] || lat > b[3]) {
				continue
			}
			if n == MaxMapFeatures {
				return nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "bbox", Message: "selects more than " + strconv.Itoa(MaxMapFeatures) + " units: narrow it"}
			}
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			buf = append(buf, `{"type":"Feature","id":"`...)
			buf = append(buf, u.ID.String()...)
			buf = append(buf, `","geometry":{"type":"Point","coordinates":[`...)
			buf = appendFloat(buf, lng)
			buf = append(buf, ',')
			buf = appendFloat(buf, lat)
			buf = append(buf, `]},"properties":{"name":`...)
			buf = appendString(buf, u.Name)
			buf = append(buf, `,"industry":`...)
			buf = appendString(buf, u.Industry)
			buf = append(buf, `,"grade":`...)
			buf = appendString(buf, string(u.Grade))
			buf = append(buf, `,"grade_zh":`...)
			buf = appendString(buf, u.Grade.ZH())
			buf = append(buf, `,"colour":`...)
			buf = appendString(buf, gradeColours[u.Grade])
			if u.District != "" {
				buf = append(buf, `,"district":`...)
				buf = appendString(buf, u.District)
			}
			buf = append(buf, "}}"...)
		}
		if l.Next == "" {
			break
		}
		p.Cursor = l.Next
	}
	return append(buf, "]}\n"...), nil
}

// appendFloat appends f as encoding/json writes a float64.
func appendFloat(buf []byte, f float64) []byte {
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 || f == 0 {
		return strconv.AppendFloat(buf, f, 'f', -1, 64)
	}
	b, _ := json.Marshal(f) // the exponent form; never fails for a finite float
	return append(buf, b...)
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters, U+2028 and U+2029, invalid UTF-8).
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// riskMap answers the risk map from the cache: gzip-compressed to a client
// that accepts it, with an ETag to revalidate against.
func (s *Server) riskMap(w http.ResponseWriter, r *http.Request, _ caller) error {
	q, err := parseMapQuery(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.mapCache.follow.read(ctx, mapCatchUp{&s.mapCache, s.store}); err != nil {
		return err
	}
	key := q.key()
	a, err := s.mapCache.get(ctx, key, s.now(), func(ctx context.Context, hint int) ([]byte, error) { return s.riskMapBody(ctx, q, hint) })
	if err != nil {
		return err
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	etag := `"m` + strconv.FormatInt(a.seq, 36) + "-" + strconv.FormatInt(a.at.UnixNano(), 36) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Add("Vary", "Accept-Encoding")
	if hd.Get("Cache-Control") == "" {
		hd.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", "application/geo+json")
	hd.Set("X-Content-Type-Options", "nosniff")
	body := a.body
	if acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (not refused with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
