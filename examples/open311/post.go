package open311

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// partnerLimitKey prefixes a partner's name in the limiter.
const partnerLimitKey = "open311-partner:"

// create serves POST requests: a citizen report from a partner
// application.
func (h *handler) create(w http.ResponseWriter, r *http.Request, f format) {
	ctx := r.Context()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
		h.fail(w, f, badRequest("Content-Type", "must be application/x-www-form-urlencoded, or multipart/form-data with media files"))
		return
	}
	// The key only from the body: a URL ends up in logs, proxies and
	// browser histories.
	if r.URL.Query().Has("api_key") {
		h.fail(w, f, badRequest("api_key", "must be sent in the request body, never in the URL"))
		return
	}
	key := r.PostForm.Get("api_key")
	if key == "" {
		h.fail(w, f, forbidden("api_key: is missing; a partner application needs an api_key to create requests"))
		return
	}
	partner, err := h.cfg.Partners.Partner(ctx, key)
	if err != nil {
		if errors.Is(err, hazard.ErrForbidden) || errors.Is(err, hazard.ErrNotFound) || errors.Is(err, hazard.ErrUnauthenticated) {
			err = forbidden("api_key: is not the key of a registered partner application")
		}
		h.fail(w, f, err)
		return
	}
	code := strings.TrimSpace(r.Form.Get("service_code"))
	if code == "" {
		h.fail(w, f, badRequest("service_code", "is required"))
		return
	}
	if _, ok := h.cfg.Service.Categories().Lookup(code); !ok {
		h.fail(w, f, notFoundField("service_code", fmt.Sprintf("%q is not a service of this endpoint", code)))
		return
	}

	var fe fieldErrors
	in := hazard.SubmitInput{Category: code, Source: hazard.SourceCitizen, Description: hazard.NormalizeText(r.Form.Get("description"))}
	var sys hazard.CoordSystem
	in.Severity, in.Unit, sys = parseAttributes(r.Form, &fe)
	in.Location = parseLocation(r.Form, sys, &fe)
	rep := parseReporter(r.Form, partner, &fe)
	in.Contact = hazard.Contact{Name: strings.TrimSpace(rep.FirstName + " " + rep.LastName), Phone: rep.Phone}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["media"]
	}
	urls := h.parseMedia(r.Form, len(files), &fe)

	// The domain's own checks, before fetching anything, so that every
	// problem is reported at once.
	var p hazard.Problems
	hazard.CheckText(&p, "description", in.Description, hazard.MinDescriptionLen, hazard.MaxDescriptionLen)
	if in.Location.Address != "" { // else the missing location is reported already
		p.Merge("", in.Location.Validate())
	}
	fe.addProblems(p.Err("open311 create"))
	if err := fe.err(); err != nil {
		h.fail(w, f, err)
		return
	}

	// The partner's own limit, whatever user it names, before any fetch.
	d, err := h.cfg.Limiter.Take(ctx, partnerLimitKey+partner.Name, h.cfg.PartnerLimit, 1)
	if err == nil {
		err = d.Err("open311 create", fmt.Sprintf("this partner application may create at most %d requests per %s", h.cfg.PartnerLimit.Max, h.cfg.PartnerLimit.Per))
	}
	if err != nil {
		h.fail(w, f, err)
		return
	}

	if err := fe.err(); err != nil {
		h.fail(w, f, err)
		return
	}

	user, err := h.cfg.Accounts.Resolve(ctx, rep)
	if err != nil {
		h.fail(w, f, err)
		return
	}
	// Every photo becomes an upload of the reporter, as a citizen's: the
	// original and its copy without metadata are stored and recorded, and
	// a photo of a report that then fails expires with its upload.
	var keys []string
	for _, fh := range files {
		key, problem, err := h.uploadFile(ctx, user, fh)
		if err != nil {
			h.fail(w, f, err)
			return
		}
		if problem != "" {
			fe.add("media", problem)
			continue
		}
		keys = append(keys, key)
	}
	mctx, cancel := context.WithTimeout(ctx, MediaTimeout)
	defer cancel()
	for _, u := range urls {
		key, problem, err := h.media.fetch(mctx, user, u)
		if err != nil {
			h.fail(w, f, err)
			return
		}
		if problem != "" {
			fe.add("media_url", problem)
			continue
		}
		keys = append(keys, key)
	}
	if err := fe.err(); err != nil {
		h.fail(w, f, err)
		return
	}

	hz, err := h.cfg.Photos.Submit(ctx, user, in, keys, "")
	if err != nil {
		h.fail(w, f, err)
		return
	}
	c := wireCreated{ServiceRequestID: hz.Ref}
	pub := hz.Public()
	notice := some(h.notice(h.process(&pub), hz.State, hz.Open()))
	c.ServiceNotice = &notice
	if rep.AccountID != "" {
		acc := some(rep.AccountID)
		c.AccountID = &acc
	}
	items := []wireCreated{c}
	h.write(w, f, http.StatusOK, wireCreatedList{Items: items}, items)
}

