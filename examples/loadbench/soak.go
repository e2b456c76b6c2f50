package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
)

// Shape of a soak run.
const (
	// DefaultSoakRate is the requests per second sent to each backend: a
	// steady rate, not the most the server can take, so that what a run
	// stores (and a memory backend keeps) grows with its duration only.
	DefaultSoakRate = 200
	// soakWorkers is how many clients send the requests of one backend.
	soakWorkers = 16
	// soakWritePercent is the share of writes: half submissions, half
	// actions (a dispatch of a submitted report). The rest are reads: plaza
	// pages and reporters reading their reports.
	soakWritePercent = 5
	// soakPlazaPercent is the share of plaza pages among all requests.
	soakPlazaPercent = 70
	// soakSamples is how many samples of the process a run takes.
	soakSamples = 20
)

// SoakConfig configures a soak run. Zero fields take their defaults
// (withDefaults).
type SoakConfig struct {
	// Duration is how long the load runs.
	Duration time.Duration
	// Rate is the requests per second per backend; DefaultSoakRate if 0.
	Rate int
	// DatabaseURL adds a PostgreSQL backend beside the memory one; the
	// server migrates it. Empty runs memory only.
	DatabaseURL string
}

// withDefaults returns cfg with DefaultSoakRate for a zero Rate.
func (cfg SoakConfig) withDefaults() SoakConfig {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultSoakRate
	}
	return cfg
}

// SoakBackend is what one backend answered during a soak.
type SoakBackend struct {
	Name                  string
	Reads, Writes, Errors int64
	Missed                int64 // ticks dropped because every worker was busy
	ReadP50, ReadP99      time.Duration
	WriteP50, WriteP99    time.Duration
	statuses              map[string]int64
	readLat, writeLat     []time.Duration
	mu                    sync.Mutex
}

// SoakSample is the process's state at one moment of a run: live heap
// after a collection and goroutines.
type SoakSample struct {
	At         time.Duration
	HeapAlloc  uint64
	Goroutines int
	Writes     int64 // writes acknowledged so far, over every backend
}

// SoakResult is a soak run's outcome.
type SoakResult struct {
	Backends []*SoakBackend
	// Before is the process before the servers started.
	Before  SoakSample
	Samples []SoakSample
	// After is the process once the load stopped, the servers were shut
	// down and idle connections closed.
	After SoakSample
}

// Soak runs the mixed load against an in-memory server and, with
// cfg.DatabaseURL, a PostgreSQL one at the same time, sampling the
// process's heap and goroutines as it goes.
func Soak(ctx context.Context, cfg SoakConfig) (SoakResult, error) {
	if cfg.Duration <= 0 {
		return SoakResult{}, errors.New("soak: duration must be positive")
	}
	cfg = cfg.withDefaults()
	type target struct {
		name, url string
	}
	targets := []target{{"memory", ""}}
	if cfg.DatabaseURL != "" {
		targets = append(targets, target{"postgres", cfg.DatabaseURL})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var res SoakResult
	res.Before = sample(0, 0)
	var writes atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, len(targets))
	startLoad := make(chan struct{})
	var ready sync.WaitGroup
	for _, tg := range targets {
		b := &SoakBackend{Name: tg.name, statuses: map[string]int64{}}
		res.Backends = append(res.Backends, b)
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			errc <- soakBackend(ctx, cfg, tg.url, b, &writes, &ready, startLoad)
		}()
	}
	ready.Wait()
	select {
	case err := <-errc: // a backend failed to start
		cancel()
		wg.Wait()
		return res, err
	default:
	}
	close(startLoad)
	start := time.Now()
	tick := time.NewTicker(cfg.Duration / soakSamples)
	for i := 0; i < soakSamples; i++ {
		select {
		case <-tick.C:
		case <-ctx.Done():
			i = soakSamples
			continue
		}
		res.Samples = append(res.Samples, sample(time.Since(start), writes.Load()))
	}
	tick.Stop()
	cancel()
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return res, err
		}
	}
	for _, b := range res.Backends {
		b.finish()
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	res.After = sample(time.Since(start), writes.Load())
	return res, nil
}

