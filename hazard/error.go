package hazard

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error. Codes are stable strings: they travel on the wire
// and are what callers branch on.
type Code string

// The error codes of hazardloop. The HTTP layer maps each to one status.
const (
	CodeInvalid         Code = "invalid"
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeForbidden       Code = "forbidden"
	CodeUnauthenticated Code = "unauthenticated"
	CodeRateLimited     Code = "rate_limited"
	CodeInternal        Code = "internal"
)

// Sentinels, one per code, for errors.Is. An *Error matches the sentinel of
// its code: errors.Is(err, hazard.ErrNotFound).
var (
	ErrInvalid         error = &Error{Code: CodeInvalid}
	ErrNotFound        error = &Error{Code: CodeNotFound}
	ErrConflict        error = &Error{Code: CodeConflict}
	ErrForbidden       error = &Error{Code: CodeForbidden}
	ErrUnauthenticated error = &Error{Code: CodeUnauthenticated}
	ErrRateLimited     error = &Error{Code: CodeRateLimited}
	ErrInternal        error = &Error{Code: CodeInternal}
)

// FieldError is one problem with one input field.
type FieldError struct {
	// Field names the input at fault in the wire spelling, e.g. "description"
	// or "photos[2]".
	Field string `json:"field"`
	// Message says what is wrong, fit to show to the user.
	Message string `json:"message"`
}

// Error is the one error type of the domain. It carries a code, the operation
// that failed, the field at fault where there is one, a message fit for a
// user, every field problem when validation failed, and the cause.
//
// Foreign errors (a driver's, the network's) are wrapped with CodeInternal,
// and users only ever see "internal error" for them.
type Error struct {
	Code    Code
	Op      string
	Field   string
	Message string
	// Fields lists every field problem at once when Code is CodeInvalid.
	Fields []FieldError
	// Version is the current version of the subject on a CodeConflict caused
	// by a stale expected version, 0 otherwise.
	Version int64
	// RetryAfter is, on a CodeRateLimited error, how long the caller should
	// wait before trying again; 0 when unknown.
	RetryAfter time.Duration
	// Err is the underlying cause, if any. It is never shown to users.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
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

// Is reports whether target is the sentinel of e's code, so that
// errors.Is(err, hazard.ErrConflict) works through any wrapping.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && t.Op == "" && t.Message == "" && t.Field == "" && t.Err == nil && t.Fields == nil
}

// Errorf returns an *Error with the code and a formatted user message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error for op with err as the cause. A nil err
// gives nil; an err that already is an *Error keeps its code and gains op.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Op != "" {
			return err
		}
		c := *e
		c.Op = op
		return &c
	}
	return &Error{Code: CodeInternal, Op: op, Err: err}
}

// ErrorCode returns the code of err: "" for nil, the code of the first *Error
// in its chain, CodeInternal for any other error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	type coded interface{ ErrorCode() string }
	var c coded
	if errors.As(err, &c) {
		return Code(c.ErrorCode())
	}
	return CodeInternal
}

// ErrorMessage returns the message of err fit for a user: the message of its
// *Error, or "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		if e.Message != "" {
			return e.Message
		}
		return strings.ReplaceAll(string(e.Code), "_", " ")
	}
	return "internal error"
}

// Problems collects field problems during validation and turns them into
// one CodeInvalid *Error. The zero value is ready to use.
type Problems struct {
	list []FieldError
}

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Merge adds the field problems of err, if err is a CodeInvalid *Error,
// under prefix. It reports whether err was absorbed.
func (p *Problems) Merge(prefix string, err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid {
		return false
	}
	if len(e.Fields) == 0 {
		p.Add(join(prefix, e.Field), "%s", e.Message)
		return true
	}
	for _, f := range e.Fields {
		p.list = append(p.list, FieldError{Field: join(prefix, f.Field), Message: f.Message})
	}
	return true
}

func join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	default:
		return prefix + "." + field
	}
}

// Len returns the number of problems recorded.
func (p *Problems) Len() int { return len(p.list) }

// Err returns nil when there are no problems, else one CodeInvalid *Error
// listing all of them; its Field and Message are those of the first.
func (p *Problems) Err(op string) error {
	if len(p.list) == 0 {
		return nil
	}
	fields := make([]FieldError, len(p.list))
	copy(fields, p.list)
	msg := fields[0].Message
	if len(fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more problems)", msg, len(fields)-1)
	}
	return &Error{Code: CodeInvalid, Op: op, Field: fields[0].Field, Message: msg, Fields: fields}
}
