package server

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
)

// Open311Prefix is where the Open311 GeoReport v2 endpoint is mounted.
const Open311Prefix = open311.DefaultPrefix

// DemoOpen311Key is the api_key of the partner "demo" a demo server
// accepts when Config.Open311Keys is empty.
const DemoOpen311Key = "demo-open311-key-0001"

// mountOpen311 registers the Open311 endpoint. Its handler is built when
// the server's public URL is known (see Serve); until then it answers 503.
func (s *Server) mountOpen311() {
	pattern := Open311Prefix + "/"
	s.mux.Handle(pattern, s.instrument(pattern, func(sw *statusWriter, r *http.Request) {
		if h := s.open311.Load(); h != nil {
			(*h).ServeHTTP(sw, r)
		} else {
			s.writeError(sw, r, hazard.Errorf(CodeUnavailable, "the Open311 endpoint is not ready"))
		}
	}))
}

// startOpen311 builds the Open311 handler for the public base URL.
func (s *Server) startOpen311(base string) error {
	keys := s.cfg.Open311Keys
	if keys == "" && s.demo {
		keys = "demo:" + DemoOpen311Key
	}
	partners, err := open311.ParsePartners(keys)
	if err != nil {
		return err
	}
	h, err := open311.NewHandler(open311.Config{
		Service:           s.svc,
		Photos:            s.photos,
		Partners:          partners,
		BaseURL:           strings.TrimRight(base, "/"),
		AllowedMediaHosts: s.cfg.Open311MediaHosts,
		AllowHTTPMedia:    s.cfg.Open311AllowHTTPMedia,
		JurisdictionID:    s.cfg.Open311Jurisdiction,
		Language:          open311.Language(s.cfg.Open311Language),
		Test:              s.demo,
		Clock:             s.now,
		Logger:            s.log,
		Limiter:           s.limiter,
	})
	if err != nil {
		return err
	}
	s.open311.Store(&h)
	return nil
}

// open311Handler is the lazily built Open311 handler.
type open311Handler = atomic.Pointer[http.Handler]
