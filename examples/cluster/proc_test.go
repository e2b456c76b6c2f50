package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/cluster"
	"github.com/hazardloop/hazardloop/pgstore"
)

// Bounds of the tests: every wait is bounded.
const (
	// buildTimeout bounds building the server binary.
	buildTimeout = 2 * time.Minute
	// startTimeout bounds a server process's start (migration and demo
	// seeding included).
	startTimeout = 30 * time.Second
	// stopTimeout bounds a graceful stop; the process is killed after it.
	stopTimeout = 20 * time.Second
	// settleTimeout bounds the wait for the relays to deliver everything.
	settleTimeout = 30 * time.Second
	// requestTimeout bounds one HTTP request.
	requestTimeout = 15 * time.Second
	// maxLogLine is the longest log line read from a server process.
	maxLogLine = 1 << 20
	// tokenSecret signs the tokens of every process of a test, so that a
	// token one process issued works on the other.
	tokenSecret = "cluster-test-secret-0123456789abcdef"
)

// serverPkg is the example server's command.
const serverPkg = "github.com/hazardloop/hazardloop/examples/server/cmd/hazardloop-server"

var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "hazardloop-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = d
	code := m.Run()
	_ = os.RemoveAll(d)
	os.Exit(code)
}

// serverBinary builds the example server once per test run (with -race
// when the tests run with it) and returns its path.
func serverBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		gobin, err := exec.LookPath("go")
		if err != nil {
			binError = fmt.Errorf("the go command is needed to build the server: %w", err)
			return
		}
		binPath = filepath.Join(binDir, "hazardloop-server")
		args := []string{"build", "-o", binPath}
		if raceBuild {
			args = append(args, "-race")
		}
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, gobin, append(args, serverPkg)...).CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	require.NoError(t, binError)
	return binPath
}

// testDatabase skips the test without HAZARDLOOP_TEST_DATABASE_URL, makes
// a fresh schema (dropped when the test ends), applies the migrations and
// returns the URL that works in the schema and the test's own handle on it.
func testDatabase(t *testing.T) (string, *pgstore.DB) {
	t.Helper()
	base := os.Getenv("HAZARDLOOP_TEST_DATABASE_URL")
	if base == "" {
		t.Skip("HAZARDLOOP_TEST_DATABASE_URL is not set: create a database and set it to run these tests, e.g. " +
			"psql -h 127.0.0.1 -U postgres -c 'create database hl_cluster' and " +
			"HAZARDLOOP_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/hl_cluster?sslmode=disable'")
	}
	ctx := context.Background()
	admin, err := pgstore.Open(ctx, base)
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	schema := fmt.Sprintf("cluster_%d", time.Now().UnixNano())
	_, err = admin.Pool().Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	url := cluster.WithSearchPath(base, schema)
	db, err := pgstore.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	_, err = db.Migrate(ctx)
	require.NoError(t, err)
	return url, db
}

// proc is one server process and everything it logged.
type proc struct {
	name string
	cmd  *exec.Cmd
	base string // http://host:port

	mu     sync.Mutex
	lines  []string
	onLine func(*proc, string) // called by the reader for every line, under mu

	ready  chan string   // the address, once
	logEOF chan struct{} // closed when its log is read to the end
	exited chan struct{} // closed when the process is reaped
	err    error         // the exit status, once exited is closed
}

// readyPattern finds the address in the server's "ready" log line.
var readyPattern = regexp.MustCompile(`msg="hazardloop example server ready" url=http://([0-9.]+:[0-9]+)/`)