// parseAttributes reads attribute[code]=value against the service
// definition: severity (required, general or major), unit (optional) and
// coord_system (optional, WGS84 when absent).
func parseAttributes(form url.Values, fe *fieldErrors) (hazard.Severity, string, hazard.CoordSystem) {
	vals := map[string][]string{}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, "attribute[")
		if !ok {
			continue
		}
		code, tail, ok := strings.Cut(rest, "]")
		if !ok || (tail != "" && tail != "[]") {
			fe.add(k, "must be attribute[code]=value")
			continue
		}
		if code != AttrSeverity && code != AttrUnit && code != AttrCoordSystem {
			fe.add(k, "is not an attribute of this service; see its service definition")
			continue
		}
		vals[code] = append(vals[code], form[k]...)
	}
	var sev hazard.Severity
	switch v := vals[AttrSeverity]; {
	case len(v) == 0 || v[0] == "":
		fe.add("attribute["+AttrSeverity+"]", "is required: general or major")
	case len(v) > 1:
		fe.add("attribute["+AttrSeverity+"]", "takes one value (singlevaluelist)")
	case !hazard.Severity(v[0]).Valid():
		fe.add("attribute["+AttrSeverity+"]", fmt.Sprintf("%q must be general or major", v[0]))
	default:
		sev = hazard.Severity(v[0])
	}
	var unit string
	switch v := vals[AttrUnit]; {
	case len(v) > 1:
		fe.add("attribute["+AttrUnit+"]", "takes one value (string)")
	case len(v) == 1:
		unit = hazard.NormalizeText(v[0])
		var p hazard.Problems
		hazard.CheckLine(&p, "attribute["+AttrUnit+"]", unit, 0, hazard.MaxUnitLen)
		fe.addProblems(p.Err("open311 create"))
	}
	sys := hazard.WGS84
	switch v := vals[AttrCoordSystem]; {
	case len(v) > 1:
		fe.add("attribute["+AttrCoordSystem+"]", "takes one value (singlevaluelist)")
	case len(v) == 1:
		if parsed, err := hazard.ParseCoordSystem(v[0]); err != nil {
			fe.add("attribute["+AttrCoordSystem+"]", hazard.ErrorMessage(err))
		} else {
			sys = parsed
		}
	}
	return sev, unit, sys
}

// parseLocation reads lat and long (in sys) or address_string. Without an
// address_string the address is the coordinates in words, as our hazards
// need an address.
func parseLocation(form url.Values, sys hazard.CoordSystem, fe *fieldErrors) hazard.Location {
	var loc hazard.Location
	latS, lngS := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	addr := hazard.NormalizeText(form.Get("address_string"))
	var pt *hazard.Point
	switch {
	case latS != "" && lngS != "":
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil {
			fe.add("lat", "must be a number of degrees")
		}
		if err2 != nil {
			fe.add("long", "must be a number of degrees")
		}
		if err1 == nil && err2 == nil {
			pt = &hazard.Point{Lat: lat, Lng: lng, System: sys}
		}
	case latS != "":
		fe.add("long", "is required with lat")
	case lngS != "":
		fe.add("lat", "is required with long")
	case addr == "" && form.Get("address_id") != "":
		fe.add("address_id", "is not supported here; give lat and long, or address_string")
	case addr == "":
		fe.add("lat", "a location is required: lat and long, or address_string")
	}
	loc.Point = pt
	loc.Address = addr
	if addr == "" && pt != nil {
		name := "WGS-84"
		if pt.System == hazard.GCJ02 {
			name = "GCJ-02"
		}
		loc.Address = fmt.Sprintf("%.6f, %.6f (%s)", pt.Lat, pt.Lng, name)
	}
	return loc
}

