package open311_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/hazardtest"
	"github.com/hazardloop/hazardloop/hazard/memblob"
	"github.com/hazardloop/hazardloop/hazard/memstore"
)

const (
	testKey     = "partner-key-0123456789"
	testPartner = "cityapp"
	baseURL     = "https://hazards.example.gov.cn"
)

// env is a server with the Open311 handler over a real service on
// memstore, and media hosts.
type env struct {
	t       *testing.T
	clock   *hazardtest.Clock
	svc     *hazard.Service
	store   *memstore.Store
	blobs   *memblob.Store
	photos  *hazard.Photos
	srv     *httptest.Server
	media   *httptest.Server // allowed, https
	other   *httptest.Server // not allowed, https
	plain   *httptest.Server // allowed host name, plain http
	jpeg    []byte
	pngData []byte
}

type envOption func(*hazard.ServiceConfig, *open311.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: hazardtest.NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))}
	e.jpeg = encodeJPEG(t)
	e.pngData = encodePNG(t)
	e.store = memstore.New()
	e.blobs = memblob.New()

	e.other = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(e.jpeg)
	}))
	t.Cleanup(e.other.Close)
	e.media = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photo.jpg":
			w.Header().Set("Content-Type", "text/plain") // ignored: the content decides
			_, _ = w.Write(e.jpeg)
		case "/photo.png":
			_, _ = w.Write(e.pngData)
		case "/gps.jpg":
			_, _ = w.Write(hazardtest.JPEGWithGPS())
		case "/page.html":
			w.Header().Set("Content-Type", "image/jpeg") // a lie, refused by sniffing
			_, _ = w.Write([]byte("<!doctype html><html><body>not an image</body></html>"))
		case "/huge.jpg":
			b := make([]byte, hazard.MaxPhotoSize+1)
			copy(b, e.jpeg)
			_, _ = w.Write(b)
		case "/away":
			http.Redirect(w, r, e.other.URL+"/photo.jpg", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(e.media.Close)
	e.plain = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(e.jpeg)
	}))
	t.Cleanup(e.plain.Close)

	// The tests of the specification check how requests are shown,
	// whichever step publishes them: here a request is public from its
	// submission. TestRequestsFollowThePublicationPolicy tests the
	// default, publication once a dispatcher forwarded it.
	scfg := hazard.ServiceConfig{Store: e.store, Clock: e.clock.Now, Refs: hazard.RefFormat{Prefix: "LC"},
		Moderation: hazard.ModerationConfig{Publish: hazard.PublishOnSubmit}}
	ocfg := open311.Config{
		Partners:          open311.StaticPartners{testKey: {Name: testPartner}},
		BaseURL:           baseURL,
		AllowedMediaHosts: []string{hostOf(t, e.media.URL), hostOf(t, e.plain.URL)},
		HTTPClient:        e.media.Client(),
		Clock:             e.clock.Now,
	}
	for _, o := range opts {
		o(&scfg, &ocfg)
	}
	svc, err := hazard.NewService(scfg)
	require.NoError(t, err, "NewService")
	e.svc = svc
	ocfg.Service = svc
	e.photos, err = hazard.NewPhotos(hazard.PhotosConfig{Service: svc, Uploads: memstore.NewUploads(), Blobs: e.blobs})
	require.NoError(t, err, "NewPhotos")
	ocfg.Photos = e.photos
	h, err := open311.NewHandler(ocfg)
	require.NoError(t, err, "NewHandler")
	mux := http.NewServeMux()
	mux.Handle("/open311/v2/", h)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}

func encodeJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

func encodePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(method, path string, form url.Values) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(e.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err, "%s %s", method, path)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// postMultipart sends form as multipart/form-data with the files as
// media parts.
func (e *env) postMultipart(ext string, form url.Values, files ...[]byte) response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			require.NoError(e.t, mw.WriteField(k, v))
		}
	}
	for i, f := range files {
		fw, err := mw.CreateFormFile("media", "photo"+strconv.Itoa(i)+".jpg")
		require.NoError(e.t, err)
		_, err = fw.Write(f)
		require.NoError(e.t, err)
	}
	require.NoError(e.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/open311/v2/requests."+ext, &buf)
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) get(path string) response {
	e.t.Helper()
	return e.do(http.MethodGet, path, nil)
}

func (e *env) post(ext string, form url.Values) response {
	e.t.Helper()
	return e.do(http.MethodPost, "/open311/v2/requests."+ext, form)
}

