// Command loadbench measures the example server on loopback against a bare
// net/http baseline, side by side in one run: report submissions per
// second and plaza pages per second, each with its ratio to a bare handler
// that answers a JSON body of the same size.
//
// From the repository root:
//
//	go run ./examples/loadbench -duration 5s -workers 32
//
// The target is plaza reads at no less than half the baseline's rate.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/notify"
)

func main() {
	cfg := Config{}
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long each scenario runs")
	flag.IntVar(&cfg.Workers, "workers", 32, "concurrent clients")
	flag.IntVar(&cfg.Rounds, "rounds", 3, "slices each scenario's time is split in, alternating scenarios")
	flag.IntVar(&cfg.WritesPerSec, "mixed-writes", DefaultMixedWrites, "submissions per second in the mixed scenario")
	soak := SoakConfig{}
	flag.DurationVar(&soak.Duration, "soak", 0, "run the soak (mixed load at a steady rate) for this long instead of the scenarios")
	flag.IntVar(&soak.Rate, "soak-rate", DefaultSoakRate, "requests per second per backend in the soak")
	flag.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL of a fresh database: the scenarios run the server on it, and the soak runs a PostgreSQL backend beside the memory one")
	only := flag.String("only", "", "comma-separated kinds of scenario to run (plaza, mixed, submit), with their baselines; all if empty")
	flag.StringVar(&cfg.SliceProfiles, "slice-profiles", "", "write a CPU profile of each measured slice into this directory (not with -cpuprofile)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run (server and clients) to this file")
	mutexprofile := flag.String("mutexprofile", "", "write a profile of contended mutexes (server and clients) to this file")
	blockprofile := flag.String("blockprofile", "", "write a profile of where goroutines blocked (server and clients) to this file")
	flag.Parse()
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *mutexprofile != "" {
		runtime.SetMutexProfileFraction(5)
		defer writeProfile("mutex", *mutexprofile)
	}
	if *blockprofile != "" {
		runtime.SetBlockProfileRate(int(time.Microsecond))
		defer writeProfile("block", *blockprofile)
	}
	if soak.Duration > 0 {
		soak.DatabaseURL = cfg.DatabaseURL
		res, err := Soak(context.Background(), soak)
		PrintSoak(os.Stdout, soak, res)
		exitOn(err)
		return
	}
	res, err := Run(context.Background(), cfg)
	Print(os.Stdout, cfg, res)
	exitOn(err)
}

// writeProfile writes the named runtime profile to path, or says why not.
func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
	}
}

