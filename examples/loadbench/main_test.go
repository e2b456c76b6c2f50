package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs every scenario briefly: each answers without errors and the
// served scenarios are compared with their baselines.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback load run")
	}
	cfg := Config{Duration: 200 * time.Millisecond, Workers: 4, Rounds: 2}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.Len(t, res, 5)
	for _, r := range res {
		assert.Positive(t, r.Requests, r.Name)
		assert.Zero(t, r.Errors, r.Name)
	}
	assert.Positive(t, res[1].Ratio, "plaza ratio")
	assert.Positive(t, res[2].Ratio, "mixed plaza ratio")
	assert.Positive(t, res[4].Ratio, "submission ratio")
	var buf bytes.Buffer
	Print(&buf, cfg, res)
	assert.Contains(t, buf.String(), "ratio to baseline")
}
