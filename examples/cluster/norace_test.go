//go:build !race

package cluster_test

// raceBuild is false without the race detector: see race_test.go.
const raceBuild = false
