package open311_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

func TestParsePartners(t *testing.T) {
	key := strings.Repeat("k", open311.MinAPIKeyLen)
	key2 := strings.Repeat("j", open311.MinAPIKeyLen)
	tests := []struct {
		name    string
		in      string
		want    open311.StaticPartners
		invalid bool
	}{
		{name: "empty", in: "", want: open311.StaticPartners{}},
		{name: "two with spaces", in: " a:" + key + " , b-2:" + key2 + ",", want: open311.StaticPartners{key: {Name: "a"}, key2: {Name: "b-2"}}},
		{name: "longest key", in: "a:" + strings.Repeat("k", open311.MaxAPIKeyLen), want: open311.StaticPartners{strings.Repeat("k", open311.MaxAPIKeyLen): {Name: "a"}}},
		{name: "no colon", in: "a" + key, invalid: true},
		{name: "short key", in: "a:" + key[1:], invalid: true},
		{name: "long key", in: "a:" + strings.Repeat("k", open311.MaxAPIKeyLen+1), invalid: true},
		{name: "key with a space", in: "a:" + key + " x", invalid: true},
		{name: "key with a colon", in: "a:" + key + ":x", invalid: true},
		{name: "upper-case name", in: "App:" + key, invalid: true},
		{name: "long name", in: strings.Repeat("a", open311.MaxPartnerNameLen+1) + ":" + key, invalid: true},
		{name: "repeated name", in: "a:" + key + ",a:" + key2, invalid: true},
		{name: "repeated key", in: "a:" + key + ",b:" + key, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := open311.ParsePartners(tt.in)
			if tt.invalid {
				require.ErrorIs(t, err, hazard.ErrInvalid)
				assert.NotContains(t, err.Error(), key[1:], "errors never repeat a key")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestStaticPartners(t *testing.T) {
	ctx := context.Background()
	key := strings.Repeat("k", open311.MinAPIKeyLen)
	ps := open311.StaticPartners{key: {Name: "a"}}
	p, err := ps.Partner(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, "a", p.Name)
	for _, bad := range []string{"", key[1:], key + "k", strings.ToUpper(key)} {
		_, err := ps.Partner(ctx, bad)
		require.ErrorIs(t, err, hazard.ErrForbidden, "key %q", bad)
	}
}

func TestDerivedAccounts(t *testing.T) {
	ctx := context.Background()
	a := open311.DerivedAccounts{}
	app := open311.Partner{Name: "app"}
	u1, err := a.Resolve(ctx, open311.Reporter{Partner: app, Email: "Li@Example.org", Phone: "13800138000"})
	require.NoError(t, err)
	assert.Equal(t, "reporter", u1.Role)
	assert.False(t, u1.Verified)
	assert.True(t, strings.HasPrefix(u1.ID, "o311:app:"), u1.ID)
	assert.LessOrEqual(t, len(u1.ID), hazard.MaxUserIDLen)
	assert.NotContains(t, strings.ToLower(u1.ID), "example", "the email never shows in the ID")

	same, err := a.Resolve(ctx, open311.Reporter{Partner: app, Email: "li@example.org"})
	require.NoError(t, err)
	assert.Equal(t, u1.ID, same.ID, "the same email, whatever its case, is the same user")

	tests := []struct {
		name string
		r    open311.Reporter
	}{
		{"other partner", open311.Reporter{Partner: open311.Partner{Name: "other"}, Email: "li@example.org"}},
		{"phone", open311.Reporter{Partner: app, Phone: "13800138000"}},
		{"account", open311.Reporter{Partner: app, AccountID: "li@example.org"}},
		{"device", open311.Reporter{Partner: app, DeviceID: "13800138000"}},
	}
	seen := map[string]string{u1.ID: "email"}
	for _, tt := range tests {
		u, err := a.Resolve(ctx, tt.r)
		require.NoError(t, err, tt.name)
		if prev, ok := seen[u.ID]; ok {
			t.Errorf("%s: the ID %s is also %s's", tt.name, u.ID, prev)
		}
		seen[u.ID] = tt.name
	}
	_, err = a.Resolve(ctx, open311.Reporter{Partner: app, FirstName: "Li"})
	require.ErrorIs(t, err, hazard.ErrInvalid, "a name alone identifies nobody")
}

func TestNewHandlerConfig(t *testing.T) {
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: memstore.New()})
	require.NoError(t, err)
	photos, err := hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: memstore.NewUploads(), Blobs: memblob.New()})
	require.NoError(t, err)
	good := func() open311.Config {
		return open311.Config{Service: svc, Photos: photos, Partners: open311.StaticPartners{}, BaseURL: baseURL}
	}
	_, err = open311.NewHandler(good())
	require.NoError(t, err)
	tests := []struct {
		name   string
		edit   func(c *open311.Config)
		fields []string
	}{
		{"nothing", func(c *open311.Config) { *c = open311.Config{} }, []string{"service", "photos", "partners", "base_url"}},
		{"relative base URL", func(c *open311.Config) { c.BaseURL = "hazards.example" }, []string{"base_url"}},
		{"bad media host", func(c *open311.Config) { c.AllowedMediaHosts = []string{"ok.example", "https://x.example/"} }, []string{"allowed_media_hosts"}},
		{"bad language", func(c *open311.Config) { c.Language = "fr" }, []string{"language"}},
		{"long jurisdiction", func(c *open311.Config) { c.JurisdictionID = strings.Repeat("j", open311.MaxJurisdictionIDLen+1) }, []string{"jurisdiction_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.edit(&c)
			_, err := open311.NewHandler(c)
			require.ErrorIs(t, err, hazard.ErrInvalid)
			var e *hazard.Error
			require.ErrorAs(t, err, &e)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}