// parseReporter reads the reporter's fields; one of account_id, email,
// phone or device_id must identify them.
func parseReporter(form url.Values, partner Partner, fe *fieldErrors) Reporter {
	r := Reporter{
		Partner:   partner,
		AccountID: strings.TrimSpace(form.Get("account_id")),
		Email:     strings.TrimSpace(form.Get("email")),
		Phone:     strings.TrimSpace(form.Get("phone")),
		DeviceID:  strings.TrimSpace(form.Get("device_id")),
		FirstName: hazard.NormalizeText(form.Get("first_name")),
		LastName:  hazard.NormalizeText(form.Get("last_name")),
	}
	// The domain's text policy (hazard.CheckLine), as for the JSON API.
	var p hazard.Problems
	hazard.CheckLine(&p, "account_id", r.AccountID, 0, MaxAccountIDLen)
	hazard.CheckLine(&p, "email", r.Email, 0, MaxEmailLen)
	hazard.CheckPhone(&p, "phone", r.Phone)
	hazard.CheckLine(&p, "device_id", r.DeviceID, 0, MaxDeviceIDLen)
	hazard.CheckLine(&p, "first_name", r.FirstName, 0, MaxNameLen)
	hazard.CheckLine(&p, "last_name", r.LastName, 0, MaxNameLen)
	fe.addProblems(p.Err("open311 create"))
	if r.Email != "" && (!strings.Contains(r.Email, "@") || strings.ContainsAny(r.Email, " \t")) {
		fe.add("email", "must be an email address")
	}
	if r.AccountID == "" && r.Email == "" && r.Phone == "" && r.DeviceID == "" {
		fe.add("account_id", "one of account_id, email, phone or device_id is required to identify the reporter")
	}
	return r
}

// parseMedia reads the media_url values: with the nFiles media files, at
// least one photo (our reports need one) and at most MaxMediaURLs, each URL
// on an allowed host.
func (h *handler) parseMedia(form url.Values, nFiles int, fe *fieldErrors) []*url.URL {
	var raws []string
	for _, v := range form["media_url"] {
		if v = strings.TrimSpace(v); v != "" {
			raws = append(raws, v)
		}
	}
	switch {
	case len(raws)+nFiles == 0:
		fe.add("media_url", "is required: a hazard report needs at least one photo; give the https URL of a JPEG, PNG or WebP image on an allowed media host, or send it as a multipart media file")
		return nil
	case len(raws)+nFiles > MaxMediaURLs:
		fe.add("media_url", fmt.Sprintf("takes at most %d photos, URLs and media files together", MaxMediaURLs))
		return nil
	}
	var out []*url.URL
	seen := map[string]bool{}
	for _, raw := range raws {
		u, problem := h.media.parse(raw)
		if problem != "" {
			fe.add("media_url", problem)
			continue
		}
		if seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		out = append(out, u)
	}
	return out
}

// uploadFile takes one multipart media file as an upload of user and
// returns its key, or a problem to report against media.
func (h *handler) uploadFile(ctx context.Context, user hazard.User, fh *multipart.FileHeader) (key, problem string, err error) {
	file, err := fh.Open()
	if err != nil {
		return "", "could not be read", nil
	}
	defer func() { _ = file.Close() }()
	return uploadPhoto(ctx, h.cfg.Photos, user, file)
}

// uploadPhoto takes the photo read from r as an upload of user
// (hazard.Photos.Upload) and returns its key. A photo refused for its
// content is a problem (the domain's message); any other error is err.
func uploadPhoto(ctx context.Context, photos *hazard.Photos, user hazard.User, r io.Reader) (key, problem string, err error) {
	u, err := photos.Upload(ctx, user, r)
	var e *hazard.Error
	if errors.As(err, &e) && e.Code == hazard.CodeInvalid {
		return "", e.Message, nil
	}
	if err != nil {
		return "", "", err
	}
	return u.Key, "", nil
}
