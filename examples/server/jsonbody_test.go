package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMalformedArrayBody: a body whose array values lack their commas is
// answered 400 (the duplicate-key walk used to spin on it forever).
func TestMalformedArrayBody(t *testing.T) {
	s := startServer(t)
	u := s.login("citizen-1")
	for _, body := range []string{
		`{"category":"fire","photos":["a" "b"]}`,
		`[1 2]`,
	} {
		r := s.do("POST", "/api/v1/reports", u, body)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", body, r.body)
	}
}