// exitOn stops the command with err, after the profile is written.
func exitOn(err error) {
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// Config configures a run.
type Config struct {
	// Duration is how long each scenario runs in all; Rounds splits it in
	// slices alternating with the other scenarios.
	Duration time.Duration
	Rounds   int
	Workers  int
	// DatabaseURL runs the server on PostgreSQL (a fresh database: the
	// server migrates it and seeds the demo data); memory if empty.
	DatabaseURL string
	// WritesPerSec is the submissions per second the mixed scenario sends
	// while its clients read plaza pages; DefaultMixedWrites if 0.
	WritesPerSec int
	// Only runs the scenarios of these kinds ("plaza", "mixed",
	// "submit"), with their baselines; every scenario if empty.
	Only []string
	// SliceProfiles, if not empty, is a directory where the CPU profile
	// of each measured slice is written (scenario-N-round-R.pprof), so
	// that a profile shows a scenario's work without the set-up's.
	SliceProfiles string
}

// runs reports whether a scenario of one of the kinds is to run.
func (c Config) runs(kinds ...string) bool {
	if len(c.Only) == 0 {
		return true
	}
	for _, k := range kinds {
		if slices.Contains(c.Only, k) {
			return true
		}
	}
	return false
}

// DefaultMixedWrites is the submissions per second of the mixed scenario.
const DefaultMixedWrites = 20

// Result is one scenario's measurement.
type Result struct {
	Name     string
	Requests int64
	Errors   int64
	PerSec   float64
	P50, P99 time.Duration
	// Baseline names the scenario this one is compared with; Ratio is
	// PerSec over the baseline's.
	Baseline string
	Ratio    float64
	// InlineUploads counts the uploads the clients made during the
	// measurement because the pool made before it ran out.
	InlineUploads int64

	elapsed   time.Duration
	lastRate  float64 // requests per second of the last round added
	latencies []time.Duration
	statuses  map[int]int64 // unexpected statuses and their counts
}

// Run starts the example server with demo data and a bare baseline server
// on loopback, and measures each scenario for cfg.Duration.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 3
	}
	if cfg.WritesPerSec <= 0 {
		cfg.WritesPerSec = DefaultMixedWrites
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	codes := &loginCodes{sent: map[string]string{}}
	scfg := server.Config{
		Addr: "127.0.0.1:0", Demo: true, Logger: slog.New(slog.DiscardHandler),
		TokenSecret: bytes.Repeat([]byte("b"), 32), SubmitsPerDay: -1, DatabaseURL: cfg.DatabaseURL,
		// Every submission uses an upload of its own, made before the
		// measurement, as many as the scenario may need.
		MaxPendingUploads: math.MaxInt32,
		// The clients' citizens sign in with login codes, all from here.
		Notifier:    notify.NotifierFunc(codes.notify),
		AbuseLimits: server.AbuseLimits{OTPPerAddrPerHour: 1000, OTPPerPrefixPerHour: 1000, OTPPerHour: 1000},
	}
	go func() { done <- server.Run(ctx, scfg, func(a string) { ready <- a }) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		return nil, err
	}
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers * 2, MaxConnsPerHost: cfg.Workers * 2}}

	token, err := demoToken(client, base, "citizen-1")
	if err != nil {
		return nil, err
	}
	// Citizens of their own submit the reports, one per client, each
	// with uploads of their own: as many people report, they do not meet
	// on one person's uploads.
	var citizens []string
	for w := range cfg.Workers {
		tok, err := phoneLogin(client, base, fmt.Sprintf("1390000%04d", w), codes)
		if err != nil {
			return nil, err
		}
		citizens = append(citizens, tok)
	}
	photo, err := upload(client, base, token, photoPNG(0))
	if err != nil {
		return nil, err
	}
	plazaBody, err := get(client, base+"/api/v1/plaza?limit=20")
	if err != nil {
		return nil, err
	}
	reportBody, err := submitOnce(client, base, token, photo)
	if err != nil {
		return nil, err
	}

	// The baseline: a bare handler answering bodies of the same size.
	bare := http.NewServeMux()
	bare.HandleFunc("GET /plaza", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(plazaBody)
	})
	bare.HandleFunc("POST /reports", func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(reportBody)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bareSrv := &http.Server{Handler: bare}
	go func() { _ = bareSrv.Serve(ln) }()
	defer bareSrv.Close()
	bareBase := "http://" + ln.Addr().String()

	plaza := func(u string) func() (*http.Request, error) {
		return func() (*http.Request, error) { return http.NewRequest("GET", u, nil) }
	}
	// Submissions take an upload of their own from pool (the bare
	// baseline sends a key of the same length); when the pool is empty a
	// client uploads one itself, inside the measured time.
	pool := &uploadPool{client: client, base: base, tokens: citizens}
	submit := func(u string, auth bool) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			key, tok := photo, token
			if auth {
				var err error
				if tok, key, err = pool.take(ctx); err != nil {
					return nil, err
				}
			}
			body, _ := json.Marshal(reportRequest(key))
			req, err := http.NewRequest("POST", u, bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			if auth {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			return req, nil
		}
	}
	// writer sends cfg.WritesPerSec submissions a second, each on its own
	// client, until ctx ends, and counts those not answered 201.
	var writerFailed atomic.Int64
	writer := func(ctx context.Context) {
		mk := submit(base+"/api/v1/reports", true)
		t := time.NewTicker(time.Second / time.Duration(cfg.WritesPerSec))
		defer t.Stop()
		var wg sync.WaitGroup
		defer wg.Wait()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, err := mk()
				if err == nil {
					var res *http.Response
					if res, err = client.Do(req.WithContext(ctx)); err == nil {
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusCreated {
							err = fmt.Errorf("status %d", res.StatusCode)
						}
					}
				}
				if err != nil && ctx.Err() == nil {
					writerFailed.Add(1)
				}
			}()
		}
	}
	slice := cfg.Duration / time.Duration(cfg.Rounds)
	// uploads returns how many uploads a scenario needs in a slice: the
	// mixed writer's rate, or the submissions' rate in the last round
	// (the bare baseline's in the first), with room to spare.
	mixedUploads := func([]Result) int { return int(float64(cfg.WritesPerSec)*slice.Seconds()*1.5) + 8 }
	submitUploads := func(out []Result) int {
		rate := out[4].lastRate
		if rate == 0 {
			rate = out[3].lastRate
		}
		return int(rate*slice.Seconds()*2) + 4*cfg.Workers
	}
	scenarios := []struct {
		name, baseline string
		status         int
		req            func() (*http.Request, error)
		background     func(context.Context)
		uploads        func([]Result) int
		kinds          []string // Config.Only kinds it runs for
	}{
		{"baseline plaza (bare net/http)", "", 200, plaza(bareBase + "/plaza"), nil, nil, []string{"plaza", "mixed"}},
		{"plaza page (GET /api/v1/plaza?limit=20)", "baseline plaza (bare net/http)", 200, plaza(base + "/api/v1/plaza?limit=20"), nil, nil, []string{"plaza"}},
		{fmt.Sprintf("plaza page while %d submissions/s arrive", cfg.WritesPerSec), "baseline plaza (bare net/http)", 200, plaza(base + "/api/v1/plaza?limit=20"), writer, mixedUploads, []string{"mixed"}},
		{"baseline submit (bare net/http)", "", 201, submit(bareBase+"/reports", false), nil, nil, []string{"submit"}},
		{"report submission (POST /api/v1/reports)", "baseline submit (bare net/http)", 201, submit(base+"/api/v1/reports", true), nil, submitUploads, []string{"submit"}},
	}
	// Each scenario runs in Rounds slices, alternating with its baseline,
	// so that a burst of other load on the machine hits both alike.
	out := make([]Result, len(scenarios))
	for round := 0; round < cfg.Rounds; round++ {
		for i, sc := range scenarios {
			if !cfg.runs(sc.kinds...) {
				continue
			}
			if sc.uploads != nil {
				if err := pool.fill(ctx, sc.uploads(out), cfg.Workers); err != nil {
					return nil, err
				}
			}
			// Each slice starts from a collected heap, so that none pays
			// for the garbage of the one before it or of the uploads.
			runtime.GC()
			before := pool.inline.Load()
			stop, err := sliceProfile(cfg.SliceProfiles, i, round)
			if err != nil {
				return nil, err
			}
			r := measure(ctx, client, cfg.Workers, slice, sc.name, sc.status, sc.req, sc.background)
			if err := stop(); err != nil {
				return nil, err
			}
			r.InlineUploads = pool.inline.Load() - before
			out[i].add(r)
		}
	}
	out = slices.DeleteFunc(out, func(r Result) bool { return r.Name == "" })
	for i := range out {
		out[i].finish()
	}
	for i := range out {
		for _, sc := range scenarios {
			if sc.name != out[i].Name || sc.baseline == "" {
				continue
			}
			for j := range out {
				if out[j].Name == sc.baseline && out[j].PerSec > 0 {
					out[i].Baseline, out[i].Ratio = sc.baseline, out[i].PerSec/out[j].PerSec
				}
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		return out, err
	}
	if n := writerFailed.Load(); n > 0 {
		return out, fmt.Errorf("the mixed scenario's writer saw %d submissions fail", n)
	}
	return out, nil
}

// sliceProfile starts the CPU profile of scenario i's slice in round, if
// dir is set, and returns what stops it.
func sliceProfile(dir string, i, round int) (stop func() error, err error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("scenario-%d-round-%d.pprof", i, round)))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// measure runs workers clients sending requests for d, and background (if
// not nil) beside them for as long.
func measure(ctx context.Context, client *http.Client, workers int, d time.Duration, name string, status int, mk func() (*http.Request, error), background func(context.Context)) Result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if background != nil {
		bg := make(chan struct{})
		go func() { defer close(bg); background(ctx) }()
		defer func() { <-bg }()
	}
	var n, errs atomic.Int64
	var bad sync.Map
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				req, err := mk()
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				t0 := time.Now()
				res, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				n.Add(1)
				if res.StatusCode != status {
					errs.Add(1)
					c, _ := bad.LoadOrStore(res.StatusCode, new(atomic.Int64))
					c.(*atomic.Int64).Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := Result{Name: name, Requests: n.Load(), Errors: errs.Load(), elapsed: elapsed, latencies: all, statuses: map[int]int64{}}
	bad.Range(func(k, v any) bool { r.statuses[k.(int)] = v.(*atomic.Int64).Load(); return true })
	return r
}

