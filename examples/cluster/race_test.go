//go:build race

package cluster_test

// raceBuild builds the server processes with the race detector when the
// tests run with it, so that -race covers the servers under cluster load.
const raceBuild = true
