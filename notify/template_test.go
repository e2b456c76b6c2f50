package notify_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultTemplatesRenderEveryKey(t *testing.T) {
	tm, err := notify.NewTemplates(notify.DefaultTexts())
	require.NoError(t, err)
	assert.Equal(t, []string{"en", "zh-CN"}, tm.Locales())
	for _, loc := range tm.Locales() {
		for _, k := range notify.Keys() {
			text, err := tm.Render(loc, k, notify.SampleData(k))
			require.NoError(t, err, "Render(%s, %s)", loc, k)
			assert.NotEmpty(t, text)
		}
	}
}

func TestTemplateTexts(t *testing.T) {
	tm := notify.MustTemplates(notify.DefaultTexts())
	tests := []struct {
		name, locale, key string
		data              map[string]string
		want              string
	}{
		{"reward pending zh", "zh-CN", notify.KeyRewardPending,
			map[string]string{"ref": "LC-1", "amount_fen": "5005", "claim_by": "2026-12-08T16:00:00Z"},
			"您上报的隐患（编号 LC-1）获得奖励 ¥50.05，请于 2026年12月9日 00:00 前在“我的—我的奖励—待领”中领取。"},
		{"reward pending en", "en", notify.KeyRewardPending,
			map[string]string{"ref": "LC-1", "amount_fen": "30000000", "claim_by": "2026-12-08T16:00:00Z"},
			"Your hazard report LC-1 earned a reward of ¥300000.00. Claim it under Mine > My rewards > Pending by 9 Dec 2026 00:00 CST."},
		{"closed invalid with reason", "zh-CN", notify.KeyClosedInvalid,
			map[string]string{"ref": "LC-2", "reason": "重复上报"}, "您上报的隐患（编号 LC-2）不予受理，原因：重复上报"},
		{"unknown locale falls back to zh-CN", "fr", notify.KeyReceived,
			map[string]string{"ref": "LC-3"}, "您上报的隐患（编号 LC-3）已收到，我们将尽快转办处理。"},
		{"overdue without deadline", "en", notify.KeyOverdueDepartment,
			map[string]string{"ref": "LC-4", "state": "Being handled", "deadline": ""}, "[Overdue] Hazard LC-4 (Being handled) is overdue; please act now."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tm.Render(tt.locale, tt.key, tt.data)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTemplateErrorsAtSendAreSafe(t *testing.T) {
	tm := notify.MustTemplates(notify.DefaultTexts())
	_, err := tm.Render("zh-CN", "no_such_key", nil)
	require.ErrorIs(t, err, notify.ErrPermanent)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	_, err = tm.Render("zh-CN", notify.KeyRewardPending, map[string]string{"ref": "x"})
	require.ErrorIs(t, err, notify.ErrPermanent, "missing data")
	_, err = tm.Render("zh-CN", notify.KeyRewardPending, map[string]string{"ref": "x", "amount_fen": "1.5", "claim_by": "2026-12-08T16:00:00Z"})
	require.ErrorIs(t, err, notify.ErrPermanent, "amount not in fen")
}

func TestNewTemplatesFailsAtStartUp(t *testing.T) {
	without := func(loc, key string) notify.Texts {
		tx := notify.DefaultTexts()
		delete(tx[loc], key)
		return tx
	}
	with := func(loc, key, src string) notify.Texts {
		tx := notify.DefaultTexts()
		tx[loc][key] = src
		return tx
	}
	noDefault := notify.DefaultTexts()
	delete(noDefault, "zh-CN")
	tests := []struct {
		name  string
		texts notify.Texts
		field string
	}{
		{"missing key in en", without("en", notify.KeyRewardExpired), "en." + notify.KeyRewardExpired},
		{"missing otp in zh", without("zh-CN", notify.KeyOTP), "zh-CN." + notify.KeyOTP},
		{"missing default locale", noDefault, "locales"},
		{"does not parse", with("en", notify.KeyReceived, "{{.ref"), "en." + notify.KeyReceived},
		{"names data never supplied", with("zh-CN", notify.KeyReceived, "{{.reporter_phone}}"), "zh-CN." + notify.KeyReceived},
		{"unknown function", with("en", notify.KeyResolved, "{{money .ref}}"), "en." + notify.KeyResolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := notify.NewTemplates(tt.texts)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var he *hazard.Error
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.field, he.Field)
		})
	}
}

func TestFormatYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "¥0.00", 5: "¥0.05", 5000: "¥50.00", 123456789: "¥1234567.89", -5: "-¥0.05",
		-9223372036854775808: "-¥92233720368547758.08"} {
		assert.Equal(t, want, notify.FormatYuan(fen), "FormatYuan(%d)", fen)
	}
}
