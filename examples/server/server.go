package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardloop/hazardloop/examples/web"
	"github.com/hazardloop/hazardloop/follow"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/fsblob"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/hazardloop/hazardloop/pgstore"
	"github.com/hazardloop/hazardloop/relay"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reward"
	"github.com/hazardloop/hazardloop/reward/memledger"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
)

// Defaults of a Config.
const (
	DefaultAddr            = "localhost:8080"
	DefaultRelayInterval   = 500 * time.Millisecond
	DefaultSweepInterval   = 10 * time.Minute
	DefaultShutdownTimeout = 10 * time.Second
	// readHeaderTimeout bounds a slow client's request headers.
	readHeaderTimeout = 10 * time.Second
	// idleTimeout closes idle keep-alive connections.
	idleTimeout = 2 * time.Minute
	// MaxHeaderBytes caps request headers.
	MaxHeaderBytes = 32 << 10
)

// Config configures a server. The zero value (with Addr) runs an in-memory
// server without demo data; main fills it from flags and the environment.
type Config struct {
	// Addr is the TCP address to listen on; default DefaultAddr. Use
	// "127.0.0.1:0" for a free port (tests).
	Addr string
	// PhotoDir is the directory of the filesystem photo store, which every
	// server process on one database must share; empty means PostgreSQL
	// with DatabaseURL (photos in the database), else a new temporary
	// directory, removed when the server stops.
	PhotoDir string
	// Demo seeds demo departments, users, reports and articles and enables
	// POST /api/v1/demo/login.
	Demo bool
	// DemoUnits is how many units the demo city has, 2 to DemoUnits; 0
	// means DemoUnits. A smaller city is the first units of the full one
	// (tests that are not about the city start faster with one).
	DemoUnits int
	// CityDir is the directory of the city's configuration (see City and
	// LoadCity): its departments, categories, industries, supervision
	// policy and checklists, validated at start with every problem
	// reported at once. Empty means the demo city's built in (DefaultCity);
	// its checklists are then published only in demo mode.
	CityDir string
	// TokenSecret signs bearer tokens, at least MinTokenSecretLen bytes;
	// empty means a random one (tokens then die with the process).
	TokenSecret []byte
	// TokenTTL is how long a token is valid; default DefaultTokenTTL.
	TokenTTL time.Duration
	// DatabaseURL selects PostgreSQL (package pgstore and the server's own
	// tables, migrated at start) instead of memory for all the server's
	// state: hazards, the event log and cursors, the reward ledger, the
	// notification delivery log, users, login codes, uploads, articles and,
	// without PhotoDir, photos. Any number of processes on one database
	// then behave as one.
	DatabaseURL string
	// Logger receives the server's logs; default slog.Default().
	Logger *slog.Logger
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Notifier receives every notification, login codes included; default
	// the log notifier. Tests pass a *notify.Recorder.
	Notifier notify.Notifier
	// RelayInterval is how often the relay looks for new events; default
	// DefaultRelayInterval.
	RelayInterval time.Duration
	// UploadTTL is how long an unused upload is kept; default
	// DefaultUploadTTL.
	UploadTTL time.Duration
	// MaxConcurrentUploads is how many photo uploads (the upload route and
	// Open311 media) are processed at once; more wait for a turn. It
	// bounds the memory uploads take (about two photos each); default
	// hazard.DefaultMaxConcurrentUploads.
	MaxConcurrentUploads int
	// MaxPendingUploads is how many uploads one user may have waiting for
	// a report at once (hazard.PhotosConfig.MaxPending); default
	// hazard.MaxPendingUploads. Load benchmarks raise it to give every
	// submission an upload of its own.
	MaxPendingUploads int
	// BlobGrace is how long a stored photo nothing refers to is kept
	// before Sweep deletes it (hazard.Photos.SweepBlobs); default
	// hazard.DefaultBlobGrace.
	BlobGrace time.Duration
	// SweepInterval is how often unused uploads, expired rewards and what
	// is past its retention period are swept; default
	// DefaultSweepInterval.
	SweepInterval time.Duration
	// Retention says how long original photos (with their metadata),
	// login codes and the notification delivery log are kept, and the
	// relay's redelivery window of the consumers that send messages; zero
	// fields mean the defaults (see Retention).
	Retention Retention
	// SubmitsPerDay limits each citizen's reports per 24 hours; 0 means the
	// library's default, negative means no limit.
	SubmitsPerDay int
	// ShutdownTimeout bounds the graceful shutdown; default
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// BaseURL is the server's public root URL, such as
	// "https://hazards.example.gov.cn"; default "http://" plus the address
	// it listens on. Open311 links photos and its endpoint with it, and
	// follow messages their unsubscribe link (a path alone without it).
	BaseURL string
	// Open311Keys lists the Open311 partner applications as
	// "name:key,name:key"; empty means none, or in demo mode the partner
	// "demo" with DemoOpen311Key.
	Open311Keys string
	// Open311MediaHosts are the hosts an Open311 media_url may name;
	// Open311AllowHTTPMedia lets it use plain http, for tests and for a
	// demo fed by a local host without a certificate (never in
	// production: the fetch is then neither authenticated nor private).
	Open311MediaHosts     []string
	Open311AllowHTTPMedia bool
	// Open311Jurisdiction, when set, is the only jurisdiction_id the
	// Open311 endpoint accepts (open311.Config.JurisdictionID).
	Open311Jurisdiction string
	// Open311Language is the language of the Open311 service names: "en"
	// (the default) or "zh" (open311.Config.Language).
	Open311Language string
	// ReadTimeout bounds reading a request, body included, on every route
	// but uploads; default DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing an answer; default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// UploadTimeout bounds reading an upload's body; default
	// DefaultUploadTimeout.
	UploadTimeout time.Duration
	// MaxConns caps the connections open at once; default DefaultMaxConns.
	MaxConns int
	// MaxUploads caps the uploads in flight at once; default
	// DefaultMaxUploads.
	MaxUploads int
	// AbuseLimits are the hourly limits of login codes per network
	// address, phone prefix and server, and of verifications per user and
	// address; zero fields mean the defaults.
	AbuseLimits AbuseLimits
	// PublicCoordDecimals is how many decimals of a degree the plaza and
	// Open311 keep of a hazard's coordinates; 0 means the library's
	// default, hazard.DefaultPublicCoordDecimals (about 10 m). Staff and
	// the reporter see them exactly.
	PublicCoordDecimals int
	// Moderation sets when reports reach the plaza (publish on submit, or
	// by default once a dispatcher forwarded them), who moderates
	// (reviewers and admins by default) and which text holds a report
	// for a moderator (hazard.DefaultHoldPatterns by default).
	Moderation hazard.ModerationConfig
	// TrustProxy says the server runs behind a reverse proxy that sets
	// X-Forwarded-For and X-Forwarded-Proto: a client's address is then
	// the last of X-Forwarded-For, and X-Forwarded-Proto: https makes the
	// token cookie Secure. Leave it off when clients reach the server
	// directly, or they could pretend any address.
	TrustProxy bool
	// WeChat is the mini-program's app ID and secret: WeChat login
	// (POST /api/v1/auth/wechat) and phone binding. Zero means no WeChat
	// login; half-filled stops the start.
	WeChat WeChatConfig
	// WeChatPay is the merchant's WeChat Pay settings: rewards are then
	// paid by merchant transfer (package reward/wechatpay), with the
	// callback at POST /api/v1/pay/wechat/notify. Its AppID defaults to
	// WeChat.AppID. Zero means the in-memory payer; a half-filled one stops
	// the start, naming every missing setting.
	WeChatPay wechatpay.Config
	// Map says where the pages' maps come from: Leaflet's URLs and
	// integrity hashes, the tiles' URL template, attribution and
	// coordinate system (web.MapConfig); the zero value is Leaflet 1.9.4
	// from unpkg and OpenStreetMap's tiles.
	Map web.MapConfig
	// RiskMapStaffOnly is the city's publication switch of its
	// four-colour risk map: set, the map (GET /api/v1/risk/map.geojson
	// and its page) is for staff only; unset, anyone may see it (unit
	// name, industry, grade and approximate location, nothing more).
	RiskMapStaffOnly bool
}

