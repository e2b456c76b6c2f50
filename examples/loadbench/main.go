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
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/hazardloop/hazardloop/examples/server"
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
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run (server and clients) to this file")
	flag.Parse()
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

	elapsed   time.Duration
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
	scfg := server.Config{
		Addr: "127.0.0.1:0", Demo: true, Logger: slog.New(slog.DiscardHandler),
		TokenSecret: bytes.Repeat([]byte("b"), 32), SubmitsPerDay: -1, DatabaseURL: cfg.DatabaseURL,
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
	photo, err := upload(client, base, token)
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
	submit := func(u string, auth bool) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			body, _ := json.Marshal(reportRequest(photo))
			req, err := http.NewRequest("POST", u, bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			if auth {
				req.Header.Set("Authorization", "Bearer "+token)
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
	scenarios := []struct {
		name, baseline string
		status         int
		req            func() (*http.Request, error)
		background     func(context.Context)
	}{
		{"baseline plaza (bare net/http)", "", 200, plaza(bareBase + "/plaza"), nil},
		{"plaza page (GET /api/v1/plaza?limit=20)", "baseline plaza (bare net/http)", 200, plaza(base + "/api/v1/plaza?limit=20"), nil},
		{fmt.Sprintf("plaza page while %d submissions/s arrive", cfg.WritesPerSec), "baseline plaza (bare net/http)", 200, plaza(base + "/api/v1/plaza?limit=20"), writer},
		{"baseline submit (bare net/http)", "", 201, submit(bareBase+"/reports", false), nil},
		{"report submission (POST /api/v1/reports)", "baseline submit (bare net/http)", 201, submit(base+"/api/v1/reports", true), nil},
	}
	// Each scenario runs in Rounds slices, alternating with its baseline,
	// so that a burst of other load on the machine hits both alike.
	out := make([]Result, len(scenarios))
	slice := cfg.Duration / time.Duration(cfg.Rounds)
	for round := 0; round < cfg.Rounds; round++ {
		for i, sc := range scenarios {
			r := measure(ctx, client, cfg.Workers, slice, sc.name, sc.status, sc.req, sc.background)
			out[i].add(r)
		}
	}
	for i, sc := range scenarios {
		out[i].finish()
		for j := range scenarios {
			if scenarios[j].name == sc.baseline && out[j].PerSec > 0 {
				out[i].Baseline, out[i].Ratio = sc.baseline, out[i].PerSec/out[j].PerSec
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
					errs.Add(1)
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

// upload uploads a small PNG; submissions reuse it.
func upload(c *http.Client, base, token string) (string, error) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
		"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "p.png")
	_, _ = fw.Write(png)
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