// validForm is a complete POST.
func (e *env) validForm() url.Values {
	return url.Values{
		"api_key":             {testKey},
		"service_code":        {"fire"},
		"lat":                 {"36.456789"},
		"long":                {"115.985432"},
		"address_string":      {"东昌府区 柳园路 88号"},
		"description":         {"消防通道被杂物堵塞 Fire lane blocked by crates"},
		"attribute[severity]": {"major"},
		"attribute[unit]":     {"柳园商场"},
		"email":               {"Reporter@Example.org"},
		"first_name":          {"Li"},
		"last_name":           {"Hua"},
		"phone":               {"13800138000"},
		"media_url":           {e.media.URL + "/photo.jpg"},
	}
}

// submit posts a valid report and returns its service_request_id.
func (e *env) submit(form url.Values) string {
	e.t.Helper()
	r := e.post("json", form)
	require.Equal(e.t, http.StatusOK, r.status, "POST requests.json: %s", r.body)
	var got []map[string]any
	require.NoError(e.t, json.Unmarshal(r.body, &got))
	require.Len(e.t, got, 1)
	id, ok := got[0]["service_request_id"].(string)
	require.True(e.t, ok, "service_request_id is a string: %s", r.body)
	return id
}

// ----- The specification's field lists, as the GeoReport v2 JSON Schemas
// state them (request.json, service.json, service-definition.json) and the
// specification's pages for discovery, errors and the extensions.

type kind int

const (
	kString kind = iota
	kNumber
	kInteger
	kBool
	kDatetime
	kURI
	kArray
	kObject
)

type field struct {
	kind     kind
	required bool
	nullable bool
	enum     []string
	maxLen   int
}

var requestSchema = map[string]field{
	"service_request_id": {kind: kString, required: true},
	"status":             {kind: kString, required: true, enum: []string{"open", "closed"}},
	"status_notes":       {kind: kString, nullable: true},
	"service_name":       {kind: kString, nullable: true},
	"service_code":       {kind: kString, required: true},
	"description":        {kind: kString, nullable: true, maxLen: 4000},
	"agency_responsible": {kind: kString, nullable: true},
	"service_notice":     {kind: kString, nullable: true},
	"requested_datetime": {kind: kDatetime, required: true},
	"updated_datetime":   {kind: kDatetime, nullable: true},
	"expected_datetime":  {kind: kDatetime, nullable: true},
	"address":            {kind: kString, nullable: true},
	"address_id":         {kind: kString, nullable: true},
	"zipcode":            {kind: kString, nullable: true},
	"lat":                {kind: kNumber, nullable: true},
	"long":               {kind: kNumber, nullable: true},
	"media_url":          {kind: kURI, nullable: true},
}

// requestWithNotes is requestSchema plus the notes extension.
var requestWithNotes = func() map[string]field {
	m := map[string]field{"notes": {kind: kArray, required: true}}
	for k, v := range requestSchema {
		m[k] = v
	}
	return m
}()

var noteSchema = map[string]field{
	"datetime":    {kind: kDatetime, required: true},
	"description": {kind: kString, nullable: true},
	"type":        {kind: kString, required: true},
	"status":      {kind: kString, required: true},
	"media_url":   {kind: kURI, nullable: true},
}

var serviceSchema = map[string]field{
	"service_code": {kind: kString, required: true},
	"service_name": {kind: kString, required: true},
	"description":  {kind: kString, nullable: true},
	"metadata":     {kind: kBool, required: true},
	"type":         {kind: kString, required: true, enum: []string{"realtime", "batch", "blackbox"}},
	"keywords":     {kind: kString, nullable: true},
	"group":        {kind: kString, nullable: true},
}

var definitionSchema = map[string]field{
	"service_code": {kind: kString, required: true},
	"attributes":   {kind: kArray, required: true},
}