// sample collects garbage and reads the live heap and the goroutines.
func sample(at time.Duration, writes int64) SoakSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return SoakSample{At: at, HeapAlloc: ms.HeapAlloc, Goroutines: runtime.NumGoroutine(), Writes: writes}
}

// soakBackend starts a server on dbURL (memory if empty), waits for
// start, sends the mixed load until ctx ends, and shuts the server down.
func soakBackend(ctx context.Context, cfg SoakConfig, dbURL string, b *SoakBackend, writes *atomic.Int64, ready *sync.WaitGroup, start <-chan struct{}) error {
	srvCtx, stopSrv := context.WithCancel(context.Background())
	defer stopSrv()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	scfg := server.Config{
		Addr: "127.0.0.1:0", Demo: true, Logger: slog.New(slog.DiscardHandler), DatabaseURL: dbURL,
		TokenSecret: bytes.Repeat([]byte("s"), 32), SubmitsPerDay: -1,
	}
	go func() { done <- server.Run(srvCtx, scfg, func(a string) { addrc <- a }) }()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		ready.Done()
		return fmt.Errorf("soak %s: %w", b.Name, err)
	}
	transport := &http.Transport{MaxIdleConnsPerHost: soakWorkers, MaxConnsPerHost: soakWorkers}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	s, err := newSoaker(client, base)
	ready.Done()
	if err != nil {
		stopSrv()
		<-done
		return fmt.Errorf("soak %s: %w", b.Name, err)
	}
	select {
	case <-start:
	case <-ctx.Done():
	}

	ticks := make(chan struct{}, soakWorkers)
	var wg sync.WaitGroup
	for range soakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ticks {
				s.one(ctx, b, writes)
			}
		}()
	}
	t := time.NewTicker(time.Second / time.Duration(cfg.Rate))
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-t.C:
			select {
			case ticks <- struct{}{}:
			default:
				b.mu.Lock()
				b.Missed++
				b.mu.Unlock()
			}
		}
	}
	t.Stop()
	close(ticks)
	wg.Wait()
	stopSrv()
	return <-done
}

// soaker sends the requests of one backend.
type soaker struct {
	client *http.Client
	base   string
	token  string // citizen-1's
	staff  string // dispatcher-1's
	photo  string

	mu      sync.Mutex
	mine    []string // reports submitted, to read
	pending []string // reports submitted and not yet dispatched
}

func newSoaker(c *http.Client, base string) (*soaker, error) {
	s := &soaker{client: c, base: base}
	var err error
	if s.token, err = demoToken(c, base, "citizen-1"); err != nil {
		return nil, err
	}
	if s.staff, err = demoToken(c, base, "dispatcher-1"); err != nil {
		return nil, err
	}
	if s.photo, err = upload(c, base, s.token, photoPNG(0)); err != nil {
		return nil, err
	}
	return s, nil
}

