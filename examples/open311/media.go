package open311

import (
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
// hosts only, and takes them as uploads (hazard.Photos).
type mediaFetcher struct {
	allowed   map[string]bool
	allowHTTP bool
	client    *http.Client
	photos    *hazard.Photos
}

func newMediaFetcher(cfg Config) *mediaFetcher {
	m := &mediaFetcher{allowed: map[string]bool{}, allowHTTP: cfg.AllowHTTPMedia, photos: cfg.Photos}
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

// fetch downloads one photo (status 200) and takes it as an upload of
// user (hazard.Photos.Upload: at most hazard.MaxPhotoSize bytes, a JPEG,
// PNG or WebP image by its content, the server's Content-Type ignored),
// streaming the body into it. It returns the upload's key. A failure is a
// problem to report against media_url; an error of the stores is err.
func (m *mediaFetcher) fetch(ctx context.Context, user hazard.User, u *url.URL) (key, problem string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", "must be an absolute https URL of an image", nil
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/webp")
	resp, err := m.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", "could not be fetched in time", nil
		}
		var ue *url.Error
		if errors.As(err, &ue) && strings.HasPrefix(ue.Err.Error(), "redirected: ") {
			return "", ue.Err.Error(), nil
		}
		return "", "could not be fetched", nil
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Sprintf("could not be fetched: the media host answered %d", resp.StatusCode), nil
	}
	body := &readErr{r: resp.Body}
	key, problem, err = uploadPhoto(ctx, m.photos, user, body)
	switch {
	case err != nil && ctx.Err() != nil:
		return "", "could not be fetched in time", nil
	case err != nil && body.err != nil:
		return "", "could not be read to its end", nil // the media host's failure, not ours
	}
	return key, problem, err
}

// readErr remembers the first error other than io.EOF its reader returned.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}
