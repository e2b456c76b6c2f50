package risk_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/risk"
)

func TestCreditCheckChar(t *testing.T) {
	// The example of GB 32100-2015 and published codes of real companies.
	for _, code := range []string{"91350100M000100Y43", "91110108551385082Q", "913100007109271779"} {
		c, ok := risk.CreditCheckChar(code[:17])
		require.True(t, ok, code)
		assert.Equal(t, code[17], c, "check character of %s", code)
		assert.NoError(t, risk.CheckCreditCode(code), code)
	}
	_, ok := risk.CreditCheckChar("9135010")
	assert.False(t, ok, "short body")
	_, ok = risk.CreditCheckChar("91350100M000100O4")
	assert.False(t, ok, "O is not in the alphabet")
}

func TestCheckCreditCodeRefuses(t *testing.T) {
	for _, tt := range []struct{ name, code string }{
		{"empty", ""},
		{"17 characters", "91350100M000100Y4"},
		{"19 characters", "91350100M000100Y433"},
		{"wrong check character", "91350100M000100Y44"},
		{"lower case", "91350100m000100Y43"},
		{"I", "91350100I000100Y43"},
		{"O", "91350100O000100Y43"},
		{"S", "91350100S000100Y43"},
		{"V", "91350100V000100Y43"},
		{"Z", "91350100Z000100Y43"},
		{"non-ASCII", "9135010０M000100Y4"},
	} {
		err := risk.CheckCreditCode(tt.code)
		require.ErrorIs(t, err, hazard.ErrInvalid, tt.name)
		var e *hazard.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "credit_code", e.Field, tt.name)
	}
	assert.Equal(t, "91350100M000100Y43", risk.NormalizeCreditCode(" 91350100m000100y43 "))
}

func TestGradeSteps(t *testing.T) {
	assert.Equal(t, risk.Red, risk.Orange.Step(1))
	assert.Equal(t, risk.Red, risk.Red.Step(1), "never above red")
	assert.Equal(t, risk.Blue, risk.Yellow.Step(-3), "never below blue")
	assert.Equal(t, risk.Orange, risk.Blue.Max(risk.Orange))
	assert.False(t, risk.Grade("pink").Valid())
	assert.Equal(t, "重大风险", risk.Red.ZH())
}
