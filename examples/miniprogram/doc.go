// Package miniprogram holds the citizens' WeChat mini-program of the
// example server (水城安全隐患随手拍), a native mini-program in JavaScript
// under miniprogram/, with its npm tests under test/ (README.md says how to
// open it in WeChat DevTools).
//
// The Go side only lets the repository's one test command run those
// tests: TestMiniProgram builds the example server, installs the npm
// packages with npm ci when node_modules is missing or older than the lock
// file (Stale), runs a second server in process with WeChat login and
// WeChat Pay on local fakes, and runs npm test, whose integration tests use
// both servers. Without Node.js and npm it skips and says why.
package miniprogram

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// installedLock is the file npm writes into node_modules on every install:
// when it is older than the lock file, the installed packages are stale.
const installedLock = "node_modules/.package-lock.json"

// Stale reports whether the npm packages of the project in dir must be
// installed again: node_modules has no record of an install, or its record
// is older than package.json or package-lock.json. A missing lock file is
// an error.
func Stale(dir string) (bool, error) {
	installed, err := os.Stat(filepath.Join(dir, installedLock))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	for _, name := range []string{"package.json", "package-lock.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return false, err
		}
		if fi.ModTime().After(installed.ModTime()) {
			return true, nil
		}
	}
	return false, nil
}
