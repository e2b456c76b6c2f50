package open311

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memlimit"
)

// Service is what the handler needs of a *hazard.Service: its use cases,
// never its store.
type Service interface {
	Submit(ctx context.Context, user hazard.User, in hazard.SubmitInput, idempotencyKey string) (hazard.Hazard, error)
	Categories() *hazard.Categories
	Department(code string) (hazard.Department, bool)
	Processes() *hazard.Processes
	PublicView(ctx context.Context, ref string) (hazard.PublicHazard, error)
	PublicList(ctx context.Context, f hazard.PublicFilter, p hazard.Page) (hazard.PublicList, error)
	PublicHistory(ctx context.Context, ref string) (hazard.PublicHazard, []hazard.PublicStep, error)
	PublicUpdates(ctx context.Context, q hazard.UpdatesQuery) ([]hazard.PublicStep, error)
}

var _ Service = (*hazard.Service)(nil)

// Language chooses the language of names: service_name and
// agency_responsible are given in it, and the other language's name goes in
// the service's description.
type Language string

// The languages.
const (
	English Language = "en"
	Chinese Language = "zh"
)

// Defaults and limits of a Config and of requests.
const (
	// DefaultPrefix is where the handler is mounted.
	DefaultPrefix = "/open311/v2"
	// DefaultWindow is the span of requested_datetime a GET requests
	// covers when start_date and end_date are missing, and the widest span
	// they may give (the specification's 90 days).
	DefaultWindow = 90 * 24 * time.Hour
	// MaxPageSize is the most requests or updates one response holds: the
	// specification's default limit of 1000; also the default page_size.
	MaxPageSize = 1000
	// MaxRequestIDs is the most service_request_id values one GET takes.
	MaxRequestIDs = 100
	// MaxFormBytes bounds a POST body.
	MaxFormBytes = 64 << 10
	// MaxMediaURLs is how many photos one POST takes, media_url values and
	// media files together (our extension: the specification has one; a
	// hazard takes up to hazard.MaxPhotos photos).
	MaxMediaURLs = hazard.MaxPhotos
	// MaxMediaBytes bounds a multipart POST body: the form and up to
	// MaxMediaURLs media files of at most hazard.MaxPhotoSize each, with
	// room for their part headers. Files are kept on disk, not in memory,
	// beyond MaxFormBytes.
	MaxMediaBytes = MaxFormBytes + MaxMediaURLs*(hazard.MaxPhotoSize+4<<10)
	// MaxMediaURLLen bounds one media_url, in bytes.
	MaxMediaURLLen = 2048
	// MediaTimeout bounds the fetch of all the media of one POST.
	MediaTimeout = 20 * time.Second
	// MaxEmailLen, MaxAccountIDLen and MaxDeviceIDLen bound the reporter
	// fields of a POST, in runes.
	MaxEmailLen     = 254
	MaxAccountIDLen = 64
	MaxDeviceIDLen  = 128
	// MaxNameLen bounds first_name and last_name, in runes, so that the
	// two joined fit hazard.MaxContactNameLen.
	MaxNameLen = (hazard.MaxContactNameLen - 1) / 2
	// MaxJurisdictionIDLen bounds Config.JurisdictionID, in bytes.
	MaxJurisdictionIDLen = 100
	// DefaultPartnerReportsPerHour is how many reports one partner
	// application may create in an hour, whatever device_id, email or
	// account_id it names (Config.PartnerLimit).
	DefaultPartnerReportsPerHour = 100
)

