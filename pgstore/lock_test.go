package pgstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTryLock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := newDB(t)
	other := newDB(t) // another schema: its locks are separate

	unlock, ok, err := db.TryLock(ctx, "relay:notify")
	require.NoError(t, err)
	require.True(t, ok, "TryLock of a free lock")

	_, ok, err = db.TryLock(ctx, "relay:notify")
	require.NoError(t, err)
	assert.False(t, ok, "TryLock of a held lock")

	u2, ok, err := db.TryLock(ctx, "relay:reward")
	require.NoError(t, err)
	assert.True(t, ok, "TryLock of another name")
	u2()

	u3, ok, err := other.TryLock(ctx, "relay:notify")
	require.NoError(t, err)
	assert.True(t, ok, "TryLock of the same name in another schema")
	u3()

	unlock()
	unlock() // a second call does nothing

	u4, ok, err := db.Hazards().TryLock(ctx, "relay:notify")
	require.NoError(t, err)
	assert.True(t, ok, "TryLock after unlock")
	u4()
}
