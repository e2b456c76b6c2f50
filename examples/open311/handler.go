package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
)

// Content types of the two formats, as the specification writes them.
const (
	ContentTypeXML  = "text/xml; charset=utf-8"
	ContentTypeJSON = "application/json; charset=utf-8"
)

// Specification is the token of GeoReport v2 in discovery.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// xmlHeader is the XML declaration every XML response starts with.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// format is a response format.
type format int

const (
	formatXML format = iota
	formatJSON
)

// handler serves the Open311 API; NewHandler makes one.
type handler struct {
	cfg       Config
	changeset time.Time
	media     *mediaFetcher
}

// NewHandler returns the handler of the Open311 API for cfg, or CodeInvalid
// listing every problem with cfg.
func NewHandler(cfg Config) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, changeset: cfg.Clock().UTC().Truncate(time.Second)}
	h.media = newMediaFetcher(cfg)
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, h.cfg.Prefix); ok && (rest == "" || rest[0] == '/') {
		p = rest
	}
	p = strings.TrimPrefix(p, "/")
	name, ext, hasExt := cutExt(p)
	f := formatXML
	switch {
	case hasExt && ext == "json":
		f = formatJSON
	case hasExt && ext == "xml":
	default:
		h.fail(w, f, notFound("the URL is not a resource of this API: resources end in .xml or .json"))
		return
	}
	if err := parseForm(w, r); err != nil {
		h.fail(w, f, err)
		return
	}
	if err := h.checkJurisdiction(r.Form.Get("jurisdiction_id")); err != nil {
		h.fail(w, f, err)
		return
	}
	dir, leaf, nested := strings.Cut(name, "/")
	switch {
	case !nested && name == "discovery":
		h.get(w, r, f, h.discovery)
	case !nested && name == "services":
		h.get(w, r, f, h.services)
	case nested && dir == "services" && leaf != "" && !strings.Contains(leaf, "/"):
		h.get(w, r, f, func(w http.ResponseWriter, r *http.Request, f format) { h.definition(w, r, f, leaf) })
	case !nested && name == "requests":
		if r.Method == http.MethodPost {
			h.create(w, r, f)
			return
		}
		h.get(w, r, f, h.requests)
	case nested && dir == "requests" && leaf != "" && !strings.Contains(leaf, "/"):
		h.get(w, r, f, func(w http.ResponseWriter, r *http.Request, f format) { h.one(w, r, f, leaf) })
	case nested && dir == "tokens" && leaf != "" && !strings.Contains(leaf, "/"):
		h.get(w, r, f, func(w http.ResponseWriter, r *http.Request, f format) { h.token(w, r, f, leaf) })
	case !nested && name == "servicerequestupdates":
		h.get(w, r, f, h.updates)
	default:
		h.fail(w, f, notFound("the URL is not a resource of this API"))
	}
}

// cutExt splits "requests.json" into "requests", "json".
func cutExt(p string) (name, ext string, ok bool) {
	i := strings.LastIndexByte(p, '.')
	if i < 0 || strings.Contains(p[i:], "/") {
		return p, "", false
	}
	return p[:i], p[i+1:], true
}

// get runs fn for GET and HEAD, and refuses other methods.
func (h *handler) get(w http.ResponseWriter, r *http.Request, f format, fn func(http.ResponseWriter, *http.Request, format)) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.fail(w, f, newAPIError(http.StatusBadRequest, http.StatusMethodNotAllowed, "method: "+r.Method+" is not allowed here; use GET"))
		return
	}
	fn(w, r, f)
}

// checkJurisdiction refuses a jurisdiction_id other than the configured
// one. jurisdiction_id is optional.
func (h *handler) checkJurisdiction(id string) error {
	if id == "" || h.cfg.JurisdictionID == "" || id == h.cfg.JurisdictionID {
		return nil
	}
	return notFoundField("jurisdiction_id", "is not served here; this endpoint serves "+h.cfg.JurisdictionID)
}

