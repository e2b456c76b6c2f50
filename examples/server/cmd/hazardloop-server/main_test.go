package main

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestDemoModeWithDatabase: demo mode is on by default in memory, off with
// a database unless asked for by flag or environment.
func TestDemoModeWithDatabase(t *testing.T) {
	const db = "postgres://localhost/x"
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"memory", nil, nil, true},
		{"memory, off", []string{"-demo=false"}, nil, false},
		{"database flag", []string{"-database-url", db}, nil, false},
		{"database env", nil, map[string]string{"DATABASE_URL": db}, false},
		{"database, demo flag", []string{"-database-url", db, "-demo"}, nil, true},
		{"database, demo env", nil, map[string]string{"DATABASE_URL": db, "HAZARDLOOP_DEMO": "true"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.Demo, "Demo with %v %v", tc.args, tc.env)
		})
	}
}

// TestLimitFlags: the limits of slow clients and of abuse have flags and
// environment variables.
func TestLimitFlags(t *testing.T) {
	cfg, err := config([]string{"-read-timeout", "5s", "-max-conns", "10", "-otp-per-addr-per-hour", "3", "-trust-proxy"},
		func(k string) string {
			return map[string]string{"HAZARDLOOP_UPLOAD_TIMEOUT": "1m", "HAZARDLOOP_VERIFY_PER_USER_PER_HOUR": "2", "HAZARDLOOP_MAX_UPLOADS": "7"}[k]
		}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, cfg.ReadTimeout)
	assert.Equal(t, time.Minute, cfg.UploadTimeout)
	assert.Equal(t, server.DefaultWriteTimeout, cfg.WriteTimeout)
	assert.Equal(t, 10, cfg.MaxConns)
	assert.Equal(t, 7, cfg.MaxUploads)
	assert.Equal(t, 3, cfg.AbuseLimits.OTPPerAddrPerHour)
	assert.Equal(t, 2, cfg.AbuseLimits.VerifyPerUserPerHour)
	assert.True(t, cfg.TrustProxy)
}
