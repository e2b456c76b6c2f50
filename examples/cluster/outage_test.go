package cluster_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
)

// Bounds and sizes of TestDatabaseOutage.
const (
	// outageWorkers is how many clients drive reports through the loop at
	// once, half of them through each process.
	outageWorkers = 6
	// loadBefore, loadDown and loadAfter are how long the load runs before
	// the database is killed, while it is down (once both processes said
	// they are not ready) and after both said they are ready again.
	loadBefore = 2 * time.Second
	loadDown   = 2 * time.Second
	loadAfter  = 2 * time.Second
	// pgStartTimeout bounds initdb and a start of the test's PostgreSQL.
	pgStartTimeout = 30 * time.Second
	// readyTimeout bounds the wait for both processes' /readyz to change.
	readyTimeout = 20 * time.Second
	// maxRetries bounds the retries of one request answered 503.
	maxRetries = 60
)

// pgInstance is a PostgreSQL server of the test's own, on a free port in a
// temporary directory, so that killing it disturbs nothing else.
type pgInstance struct {
	bin  string // the directory of initdb and postgres
	dir  string // owns data/ and the socket
	port int
	cred *syscall.Credential // the postgres user's, when the test runs as root

	cmd    *exec.Cmd
	exited chan struct{}
}

// newPostgres initialises a cluster, or skips the test saying why it
// cannot: no PostgreSQL binaries, or root without a postgres user (initdb
// and postgres refuse to run as root).
func newPostgres(t *testing.T) *pgInstance {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(bins) == 0 {
		if p, err := exec.LookPath("postgres"); err == nil {
			bins = []string{p}
		}
	}
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries (postgres, initdb) under /usr/lib/postgresql/*/bin or on PATH")
	}
	slices.Sort(bins)
	pg := &pgInstance{bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "hazardloop-outage-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user to run initdb and postgres as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		require.NoError(t, os.Chown(dir, uid, gid))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	pg.port = ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithTimeout(context.Background(), pgStartTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(pg.bin, "initdb"), "-D", filepath.Join(dir, "data"),
		"-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	pg.prepare(cmd)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "initdb:\n%s", out)
	return pg
}

// prepare runs cmd as the postgres user when the test is root, in its own
// process group, in the instance's directory.
func (pg *pgInstance) prepare(cmd *exec.Cmd) {
	cmd.Dir = pg.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: pg.cred}
}

// url is the instance's database URL.
func (pg *pgInstance) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// start starts the server and waits until it accepts connections. fsync is
// off: the test kills processes, not the machine, and the kernel keeps
// what a killed process wrote.
func (pg *pgInstance) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, "postgres"), "-D", filepath.Join(pg.dir, "data"),
		"-p", strconv.Itoa(pg.port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+pg.dir, "-c", "fsync=off", "-c", "max_connections=100")
	pg.prepare(cmd)
	log, err := os.Create(filepath.Join(pg.dir, "log-"+strconv.FormatInt(time.Now().UnixNano(), 10)))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = log, log
	require.NoError(t, cmd.Start(), "start postgres")
	pg.cmd, pg.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); _ = log.Close(); close(pg.exited) }()
	t.Cleanup(func() { pg.crash(t) })
	deadline := time.Now().Add(pgStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		db, err := pgstore.Open(ctx, pg.url())
		cancel()
		if err == nil {
			db.Close()
			return
		}
		select {
		case <-pg.exited:
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("postgres exited at start:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres did not accept connections within %s: %v", pgStartTimeout, err)
		}
		time.Sleep(pollInterval)
	}
}

// crash kills the postmaster and every process it started with SIGKILL,
// as a crash of the database machine's processes would, and waits until
// the postmaster is reaped. Crashing a stopped instance does nothing.
func (pg *pgInstance) crash(t *testing.T) {
	if pg.cmd == nil {
		return
	}
	select {
	case <-pg.exited:
		return
	default:
	}
	pid := pg.cmd.Process.Pid
	kids := children(pid)
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	select {
	case <-pg.exited:
	case <-time.After(stopTimeout):
		t.Errorf("postgres was not reaped within %s after SIGKILL", stopTimeout)
	}
	// A backend forked in the instant before the kill is found now.
	for _, k := range children(pid) {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
}

// children returns the processes whose parent is pid, from /proc.
func children(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at its end.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 1 && f[1] == strconv.Itoa(pid) {
				out = append(out, n)
			}
		}
	}
	return out
}

// outageLoad drives reports through the loop on both processes and keeps
// what it saw: the trails of acknowledged writes, and every 5xx that a
// client could not safely retry.
type outageLoad struct {
	t      *testing.T
	c      *client
	db     *pgstore.DB
	procs  [2]*proc
	tokens map[string]string

	mu        sync.Mutex
	trails    []*trail
	retried   int      // 503 answers with Retry-After, retried
	unsafe    []string // 5xx answers a client could not retry
	inferred  int      // writes whose 503 hid a commit, found on retry
	submitted int
}

// retry sends a request (send) through p until its answer is not 503 with
// Retry-After, waiting as Retry-After says, and returns the answer and
// whether a 503 came before it. Any other 5xx is recorded as unsafe.
func (ld *outageLoad) retry(p *proc, what string, send func() reply) (reply, bool) {
	retried := false
	for range maxRetries {
		r := send()
		if r.status == http.StatusServiceUnavailable {
			s, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || s <= 0 {
				ld.record(fmt.Sprintf("%s on %s: 503 with Retry-After %q: %s", what, p.name, r.header.Get("Retry-After"), r.body))
				return r, retried
			}
			ld.mu.Lock()
			ld.retried++
			ld.mu.Unlock()
			retried = true
			time.Sleep(time.Duration(s) * time.Second)
			continue
		}
		if r.status >= 500 || r.status == 0 {
			ld.record(fmt.Sprintf("%s on %s: %d %s", what, p.name, r.status, r.body))
		}
		return r, retried
	}
	ld.record(fmt.Sprintf("%s on %s: still 503 after %d tries", what, p.name, maxRetries))
	return reply{}, retried
}

func (ld *outageLoad) record(s string) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	ld.unsafe = append(ld.unsafe, s)
}

// upload uploads photo n through p and returns its key, "" on failure.
func (ld *outageLoad) upload(p *proc, token string, n int) string {
	r, _ := ld.retry(p, "upload", func() reply { return ld.c.uploadReply(p.base, token, pngPhoto(n)) })
	if r.status != http.StatusCreated {
		ld.t.Errorf("upload %d on %s: %d %s", n, p.name, r.status, r.body)
		return ""
	}
	return uploadKey(ld.t, r)
}

// act takes an action with the expected version through p and records it
// in tr. When a 503 came first and the retry is told of a conflict, the
// first attempt may have committed before its connection broke: the log
// says whether it did.
func (ld *outageLoad) act(p *proc, tr *trail, user, action string, body map[string]any) (view, bool) {
	expected := body["expected_version"].(int64)
	r, retried := ld.retry(p, action, func() reply { return ld.c.act(p.base, ld.tokens[user], tr.id.String(), action, body) })
	var v view
	switch {
	case r.status == http.StatusOK && r.decode(ld.t, &v):
		tr.ok(action, v.Version)
		return v, true
	case r.status == http.StatusConflict && retried:
		// Each transition adds one version to the submission's 1.
		evs, err := ld.db.Hazards().HazardEvents(context.Background(), tr.id)
		var last hazard.Event
		transitions := int64(0)
		for _, e := range evs {
			if e.Type == hazard.EventTransition {
				last = e
				transitions++
			}
		}
		if err == nil && transitions == expected && last.Action == action {
			ld.mu.Lock()
			ld.inferred++
			ld.mu.Unlock()
			tr.ok(action, expected+1)
			return view{ID: tr.id.String(), State: last.To, Version: expected + 1}, true
		}
	}
	ld.t.Errorf("%s by %s on %s: %d %s", action, user, p.name, r.status, r.body)
	return view{}, false
}

// report takes report n through the loop, across both processes: submit,
// dispatch, accept, resolve, approve.
func (ld *outageLoad) report(n int) {
	x, y := ld.procs[n%2], ld.procs[1-n%2]
	citizen := []string{"citizen-1", "citizen-2", "citizen-3"}[n%3]
	photo := ld.upload(x, ld.tokens[citizen], 2*n)
	if photo == "" {
		return
	}
	body := map[string]any{
		"category": "fire", "severity": "general",
		"description": fmt.Sprintf("故障测试：%d号楼道堆放杂物堵塞消防通道", n),
		"address":     fmt.Sprintf("故障测试路%d号", n), "latitude": 33 + float64(n)*0.01, "longitude": 113.0, "coord_system": "GCJ02",
		"photos": []string{photo},
	}
	r, _ := ld.retry(x, "submit", func() reply {
		return ld.c.do("POST", x.base+"/api/v1/reports", ld.tokens[citizen], body, "Idempotency-Key", fmt.Sprintf("outage-%d", n))
	})
	var v view
	if r.status != http.StatusCreated || !r.decode(ld.t, &v) {
		ld.t.Errorf("submit %d on %s: %d %s", n, x.name, r.status, r.body)
		return
	}
	tr := &trail{id: uuid.MustParse(v.ID), reporter: citizen}
	ld.mu.Lock()
	ld.trails = append(ld.trails, tr)
	ld.submitted++
	ld.mu.Unlock()
	steps := []struct {
		p            *proc
		user, action string
		body         map[string]any
	}{
		{y, "dispatcher-1", "dispatch", map[string]any{"department": "fire", "note": "转办"}},
		{x, "fire-1", "accept", map[string]any{}},
		{y, "fire-1", "resolve", map[string]any{"note": "已整改"}},
		{x, "reviewer-1", "approve", map[string]any{"verdict": "整改到位"}},
	}
	for _, s := range steps {
		if s.action == "resolve" {
			key := ld.upload(s.p, ld.tokens[s.user], 2*n+1)
			if key == "" {
				return
			}
			s.body["photos"] = []string{key}
		}
		s.body["expected_version"] = v.Version
		var ok bool
		if v, ok = ld.act(s.p, tr, s.user, s.action, s.body); !ok {
			return
		}
	}
}

// readiness polls /readyz on every process until each answered want, and
// fails the test after readyTimeout.
func readiness(t *testing.T, c *client, want int, ps ...*proc) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for _, p := range ps {
		for {
			r := c.do("GET", p.base+"/readyz", "", nil)
			if r.status == want {
				if want == http.StatusServiceUnavailable {
					assert.NotEmpty(t, r.header.Get("Retry-After"), "%s: /readyz 503 without Retry-After", p.name)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz answered %d, not %d, for %s", p.name, r.status, want, readyTimeout)
			}
			time.Sleep(pollInterval)
		}
	}
}

// TestDatabaseOutage runs two server processes on a PostgreSQL of the
// test's own under a steady load of reports driven through the loop, kills
// the database (SIGKILL, every process of it) and starts it again. It
// checks that /readyz says not ready while the database is down and ready
// after; that no request got a 5xx other than 503 with Retry-After, which
// a client retries safely (a submission with its Idempotency-Key, an
// action with its expected version); that every acknowledged write is in
// the log afterwards, with no write added; that the relay's cursors
// resume where they were; and that every event reaches every consumer:
// every notification the log calls for is sent, twice only when it was in
// flight as the database went away, and every reward due is issued once.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and two server processes")
	}
	started := time.Now()
	pg := newPostgres(t)
	serverBinary(t)
	pg.start(t)
	ctx := context.Background()
	url := pg.url()
	db, err := pgstore.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	_, err = db.Migrate(ctx)
	require.NoError(t, err)

	a := prepareProc(t, "A", url, nil, "-submits-per-day=-1")
	b := prepareProc(t, "B", url, nil, "-submits-per-day=-1")
	a.waitReady(t)
	b.waitReady(t)
	c := newClient(t)
	ld := &outageLoad{t: t, c: c, db: db, procs: [2]*proc{a, b}, tokens: map[string]string{}}
	for i, u := range []string{"citizen-1", "citizen-2", "citizen-3", "dispatcher-1", "fire-1", "reviewer-1"} {
		ld.tokens[u] = c.login(ld.procs[i%2].base, u)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var next sync.Mutex
	n := 0
	for range outageWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				next.Lock()
				n++
				i := n
				next.Unlock()
				ld.report(i)
			}
		}()
	}
	time.Sleep(loadBefore)

	before := map[string]int64{}
	for _, name := range consumers {
		before[name], err = db.Hazards().Cursor(ctx, name)
		require.NoError(t, err)
	}
	pg.crash(t)
	downAt := time.Now()
	readiness(t, c, http.StatusServiceUnavailable, a, b)
	time.Sleep(loadDown)
	pg.start(t)
	readiness(t, c, http.StatusOK, a, b)
	t.Logf("database down for %s", time.Since(downAt).Round(time.Millisecond))
	for _, name := range consumers {
		cur, err := db.Hazards().Cursor(ctx, name)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, cur, before[name], "cursor of %s after the restart: resumes where it was", name)
	}
	time.Sleep(loadAfter)
	close(stop)
	wg.Wait()
	require.False(t, t.Failed(), "driving the loop")

	last := settle(t, db)
	a.stop(t)
	b.stop(t)
	require.Equal(t, last, lastSeq(t, db), "events written after the relays settled")
	for _, p := range []*proc{a, b} {
		for _, l := range p.log() {
			require.NotContains(t, l, "WARNING: DATA RACE", "%s", p.name)
			require.NotContains(t, l, `msg="request failed"`, "%s: a request failed inside the server", p.name)
		}
	}
	assert.Empty(t, ld.unsafe, "answers a client cannot retry safely")
	assert.Positive(t, ld.retried, "no request met the outage")

	// Every acknowledged write is in the log, and nothing else: the
	// transitions of each report are exactly those the clients were told
	// of (or found, after a 503, had committed).
	events := checkLog(t, db.Hazards(), ld.trails)
	checkDelivered(t, db.Hazards(), last)

	want := expectedNotices(t, db.Hazards(), events)
	got := countNotices(a, b)
	twice := 0
	for k := range want {
		assert.GreaterOrEqual(t, got[k], 1, "notification %s", k)
	}
	for k, n := range got {
		assert.True(t, want[k], "notification %s (sent %d times) was not called for", k, n)
		if n > 1 {
			twice++
			assert.Equal(t, 2, n, "notification %s", k)
			assert.Greater(t, noticeSeq(k), before["notify"], "notification %s sent twice, yet delivered before the outage", k)
		}
	}
	rewards := checkRewards(t, db, events, []string{"citizen-1", "citizen-3"}, started)
	t.Logf("%d reports submitted, %d events, %d rewards, %d notifications (%d sent twice); %d answers 503 retried, %d writes found committed after a 503",
		ld.submitted, last, rewards, len(want), twice, ld.retried, ld.inferred)
}