// write encodes v in the format: XML with its declaration, or JSON.
func (h *handler) write(w http.ResponseWriter, f format, status int, xmlValue, jsonValue any) {
	var buf bytes.Buffer
	var err error
	if f == formatJSON {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err = enc.Encode(jsonValue)
	} else {
		buf.WriteString(xmlHeader)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", "  ")
		err = enc.Encode(xmlValue)
		buf.WriteByte('\n')
	}
	if err != nil {
		h.cfg.Logger.Error("open311: encode", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		if f == formatJSON {
			buf.WriteString(`[{"code":500,"description":"internal error"}]` + "\n")
		} else {
			buf.WriteString(xmlHeader + "<errors><error><code>500</code><description>internal error</description></error></errors>\n")
		}
	}
	if f == formatJSON {
		w.Header().Set("Content-Type", ContentTypeJSON)
	} else {
		w.Header().Set("Content-Type", ContentTypeXML)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// apiError is a list of errors with the HTTP status to send.
type apiError struct {
	status int
	items  []wireError
}

func (e *apiError) Error() string {
	if len(e.items) == 0 {
		return "open311 error"
	}
	return e.items[0].Description
}

// newAPIError is a list of one error: the HTTP status to send, and the code
// the body gives (which differs for a rate limit, a conflict or a refused
// method, sent as 400).
func newAPIError(status, code int, msg string) *apiError {
	return &apiError{status: status, items: []wireError{{Code: code, Description: msg}}}
}

func badRequest(field, msg string) *apiError {
	return newAPIError(http.StatusBadRequest, http.StatusBadRequest, describe(field, msg))
}

func notFound(msg string) *apiError { return notFoundField("", msg) }

func notFoundField(field, msg string) *apiError {
	return newAPIError(http.StatusNotFound, http.StatusNotFound, describe(field, msg))
}

// forbidden is the answer to a missing or unknown api_key, and to a domain
// refusal.
func forbidden(msg string) *apiError {
	return newAPIError(http.StatusForbidden, http.StatusForbidden, msg)
}

func describe(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// fieldErrors collects field problems into one 400 error.
type fieldErrors struct{ items []wireError }

func (fe *fieldErrors) add(field, msg string) {
	fe.items = append(fe.items, wireError{Code: http.StatusBadRequest, Description: describe(field, msg)})
}

// parseForm parses the query and a POST's form: URL-encoded (at most
// MaxFormBytes) or multipart with media files (at most MaxMediaBytes, the
// files beyond MaxFormBytes kept in temporary files that the server
// removes after the request).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return badRequest("", "the query string is malformed")
		}
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, MaxMediaBytes)
		if err := r.ParseMultipartForm(MaxFormBytes); err != nil {
			return badRequest("", fmt.Sprintf("the multipart form is malformed or larger than %d bytes", MaxMediaBytes))
		}
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest("", fmt.Sprintf("the query string or the form is malformed or larger than %d bytes", MaxFormBytes))
	}
	return nil
}

// addProblems adds each field problem of a CodeInvalid error of the
// domain (nil adds nothing), its field named as on the wire (wireField).
func (fe *fieldErrors) addProblems(err error) {
	var e *hazard.Error
	if !errors.As(err, &e) {
		return
	}
	for _, fp := range e.Fields {
		fe.add(wireField(fp.Field), fp.Message)
	}
}

func (fe *fieldErrors) err() error {
	if len(fe.items) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, items: fe.items}
}

// fail writes err as the specification's error list. A domain error is
// mapped by its code; its field problems become one error each.
func (h *handler) fail(w http.ResponseWriter, f format, err error) {
	var ae *apiError
	var he *hazard.Error
	if errors.As(err, &he) && he.Code == hazard.CodeRateLimited && he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((he.RetryAfter+time.Second-1)/time.Second)))
	}
	if !errors.As(err, &ae) {
		ae = fromDomain(err)
		if hazard.ErrorCode(err) == hazard.CodeInternal {
			h.cfg.Logger.Error("open311: internal error", "err", err)
		}
	}
	h.write(w, f, ae.status, wireErrors{Items: ae.items}, ae.items)
}

// fromDomain maps a domain error to the wire: forbidden and
// unauthenticated are 403, not_found 404, invalid, rate_limited and
// conflict 400 (the body code says 429 for a rate limit and 409 for a
// conflict), and any other code, an internal failure first of all, 500 (so
// that clients and monitoring see the fault is the server's, and may
// retry).
func fromDomain(err error) *apiError {
	code := hazard.ErrorCode(err)
	msg := hazard.ErrorMessage(err)
	switch code {
	case hazard.CodeForbidden, hazard.CodeUnauthenticated:
		return forbidden(msg)
	case hazard.CodeNotFound:
		return notFound(msg)
	case hazard.CodeRateLimited:
		return newAPIError(http.StatusBadRequest, http.StatusTooManyRequests, msg)
	case hazard.CodeConflict:
		return newAPIError(http.StatusBadRequest, http.StatusConflict, msg)
	case hazard.CodeInvalid:
		var e *hazard.Error
		if !errors.As(err, &e) {
			return badRequest("", msg)
		}
		if len(e.Fields) == 0 {
			return badRequest(wireField(e.Field), msg)
		}
		var fe fieldErrors
		for _, f := range e.Fields {
			fe.add(wireField(f.Field), f.Message)
		}
		return fe.err().(*apiError)
	}
	return newAPIError(http.StatusInternalServerError, http.StatusInternalServerError, "internal error")
}

// unknownRef reports whether err says that a service_request_id names no
// request: not found, or not even a reference.
func unknownRef(err error) bool {
	code := hazard.ErrorCode(err)
	return code == hazard.CodeNotFound || code == hazard.CodeInvalid
}

// wireField names a domain field as the POST parameter that carries it.
func wireField(f string) string {
	base, _, _ := strings.Cut(f, ".")
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "category":
		return "service_code"
	case "severity":
		return "attribute[" + AttrSeverity + "]"
	case "unit":
		return "attribute[" + AttrUnit + "]"
	case "address":
		return "address_string"
	case "latitude":
		return "lat"
	case "longitude":
		return "long"
	case "photos":
		return "media_url"
	case "contact":
		if strings.HasSuffix(f, ".phone") {
			return "phone"
		}
		return "first_name"
	case "reporter":
		return "account_id"
	}
	return f
}