// add accumulates one round's measurement.
func (r *Result) add(o Result) {
	r.Name = o.Name
	r.Requests += o.Requests
	r.Errors += o.Errors
	r.elapsed += o.elapsed
	r.InlineUploads += o.InlineUploads
	if o.elapsed > 0 {
		r.lastRate = float64(o.Requests) / o.elapsed.Seconds()
	}
	r.latencies = append(r.latencies, o.latencies...)
	if r.statuses == nil {
		r.statuses = map[int]int64{}
	}
	for k, v := range o.statuses {
		r.statuses[k] += v
	}
}

// finish computes the rate and percentiles of the accumulated rounds.
func (r *Result) finish() {
	if r.elapsed > 0 {
		r.PerSec = float64(r.Requests) / r.elapsed.Seconds()
	}
	slices.Sort(r.latencies)
	if n := len(r.latencies); n > 0 {
		r.P50, r.P99 = r.latencies[n/2], r.latencies[n*99/100]
	}
}

// Print writes the results as a table.
func Print(w io.Writer, cfg Config, res []Result) {
	fmt.Fprintf(w, "loadbench: %d workers, %s per scenario in %d rounds, GOMAXPROCS=%d, %s/%s\n\n", cfg.Workers, cfg.Duration, cfg.Rounds, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\trequests\terrors\treq/s\tp50\tp99\tratio to baseline")
	for _, r := range res {
		ratio := "-"
		if r.Baseline != "" {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\n", r.Name, r.Requests, r.Errors, r.PerSec,
			r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), ratio)
	}
	tw.Flush()
	for _, r := range res {
		if r.InlineUploads > 0 {
			fmt.Fprintf(w, "%s: %d uploads made during the measurement (the pool ran out)\n", r.Name, r.InlineUploads)
		}
		if len(r.statuses) > 0 {
			fmt.Fprintf(w, "%s: unexpected statuses %v\n", r.Name, r.statuses)
		}
	}
}