var attributeSchema = map[string]field{
	"variable":             {kind: kBool, required: true},
	"code":                 {kind: kString, required: true},
	"datatype":             {kind: kString, required: true, enum: []string{"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}},
	"required":             {kind: kBool, required: true},
	"datatype_description": {kind: kString, nullable: true},
	"order":                {kind: kInteger, nullable: true},
	"description":          {kind: kString, nullable: true},
	"values":               {kind: kArray},
}

var valueSchema = map[string]field{
	"key":  {kind: kString, required: true},
	"name": {kind: kString, required: true},
}

var createdSchema = map[string]field{
	"service_request_id": {kind: kString, required: true},
	"service_notice":     {kind: kString, nullable: true},
	"account_id":         {kind: kString, nullable: true},
}

var tokenSchema = map[string]field{
	"service_request_id": {kind: kString, required: true},
	"token":              {kind: kString, required: true},
}

var errorSchema = map[string]field{
	"code":        {kind: kInteger, required: true},
	"description": {kind: kString, required: true},
}

var discoverySchema = map[string]field{
	"changeset":   {kind: kString, required: true},
	"contact":     {kind: kString, required: true},
	"key_service": {kind: kString, required: true},
	"endpoints":   {kind: kArray, required: true},
}

var endpointSchema = map[string]field{
	"specification": {kind: kString, required: true},
	"url":           {kind: kURI, required: true},
	"changeset":     {kind: kString, required: true},
	"type":          {kind: kString, required: true, enum: []string{"production", "test"}},
	"formats":       {kind: kArray, required: true},
}

var updateSchema = map[string]field{
	"update_id":          {kind: kString, required: true},
	"service_request_id": {kind: kString, required: true},
	"status":             {kind: kString, required: true, enum: []string{"OPEN", "CLOSED", "FIXED", "IN_PROGRESS", "ACTION_SCHEDULED", "INVESTIGATING", "DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL"}},
	"updated_datetime":   {kind: kDatetime, required: true},
	"description":        {kind: kString, required: true},
	"media_url":          {kind: kURI, required: true, nullable: true}, // null when empty, as in requests
}

// checkJSONObject checks one JSON object against a field list: required
// fields present, no field outside the list, types and enums.
func checkJSONObject(t *testing.T, where string, obj map[string]any, schema map[string]field) {
	t.Helper()
	for name, f := range schema {
		if _, ok := obj[name]; !ok && f.required {
			t.Errorf("%s: required field %q is missing", where, name)
		}
	}
	for name, v := range obj {
		f, ok := schema[name]
		if !ok {
			t.Errorf("%s: field %q is not in the specification", where, name)
			continue
		}
		if v == nil {
			if !f.nullable {
				t.Errorf("%s: field %q is null, want a value", where, name)
			}
			continue
		}
		checkJSONValue(t, where+"."+name, v, f)
	}
}

func checkJSONValue(t *testing.T, where string, v any, f field) {
	t.Helper()
	switch f.kind {
	case kString, kDatetime, kURI:
		s, ok := v.(string)
		if !ok {
			t.Errorf("%s = %v (%T), want a string", where, v, v)
			return
		}
		checkText(t, where, s, f)
	case kNumber:
		if _, ok := v.(float64); !ok {
			t.Errorf("%s = %v (%T), want a number", where, v, v)
		}
	case kInteger:
		n, ok := v.(float64)
		if !ok || n != float64(int64(n)) {
			t.Errorf("%s = %v (%T), want an integer", where, v, v)
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			t.Errorf("%s = %v (%T), want a boolean", where, v, v)
		}
	case kArray:
		if _, ok := v.([]any); !ok {
			t.Errorf("%s = %v (%T), want an array", where, v, v)
		}
	}
}

// checkText checks a string's format: datetimes W3C with a zone, URIs
// absolute, enums, lengths.
func checkText(t *testing.T, where, s string, f field) {
	t.Helper()
	switch f.kind {
	case kDatetime:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %q, want a W3C datetime with a zone: %v", where, s, err)
		}
	case kURI:
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			t.Errorf("%s = %q, want an absolute URI", where, s)
		}
	case kNumber:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			t.Errorf("%s = %q, want a number", where, s)
		}
	case kInteger:
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			t.Errorf("%s = %q, want an integer", where, s)
		}
	case kBool:
		if s != "true" && s != "false" {
			t.Errorf("%s = %q, want true or false", where, s)
		}
	}
	if len(f.enum) > 0 {
		found := false
		for _, e := range f.enum {
			found = found || s == e
		}
		if !found {
			t.Errorf("%s = %q, want one of %v", where, s, f.enum)
		}
	}
	if f.maxLen > 0 && len([]rune(s)) > f.maxLen {
		t.Errorf("%s has %d characters, want at most %d", where, len([]rune(s)), f.maxLen)
	}
}

// jsonList decodes a bare JSON array of objects, checking the content type.
func jsonList(t *testing.T, r response) []map[string]any {
	t.Helper()
	require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"), "Content-Type of %s", r.body)
	var v []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &v), "a bare JSON array: %s", r.body)
	return v
}

// node is a generic XML element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) child(name string) (node, bool) {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return c, true
		}
	}
	return node{}, false
}

