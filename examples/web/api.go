package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

const tokenCookie = "hl_token"

// APIError is an error answer of the JSON API, shown on the page as it is.
type APIError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("api %d %s: %s", e.Status, e.Code, e.Message)
}

// recorder is the smallest http.ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// client calls the JSON API in-process, as the visitor whose token the page
// request carries, so that pages see exactly what the API lets that visitor
// see.
type client struct {
	api   http.Handler
	token string
	lang  Lang
}

func (h *Handler) clientFor(r *http.Request) client {
	c := client{api: h.api, lang: langOf(r)}
	if ck, err := r.Cookie(tokenCookie); err == nil {
		c.token = ck.Value
	}
	return c
}

// get calls GET path with the query and decodes the JSON answer into out.
func (c client) get(ctx context.Context, path string, query url.Values, out any) error {
	rec, err := c.send(ctx, path, query, "application/json")
	if err != nil || out == nil {
		return err
	}
	dec := json.NewDecoder(&rec.body)
	dec.UseNumber()
	return dec.Decode(out)
}

// send calls GET path with the query, accepting the media type, and
// returns the answer, or the API's error answer as an *APIError.
func (c client) send(ctx context.Context, path string, query url.Values, accept string) (*recorder, error) {
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.RequestURI = u
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Language", string(c.lang))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := &recorder{header: make(http.Header)}
	c.api.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status >= 400 {
		var body struct {
			Error APIError `json:"error"`
		}
		e := &APIError{Status: rec.status, Code: "internal", Message: strings.TrimSpace(rec.body.String())}
		if json.Unmarshal(rec.body.Bytes(), &body) == nil && body.Error.Code != "" {
			e = &body.Error
			e.Status = rec.status
		}
		return nil, e
	}
	return rec, nil
}
