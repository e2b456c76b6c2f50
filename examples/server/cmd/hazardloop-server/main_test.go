package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