// Server is the example server: the closed loop over HTTP. Make one with
// New, serve it with Serve (or use Run), and Close it when done.
type Server struct {
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	demo bool

	svc     *hazard.Service
	store   hazard.Store
	cursors relay.Cursors // the relay's, beside store
	ledger  reward.Ledger
	blobs   hazard.BlobStore
	users   userStore
	codes   *loginCodes
	// limiter holds the rate limits (login codes; submissions when the
	// store cannot count them itself): memlimit in memory, pgstore's over
	// PostgreSQL, so that every process on one database shares them.
	limiter hazard.Limiter
	// pgLimiter is limiter over PostgreSQL, swept by Sweep; else nil.
	pgLimiter *pgstore.Limiter
	tokens    *tokens
	// abuse are the limits of login codes and verifications; keyer hides
	// the phones and addresses in their limiter keys.
	abuse    AbuseLimits
	keyer    *keyer
	uploads  hazard.Uploads
	photos   *hazard.Photos
	articles *articles
	// replies are the response templates (moderation.go).
	replies *reply.Service
	// db is the PostgreSQL database with DatabaseURL, else nil.
	db *pgstore.DB
	// deliveries is the notification delivery log shared by every
	// process, with DatabaseURL; else the router keeps one in memory.
	deliveries notify.DeliveryLog
	loop       *loop
	// city is the city's configuration (Config.CityDir).
	city City
	// regs is the regulators' loop: risk register and inspections.
	regs *regulators
	// follow is me-too, following reports and areas (citizen.go).
	follow *follow.Service
	// eraser erases a citizen at their request (erase.go).
	eraser     *hazard.Eraser
	statsCache statsCache
	plazaCache pageCache
	// mapCache keeps the risk map's encoded answers.
	mapCache mapCache
	open311  open311Handler
	// wx is the WeChat login client, nil without Config.WeChat.
	wx *wxLogin

	uploadSlots *uploadSlots
	reg         *prometheus.Registry
	// retentionPurged counts what the retention sweep purged, by kind.
	retentionPurged *prometheus.CounterVec
	hazardMetrics   *hazard.Metrics
	httpm           *httpMetrics
	metricsHandler  http.Handler
	mux             *http.ServeMux
	routes          []Route
	openapiDoc      []byte

	shutting  atomic.Bool
	cleanup   []func() error
	closeOnce sync.Once
}

