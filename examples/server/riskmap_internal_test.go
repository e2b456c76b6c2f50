package server

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRiskMapEncoding: the risk map's encoder writes strings and numbers
// byte for byte as encoding/json does, so that its answers are the
// encoding of the Feature types.
func TestRiskMapEncoding(t *testing.T) {
	for _, s := range []string{
		"", "聊城市化工仓储有限公司", `say "hi" \ back`, "<script>alert(1)</script> & co", "tab\tnew\nline\rcr",
		"\x00\x01\x1f\x7f", "line\u2028para\u2029", "bad \xff utf-8 \xc3", "emoji 🚒", "#d7191c",
	} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendString(nil, s)), "appendString(%q)", s)
	}
	for _, f := range []float64{0, 1, -1, 116.39745, -33.86785, 36.45991, 180, -180, 90, 1e-7, 123456789.125, math.Copysign(0, -1), 1e21, 5e-324} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendFloat(nil, f)), "appendFloat(%v)", f)
	}
}
