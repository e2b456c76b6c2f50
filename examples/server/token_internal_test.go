package server

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenCheckRemembersOnlyVerifiedTokens: a remembered check still
// refuses the token once it has expired; a forged token is never
// remembered; the memory is bounded by maxCheckedTokens.
func TestTokenCheckRemembersOnlyVerifiedTokens(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	tk := &tokens{secret: bytes.Repeat([]byte("s"), 32), ttl: time.Hour, now: func() time.Time { return now }}
	tok := tk.issue("citizen-1")
	for range 2 { // the second check is answered from memory
		sub, err := tk.check(tok)
		require.NoError(t, err)
		assert.Equal(t, "citizen-1", sub)
	}
	p, _, _ := strings.Cut(tok, ".")
	forged := p + "." + b64.EncodeToString(bytes.Repeat([]byte{1}, 32))
	for range 2 {
		_, err := tk.check(forged)
		require.Error(t, err, "a forged token")
	}
	_, remembered := tk.checked.Load(forged)
	assert.False(t, remembered, "a forged token is not remembered")

	now = now.Add(time.Hour)
	_, err := tk.check(tok)
	require.Error(t, err, "an expired token, checked before")

	now = now.Add(-time.Hour)
	for i := range maxCheckedTokens + 5 {
		_, err := tk.check(tk.issue(strings.Repeat("u", 1+i%7) + string(rune('a'+i%26)) + time.Duration(i).String()))
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, tk.nchecked.Load(), int64(maxCheckedTokens), "the memory is bounded")
}
