package workflow

import "errors"

// Code classifies an [Error]. Codes are stable strings, safe to send over the wire.
type Code string

// The codes returned by this package.
const (
	// CodeInvalid: a required input is missing, a guard refused, or a definition is malformed.
	CodeInvalid Code = "invalid"
	// CodeConflict: the action is unknown or not allowed from the current state.
	CodeConflict Code = "conflict"
	// CodeForbidden: the actor's role may not take the action.
	CodeForbidden Code = "forbidden"
	// CodeNotFound: no definition is registered under that name and version.
	CodeNotFound Code = "not_found"
	// CodeInternal is what [CodeOf] reports for an error that is not an [*Error].
	CodeInternal Code = "internal"
)

// Sentinels, one per code, to match with errors.Is:
//
//	if errors.Is(err, workflow.ErrConflict) { ... }
var (
	ErrInvalid   error = &Error{Code: CodeInvalid}
	ErrConflict  error = &Error{Code: CodeConflict}
	ErrForbidden error = &Error{Code: CodeForbidden}
	ErrNotFound  error = &Error{Code: CodeNotFound}
)

// Error is the error returned by this package. Message is fit to show a user;
// Action, State and Field name what was at fault where they apply (Field is
// the missing [InputKind], as a string). Err is the cause, if any (for
// example the error a [Guard] returned).
//
// Errors returned by [Definition.Apply] for a refused transition may be shared
// between calls (they are prepared once when the definition is built, so that
// a refusal costs no allocation): treat them as read-only.
type Error struct {
	Code    Code
	Action  string
	State   string
	Field   string
	Message string
	Err     error
}

// Error returns "workflow: " followed by the message and the code.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
		return "workflow: " + msg
	}
	return "workflow: " + msg + " (" + string(e.Code) + ")"
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error that carries only a code (such as
// [ErrConflict]) equal to e's code, so that errors.Is matches by code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && t.Message == "" && t.Action == "" && t.State == "" && t.Field == "" && t.Err == nil
}

// CodeOf returns the code of the first [*Error] in err's chain, "" for a nil
// error, [CodeInvalid] for a [*DefinitionError] and [CodeInternal] for any
// other error.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var de *DefinitionError
	if errors.As(err, &de) {
		return CodeInvalid
	}
	return CodeInternal
}
