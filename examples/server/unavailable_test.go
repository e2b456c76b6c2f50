package server_test

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestStoreUnavailable pins which failures count as the database being out
// of reach (answered 503 with Retry-After) and which stay internal (500).
func TestStoreUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", hazard.Wrap("op", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"connection reset", fmt.Errorf("query: %w", syscall.ECONNRESET), true},
		{"admin shutdown", hazard.Wrap("op", &pgconn.PgError{Code: "57P01"}), true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection exception class", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"a plain failure", errors.New("boom"), false},
		{"a coded error", hazard.Errorf(hazard.CodeInternal, "broken invariant"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, server.StoreUnavailable(tt.err), "StoreUnavailable(%v)", tt.err)
		})
	}
}
