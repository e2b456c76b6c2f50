package wechatpay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reward/wechatpay"
	"github.com/hazardloop/hazardloop/reward/wechatpay/membills"
	"github.com/hazardloop/hazardloop/reward/wechatpay/wechatpaytest"
)

// fields returns the fields a CodeInvalid error names.
func fields(t *testing.T, err error) []string {
	t.Helper()
	require.ErrorIs(t, err, hazard.ErrInvalid)
	var e *hazard.Error
	require.True(t, errors.As(err, &e))
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestConfigNamesEveryMissingSetting(t *testing.T) {
	var c wechatpay.Config
	got := fields(t, c.Validate())
	for _, want := range []string{"app_id", "mch_id", "mch_cert_serial", "mch_private_key", "api_v3_key",
		"platform_public_key", "platform_public_key_id", "scene_id", "report_infos", "notify_url"} {
		assert.Contains(t, got, want)
	}

	full := wechatpaytest.NewServer(t).Config()
	require.NoError(t, full.Validate())
	for _, tc := range []struct {
		field  string
		change func(c *wechatpay.Config)
	}{
		{"app_id", func(c *wechatpay.Config) { c.AppID = "" }},
		{"mch_id", func(c *wechatpay.Config) { c.MchID = "" }},
		{"mch_cert_serial", func(c *wechatpay.Config) { c.MchCertSerial = "" }},
		{"mch_private_key", func(c *wechatpay.Config) { c.MchPrivateKey = "" }},
		{"mch_private_key", func(c *wechatpay.Config) { c.MchPrivateKey = "not a key" }},
		{"mch_private_key", func(c *wechatpay.Config) { c.MchPrivateKeyFile = "/key.pem" }},
		{"mch_private_key_file", func(c *wechatpay.Config) {
			c.MchPrivateKey, c.MchPrivateKeyFile = "", filepath.Join(t.TempDir(), "missing.pem")
		}},
		{"api_v3_key", func(c *wechatpay.Config) { c.APIv3Key = "" }},
		{"api_v3_key", func(c *wechatpay.Config) { c.APIv3Key = "short" }},
		{"platform_public_key", func(c *wechatpay.Config) { c.PlatformPublicKey = "" }},
		{"platform_public_key", func(c *wechatpay.Config) {
			c.PlatformPublicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
		}},
		{"platform_public_key_id", func(c *wechatpay.Config) { c.PlatformPublicKeyID = "" }},
		{"scene_id", func(c *wechatpay.Config) { c.SceneID = "" }},
		{"report_infos", func(c *wechatpay.Config) { c.ReportInfos = nil }},
		{"report_infos", func(c *wechatpay.Config) { c.ReportInfos = []wechatpay.ReportInfo{{Type: "活动名称"}} }},
		{"report_infos", func(c *wechatpay.Config) {
			c.ReportInfos = make([]wechatpay.ReportInfo, wechatpay.MaxReportInfos+1)
			for i := range c.ReportInfos {
				c.ReportInfos[i] = wechatpay.ReportInfo{Type: "t", Content: "c"}
			}
		}},
		{"report_infos", func(c *wechatpay.Config) {
			c.ReportInfos = []wechatpay.ReportInfo{{Type: "活动名称", Content: strings.Repeat("长", wechatpay.MaxReportInfoLen+1)}}
		}},
		{"perception", func(c *wechatpay.Config) { c.Perception = strings.Repeat("奖", wechatpay.MaxPerceptionLen+1) }},
		{"notify_url", func(c *wechatpay.Config) { c.NotifyURL = "" }},
		{"notify_url", func(c *wechatpay.Config) { c.NotifyURL = "/relative" }},
		{"base_url", func(c *wechatpay.Config) { c.BaseURL = "not a url" }},
	} {
		c := full
		tc.change(&c)
		assert.Equal(t, []string{tc.field}, fields(t, c.Validate()), "changed %s", tc.field)
		_, err := wechatpay.New(c, membills.New(), payees)
		assert.ErrorIs(t, err, hazard.ErrInvalid, "New refuses what Validate refuses (%s)", tc.field)
	}
	_, err := wechatpay.New(full, nil, nil)
	assert.ElementsMatch(t, []string{"bills", "payees"}, fields(t, err))
}

func TestConfigKeysFromFiles(t *testing.T) {
	c := wechatpaytest.NewServer(t).Config()
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "apiclient_key.pem"), filepath.Join(dir, "pub_key.pem")
	require.NoError(t, os.WriteFile(priv, []byte(c.MchPrivateKey), 0o600))
	require.NoError(t, os.WriteFile(pub, []byte(c.PlatformPublicKey), 0o600))
	c.MchPrivateKey, c.MchPrivateKeyFile = "", priv
	c.PlatformPublicKey, c.PlatformPublicKeyFile = "", pub
	require.NoError(t, c.Validate())
}

// secrets returns the parts of c that must never show in an error, a
// print or a log: the key material.
func secrets(c wechatpay.Config) []string {
	lines := strings.Split(string(c.MchPrivateKey), "\n")
	return []string{string(c.APIv3Key), lines[1], lines[len(lines)/2]}
}

func TestNothingSecretIsPrintedOrLogged(t *testing.T) {
	srv := wechatpaytest.NewServer(t)
	c := srv.Config()
	var logs bytes.Buffer
	c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	js, err := json.Marshal(map[string]any{"key": c.MchPrivateKey, "api_v3_key": c.APIv3Key})
	require.NoError(t, err)
	printed := []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s %q %x", c.MchPrivateKey, c.APIv3Key, c.APIv3Key), string(js)}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("configuration", "config", c, "key", c.MchPrivateKey, "api_v3_key", c.APIv3Key)
	c.Logger.Info("configuration", "key", c.MchPrivateKey, "api_v3_key", c.APIv3Key)
	printed = append(printed, text.String())

	// Errors of a configuration whose secrets are malformed.
	bad := c
	bad.APIv3Key = wechatpay.Secret(string(c.APIv3Key) + "x")
	bad.MchPrivateKey = wechatpay.Secret(strings.Replace(string(c.MchPrivateKey), "PRIVATE KEY", "RSA KEY", 1))
	printed = append(printed, bad.Validate().Error())

	// The logs and errors of a run, callbacks and failures included.
	p, err := wechatpay.New(c, membills.New(), payees)
	require.NoError(t, err)
	req := request(wechatpay.RealNameFrom)
	res, err := p.Pay(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, res.Package)
	b, err := p.Bills().Latest(ctx, req.IdempotencyKey)
	require.NoError(t, err)
	require.NoError(t, srv.Confirm(b.OutBillNo))
	h := p.Callback(nil)
	for _, o := range []wechatpaytest.CallbackOptions{{}, {Forged: true}, {At: time.Now().Add(-time.Hour)}} {
		cb, err := srv.CallbackRequest(b.OutBillNo, o)
		require.NoError(t, err)
		deliver(h, cb)
	}
	srv.FailNext(500, "SYSTEM_ERROR")
	_, err = p.Pay(ctx, request(100))
	require.Error(t, err)
	printed = append(printed, err.Error(), logs.String())
	require.NotEmpty(t, logs.String(), "the run logged")

	for _, s := range printed {
		for _, secret := range secrets(c) {
			assert.NotContains(t, s, secret)
		}
		assert.NotContains(t, s, RealName, "no real name")
	}
}