// prepareProc starts a server process named name on 127.0.0.1 (a free
// port) with the database URL, the shared token secret and demo data, and
// no photo directory: every process keeps its state, photos included, in
// the one database;
// waitReady waits until it listens. onLine, if not nil, sees every log
// line as it is read; flags are added to the command line.
func prepareProc(t *testing.T, name, dbURL string, onLine func(*proc, string), flags ...string) *proc {
	t.Helper()
	bin := serverBinary(t)
	cmd := exec.Command(bin, append([]string{
		"-addr", "127.0.0.1:0",
		"-demo=true",
		// The demo enterprises' two units only, without the demo city's
		// history: the notices these tests count are those of their own
		// reports (the whole city is TestDemoCity's, examples/server).
		"-demo-units", "2",
		"-token-secret", tokenSecret,
		"-database-url", dbURL,
	}, flags...)...)
	// Only the flags configure it: drop the settings of the caller's
	// environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HAZARDLOOP_") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	cmd.Stdout = io.Discard
	p := &proc{name: name, cmd: cmd, onLine: onLine,
		ready: make(chan string, 1), logEOF: make(chan struct{}), exited: make(chan struct{})}
	require.NoError(t, cmd.Start(), "start %s", name)
	go p.read(stderr)
	go func() {
		<-p.logEOF
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("the last lines %s logged:\n%s", name, p.tail(40))
		}
	})
	return p
}

func (p *proc) read(r io.Reader) {
	defer close(p.logEOF)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLogLine)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.lines = append(p.lines, line)
		if p.onLine != nil {
			p.onLine(p, line)
		}
		p.mu.Unlock()
		if m := readyPattern.FindStringSubmatch(line); m != nil {
			select {
			case p.ready <- m[1]:
			default:
			}
		}
	}
	// A line too long stops the scanner: keep draining so that the process
	// never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, r)
}

// waitReady waits until the process listens and records its base URL.
func (p *proc) waitReady(t *testing.T) {
	t.Helper()
	select {
	case addr := <-p.ready:
		p.base = "http://" + addr
	case <-p.exited:
		t.Fatalf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.tail(30))
	case <-time.After(startTimeout):
		t.Fatalf("%s was not ready within %s:\n%s", p.name, startTimeout, p.tail(30))
	}
}

// stop stops the process gracefully (SIGTERM: it finishes its requests and
// delivers the events left) and requires a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM), p.name)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		p.kill(t)
		t.Fatalf("%s did not stop within %s:\n%s", p.name, stopTimeout, p.tail(30))
	}
	require.NoError(t, p.err, "%s exit:\n%s", p.name, p.tail(30))
}

// kill kills the process (SIGKILL) and waits until it is reaped and its
// log read to the end. Killing a process that exited does nothing.
func (p *proc) kill(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		t.Errorf("%s was not reaped within %s after SIGKILL", p.name, stopTimeout)
	}
}

// log returns a copy of the lines logged so far.
func (p *proc) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// tail returns the last n lines logged, for failure messages.
func (p *proc) tail(n int) string {
	l := p.log()
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// noticeKeyPattern finds the idempotency key of a log notifier line.
var noticeKeyPattern = regexp.MustCompile(`msg="notify: message" .*\bidempotency_key=(\S+)`)

// notices returns the idempotency keys of the notifications in the log
// lines, one per message sent, in order ("evt-<seq>/<user>/<channel>").
func notices(lines []string) []string {
	var out []string
	for _, l := range lines {
		if m := noticeKeyPattern.FindStringSubmatch(l); m != nil {
			out = append(out, strings.Trim(m[1], `"`))
		}
	}
	return out
}

// noticeSeq returns the event sequence of a notification key.
func noticeSeq(key string) int64 {
	s, _, _ := strings.Cut(strings.TrimPrefix(key, "evt-"), "/")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// requireCleanLogs fails the test when a process logged a data race, a
// request that failed inside the server or a relay that stopped.
func requireCleanLogs(t *testing.T, ps ...*proc) {
	t.Helper()
	for _, p := range ps {
		for _, l := range p.log() {
			require.NotContains(t, l, "WARNING: DATA RACE", "%s:\n%s", p.name, p.tail(60))
			require.NotContains(t, l, `msg="request failed"`, "%s", p.name)
			require.NotContains(t, l, `msg="relay stopped"`, "%s", p.name)
		}
	}
}
