package miniprogram_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/examples/miniprogram"
	"github.com/stretchr/testify/require"
)

// minNodeMajor is the oldest Node.js the tests run on (global fetch,
// FormData and Blob).
const minNodeMajor = 18

// TestMiniProgram runs the mini-program's npm tests (page tests in
// miniprogram-simulate, the integration test against the real example
// server in demo mode, and the WeChat path against a server whose WeChat
// and WeChat Pay are local fakes), installing the npm packages first when
// they are missing or stale. It skips, saying why, where Node.js or npm is
// missing.
func TestMiniProgram(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("Node.js is not installed (apt-get install nodejs npm): the mini-program's tests need it")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed (apt-get install npm): the mini-program's tests need it")
	}
	out, err := exec.Command(node, "--version").Output()
	require.NoError(t, err)
	m := regexp.MustCompile(`^v(\d+)\.`).FindSubmatch(out)
	require.NotNil(t, m, "node --version: %s", out)
	if major, _ := strconv.Atoi(string(m[1])); major < minNodeMajor {
		t.Skipf("Node.js %s is older than %d: the mini-program's tests need %d or newer", bytes.TrimSpace(out), minNodeMajor, minNodeMajor)
	}

	dir, err := os.Getwd()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "hazardloop-server")
	build := exec.Command("go", "build", "-o", bin, "github.com/hazardloop/hazardloop/examples/server/cmd/hazardloop-server")
	build.Dir = dir
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example server: %v\n%s", err, b)
	}

	stale, err := miniprogram.Stale(dir)
	require.NoError(t, err)
	if stale {
		run(t, dir, nil, npm, "ci", "--no-audit", "--no-fund")
	}
	wxBase, wxControl := startWeChatServer(t)
	run(t, dir, []string{"HAZARDLOOP_SERVER_BIN=" + bin, "CI=true",
		"HAZARDLOOP_WECHAT_SERVER_URL=" + wxBase, "HAZARDLOOP_WECHAT_CONTROL_URL=" + wxControl}, npm, "test")
}

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %v (%s)", name, args, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, buf.String())
	}
	if testing.Verbose() {
		t.Log(buf.String())
	}
}
