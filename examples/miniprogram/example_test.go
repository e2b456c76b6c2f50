package miniprogram_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hazardloop/hazardloop/examples/miniprogram"
)

// Stale says whether npm ci must run before npm test.
func ExampleStale() {
	dir, _ := os.MkdirTemp("", "mp")
	defer os.RemoveAll(dir)
	for _, f := range []string{"package.json", "package-lock.json"} {
		_ = os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644)
	}
	stale, _ := miniprogram.Stale(dir)
	fmt.Println("never installed:", stale)

	_ = os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "node_modules", ".package-lock.json"), []byte("{}"), 0o644)
	later := time.Now().Add(time.Minute)
	_ = os.Chtimes(filepath.Join(dir, "node_modules", ".package-lock.json"), later, later)
	stale, _ = miniprogram.Stale(dir)
	fmt.Println("just installed:", stale)
	// Output:
	// never installed: true
	// just installed: false
}
