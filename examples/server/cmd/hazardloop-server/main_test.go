package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestDemoModeWithDatabase: demo mode is on by default in memory, off with
// a database unless asked for by flag or environment.
func TestDemoModeWithDatabase(t *testing.T) {
	const db = "postgres://localhost/x"
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"memory", nil, nil, true},
		{"memory, off", []string{"-demo=false"}, nil, false},
		{"database flag", []string{"-database-url", db}, nil, false},
		{"database env", nil, map[string]string{"DATABASE_URL": db}, false},
		{"database, demo flag", []string{"-database-url", db, "-demo"}, nil, true},
		{"database, demo env", nil, map[string]string{"DATABASE_URL": db, "HAZARDLOOP_DEMO": "true"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.Demo, "Demo with %v %v", tc.args, tc.env)
		})
	}
}

// TestLimitFlags: the limits of slow clients and of abuse have flags and
// environment variables.
func TestLimitFlags(t *testing.T) {
	cfg, err := config([]string{"-read-timeout", "5s", "-max-conns", "10", "-otp-per-addr-per-hour", "3", "-trust-proxy"},
		func(k string) string {
			return map[string]string{"HAZARDLOOP_UPLOAD_TIMEOUT": "1m", "HAZARDLOOP_VERIFY_PER_USER_PER_HOUR": "2", "HAZARDLOOP_MAX_UPLOADS": "7"}[k]
		}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, cfg.ReadTimeout)
	assert.Equal(t, time.Minute, cfg.UploadTimeout)
	assert.Equal(t, server.DefaultWriteTimeout, cfg.WriteTimeout)
	assert.Equal(t, 10, cfg.MaxConns)
	assert.Equal(t, 7, cfg.MaxUploads)
	assert.Equal(t, 3, cfg.AbuseLimits.OTPPerAddrPerHour)
	assert.Equal(t, 2, cfg.AbuseLimits.VerifyPerUserPerHour)
	assert.True(t, cfg.TrustProxy)
}

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

// TestConfigReadsTheDocumentedOpen311Settings: the settings the Open311
// README documents reach the server's configuration, from the environment
// or from flags (a flag wins).
func TestConfigReadsTheDocumentedOpen311Settings(t *testing.T) {
	env := map[string]string{
		"HAZARDLOOP_OPEN311_JURISDICTION":     "liaocheng.gov.cn",
		"HAZARDLOOP_OPEN311_LANGUAGE":         "zh",
		"HAZARDLOOP_OPEN311_ALLOW_HTTP_MEDIA": "true",
		"HAZARDLOOP_OPEN311_MEDIA_HOSTS":      "127.0.0.1:8081, media.example",
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config(nil, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "liaocheng.gov.cn", cfg.Open311Jurisdiction)
	assert.Equal(t, "zh", cfg.Open311Language)
	assert.True(t, cfg.Open311AllowHTTPMedia)
	assert.Equal(t, []string{"127.0.0.1:8081", "media.example"}, cfg.Open311MediaHosts)

	cfg, err = config([]string{"-open311-language", "en", "-open311-jurisdiction", "x.gov.cn", "-open311-allow-http-media=false"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "en", cfg.Open311Language)
	assert.Equal(t, "x.gov.cn", cfg.Open311Jurisdiction)
	assert.False(t, cfg.Open311AllowHTTPMedia)

	cfg, err = config(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "en", cfg.Open311Language, "default")
	assert.False(t, cfg.Open311AllowHTTPMedia, "plain http media is off unless asked for")

	_, err = config(nil, func(k string) string {
		if k == "HAZARDLOOP_OPEN311_ALLOW_HTTP_MEDIA" {
			return "maybe"
		}
		return ""
	}, io.Discard)
	assert.Error(t, err, "a malformed boolean")
}

// TestRetentionFlags: the retention periods have flags and environment
// variables (a flag wins); an environment value that is no duration stops
// the start, naming the variable.
func TestRetentionFlags(t *testing.T) {
	env := map[string]string{
		"HAZARDLOOP_ORIGINAL_PHOTO_RETENTION": "720h",
		"HAZARDLOOP_LOGIN_CODE_RETENTION":     "2h",
		"HAZARDLOOP_REDELIVERY_WINDOW":        "48h",
	}
	cfg, err := config([]string{"-delivery-log-retention", "240h", "-login-code-retention", "30m"}, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, server.Retention{OriginalPhotos: 720 * time.Hour, LoginCodes: 30 * time.Minute,
		DeliveryLog: 240 * time.Hour, RedeliveryWindow: 48 * time.Hour}, cfg.Retention)

	cfg, err = config(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, server.Retention{OriginalPhotos: server.DefaultOriginalPhotoRetention, LoginCodes: server.DefaultLoginCodeRetention,
		DeliveryLog: server.DefaultDeliveryLogRetention, RedeliveryWindow: server.DefaultRedeliveryWindow}, cfg.Retention, "defaults")

	_, err = config(nil, func(k string) string {
		if k == "HAZARDLOOP_DELIVERY_LOG_RETENTION" {
			return "90 days"
		}
		return ""
	}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HAZARDLOOP_DELIVERY_LOG_RETENTION", "the error names the variable")
}
