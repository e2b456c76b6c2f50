package server

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// UnavailableRetryAfter is the wait a 503 answer advertises in Retry-After:
// about how long a database takes to come back after a restart or a
// failover.
const UnavailableRetryAfter = 2 * time.Second

// storeUnavailable reports whether err says that the database is out of
// reach (refused or broken connections, a server shutting down or starting
// up, too many connections) rather than that the request or the server is
// at fault. Such a failure is answered 503 with Retry-After, never 500:
//
//   - A read is safe to retry as it is.
//   - A write that failed this way either did not happen or, when the
//     connection broke while it committed, may have: a submission retried
//     with the same Idempotency-Key answers the report the first attempt
//     stored, and an action retried with the same expected_version either
//     applies once or answers 409 with the current version, so that a
//     client that retries never applies a write twice.
func storeUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown,
		// crash shutdown, cannot connect now; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err):
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