func (n node) text(name string) string {
	c, _ := n.child(name)
	return strings.TrimSpace(c.Text)
}

// xmlRoot parses an XML response: the declaration with UTF-8 first, the
// content type, the root name, and no namespace anywhere.
func xmlRoot(t *testing.T, r response, root string) node {
	t.Helper()
	require.Equal(t, "text/xml; charset=utf-8", r.header.Get("Content-Type"), "Content-Type of %s", r.body)
	require.True(t, bytes.HasPrefix(r.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)), "XML declaration first: %.80s", r.body)
	var n node
	require.NoError(t, xml.Unmarshal(r.body, &n), "XML: %s", r.body)
	require.Equal(t, root, n.XMLName.Local, "root element")
	var noNS func(n node)
	noNS = func(n node) {
		if n.XMLName.Space != "" {
			t.Errorf("element %s has the namespace %q", n.XMLName.Local, n.XMLName.Space)
		}
		for _, a := range n.Attrs {
			t.Errorf("element %s has the attribute %s", n.XMLName.Local, a.Name.Local)
		}
		for _, c := range n.Children {
			noNS(c)
		}
	}
	noNS(n)
	return n
}

// items returns the children of n, all named name.
func items(t *testing.T, n node, name string) []node {
	t.Helper()
	for _, c := range n.Children {
		if c.XMLName.Local != name {
			t.Errorf("<%s> holds <%s>, want only <%s>", n.XMLName.Local, c.XMLName.Local, name)
		}
	}
	return n.Children
}

// checkXMLElement checks an element's children against a field list. An
// empty leaf stands for null. Arrays and objects are checked by the caller.
func checkXMLElement(t *testing.T, where string, n node, schema map[string]field) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range n.Children {
		name := c.XMLName.Local
		f, ok := schema[name]
		if !ok {
			t.Errorf("%s: element <%s> is not in the specification", where, name)
			continue
		}
		if seen[name] {
			t.Errorf("%s: element <%s> repeats", where, name)
		}
		seen[name] = true
		if f.kind == kArray || f.kind == kObject {
			continue
		}
		if len(c.Children) > 0 {
			t.Errorf("%s.%s has child elements, want text", where, name)
			continue
		}
		s := strings.TrimSpace(c.Text)
		if s == "" {
			if !f.nullable {
				t.Errorf("%s.%s is empty, want a value", where, name)
			}
			continue
		}
		checkText(t, where+"."+name, s, f)
	}
	for name, f := range schema {
		if f.required && !seen[name] {
			t.Errorf("%s: required element <%s> is missing", where, name)
		}
	}
}

// checkErrors checks an error response in either format and returns its
// codes and descriptions.
func checkErrors(t *testing.T, ext string, r response, status int) (codes []int, descs []string) {
	t.Helper()
	require.Equal(t, status, r.status, "status of %s", r.body)
	if ext == "json" {
		list := jsonList(t, r)
		require.NotEmpty(t, list, "errors")
		for i, e := range list {
			checkJSONObject(t, "error["+strconv.Itoa(i)+"]", e, errorSchema)
			c, _ := e["code"].(float64)
			d, _ := e["description"].(string)
			codes, descs = append(codes, int(c)), append(descs, d)
		}
		return codes, descs
	}
	root := xmlRoot(t, r, "errors")
	for i, e := range items(t, root, "error") {
		checkXMLElement(t, "error["+strconv.Itoa(i)+"]", e, errorSchema)
		c, _ := strconv.Atoi(e.text("code"))
		codes, descs = append(codes, c), append(descs, e.text("description"))
	}
	require.NotEmpty(t, codes, "errors")
	return codes, descs
}

// fieldsOf returns the fields the error descriptions name: the part before
// the first ": ", as the package documents.
func fieldsOf(descs []string) []string {
	var out []string
	for _, d := range descs {
		f, _, _ := strings.Cut(d, ": ")
		out = append(out, f)
	}
	return out
}

// act takes an action as a staff user.
func (e *env) act(ref, action string, user hazard.User, in hazard.ActInput) hazard.Hazard {
	e.t.Helper()
	ctx := context.Background()
	h, err := e.store.GetByRef(ctx, ref)
	require.NoError(e.t, err)
	in.ExpectedVersion = h.Version
	out, err := e.svc.Act(ctx, user, h.ID, action, in)
	require.NoError(e.t, err, "Act %s", action)
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// httptestServer serves h and returns its URL.
func httptestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