// one sends one request of the mix and records it.
func (s *soaker) one(ctx context.Context, b *SoakBackend, writes *atomic.Int64) {
	p := rand.IntN(100)
	var (
		req   *http.Request
		want  int
		write bool
		kind  string
		after func([]byte)
	)
	id := ""
	if p >= soakWritePercent/2 && p < soakWritePercent {
		id = s.takePending() // "" when none is left: submit one instead
	}
	switch {
	case p < soakWritePercent && id == "":
		kind, want, write = "submit", http.StatusCreated, true
		body, _ := json.Marshal(reportRequest(s.photo))
		req, _ = http.NewRequestWithContext(ctx, "POST", s.base+"/api/v1/reports", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		after = func(b []byte) {
			var v struct{ ID string }
			if json.Unmarshal(b, &v) == nil && v.ID != "" {
				s.mu.Lock()
				s.mine = append(s.mine, v.ID)
				s.pending = append(s.pending, v.ID)
				s.mu.Unlock()
			}
		}
	case p < soakWritePercent:
		kind, want, write = "dispatch", http.StatusOK, true
		body, _ := json.Marshal(map[string]any{"expected_version": 1, "department": "fire", "note": "转办"})
		req, _ = http.NewRequestWithContext(ctx, "POST", s.base+"/api/v1/reports/"+id+"/actions/dispatch", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.staff)
	case p < soakWritePercent+soakPlazaPercent || !s.hasMine():
		kind, want = "plaza", http.StatusOK
		req, _ = http.NewRequestWithContext(ctx, "GET", s.base+"/api/v1/plaza?limit=20", nil)
	default:
		kind, want = "report", http.StatusOK
		req, _ = http.NewRequestWithContext(ctx, "GET", s.base+"/api/v1/reports/"+s.someMine(), nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	t0 := time.Now()
	res, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			b.record(kind, "transport", write, 0)
		}
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(t0)
	if res.StatusCode != want {
		b.record(kind, fmt.Sprint(res.StatusCode), write, d)
		return
	}
	if after != nil {
		after(body)
	}
	if write {
		writes.Add(1)
	}
	b.record(kind, "", write, d)
}

func (s *soaker) hasMine() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mine) > 0
}

// takePending returns a submitted report not yet dispatched, "" if none.
func (s *soaker) takePending() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return ""
	}
	id := s.pending[0]
	s.pending = s.pending[1:]
	return id
}

func (s *soaker) someMine() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mine[rand.IntN(len(s.mine))]
}

// record counts one answer: failed with the status (or "transport") when
// bad is not empty.
func (b *SoakBackend) record(kind, bad string, write bool, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bad != "" {
		b.Errors++
		b.statuses[kind+" "+bad]++
		return
	}
	if write {
		b.Writes++
		b.writeLat = append(b.writeLat, d)
	} else {
		b.Reads++
		b.readLat = append(b.readLat, d)
	}
}

// finish computes the percentiles.
func (b *SoakBackend) finish() {
	slices.Sort(b.readLat)
	slices.Sort(b.writeLat)
	if n := len(b.readLat); n > 0 {
		b.ReadP50, b.ReadP99 = b.readLat[n/2], b.readLat[n*99/100]
	}
	if n := len(b.writeLat); n > 0 {
		b.WriteP50, b.WriteP99 = b.writeLat[n/2], b.writeLat[n*99/100]
	}
}

// Statuses returns the unexpected answers by request kind and status.
func (b *SoakBackend) Statuses() map[string]int64 { return b.statuses }

// PrintSoak writes a soak run's figures.
func PrintSoak(w io.Writer, cfg SoakConfig, r SoakResult) {
	cfg = cfg.withDefaults()
	fmt.Fprintf(w, "soak: %s, %d req/s per backend (%d%% writes), GOMAXPROCS=%d, %s/%s\n\n",
		cfg.Duration, cfg.Rate, soakWritePercent, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "backend\treads\twrites\terrors\tmissed ticks\tread p50\tread p99\twrite p50\twrite p99")
	for _, b := range r.Backends {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", b.Name, b.Reads, b.Writes, b.Errors, b.Missed,
			b.ReadP50.Round(time.Microsecond), b.ReadP99.Round(time.Microsecond),
			b.WriteP50.Round(time.Microsecond), b.WriteP99.Round(time.Microsecond))
	}
	tw.Flush()
	for _, b := range r.Backends {
		if len(b.statuses) > 0 {
			fmt.Fprintf(w, "%s: unexpected answers %v\n", b.Name, b.statuses)
		}
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "at\tlive heap\tgoroutines\twrites")
	for _, s := range append(append([]SoakSample{r.Before}, r.Samples...), r.After) {
		fmt.Fprintf(tw, "%s\t%.1f MiB\t%d\t%d\n", s.At.Round(100*time.Millisecond), float64(s.HeapAlloc)/(1<<20), s.Goroutines, s.Writes)
	}
	tw.Flush()
	fmt.Fprintln(w, "(the first row is before the servers started, the last after the load stopped and they shut down)")
}
