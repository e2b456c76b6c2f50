package open311

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// maxRedirects is how many redirects a media fetch follows, each to an
// allowed host.
const maxRedirects = 3

// mediaFetcher fetches the photos a POST names by media_url, from allowed
// hosts only, and stores them.
type mediaFetcher struct {
	allowed   map[string]bool
	allowHTTP bool
	client    *http.Client
	blobs     hazard.BlobStore
}

func newMediaFetcher(cfg Config) *mediaFetcher {
	m := &mediaFetcher{allowed: map[string]bool{}, allowHTTP: cfg.AllowHTTPMedia, blobs: cfg.Blobs}
	for _, h := range cfg.AllowedMediaHosts {
		m.allowed[h] = true
	}
	var c http.Client
	if cfg.HTTPClient != nil {
		c = *cfg.HTTPClient
	}
	if c.Timeout == 0 {
		c.Timeout = MediaTimeout
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return errors.New("too many redirects")
		}
		if msg := m.check(req.URL); msg != "" {
			return errors.New("redirected: " + msg)
		}
		return nil
	}
	m.client = &c
	return m
}

// parse checks a media_url and returns it parsed, or a problem.
func (m *mediaFetcher) parse(raw string) (*url.URL, string) {
	if len(raw) > MaxMediaURLLen {
		return nil, fmt.Sprintf("is longer than %d bytes", MaxMediaURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, "must be an absolute https URL of an image"
	}
	if msg := m.check(u); msg != "" {
		return nil, msg
	}
	return u, ""
}

// check reports why u may not be fetched, or "".
func (m *mediaFetcher) check(u *url.URL) string {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && m.allowHTTP:
	default:
		return "must be an https URL"
	}
	if u.User != nil {
		return "must not carry a user name or password"
	}
	host, hostPort := strings.ToLower(u.Hostname()), strings.ToLower(u.Host)
	if !m.allowed[host] && !m.allowed[hostPort] {
		return fmt.Sprintf("the host %q is not an allowed media host of this endpoint", host)
	}
	return ""
}

// fetch downloads one photo: status 200, at most hazard.MaxPhotoSize
// bytes, a JPEG, PNG or WebP image by its content (the server's
// Content-Type is ignored); then stores it. A failure is a problem to
// report against media_url; an error of the blob store is returned as err.
func (m *mediaFetcher) fetch(ctx context.Context, u *url.URL) (ph hazard.Photo, problem string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return hazard.Photo{}, "must be an absolute https URL of an image", nil
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/webp")
	resp, err := m.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return hazard.Photo{}, "could not be fetched in time", nil
		}
		var ue *url.Error
		if errors.As(err, &ue) && strings.HasPrefix(ue.Err.Error(), "redirected: ") {
			return hazard.Photo{}, ue.Err.Error(), nil
		}
		return hazard.Photo{}, "could not be fetched", nil
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return hazard.Photo{}, fmt.Sprintf("could not be fetched: the media host answered %d", resp.StatusCode), nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, hazard.MaxPhotoSize+1))
	if err != nil {
		return hazard.Photo{}, "could not be read to its end", nil
	}
	switch {
	case len(b) == 0:
		return hazard.Photo{}, "is empty", nil
	case len(b) > hazard.MaxPhotoSize:
		return hazard.Photo{}, fmt.Sprintf("is larger than %d bytes", hazard.MaxPhotoSize), nil
	}
	ct := hazard.SniffPhoto(b)
	if ct == "" {
		return hazard.Photo{}, "is not a JPEG, PNG or WebP image", nil
	}
	info, err := m.blobs.Put(ctx, bytes.NewReader(b), ct)
	if err != nil {
		return hazard.Photo{}, "", err
	}
	return hazard.Photo{SHA256: info.Key, ContentType: ct, Size: info.Size}, "", nil
}
