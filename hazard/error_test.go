package hazard_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

func TestErrorIsMatchesSentinelOfItsCode(t *testing.T) {
	sentinels := map[hazard.Code]error{
		hazard.CodeInvalid:         hazard.ErrInvalid,
		hazard.CodeNotFound:        hazard.ErrNotFound,
		hazard.CodeConflict:        hazard.ErrConflict,
		hazard.CodeForbidden:       hazard.ErrForbidden,
		hazard.CodeUnauthenticated: hazard.ErrUnauthenticated,
		hazard.CodeRateLimited:     hazard.ErrRateLimited,
		hazard.CodeInternal:        hazard.ErrInternal,
	}
	for code, sentinel := range sentinels {
		t.Run(string(code), func(t *testing.T) {
			err := hazard.Errorf(code, "something about %s", "it")
			wrapped := fmt.Errorf("outer: %w", err)
			assert.ErrorIs(t, err, sentinel)
			assert.ErrorIs(t, wrapped, sentinel, "through fmt.Errorf %%w")
			assert.ErrorIs(t, sentinel, sentinel)
			for other, s := range sentinels {
				if other != code {
					assert.NotErrorIs(t, err, s, "error of code %s is not %s", code, other)
				}
			}
			assert.Equal(t, code, hazard.ErrorCode(wrapped), "ErrorCode")
		})
	}
	// Is is against sentinels only: an error with a message is no target.
	a := hazard.Errorf(hazard.CodeNotFound, "a")
	b := hazard.Errorf(hazard.CodeNotFound, "b")
	assert.NotErrorIs(t, a, b, "an *Error with a message is not a sentinel")
	assert.NotErrorIs(t, a, io.EOF)
}

func TestErrorAs(t *testing.T) {
	var err error = &hazard.Error{Code: hazard.CodeConflict, Op: "update", Field: "version", Message: "stale", Version: 7}
	err = fmt.Errorf("service: %w", err)
	var e *hazard.Error
	require.True(t, errors.As(err, &e), "errors.As")
	assert.Equal(t, hazard.CodeConflict, e.Code)
	assert.Equal(t, "version", e.Field)
	assert.Equal(t, int64(7), e.Version)
	assert.NotEmpty(t, err.Error())
}

type codedError struct{}

func (codedError) Error() string     { return "coded" }
func (codedError) ErrorCode() string { return "rate_limited" }

func TestErrorCode(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want hazard.Code
	}{
		{"nil", nil, ""},
		{"domain", hazard.Errorf(hazard.CodeForbidden, "no"), hazard.CodeForbidden},
		{"wrapped domain", fmt.Errorf("x: %w", hazard.Errorf(hazard.CodeInvalid, "no")), hazard.CodeInvalid},
		{"foreign", io.ErrUnexpectedEOF, hazard.CodeInternal},
		{"foreign with ErrorCode", codedError{}, hazard.CodeRateLimited},
		{"sentinel", hazard.ErrNotFound, hazard.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, hazard.ErrorCode(c.err))
		})
	}
}

func TestErrorMessage(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"message", hazard.Errorf(hazard.CodeNotFound, "no such hazard"), "no such hazard"},
		{"code only", hazard.ErrRateLimited, "rate limited"},
		{"internal hides its message", &hazard.Error{Code: hazard.CodeInternal, Message: "pq: password wrong"}, "internal error"},
		{"foreign", errors.New("dial tcp 10.0.0.1: refused"), "internal error"},
		{"wrapped", hazard.Wrap("get", hazard.Errorf(hazard.CodeNotFound, "gone")), "gone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, hazard.ErrorMessage(c.err))
		})
	}
}

func TestWrap(t *testing.T) {
	assert.NoError(t, hazard.Wrap("op", nil), "Wrap(nil)")

	cause := io.ErrUnexpectedEOF
	err := hazard.Wrap("read", cause)
	assert.ErrorIs(t, err, hazard.ErrInternal, "foreign errors are internal")
	assert.ErrorIs(t, err, cause, "the cause is kept")
	var e *hazard.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "read", e.Op)
	assert.Equal(t, "internal error", hazard.ErrorMessage(err), "users never see the cause")

	nf := hazard.Errorf(hazard.CodeNotFound, "gone")
	err = hazard.Wrap("get", nf)
	assert.ErrorIs(t, err, hazard.ErrNotFound, "a domain error keeps its code")
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "get", e.Op, "and gains the op")
	assert.Empty(t, nf.Op, "the original is not changed")

	again := hazard.Wrap("outer", err)
	require.True(t, errors.As(again, &e))
	assert.Equal(t, "get", e.Op, "an error with an op keeps it")
}

func TestProblems(t *testing.T) {
	var p hazard.Problems
	assert.NoError(t, p.Err("op"), "no problems: nil")
	assert.Zero(t, p.Len())
	p.Add("description", "is required")
	p.Add("photos[2]", "takes at most %d photos", 9)
	var none hazard.Problems
	assert.False(t, p.Merge("location", none.Err("x")), "Merge(nil) absorbs nothing")
	var inner hazard.Problems
	inner.Add("address", "is required")
	inner.Add("latitude", "must be between -90 and 90")
	assert.True(t, p.Merge("location", inner.Err("location")), "Merge of an invalid error")
	assert.True(t, p.Merge("unit", hazard.Errorf(hazard.CodeInvalid, "too long")), "Merge of an invalid error without fields")
	assert.False(t, p.Merge("x", hazard.Errorf(hazard.CodeNotFound, "gone")), "Merge of another code")
	assert.False(t, p.Merge("x", io.EOF), "Merge of a foreign error")
	assert.Equal(t, 5, p.Len())

	err := p.Err("hazard")
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "description", e.Field, "Field is the first problem's")
	assert.Equal(t, []hazard.FieldError{
		{Field: "description", Message: "is required"},
		{Field: "photos[2]", Message: "takes at most 9 photos"},
		{Field: "location.address", Message: "is required"},
		{Field: "location.latitude", Message: "must be between -90 and 90"},
		{Field: "unit", Message: "too long"},
	}, e.Fields)

	// The error does not alias the collector.
	p.Add("more", "later")
	assert.Len(t, e.Fields, 5, "Fields after adding to the Problems")
}
