package server

import (
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Extra error codes of the HTTP layer, beside hazard's. They travel on the
// wire like hazard's codes.
const (
	// CodeTooLarge is a body or an upload above its limit (413).
	CodeTooLarge hazard.Code = "too_large"
	// CodeUnsupportedMedia is a body or an upload of a refused type (415).
	CodeUnsupportedMedia hazard.Code = "unsupported_media_type"
	// CodeMethodNotAllowed is a known path with another method (405).
	CodeMethodNotAllowed hazard.Code = "method_not_allowed"
	// CodeUnavailable is a server not ready to serve (503).
	CodeUnavailable hazard.Code = "unavailable"
	// CodeTimeout is a request body not received in time (408).
	CodeTimeout hazard.Code = "timeout"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[hazard.Code]int{
	hazard.CodeInvalid:         http.StatusBadRequest,
	hazard.CodeUnauthenticated: http.StatusUnauthorized,
	hazard.CodeForbidden:       http.StatusForbidden,
	hazard.CodeNotFound:        http.StatusNotFound,
	hazard.CodeConflict:        http.StatusConflict,
	hazard.CodeRateLimited:     http.StatusTooManyRequests,
	hazard.CodeInternal:        http.StatusInternalServerError,
	CodeTooLarge:               http.StatusRequestEntityTooLarge,
	CodeUnsupportedMedia:       http.StatusUnsupportedMediaType,
	CodeMethodNotAllowed:       http.StatusMethodNotAllowed,
	CodeUnavailable:            http.StatusServiceUnavailable,
	CodeTimeout:                http.StatusRequestTimeout,
}

// StatusOf returns the HTTP status of an error code; unknown codes are 500.
func StatusOf(code hazard.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the one error shape of every response: {"error": {...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error: its code, a message fit for a user, the
// field at fault if any and every field problem of a validation error.
type ErrorDetail struct {
	Code    hazard.Code         `json:"code"`
	Message string              `json:"message"`
	Field   string              `json:"field,omitempty"`
	Fields  []hazard.FieldError `json:"fields,omitempty"`
	// Version is the current version on a stale-version conflict.
	Version int64 `json:"version,omitempty"`
}

// retryAfterError carries how long a rate-limited caller should wait.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// withRetryAfter annotates a rate-limit error with the wait to advertise.
func withRetryAfter(err error, d time.Duration) error { return &retryAfterError{err: err, after: d} }

// readError is the error of a request body that could not be read: too
// large (413), not received in time (408), else invalid with msg.
func readError(err error, msg string) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return hazard.Errorf(CodeTooLarge, "the body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return hazard.Errorf(CodeTimeout, "the body was not received in time")
	default:
		return hazard.Errorf(hazard.CodeInvalid, "%s", msg)
	}
}

// defaultRetryAfter is advertised on a rate_limited error that names no wait
// (neither withRetryAfter nor hazard.Error.RetryAfter).
const defaultRetryAfter = time.Minute

// writeError writes err in the one error shape with the status of its code.
// Internal errors are logged and shown as "internal error" only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := hazard.ErrorCode(err)
	if _, ok := statusOf[code]; !ok {
		code = hazard.CodeInternal
	}
	if code == hazard.CodeInternal && storeUnavailable(err) {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "store unavailable",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		err = &hazard.Error{Code: CodeUnavailable, Message: "the service is unavailable for a moment: retry after the wait in Retry-After", Err: err}
		code = CodeUnavailable
	}
	d := ErrorDetail{Code: code, Message: hazard.ErrorMessage(err)}
	var he *hazard.Error
	if errors.As(err, &he) && code != hazard.CodeInternal {
		d.Field = he.Field
		d.Fields = he.Fields
		d.Version = he.Version
	}
	if code == hazard.CodeInternal {
		d.Message = "internal error"
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
	var ra *retryAfterError
	if code == hazard.CodeRateLimited {
		after := defaultRetryAfter
		switch {
		case errors.As(err, &ra) && ra.after > 0:
			after = ra.after
		case he != nil && he.RetryAfter > 0: // a limiter's decision (hazard.Decision.Err)
			after = he.RetryAfter
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
	}
	if code == CodeUnavailable {
		after := UnavailableRetryAfter // the store's; an error may name its own (every upload slot taken)
		if errors.As(err, &ra) && ra.after > 0 {
			after = ra.after
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
	}
	writeJSON(w, StatusOf(code), ErrorBody{Error: d})
}
