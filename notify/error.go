package notify

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Kind classifies a delivery error by what a retry can do about it.
type Kind string

// The kinds of delivery errors.
const (
	// KindPermanent is final for this recipient on this channel: retrying
	// cannot help (an invalid address, a refused subscription, data the
	// service rejects). A Fallback moves on to the next channel.
	KindPermanent Kind = "permanent"
	// KindTemporary may go away by itself: a timeout, a 5xx, a busy service.
	KindTemporary Kind = "temporary"
	// KindRateLimited means the service asked to slow down; RetryAfter holds
	// the wait it asked for, 0 when it named none.
	KindRateLimited Kind = "rate_limited"
	// KindCredentials means the channel's credentials (an access token) were
	// rejected as expired or invalid; the adapter dropped them, so that a
	// later attempt fetches fresh ones.
	KindCredentials Kind = "credentials"
)

// Sentinels, one per kind, for errors.Is: errors.Is(err, notify.ErrPermanent).
var (
	ErrPermanent   error = &Error{Kind: KindPermanent}
	ErrTemporary   error = &Error{Kind: KindTemporary}
	ErrRateLimited error = &Error{Kind: KindRateLimited}
	ErrCredentials error = &Error{Kind: KindCredentials}
)

// Error is a classified delivery error. Every adapter of this package returns
// its failures as *Error, so that callers know whether and when retrying can
// help (as Prometheus Alertmanager's notifiers return a retry decision with
// every error).
//
// An *Error also matches the hazard sentinel of its code (see Code):
// errors.Is(err, hazard.ErrRateLimited) holds for KindRateLimited.
type Error struct {
	Kind Kind
	// Channel is the channel that failed, e.g. "wechat".
	Channel Channel
	// Op is the operation that failed, e.g. "wechat.send".
	Op string
	// Message says what went wrong, without personal data.
	Message string
	// RetryAfter is the wait the service asked for (KindRateLimited), or 0.
	RetryAfter time.Duration
	// Err is the cause, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Kind))
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Code returns the hazard error code closest to e's kind: rate_limited for
// KindRateLimited, invalid for KindPermanent, internal otherwise.
func (e *Error) Code() hazard.Code {
	switch e.Kind {
	case KindRateLimited:
		return hazard.CodeRateLimited
	case KindPermanent:
		return hazard.CodeInvalid
	default:
		return hazard.CodeInternal
	}
}

// ErrorCode returns Code as a string, so that hazard.ErrorCode(err) reads it.
func (e *Error) ErrorCode() string { return string(e.Code()) }

// Is reports whether target is the sentinel of e's kind, or the hazard
// sentinel of e's Code.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.Kind == e.Kind && t.Channel == "" && t.Op == "" && t.Message == "" && t.RetryAfter == 0 && t.Err == nil
	}
	if _, ok := target.(*hazard.Error); ok {
		return (&hazard.Error{Code: e.Code()}).Is(target)
	}
	return false
}

// Permanent returns a KindPermanent error.
func Permanent(ch Channel, op, msg string, cause error) *Error {
	return &Error{Kind: KindPermanent, Channel: ch, Op: op, Message: msg, Err: cause}
}

// Temporary returns a KindTemporary error.
func Temporary(ch Channel, op, msg string, cause error) *Error {
	return &Error{Kind: KindTemporary, Channel: ch, Op: op, Message: msg, Err: cause}
}

// RateLimited returns a KindRateLimited error asking for a wait of after.
func RateLimited(ch Channel, op, msg string, after time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Channel: ch, Op: op, Message: msg, RetryAfter: after}
}

// KindOf returns the kind of err: the Kind of its first *Error; "" for nil,
// for a context error and for any other error.
func KindOf(err error) Kind {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Retryable reports whether retrying may help: true for KindTemporary,
// KindRateLimited and KindCredentials. It is false for nil, for permanent
// errors, for context cancellation and deadlines (the caller gave up), and
// for errors this package did not classify. For a joined error (errors.Join,
// FanOut, Fallback) it is true when any part is retryable.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if Retryable(e) {
				return true
			}
		}
		return false
	}
	switch KindOf(err) {
	case KindTemporary, KindRateLimited, KindCredentials:
		return true
	}
	return false
}

// Final reports whether err is final for the recipient on that channel
// (KindPermanent), the errors a Fallback falls back on.
func Final(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts := j.Unwrap()
		for _, e := range parts {
			if !Final(e) {
				return false
			}
		}
		return len(parts) > 0
	}
	return KindOf(err) == KindPermanent
}

// RetryAfter returns the wait the service asked for: the largest RetryAfter
// among the *Error values in err, 0 when none asked.
func RetryAfter(err error) time.Duration {
	if err == nil {
		return 0
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var d time.Duration
		for _, e := range j.Unwrap() {
			d = max(d, RetryAfter(e))
		}
		return d
	}
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// kindLabel is the metric label of err.
func kindLabel(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	if k := KindOf(err); k != "" {
		return string(k)
	}
	return "internal"
}
