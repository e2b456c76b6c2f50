package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Limits of the HTTP adapters.
const (
	// DefaultHTTPTimeout bounds one HTTP request of an adapter.
	DefaultHTTPTimeout = 10 * time.Second
	// MaxResponseBytes is the most of a response body an adapter reads.
	MaxResponseBytes = 64 << 10
)

type httpResult struct {
	status int
	header http.Header
	body   []byte
}

// postJSON posts body as JSON. A transport failure is KindTemporary; the
// context's end is returned as the context's error.
func postJSON(ctx context.Context, client *http.Client, timeout time.Duration, ch Channel, op, url string, body any, header http.Header) (httpResult, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return httpResult{}, Permanent(ch, op, "encode request", err)
	}
	return postBytes(ctx, client, timeout, ch, op, url, b, header)
}

// postBytes posts b as JSON to target. A transport failure is
// KindTemporary, and its cause leaves the URL out: a URL may carry an access
// token (WeChat) or be the recipient's own webhook address.
func postBytes(ctx context.Context, client *http.Client, timeout time.Duration, ch Channel, op, target string, b []byte, header http.Header) (httpResult, error) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return httpResult{}, Permanent(ch, op, "bad URL", nil)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the URL
		}
		if ctx.Err() != nil {
			return httpResult{}, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return httpResult{}, Temporary(ch, op, "timeout", err)
		}
		return httpResult{}, Temporary(ch, op, "request failed", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return httpResult{}, ctx.Err()
		}
		return httpResult{}, Temporary(ch, op, "read response", err)
	}
	return httpResult{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// statusError classifies a non-2xx HTTP status: 429 is rate-limited (with
// Retry-After), 408 and 5xx temporary (503 with Retry-After honoured), 401
// and 403 credentials, other 4xx permanent.
func statusError(ch Channel, op string, r httpResult, now time.Time) error {
	msg := "HTTP " + strconv.Itoa(r.status)
	switch {
	case r.status == http.StatusTooManyRequests:
		return RateLimited(ch, op, msg, parseRetryAfter(r.header.Get("Retry-After"), now))
	case r.status == http.StatusRequestTimeout || r.status >= 500:
		e := Temporary(ch, op, msg, nil)
		e.RetryAfter = parseRetryAfter(r.header.Get("Retry-After"), now)
		return e
	case r.status == http.StatusUnauthorized || r.status == http.StatusForbidden:
		return &Error{Kind: KindCredentials, Channel: ch, Op: op, Message: msg}
	default:
		return Permanent(ch, op, msg, nil)
	}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// httpDefaults fills in what an HTTP adapter's configuration leaves unset:
// a new http.Client, DefaultHTTPTimeout for a timeout not positive, and
// time.Now as the clock.
func httpDefaults(client **http.Client, timeout *time.Duration, clock *func() time.Time) {
	if *client == nil {
		*client = &http.Client{}
	}
	if *timeout <= 0 {
		*timeout = DefaultHTTPTimeout
	}
	if *clock == nil {
		*clock = time.Now
	}
}
