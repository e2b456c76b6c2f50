package web_test

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// page gets path with the token cookie, following no redirect.
func page(t *testing.T, base, path, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "hl_token", Value: token})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

// TestWorkPages: the regulators' pages need a login, show what the API
// lets each user see (a unit's manager only their own unit), download the
// ledger as the API's CSV, draw the figures' chart and switch to English.
func TestWorkPages(t *testing.T) {
	base := startServer(t)
	insp, unit, other := demoToken(t, base, "inspector-1"), demoToken(t, base, "unit-1"), demoToken(t, base, "unit-2")
	unitPath := "/work/units/" + server.DemoUnitID(1)

	for _, p := range []string{"/work", unitPath, "/work/ledger", "/work/ledger.csv", "/work/figures", "/work/spot-checks"} {
		res, _ := page(t, base, p, "")
		assert.Equal(t, http.StatusSeeOther, res.StatusCode, "%s without a login", p)
		assert.True(t, strings.HasPrefix(res.Header.Get("Location"), "/login?next="), "%s goes to the login page", p)
	}

	res, _ := page(t, base, "/work", unit)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "a unit's manager goes to their unit")
	assert.Equal(t, unitPath, res.Header.Get("Location"))
	res, body := page(t, base, unitPath, unit)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, body, `data-kind="self_check"`, "the unit's own page offers a self-check")
	res, _ = page(t, base, unitPath, other)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "another unit's page")
	res, _ = page(t, base, "/work/ledger", unit)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "a unit reads no ledger")

	res, body = page(t, base, unitPath, insp)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, body, `data-kind="enforcement"`)
	assert.Contains(t, body, `id="grade-steps"`)

	res, body = page(t, base, "/work/ledger?department=emergency", insp)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, body, `href="/work/ledger.csv?department=emergency"`)
	res, body = page(t, base, "/work/ledger.csv?department=emergency", insp)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv"))
	assert.Contains(t, res.Header.Get("Content-Disposition"), "attachment")
	assert.True(t, bytes.HasPrefix([]byte(body), []byte("\uFEFFref,")), "the API's CSV with one byte order mark: %q", body[:min(len(body), 20)])

	res, body = page(t, base, "/work/figures?since=2026-01-01&until=2027-01-01", insp)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, 8, strings.Count(body, `class="bar bar-`), "one bar per figure")
	assert.Contains(t, body, "执法检查")
	_, body = page(t, base, "/work/figures?lang=en", insp)
	assert.Contains(t, body, "Campaign figures")
	res, body = page(t, base, "/work/figures?since=2027-01-01&until=2026-01-01", insp)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "the API's refusal shows: %s", body)
}

// TestWorkListsPaged: the ledger page shows a page of the demo city's
// ledger with the counts of the whole and a link to the next page that
// keeps the filters; the spot checks page lists what the API lets each
// user see, with its filters, and refuses a unit.
func TestWorkListsPaged(t *testing.T) {
	base := startServer(t)
	admin, sup, unit := demoToken(t, base, "admin-1"), demoToken(t, base, "supervisor-1"), demoToken(t, base, "unit-1")

	res, body := page(t, base, "/work/ledger?since=2000-01-01", admin)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, 50, strings.Count(body, `<tr><th scope="row">`), "a page of the ledger")
	i := strings.Index(body, `id="ledger-next" href="`)
	require.Positive(t, i, "a link to the next page")
	next := html.UnescapeString(body[i+len(`id="ledger-next" href="`):])
	next = next[:strings.Index(next, `"`)]
	assert.Contains(t, next, "since=2000-01-01", "the next page keeps the filters")
	assert.Contains(t, next, "cursor=")
	assert.Contains(t, body, `href="/work/ledger.csv?since=2000-01-01"`, "the CSV has every row, no cursor")
	res, body2 := page(t, base, next, admin)
	require.Equal(t, http.StatusOK, res.StatusCode, body2)
	assert.Positive(t, strings.Count(body2, `<tr><th scope="row">`), "the next page has the rest")
	counts := func(b string) string {
		return b[strings.Index(b, `id="ledger-counts"`):strings.Index(b, `id="ledger"`)]
	}
	assert.Equal(t, counts(body), counts(body2), "every page shows the counts of the whole ledger")

	res, body = page(t, base, "/work/spot-checks?status=done&verdict=failed&lang=en", sup)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, body, `id="spot-list"`)
	assert.Contains(t, body, `id="draw-form"`)
	assert.Contains(t, body, `<option value="failed" selected>`, "the filters show what was asked")
	res, body = page(t, base, "/work/spot-checks", demoToken(t, base, "inspector-1"))
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	res, _ = page(t, base, "/work/spot-checks", unit)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "a unit lists no spot checks")
	res, _ = page(t, base, "/work/spot-checks?status=lost", sup)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "the API's refusal shows")
}
