package notify_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorClassification(t *testing.T) {
	perm := notify.Permanent(notify.ChannelWeChat, "op", "refused", nil)
	temp := notify.Temporary(notify.ChannelSMS, "op", "5xx", nil)
	rl := notify.RateLimited(notify.ChannelSMS, "op", "429", 3*time.Second)
	cred := &notify.Error{Kind: notify.KindCredentials}
	tests := []struct {
		name      string
		err       error
		retryable bool
		final     bool
		after     time.Duration
	}{
		{"nil", nil, false, false, 0},
		{"permanent", perm, false, true, 0},
		{"temporary", temp, true, false, 0},
		{"rate limited", rl, true, false, 3 * time.Second},
		{"credentials", cred, true, false, 0},
		{"wrapped rate limited", fmt.Errorf("ctx: %w", rl), true, false, 3 * time.Second},
		{"context canceled", context.Canceled, false, false, 0},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false, false, 0},
		{"foreign", errors.New("boom"), false, false, 0},
		{"joined all permanent", errors.Join(perm, perm), false, true, 0},
		{"joined permanent and rate limited", errors.Join(perm, rl), true, false, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.retryable, notify.Retryable(tt.err), "Retryable")
			assert.Equal(t, tt.final, notify.Final(tt.err), "Final")
			assert.Equal(t, tt.after, notify.RetryAfter(tt.err), "RetryAfter")
		})
	}
}

func TestErrorMatchesSentinels(t *testing.T) {
	rl := notify.RateLimited(notify.ChannelSMS, "op", "429", time.Second)
	require.ErrorIs(t, rl, notify.ErrRateLimited)
	require.ErrorIs(t, rl, hazard.ErrRateLimited)
	assert.NotErrorIs(t, rl, notify.ErrPermanent)
	assert.Equal(t, hazard.CodeRateLimited, hazard.ErrorCode(rl))

	perm := notify.Permanent(notify.ChannelSMS, "op", "bad phone", nil)
	require.ErrorIs(t, perm, notify.ErrPermanent)
	require.ErrorIs(t, perm, hazard.ErrInvalid)
	assert.NotErrorIs(t, perm, hazard.ErrRateLimited)

	temp := notify.Temporary(notify.ChannelSMS, "op", "busy", errors.New("eof"))
	require.ErrorIs(t, temp, notify.ErrTemporary)
	require.ErrorIs(t, temp, hazard.ErrInternal)
	assert.NotEmpty(t, temp.Error())
}
