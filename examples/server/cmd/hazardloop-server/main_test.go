package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestHalfFilledWeChatPay: the server refuses to start with part of the
// WeChat Pay settings, names what is missing, and prints no secret.
func TestHalfFilledWeChatPay(t *testing.T) {
	const apiKey = "0123456789abcdef0123456789abcdef"
	env := map[string]string{
		"HAZARDLOOP_DEMO":                 "false",
		"HAZARDLOOP_WECHAT_APP_ID":        "wx0000000000000001",
		"HAZARDLOOP_WECHAT_SECRET":        "app-secret-never-printed",
		"HAZARDLOOP_WECHATPAY_MCH_ID":     "1900000001",
		"HAZARDLOOP_WECHATPAY_API_V3_KEY": apiKey,
	}
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer stderr.Close()
	err = run([]string{"-addr", "127.0.0.1:0", "-wechatpay-report-infos", "活动名称=隐患举报奖励"},
		func(k string) string { return env[k] }, stderr)
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var he *hazard.Error
	require.True(t, errors.As(err, &he))
	var fields []string
	for _, f := range he.Fields {
		fields = append(fields, f.Field)
	}
	for _, want := range []string{"mch_cert_serial", "mch_private_key", "platform_public_key", "platform_public_key_id", "scene_id", "notify_url"} {
		assert.Contains(t, fields, want, "missing settings named")
	}
	assert.NotContains(t, fields, "api_v3_key", "the API v3 key came from the environment")
	assert.NotContains(t, fields, "app_id", "the app ID came from the WeChat login settings")
	out, rerr := os.ReadFile(stderr.Name())
	require.NoError(t, rerr)
	for _, secret := range []string{apiKey, "app-secret-never-printed"} {
		assert.NotContains(t, string(out)+err.Error(), secret)
	}
}

func TestReportInfos(t *testing.T) {
	got, err := reportInfos("活动名称=隐患举报奖励; 奖励说明 = 核实的隐患举报;")
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, "奖励说明", got[1].Type)
	assert.Equal(t, "核实的隐患举报", got[1].Content)
	_, err = reportInfos("no-equals")
	assert.Error(t, err)
}