// New builds a server for cfg: stores, the library's services, the relay
// and its consumers, and, with cfg.Demo, the demo data. It does not listen.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.RelayInterval <= 0 {
		cfg.RelayInterval = DefaultRelayInterval
	}
	if cfg.UploadTTL <= 0 {
		cfg.UploadTTL = DefaultUploadTTL
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = DefaultSweepInterval
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = DefaultUploadTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = DefaultMaxUploads
	}
	switch {
	case cfg.DemoUnits == 0:
		cfg.DemoUnits = DemoUnits
	case cfg.DemoUnits < 2 || cfg.DemoUnits > DemoUnits:
		return nil, &hazard.Error{Code: hazard.CodeInvalid, Field: "demo_units", Message: fmt.Sprintf("must be 2 to %d", DemoUnits)}
	}
	abuse, err := cfg.AbuseLimits.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.AbuseLimits = abuse
	if cfg.Retention, err = cfg.Retention.withDefaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, demo: cfg.Demo, abuse: abuse}
	s.now = func() time.Time { return cfg.Clock().UTC() }
	if err := s.build(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) build(ctx context.Context) error {
	cfg := s.cfg
	secret := cfg.TokenSecret
	switch {
	case len(secret) == 0:
		secret = make([]byte, MinTokenSecretLen)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		s.log.Warn("no token secret set (-token-secret or HAZARDLOOP_TOKEN_SECRET): generated one; tokens end with the process")
	case len(secret) < MinTokenSecretLen:
		return &hazard.Error{Code: hazard.CodeInvalid, Field: "token_secret",
			Message: fmt.Sprintf("must be at least %d bytes", MinTokenSecretLen)}
	}
	if err := s.loadCity(); err != nil {
		return err
	}
	s.tokens = &tokens{secret: secret, ttl: cfg.TokenTTL, now: s.now}
	s.keyer = &keyer{secret: secret}
	if cfg.WeChat.configured() {
		wx, err := newWXLogin(cfg.WeChat)
		if err != nil {
			return err
		}
		s.wx = wx
	}
	if err := s.openStore(ctx, secret); err != nil {
		return err
	}
	if err := s.openBlobs(); err != nil {
		return err
	}

	var err error
	s.reg = prometheus.NewRegistry()
	if s.httpm, err = newHTTPMetrics(s.reg); err != nil {
		return err
	}
	s.metricsHandler = newMetricsHandler(s.reg)
	if s.retentionPurged, err = newRetentionMetrics(s.reg); err != nil {
		return err
	}
	s.uploadSlots = &uploadSlots{sem: make(chan struct{}, cfg.MaxUploads), inFlight: s.httpm.uploads.Add}
	hm, err := hazard.NewMetrics(s.reg)
	if err != nil {
		return err
	}
	s.hazardMetrics = hm
	cats, err := hazard.NewCategories(s.city.Categories...)
	if err != nil {
		return err
	}
	s.svc, err = hazard.NewService(hazard.ServiceConfig{
		Store: s.store, Clock: s.now, SubmitsPerDay: cfg.SubmitsPerDay, Limiter: s.limiter, Metrics: hm, Logger: s.log,
		PublicCoordDecimals: cfg.PublicCoordDecimals, Moderation: cfg.Moderation, Categories: cats, Departments: s.city.Departments,
	})
	if err != nil {
		return err
	}
	s.photos, err = hazard.NewPhotos(hazard.PhotosConfig{Service: s.svc, Uploads: s.uploads, Blobs: s.blobs, TTL: cfg.UploadTTL,
		BlobGrace: cfg.BlobGrace, MaxConcurrent: cfg.MaxConcurrentUploads, MaxPending: cfg.MaxPendingUploads,
		OriginalRetention: cfg.Retention.OriginalPhotos})
	if err != nil {
		return err
	}
	s.plazaCache.publishes = s.svc.MayChangePublication
	if s.replies, err = s.openReplies(); err != nil {
		return err
	}
	if s.loop, err = newLoop(ctx, s); err != nil {
		return err
	}
	if s.eraser, err = newEraser(s); err != nil {
		return err
	}

	s.mux = http.NewServeMux()
	for _, rt := range routeTable() {
		rt = s.publication(rt)
		if rt.DemoOnly && !s.demo {
			continue
		}
		s.mux.Handle(rt.Pattern(), s.routeHandler(rt))
		h := rt
		h.handle = nil
		s.routes = append(s.routes, h)
	}
	s.mountOpen311()
	if err := s.mountPages(); err != nil {
		return err
	}
	if s.openapiDoc, err = openAPIDocument(s.routes); err != nil {
		return err
	}
	if s.demo || cfg.CityDir != "" {
		if err := s.publishChecklists(ctx); err != nil {
			return fmt.Errorf("city checklists: %w", err)
		}
	}
	if s.demo {
		s.log.Warn("DEMO MODE IS ON: anyone may sign in as a seeded demo user (POST /api/v1/demo/login) and login codes are logged; never run it with real users",
			"database", s.db != nil)
		if err := s.seed(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	return nil
}

// openStore opens the server's state: in memory, or with a database URL
// in PostgreSQL, shared by every process on the database (hazards, event
// log and cursors, reward ledger, notification delivery log, users, login
// codes, uploads and articles). secret derives citizen IDs and login code
// MACs.
func (s *Server) openStore(ctx context.Context, secret []byte) error {
	if s.cfg.DatabaseURL != "" {
		db, err := openPostgres(ctx, s.cfg.DatabaseURL)
		if err != nil {
			return err
		}
		s.db = db
		s.cleanup = append(s.cleanup, func() error { db.Pool().Close(); return nil })
		pool := db.Pool()
		hz := db.Hazards()
		s.store, s.cursors, s.ledger, s.deliveries = hz, hz, db.Ledger(), db.DeliveryLog()
		s.users = &pgUsers{pool: pool}
		s.pgLimiter = db.Limiter(s.now)
		s.limiter = s.pgLimiter
		s.codes = newLoginCodes(secret, s.now, &pgCodes{pool: pool}, s.limiter)
		s.uploads = db.Uploads()
		s.articles = newArticles(&pgArticles{pool: pool}, s.now)
		return nil
	}
	mem := memstore.New()
	s.store, s.cursors = mem, mem
	s.ledger = memledger.New()
	s.users = newMemUsers()
	s.limiter = memlimit.New(memlimit.Config{Clock: s.now})
	s.codes = newLoginCodes(secret, s.now, newMemCodes(), s.limiter)
	s.uploads = memstore.NewUploads()
	s.articles = newArticles(newMemArticles(), s.now)
	return nil
}

// openBlobs opens the photo store: the directory PhotoDir (which every
// process must share); without it, PostgreSQL with a database URL, else a
// new temporary directory.
func (s *Server) openBlobs() error {
	dir := s.cfg.PhotoDir
	if dir == "" && s.db != nil {
		s.blobs = s.db.Blobs()
		return nil
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "hazardloop-photos-")
		if err != nil {
			return hazard.Wrap("photo dir", err)
		}
		dir = d
		s.cleanup = append(s.cleanup, func() error { return os.RemoveAll(d) })
	}
	blobs, err := fsblob.New(dir)
	if err != nil {
		return err
	}
	s.blobs = blobs
	return nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Routes returns the server's route table.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Service returns the library's hazard service the server runs on.
func (s *Server) Service() *hazard.Service { return s.svc }

// Token returns a bearer token for a user; an unknown user is
// CodeNotFound. It is what the demo login does, for tests and tools.
func (s *Server) Token(userID string) (string, error) {
	if _, err := s.users.get(context.Background(), userID); err != nil {
		return "", err
	}
	return s.tokens.issue(userID), nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// No route: let the mux tell 404 from 405, and say it in JSON.
	cw := &captureWriter{header: http.Header{}}
	s.mux.ServeHTTP(cw, r)
	if allow := cw.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	code, status := hazard.CodeNotFound, http.StatusNotFound
	msg := "no such route"
	if cw.status == http.StatusMethodNotAllowed {
		code, status, msg = CodeMethodNotAllowed, http.StatusMethodNotAllowed, "method not allowed"
	} else if cw.status >= 300 && cw.status < 400 {
		for k, v := range cw.header {
			w.Header()[k] = v
		}
		w.WriteHeader(cw.status)
		return
	}
	s.httpm.requests.WithLabelValues("unmatched", fmt.Sprint(status)).Inc()
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

// captureWriter records what the mux would answer to an unmatched request.
type captureWriter struct {
	header http.Header
	status int
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return len(b), nil
}

// Serve serves HTTP on ln and runs the background work (the relay, the
// sweepers) until ctx is done, then shuts down gracefully: it stops
// accepting, finishes the requests in flight, stops the relay after its
// current batch and delivers the events left (flushing notifications). It
// returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base := s.cfg.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	if err := s.startOpen311(base); err != nil {
		return err
	}
	ln = newLimitListener(ln, s.cfg.MaxConns, s.httpm.conns.Add)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.loop.run(bg) }()
	go func() { defer wg.Done(); s.sweepLoop(bg) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case err := <-errc:
		serveErr = err
	case <-ctx.Done():
	}
	s.shutting.Store(true)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	stopBG()
	wg.Wait()
	flushErr := s.loop.flush(sctx)
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, shutErr, flushErr)
}