var coordSeq atomic.Int64

// reportRequest is a submission at a new place each time, so that the
// duplicate search does not link them all.
func reportRequest(photo string) map[string]any {
	i := coordSeq.Add(1)
	return map[string]any{
		"category": "fire", "severity": "general", "description": "负载测试：楼道堆放杂物",
		"address":  fmt.Sprintf("负载测试路%d号", i),
		"latitude": 30 + rand.Float64()*10, "longitude": 110 + rand.Float64()*10, "coord_system": "WGS84",
		"photos": []string{photo},
	}
}

func demoToken(c *http.Client, base, user string) (string, error) {
	res, err := c.Post(base+"/api/v1/demo/login", "application/json", bytes.NewReader([]byte(`{"user":"`+user+`"}`)))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("demo login: status %d: %v", res.StatusCode, err)
	}
	return out.Token, nil
}

// upload uploads the photo data and returns its key.
func upload(c *http.Client, base, token string, data []byte) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "p.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/uploads", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Key string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Key == "" {
		return "", fmt.Errorf("upload: status %d: %v", res.StatusCode, err)
	}
	return out.Key, nil
}

// photoPNG returns a 2x2 PNG of its own for each n.
func photoPNG(n uint32) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: byte(n), G: byte(n >> 8), B: byte(n >> 16), A: 255})
	img.Set(1, 1, color.RGBA{R: byte(n >> 24), A: 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding into memory does not fail
	return buf.Bytes()
}

// uploadPool keeps uploads of distinct photos for submissions to use,
// one each, as a real client uploads its photo before it submits. The
// uploads are made by the citizens in turn.
type uploadPool struct {
	client *http.Client
	base   string
	tokens []string // the citizens'
	seq    atomic.Uint32
	inline atomic.Int64 // uploads take made because the pool was empty

	mu    sync.Mutex
	ready []pooled
	turn  int // the citizen to upload next
}

// pooled is an upload and its uploader's token.
type pooled struct{ token, key string }

// upload uploads a new photo by the next citizen.
func (p *uploadPool) upload() (pooled, error) {
	p.mu.Lock()
	tok := p.tokens[p.turn%len(p.tokens)]
	p.turn++
	p.mu.Unlock()
	key, err := upload(p.client, p.base, tok, photoPNG(p.seq.Add(1)))
	return pooled{token: tok, key: key}, err
}

// fill uploads distinct photos with workers clients until the pool holds
// at least n.
func (p *uploadPool) fill(ctx context.Context, n, workers int) error {
	p.mu.Lock()
	need := n - len(p.ready)
	p.mu.Unlock()
	if need <= 0 {
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(need) && ctx.Err() == nil {
				u, err := p.upload()
				if err != nil {
					errs <- err
					return
				}
				p.mu.Lock()
				p.ready = append(p.ready, u)
				p.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// take returns an unused upload and its uploader's token: one of the
// pool's, or a new one.
func (p *uploadPool) take(ctx context.Context) (token, key string, err error) {
	p.mu.Lock()
	if n := len(p.ready); n > 0 {
		u := p.ready[n-1]
		p.ready = p.ready[:n-1]
		p.mu.Unlock()
		return u.token, u.key, nil
	}
	p.mu.Unlock()
	if ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	p.inline.Add(1)
	u, err := p.upload()
	return u.token, u.key, err
}

// loginCodes is the server's notifier in the benchmark: it keeps the last
// login code sent to each phone and drops every other message, as the
// default notifier (the log, discarded here) does.
type loginCodes struct {
	mu   sync.Mutex
	sent map[string]string // phone: code
}

func (c *loginCodes) notify(_ context.Context, to notify.Recipient, m notify.Message) error {
	if m.Template == notify.KeyOTP {
		c.mu.Lock()
		c.sent[to.Addresses[notify.ChannelSMS]] = m.Data["code"]
		c.mu.Unlock()
	}
	return nil
}

// phoneLogin signs in the phone's citizen with a login code and returns
// the token.
func phoneLogin(c *http.Client, base, phone string, codes *loginCodes) (string, error) {
	post := func(path string, body map[string]string, want int) ([]byte, error) {
		b, _ := json.Marshal(body)
		res, err := c.Post(base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err == nil && res.StatusCode != want {
			err = fmt.Errorf("POST %s: status %d: %s", path, res.StatusCode, out)
		}
		return out, err
	}
	if _, err := post("/api/v1/auth/code", map[string]string{"phone": phone}, http.StatusAccepted); err != nil {
		return "", err
	}
	codes.mu.Lock()
	code := codes.sent[phone]
	codes.mu.Unlock()
	out, err := post("/api/v1/auth/login", map[string]string{"phone": phone, "code": code}, http.StatusOK)
	if err != nil {
		return "", err
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(out, &tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("login of %s: %v", phone, err)
	}
	return tok.Token, nil
}

func get(c *http.Client, u string) ([]byte, error) {
	res, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u, res.StatusCode)
	}
	return io.ReadAll(res.Body)
}

func submitOnce(c *http.Client, base, token, photo string) ([]byte, error) {
	body, _ := json.Marshal(reportRequest(photo))
	req, _ := http.NewRequest("POST", base+"/api/v1/reports", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("submit: status %d: %s", res.StatusCode, b)
	}
	return b, err
}
