package open311_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestAPIKeyOnlyInTheBody: an api_key in the URL is refused, even with the
// right key in the body too, and nothing is created; the body alone works.
func TestAPIKeyOnlyInTheBody(t *testing.T) {
	e := newEnv(t)
	for _, ext := range []string{"json", "xml"} {
		form := e.validForm()
		r := e.do(http.MethodPost, "/open311/v2/requests."+ext+"?api_key="+url.QueryEscape(testKey), form)
		_, descs := checkErrors(t, ext, r, http.StatusBadRequest)
		assert.Equal(t, []string{"api_key"}, fieldsOf(descs), "api_key in the URL (%s)", ext)
		form.Del("api_key")
		r = e.do(http.MethodPost, "/open311/v2/requests."+ext+"?api_key="+url.QueryEscape(testKey), form)
		checkErrors(t, ext, r, http.StatusBadRequest)
	}
	l, err := e.store.List(t.Context(), hazard.Filter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "reports created with a key in the URL")
	e.submit(e.validForm())
}

// TestPartnerLimit: a partner's reports are limited whatever device_id,
// email or account it names, with Retry-After the real wait.
func TestPartnerLimit(t *testing.T) {
	e := newEnv(t, func(_ *hazard.ServiceConfig, c *open311.Config) {
		c.PartnerLimit = hazard.Limit{Max: 3, Per: time.Hour}
	})
	for i := range 3 {
		form := e.validForm()
		form.Del("email")
		form.Del("phone")
		form.Set("device_id", "device-"+strconv.Itoa(i))
		e.submit(form)
		e.clock.Advance(time.Minute)
	}
	form := e.validForm()
	form.Del("email")
	form.Del("phone")
	form.Set("device_id", "device-new")
	r := e.post("json", form)
	codes, _ := checkErrors(t, "json", r, http.StatusBadRequest)
	assert.Equal(t, []int{http.StatusTooManyRequests}, codes, "a fourth report within the hour, from a new device: %s", r.body)
	assert.Equal(t, strconv.Itoa(int((time.Hour-3*time.Minute)/time.Second)), r.header.Get("Retry-After"), "the wait until the first report leaves the window")
	e.clock.Advance(time.Hour)
	e.submit(form)
}