// sweepLoop runs Sweep every SweepInterval.
func (s *Server) sweepLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Sweep(ctx)
		}
	}
}

// Sweep runs the periodic work once: forget uploads unused for UploadTTL
// (deleting their photos), delete stored photos nothing refers to after
// BlobGrace (such as photos fetched for an Open311 report that was never
// made), finish erasures that were interrupted (hazard.Eraser.Resume),
// expire unclaimed rewards, escalate overdue hazards, ask "is it fixed?",
// purge what is past its retention period (Config.Retention: originals of
// photos, login codes, deliveries; sweepRetention) and, over PostgreSQL,
// forget rate limit windows that ended. Any number of processes may sweep
// one database at once. Serve calls it every SweepInterval.
func (s *Server) Sweep(ctx context.Context) {
	if n, err := s.photos.Sweep(ctx); err != nil {
		s.log.Error("sweeping uploads", "error", err)
	} else if n > 0 {
		s.log.Info("swept unused uploads", "count", n)
	}
	if n, err := s.photos.SweepBlobs(ctx); err != nil {
		s.log.Error("sweeping unreferenced photos", "error", err)
	} else if n > 0 {
		s.log.Info("swept unreferenced photos", "count", n)
	}
	if n, err := s.eraser.Resume(ctx); err != nil {
		s.log.Error("finishing interrupted erasures", "finished", n, "error", err)
	} else if n > 0 {
		s.log.Info("finished interrupted erasures", "count", n)
	}
	s.loop.sweep(ctx)
	s.sweepRetention(ctx)
	if s.pgLimiter != nil {
		if _, err := s.pgLimiter.Sweep(ctx); err != nil {
			s.log.Error("sweeping rate limit windows", "error", err)
		}
	}
}

// Close releases what New opened (the temporary photo directory, a
// database pool). Call it after Serve returned.
func (s *Server) Close() error {
	var errs []error
	s.closeOnce.Do(func() {
		for i := len(s.cleanup) - 1; i >= 0; i-- {
			errs = append(errs, s.cleanup[i]())
		}
	})
	return errors.Join(errs...)
}

// Run builds a server for cfg, listens on cfg.Addr, calls ready with the
// address it listens on (its URL base is "http://"+addr), and serves until
// ctx is done; then it shuts down gracefully and releases everything.
func Run(ctx context.Context, cfg Config, ready func(addr string)) error {
	s, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	return s.Serve(ctx, ln)
}