// Config configures NewHandler. Service, Photos, Partners and BaseURL are
// required.
type Config struct {
	// Service runs the use cases; a *hazard.Service.
	Service Service
	// Photos takes the photos of a POST (fetched from media_url or sent as
	// media files) as uploads of the reporter and submits the report with
	// them, so that they are recorded against it and served at
	// BaseURL/photos/<key> exactly as a citizen's: the original to staff,
	// the copy without metadata to the public. Its Service must be Service.
	Photos *hazard.Photos
	// Partners authenticates the api_key of a POST.
	Partners Partners
	// Accounts turns a POST's account_id, email, phone or device_id into
	// the reporting user; default DerivedAccounts{}.
	Accounts Accounts
	// BaseURL is the public root URL of the server, such as
	// "https://hazards.example.gov.cn", without a trailing slash. Photos are
	// linked as BaseURL + "/photos/" + key, and discovery gives the endpoint
	// as BaseURL + Prefix.
	BaseURL string
	// Prefix is the path the handler is mounted at; default DefaultPrefix.
	Prefix string
	// AllowedMediaHosts are the host names (or host:port) media_url may
	// point at; a POST with any other host is refused. Empty: every
	// media_url is refused, so that no POST can succeed (our reports need
	// a photo).
	AllowedMediaHosts []string
	// AllowHTTPMedia lets media_url use plain http; for tests only. By
	// default only https is fetched.
	AllowHTTPMedia bool
	// HTTPClient fetches media; default a client with MediaTimeout.
	// Redirects are followed only to allowed hosts.
	HTTPClient *http.Client
	// JurisdictionID, when set, is the only jurisdiction_id accepted (404
	// for another); jurisdiction_id stays optional either way.
	JurisdictionID string
	// Language of names; default English.
	Language Language
	// Contact and KeyService are discovery's human-readable texts: how to
	// reach the maintainers, and how a partner application gets an
	// api_key. Defaults say to ask the city administrator.
	Contact    string
	KeyService string
	// Test marks the endpoint as "test" in discovery instead of
	// "production".
	Test bool
	// Limiter counts each partner's reports; default an in-memory one
	// (hazard/memlimit). A server with several processes passes its shared
	// limiter so that the limit holds across them.
	Limiter hazard.Limiter
	// PartnerLimit is how many reports one partner may create per window,
	// whatever user it names; default DefaultPartnerReportsPerHour an hour.
	PartnerLimit hazard.Limit
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Logger logs internal failures (never personal data); default discard.
	Logger *slog.Logger
}

// validate fills defaults and reports every problem with c.
func (c *Config) validate() error {
	var p hazard.Problems
	if c.Service == nil {
		p.Add("service", "is required")
	}
	if c.Photos == nil {
		p.Add("photos", "is required")
	}
	if c.Partners == nil {
		p.Add("partners", "is required")
	}
	if c.Accounts == nil {
		c.Accounts = DerivedAccounts{}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !strings.HasPrefix(c.BaseURL, "https://") && !strings.HasPrefix(c.BaseURL, "http://") {
		p.Add("base_url", "must be an absolute http or https URL")
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	c.Prefix = "/" + strings.Trim(c.Prefix, "/")
	for i, h := range c.AllowedMediaHosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			p.Add("allowed_media_hosts", "entry %d must be a host name or host:port", i)
		}
		c.AllowedMediaHosts[i] = h
	}
	if len(c.JurisdictionID) > MaxJurisdictionIDLen {
		p.Add("jurisdiction_id", "must be at most %d bytes", MaxJurisdictionIDLen)
	}
	switch c.Language {
	case "":
		c.Language = English
	case English, Chinese:
	default:
		p.Add("language", "must be en or zh")
	}
	if c.Contact == "" {
		c.Contact = "Ask the city's safety committee office, which runs this service."
	}
	if c.KeyService == "" {
		c.KeyService = "Partner applications get an api_key from the city administrator, who configures it on the server."
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Limiter == nil {
		c.Limiter = memlimit.New(memlimit.Config{Clock: c.Clock})
	}
	if c.PartnerLimit == (hazard.Limit{}) {
		c.PartnerLimit = hazard.Limit{Max: DefaultPartnerReportsPerHour, Per: time.Hour}
	}
	p.Merge("partner_limit", c.PartnerLimit.Validate())
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return p.Err("open311 config")
}
