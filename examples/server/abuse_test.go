package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/server"
)

// TestLoginCodeAbuse: login codes are limited per network address, per
// phone prefix and per server in an hour, whatever the phone, and the
// refusal's Retry-After is the real wait, on memory and PostgreSQL.
func TestLoginCodeAbuse(t *testing.T) {
	for _, name := range []string{"per address", "per prefix", "per server", "forwarded address only behind a trusted proxy"} {
		t.Run(name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, backend func(*server.Config)) { testLoginCodeAbuse(t, name, backend) })
		})
	}
}

func testLoginCodeAbuse(t *testing.T, name string, backend func(*server.Config)) {
	code := func(s *testServer, phone string, headers ...string) response {
		return s.do("POST", "/api/v1/auth/code", "", map[string]string{"phone": phone}, headers...)
	}
	run := func(n string, f func(t *testing.T)) {
		if n == name {
			f(t)
		}
	}
	run("per address", func(t *testing.T) {
		clk := newClock()
		s := startServer(t, backend, func(c *server.Config) {
			c.Clock = clk.Now
			c.AbuseLimits = server.AbuseLimits{OTPPerAddrPerHour: 3}
		})
		for i := range 3 {
			r := code(s, fmt.Sprintf("1350000%04d", i*1000)) // another prefix each time
			require.Equal(t, http.StatusAccepted, r.status, "code %d: %s", i, r.body)
			clk.Advance(10 * time.Minute)
		}
		r := code(s, "13600000000")
		assert.Equal(t, http.StatusTooManyRequests, r.status, "a fourth code from one address, to a new phone: %s", r.body)
		assert.Equal(t, strconv.Itoa(int((30*time.Minute)/time.Second)), r.header.Get("Retry-After"),
			"the wait until the first code of the hour leaves the window")
		clk.Advance(30 * time.Minute)
		assert.Equal(t, http.StatusAccepted, code(s, "13600000000").status, "a code once the wait is over")
	})
	run("per prefix", func(t *testing.T) {
		s := startServer(t, backend, func(c *server.Config) {
			c.AbuseLimits = server.AbuseLimits{OTPPerPrefixPerHour: 2}
		})
		require.Equal(t, http.StatusAccepted, code(s, "13712340001").status)
		require.Equal(t, http.StatusAccepted, code(s, "13712340002").status)
		r := code(s, "13712340003")
		assert.Equal(t, http.StatusTooManyRequests, r.status, "a third code to one prefix: %s", r.body)
		assert.Equal(t, "3600", r.header.Get("Retry-After"), "the wait of the prefix limit")
		assert.Equal(t, http.StatusAccepted, code(s, "13712350003").status, "another prefix")
	})
	run("per server", func(t *testing.T) {
		s := startServer(t, backend, func(c *server.Config) {
			c.AbuseLimits = server.AbuseLimits{OTPPerHour: 2}
			c.TrustProxy = true
		})
		require.Equal(t, http.StatusAccepted, code(s, "13812340001", "X-Forwarded-For", "203.0.113.1").status)
		require.Equal(t, http.StatusAccepted, code(s, "13912340001", "X-Forwarded-For", "203.0.113.2").status)
		r := code(s, "15012340001", "X-Forwarded-For", "203.0.113.3")
		assert.Equal(t, http.StatusTooManyRequests, r.status, "a third code this hour from anywhere: %s", r.body)
	})
	run("forwarded address only behind a trusted proxy", func(t *testing.T) {
		s := startServer(t, backend, func(c *server.Config) {
			c.AbuseLimits = server.AbuseLimits{OTPPerAddrPerHour: 1}
		})
		require.Equal(t, http.StatusAccepted, code(s, "13812340001", "X-Forwarded-For", "203.0.113.1").status)
		r := code(s, "13912350001", "X-Forwarded-For", "203.0.113.2")
		assert.Equal(t, http.StatusTooManyRequests, r.status, "X-Forwarded-For from an untrusted client changes nothing: %s", r.body)
	})
}

// TestVerifyAbuse: real-name verification is limited per user and per
// address: the sixth well-formed try within an hour is 429, right or wrong
// (a malformed number is refused before and takes nothing).
func TestVerifyAbuse(t *testing.T) {
	t.Run("per user", func(t *testing.T) { forEachBackend(t, testVerifyPerUser) })
	t.Run("per address", func(t *testing.T) { forEachBackend(t, testVerifyPerAddr) })
}

func testVerifyPerUser(t *testing.T, backend func(*server.Config)) {
	// A clock that stands still: the wait Retry-After names is exact however
	// long the tries take.
	clk := newClock()
	s := startServer(t, backend, func(c *server.Config) { c.Clock = clk.Now })
	tok := s.phoneLogin("13800001111")
	var r response
	tries := 0
	for tries = 1; tries <= 50; tries++ {
		r = s.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": withCheck(fmt.Sprintf("11010519491231%03d", tries))})
		if r.status == http.StatusTooManyRequests {
			break
		}
		require.Less(t, r.status, 500, "try %d: %s", tries, r.body)
	}
	assert.Equal(t, server.DefaultVerifyPerUserPerHour+1, tries, "the try refused first")
	assert.Equal(t, "rate_limited", r.errCode(t))
	assert.Equal(t, "3600", r.header.Get("Retry-After"), "Retry-After of the refused verification")

}

func testVerifyPerAddr(t *testing.T, backend func(*server.Config)) {
	s2 := startServer(t, backend, func(c *server.Config) {
		c.AbuseLimits = server.AbuseLimits{VerifyPerAddrPerHour: 2}
	})
	for i, phone := range []string{"13800002221", "13800002222", "13800002223"} {
		tok := s2.phoneLogin(phone)
		r := s2.do("POST", "/api/v1/me/verify", tok, map[string]string{"name": "王五", "resident_id": withCheck(fmt.Sprintf("11010519491231%03d", i))})
		if i < 2 {
			assert.NotEqual(t, http.StatusTooManyRequests, r.status, "verification %d from one address", i)
		} else {
			assert.Equal(t, http.StatusTooManyRequests, r.status, "a third verification from one address, as another user: %s", r.body)
		}
	}
}
