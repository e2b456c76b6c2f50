package open311_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
)

var formats = []string{"xml", "json"}

func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	for _, ext := range formats {
		t.Run(ext, func(t *testing.T) {
			r := e.get("/open311/v2/discovery." + ext)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var endpoint map[string]any
			if ext == "json" {
				require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
				var d map[string]any
				require.NoError(t, jsonUnmarshal(r.body, &d))
				checkJSONObject(t, "discovery", d, discoverySchema)
				eps := d["endpoints"].([]any)
				require.Len(t, eps, 1)
				endpoint = eps[0].(map[string]any)
				checkJSONObject(t, "endpoint", endpoint, endpointSchema)
				assert.Equal(t, []any{"text/xml", "application/json"}, endpoint["formats"])
			} else {
				root := xmlRoot(t, r, "discovery")
				checkXMLElement(t, "discovery", root, discoverySchema)
				eps, _ := root.child("endpoints")
				list := items(t, eps, "endpoint")
				require.Len(t, list, 1)
				checkXMLElement(t, "endpoint", list[0], endpointSchema)
				fs, _ := list[0].child("formats")
				var got []string
				for _, f := range items(t, fs, "format") {
					got = append(got, f.Text)
				}
				assert.Equal(t, []string{"text/xml", "application/json"}, got)
				endpoint = map[string]any{"url": list[0].text("url"), "specification": list[0].text("specification"), "type": list[0].text("type")}
			}
			assert.Equal(t, baseURL+"/open311/v2", endpoint["url"])
			assert.Equal(t, "http://wiki.open311.org/GeoReport_v2", endpoint["specification"])
			assert.Equal(t, "production", endpoint["type"])
		})
	}
}

func TestServices(t *testing.T) {
	e := newEnv(t)
	cats := hazard.DefaultCategories()
	for _, ext := range formats {
		t.Run(ext, func(t *testing.T) {
			r := e.get("/open311/v2/services." + ext)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			type svc struct{ code, name, group, metadata, typ, desc string }
			var got []svc
			if ext == "json" {
				for i, s := range jsonList(t, r) {
					checkJSONObject(t, "service["+strconv.Itoa(i)+"]", s, serviceSchema)
					got = append(got, svc{s["service_code"].(string), s["service_name"].(string), s["group"].(string), strconv.FormatBool(s["metadata"].(bool)), s["type"].(string), s["description"].(string)})
				}
			} else {
				root := xmlRoot(t, r, "services")
				for i, s := range items(t, root, "service") {
					checkXMLElement(t, "service["+strconv.Itoa(i)+"]", s, serviceSchema)
					got = append(got, svc{s.text("service_code"), s.text("service_name"), s.text("group"), s.text("metadata"), s.text("type"), s.text("description")})
				}
			}
			require.Len(t, got, len(cats))
			for i, c := range cats {
				assert.Equal(t, c.Code, got[i].code, "service_code")
				assert.Equal(t, c.NameEN, got[i].name, "service_name is English")
				assert.Contains(t, got[i].desc, c.NameZH, "description carries the Chinese name")
				assert.Equal(t, c.Industry, got[i].group, "group is the industry")
				assert.Equal(t, "true", got[i].metadata)
				assert.Equal(t, "realtime", got[i].typ)
			}
		})
	}
}

func TestServicesInChinese(t *testing.T) {
	e := newEnv(t, func(_ *hazard.ServiceConfig, c *open311.Config) { c.Language = open311.Chinese })
	list := jsonList(t, e.get("/open311/v2/services.json"))
	require.NotEmpty(t, list)
	assert.Equal(t, "消防", list[0]["service_name"])
	assert.Contains(t, list[0]["description"], "Fire safety")
}

func TestServiceDefinition(t *testing.T) {
	e := newEnv(t)
	type attr struct {
		code, datatype, required string
		values                   []string
	}
	want := []attr{
		{code: "severity", datatype: "singlevaluelist", required: "true", values: []string{"general", "major"}},
		{code: "unit", datatype: "string", required: "false"},
		{code: "coord_system", datatype: "singlevaluelist", required: "false", values: []string{"WGS84", "GCJ02"}},
	}
	for _, ext := range formats {
		t.Run(ext, func(t *testing.T) {
			r := e.get("/open311/v2/services/gas." + ext)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var got []attr
			if ext == "json" {
				require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
				var d map[string]any
				require.NoError(t, jsonUnmarshal(r.body, &d))
				checkJSONObject(t, "service_definition", d, definitionSchema)
				assert.Equal(t, "gas", d["service_code"])
				for i, a := range d["attributes"].([]any) {
					am := a.(map[string]any)
					checkJSONObject(t, "attribute["+strconv.Itoa(i)+"]", am, attributeSchema)
					assert.Equal(t, float64(i+1), am["order"], "order")
					g := attr{code: am["code"].(string), datatype: am["datatype"].(string), required: strconv.FormatBool(am["required"].(bool))}
					vs, _ := am["values"].([]any)
					for _, v := range vs {
						vm := v.(map[string]any)
						checkJSONObject(t, "value", vm, valueSchema)
						g.values = append(g.values, vm["key"].(string))
					}
					got = append(got, g)
				}
			} else {
				root := xmlRoot(t, r, "service_definition")
				checkXMLElement(t, "service_definition", root, definitionSchema)
				assert.Equal(t, "gas", root.text("service_code"))
				as, ok := root.child("attributes")
				require.True(t, ok, "<attributes>")
				for i, a := range items(t, as, "attribute") {
					checkXMLElement(t, "attribute["+strconv.Itoa(i)+"]", a, attributeSchema)
					assert.Equal(t, strconv.Itoa(i+1), a.text("order"))
					g := attr{code: a.text("code"), datatype: a.text("datatype"), required: a.text("required")}
					if vs, ok := a.child("values"); ok {
						for _, v := range items(t, vs, "value") {
							checkXMLElement(t, "value", v, valueSchema)
							g.values = append(g.values, v.text("key"))
						}
					}
					got = append(got, g)
				}
			}
			assert.Equal(t, want, got)
		})
		t.Run(ext+"/unknown", func(t *testing.T) {
			_, descs := checkErrors(t, ext, e.get("/open311/v2/services/potholes."+ext), http.StatusNotFound)
			assert.Equal(t, []string{"service_code"}, fieldsOf(descs))
		})
	}
}

// checkRequests checks a GET requests answer against the specification
// and returns the requests as maps of strings (null and empty as "").
func checkRequests(t *testing.T, ext string, r response, notes bool) []map[string]string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	schema := requestSchema
	if notes {
		schema = requestWithNotes
	}
	var out []map[string]string
	if ext == "json" {
		for i, q := range jsonList(t, r) {
			where := "request[" + strconv.Itoa(i) + "]"
			checkJSONObject(t, where, q, schema)
			m := map[string]string{}
			for k, v := range q {
				switch v := v.(type) {
				case string:
					m[k] = v
				case float64:
					m[k] = strconv.FormatFloat(v, 'f', -1, 64)
				case []any:
					var types []string
					for _, n := range v {
						nm := n.(map[string]any)
						checkJSONObject(t, where+".note", nm, noteSchema)
						types = append(types, nm["type"].(string)+"/"+nm["status"].(string))
					}
					m[k] = strings.Join(types, " ")
				}
			}
			out = append(out, m)
		}
		return out
	}
	root := xmlRoot(t, r, "service_requests")
	for i, q := range items(t, root, "request") {
		where := "request[" + strconv.Itoa(i) + "]"
		checkXMLElement(t, where, q, schema)
		m := map[string]string{}
		for _, c := range q.Children {
			if c.XMLName.Local == "notes" {
				var types []string
				for _, n := range items(t, c, "note") {
					checkXMLElement(t, where+".note", n, noteSchema)
					types = append(types, n.text("type")+"/"+n.text("status"))
				}
				m["notes"] = strings.Join(types, " ")
				continue
			}
			m[c.XMLName.Local] = strings.TrimSpace(c.Text)
		}
		out = append(out, m)
	}
	return out
}

func TestPostRoundTrip(t *testing.T) {
	for _, ext := range formats {
		t.Run(ext, func(t *testing.T) {
			e := newEnv(t)
			form := e.validForm()
			form.Set("account_id", "app-user-42")
			r := e.post(ext, form)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var id, notice, account string
			if ext == "json" {
				list := jsonList(t, r)
				require.Len(t, list, 1)
				checkJSONObject(t, "created", list[0], createdSchema)
				id, notice, account = list[0]["service_request_id"].(string), list[0]["service_notice"].(string), list[0]["account_id"].(string)
			} else {
				root := xmlRoot(t, r, "service_requests")
				list := items(t, root, "request")
				require.Len(t, list, 1)
				checkXMLElement(t, "created", list[0], createdSchema)
				id, notice, account = list[0].text("service_request_id"), list[0].text("service_notice"), list[0].text("account_id")
			}
			assert.Regexp(t, `^LC-20260301-\d{6}$`, id, "service_request_id is our reference number")
			assert.NotEmpty(t, notice, "service_notice")
			assert.Equal(t, "app-user-42", account, "account_id echoed")

			sum := sha256Hex(e.jpeg)
			for _, path := range []string{"/open311/v2/requests/" + id + "." + ext, "/open311/v2/requests." + ext, "/open311/v2/requests." + ext + "?service_request_id=" + id} {
				got := checkRequests(t, ext, e.get(path), false)
				require.Len(t, got, 1, path)
				q := got[0]
				assert.Equal(t, id, q["service_request_id"])
				assert.Equal(t, "open", q["status"])
				assert.Equal(t, "fire", q["service_code"])
				assert.Equal(t, "Fire safety", q["service_name"])
				assert.Equal(t, "消防通道被杂物堵塞 Fire lane blocked by crates", q["description"])
				assert.Equal(t, "东昌府区 柳园路 88号", q["address"])
				// Public coordinates are rounded (hazard.DefaultPublicCoordDecimals).
				assert.Equal(t, "36.4568", q["lat"])
				assert.Equal(t, "115.9854", q["long"])
				assert.Equal(t, baseURL+"/photos/"+sum, q["media_url"])
				assert.Equal(t, "2026-03-01T08:00:00Z", q["requested_datetime"])
				assert.Equal(t, "2026-03-02T08:00:00Z", q["expected_datetime"], "the dispatch deadline")
				assert.Equal(t, "Received.", q["status_notes"])
				assert.Equal(t, "", q["agency_responsible"], "not yet forwarded")
			}
			for _, secret := range []string{"Reporter@Example.org", "reporter@example.org", "13800138000", "Hua", "app-user-42", "o311:"} {
				for _, path := range []string{"/open311/v2/requests/" + id + "." + ext + "?extensions=true", "/open311/v2/servicerequestupdates." + ext} {
					assert.NotContains(t, string(e.get(path).body), secret, "%s never shows the reporter", path)
				}
			}

			ctx := context.Background()
			h, err := e.store.GetByRef(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, hazard.SeverityMajor, h.Severity)
			assert.Equal(t, "柳园商场", h.Unit)
			assert.Equal(t, hazard.SourceCitizen, h.Source)
			assert.Equal(t, hazard.Contact{Name: "Li Hua", Phone: "13800138000"}, h.Reporter.Contact)
			assert.True(t, strings.HasPrefix(h.Reporter.UserID, "o311:"+testPartner+":"), "reporter ID %q", h.Reporter.UserID)
			require.Len(t, h.Photos, 1)
			assert.Equal(t, hazard.Photo{SHA256: sum, ContentType: hazard.TypeJPEG, Size: int64(len(e.jpeg))}, h.Photos[0])
			_, err = e.blobs.Stat(ctx, sum)
			require.NoError(t, err, "the photo is in the blob store")
		})
	}
}

func TestPostLocationForms(t *testing.T) {
	e := newEnv(t)
	t.Run("coordinates only", func(t *testing.T) {
		form := e.validForm()
		form.Del("address_string")
		id := e.submit(form)
		q := checkRequests(t, "json", e.get("/open311/v2/requests/"+id+".json"), false)[0]
		assert.Equal(t, "36.456789, 115.985432 (WGS-84)", q["address"])
	})
	t.Run("address only", func(t *testing.T) {
		form := e.validForm()
		form.Del("lat")
		form.Del("long")
		form.Set("email", "other@example.org")
		id := e.submit(form)
		q := checkRequests(t, "json", e.get("/open311/v2/requests/"+id+".json"), false)[0]
		assert.Equal(t, "", q["lat"], "lat is null")
		assert.Equal(t, "", q["long"], "long is null")
	})
	t.Run("several photos, png included", func(t *testing.T) {
		form := e.validForm()
		form["media_url"] = []string{e.media.URL + "/photo.jpg", e.media.URL + "/photo.png"}
		form.Set("email", "third@example.org")
		id := e.submit(form)
		h, err := e.store.GetByRef(context.Background(), id)
		require.NoError(t, err)
		require.Len(t, h.Photos, 2)
		assert.Equal(t, hazard.TypePNG, h.Photos[1].ContentType)
	})
}

func TestGCJ02IsServedAsWGS84(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	info, err := e.blobs.Put(ctx, strings.NewReader(string(e.jpeg)), hazard.TypeJPEG)
	require.NoError(t, err)
	gcj := hazard.Point{Lat: 36.4567, Lng: 115.9854, System: hazard.GCJ02}
	h, err := e.svc.Submit(ctx, hazard.User{ID: "u1", Role: "reporter"}, hazard.SubmitInput{
		Category: "gas", Description: "燃气管道泄漏", Location: hazard.Location{Address: "柳园路 1号", Point: &gcj},
		Photos: []hazard.Photo{{SHA256: info.Key, ContentType: info.ContentType, Size: info.Size}},
	}, "")
	require.NoError(t, err)
	want := gcj.WGS84()
	for _, ext := range formats {
		q := checkRequests(t, ext, e.get("/open311/v2/requests/"+h.Ref+"."+ext), false)[0]
		lat, err := strconv.ParseFloat(q["lat"], 64)
		require.NoError(t, err)
		lng, err := strconv.ParseFloat(q["long"], 64)
		require.NoError(t, err)
		assert.InDelta(t, want.Lat, lat, 1e-9, "%s lat", ext)
		assert.InDelta(t, want.Lng, lng, 1e-9, "%s long", ext)
		assert.Greater(t, gcj.Lng-lng, 0.003, "%s: the GCJ-02 offset was removed", ext)
	}
}

func TestPostErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		edit   func(f url.Values)
		status int
		fields []string // the fields the errors name, in order
		codes  []int
	}{
		{name: "missing api_key", edit: func(f url.Values) { f.Del("api_key") }, status: 403, fields: []string{"api_key"}, codes: []int{403}},
		{name: "unknown api_key", edit: func(f url.Values) { f.Set("api_key", "not-a-registered-key") }, status: 403, fields: []string{"api_key"}, codes: []int{403}},
		{name: "bad api_key wins over bad fields", edit: func(f url.Values) { f.Set("api_key", "x"); f.Del("media_url"); f.Del("service_code") }, status: 403, fields: []string{"api_key"}, codes: []int{403}},
		{name: "missing service_code", edit: func(f url.Values) { f.Del("service_code") }, status: 400, fields: []string{"service_code"}, codes: []int{400}},
		{name: "unknown service_code", edit: func(f url.Values) { f.Set("service_code", "potholes") }, status: 404, fields: []string{"service_code"}, codes: []int{404}},
		{name: "no photo", edit: func(f url.Values) { f.Del("media_url") }, status: 400, fields: []string{"media_url"}},
		{name: "several problems at once", edit: func(f url.Values) {
			for _, k := range []string{"lat", "long", "address_string", "attribute[severity]", "media_url", "email", "phone"} {
				f.Del(k)
			}
			f.Set("description", strings.Repeat("长", hazard.MaxDescriptionLen+1))
			f.Set("attribute[colour]", "red")
		}, status: 400, fields: []string{"attribute[colour]", "attribute[severity]", "lat", "account_id", "media_url", "description"}},
		{name: "description empty", edit: func(f url.Values) { f.Set("description", " ") }, status: 400, fields: []string{"description"}},
		{name: "description within Open311's 4000 but over our 1000", edit: func(f url.Values) { f.Set("description", strings.Repeat("x", 4000)) }, status: 400, fields: []string{"description"}},
		{name: "severity outside the list", edit: func(f url.Values) { f.Set("attribute[severity]", "catastrophic") }, status: 400, fields: []string{"attribute[severity]"}},
		{name: "severity twice", edit: func(f url.Values) { f["attribute[severity]"] = []string{"general", "major"} }, status: 400, fields: []string{"attribute[severity]"}},
		{name: "unit too long", edit: func(f url.Values) { f.Set("attribute[unit]", strings.Repeat("u", hazard.MaxUnitLen+1)) }, status: 400, fields: []string{"attribute[unit]"}},
		{name: "unit on two lines", edit: func(f url.Values) { f.Set("attribute[unit]", "a\nb") }, status: 400, fields: []string{"attribute[unit]"}},
		// The domain's text policy, as for the JSON API.
		{name: "override in description", edit: func(f url.Values) { f.Set("description", "exit \u202egnikcolb") }, status: 400, fields: []string{"description"}},
		{name: "zero width in unit", edit: func(f url.Values) { f.Set("attribute[unit]", "柳园\u200b商场") }, status: 400, fields: []string{"attribute[unit]"}},
		{name: "isolate in name", edit: func(f url.Values) { f.Set("first_name", "Li\u2066Hua") }, status: 400, fields: []string{"first_name"}},
		{name: "address on two lines", edit: func(f url.Values) { f.Set("address_string", "建国路\n88号") }, status: 400, fields: []string{"address_string"}},
		{name: "phone not a phone", edit: func(f url.Values) { f.Set("phone", "call me") }, status: 400, fields: []string{"phone"}},
		{name: "invalid UTF-8 in description", edit: func(f url.Values) { f.Set("description", "a\xffb") }, status: 400, fields: []string{"description"}},
		{name: "coordinate system unknown", edit: func(f url.Values) { f.Set("attribute[coord_system]", "BD-09") }, status: 400, fields: []string{"attribute[coord_system]"}},
		{name: "coordinate system twice", edit: func(f url.Values) { f["attribute[coord_system]"] = []string{"wgs84", "gcj02"} }, status: 400, fields: []string{"attribute[coord_system]"}},
		{name: "lat without long", edit: func(f url.Values) { f.Del("long") }, status: 400, fields: []string{"long"}},
		{name: "lat not a number", edit: func(f url.Values) { f.Set("lat", "north") }, status: 400, fields: []string{"lat"}},
		{name: "lat out of range", edit: func(f url.Values) { f.Set("lat", "91") }, status: 400, fields: []string{"lat"}},
		{name: "address_id alone", edit: func(f url.Values) {
			f.Del("lat")
			f.Del("long")
			f.Del("address_string")
			f.Set("address_id", "545483")
		}, status: 400, fields: []string{"address_id"}},
		{name: "address too long", edit: func(f url.Values) { f.Set("address_string", strings.Repeat("路", hazard.MaxAddressLen+1)) }, status: 400, fields: []string{"address_string"}},
		{name: "email malformed", edit: func(f url.Values) { f.Set("email", "nobody") }, status: 400, fields: []string{"email"}},
		{name: "name too long", edit: func(f url.Values) { f.Set("first_name", strings.Repeat("n", open311.MaxNameLen+1)) }, status: 400, fields: []string{"first_name"}},
		{name: "media host not allowed", edit: func(f url.Values) { f.Set("media_url", e.other.URL+"/photo.jpg") }, status: 400, fields: []string{"media_url"}},
		{name: "media over plain http", edit: func(f url.Values) { f.Set("media_url", e.plain.URL+"/photo.jpg") }, status: 400, fields: []string{"media_url"}},
		{name: "media not absolute", edit: func(f url.Values) { f.Set("media_url", "/photo.jpg") }, status: 400, fields: []string{"media_url"}},
		{name: "media with credentials", edit: func(f url.Values) {
			f.Set("media_url", strings.Replace(e.media.URL, "https://", "https://u:p@", 1)+"/photo.jpg")
		}, status: 400, fields: []string{"media_url"}},
		{name: "media not an image", edit: func(f url.Values) { f.Set("media_url", e.media.URL+"/page.html") }, status: 400, fields: []string{"media_url"}},
		{name: "media too large", edit: func(f url.Values) { f.Set("media_url", e.media.URL+"/huge.jpg") }, status: 400, fields: []string{"media_url"}},
		{name: "media missing", edit: func(f url.Values) { f.Set("media_url", e.media.URL+"/gone.jpg") }, status: 400, fields: []string{"media_url"}},
		{name: "media redirected to a host not allowed", edit: func(f url.Values) { f.Set("media_url", e.media.URL+"/away") }, status: 400, fields: []string{"media_url"}},
		{name: "too many media", edit: func(f url.Values) {
			f["media_url"] = nil
			for i := 0; i <= open311.MaxMediaURLs; i++ {
				f.Add("media_url", e.media.URL+"/photo.jpg?"+strconv.Itoa(i))
			}
		}, status: 400, fields: []string{"media_url"}},
		{name: "other jurisdiction", edit: func(f url.Values) { f.Set("jurisdiction_id", "elsewhere.gov") }, status: 200},
	}
	for i, tt := range tests {
		for _, ext := range formats {
			t.Run(tt.name+"/"+ext, func(t *testing.T) {
				form := e.validForm()
				form.Set("email", "case"+strconv.Itoa(i)+ext+"@example.org") // a reporter per case: the daily limit stays out of the way
				tt.edit(form)
				r := e.post(ext, form)
				if tt.status == http.StatusOK {
					require.Equal(t, http.StatusOK, r.status, "no jurisdiction configured: any jurisdiction_id is accepted: %s", r.body)
					return
				}
				codes, descs := checkErrors(t, ext, r, tt.status)
				assert.Equal(t, tt.fields, fieldsOf(descs), "fields at fault: %v", descs)
				if tt.codes != nil {
					assert.Equal(t, tt.codes, codes)
				}
			})
		}
	}
	l, err := e.store.List(context.Background(), hazard.Filter{}, hazard.Page{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2, "only the two jurisdiction cases created hazards")
}

func TestPostRequestShape(t *testing.T) {
	e := newEnv(t)
	t.Run("not form-encoded", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/open311/v2/requests.json", strings.NewReader(`{"service_code":"fire"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("body too large", func(t *testing.T) {
		form := e.validForm()
		form.Set("device_id", strings.Repeat("d", open311.MaxFormBytes))
		_, descs := checkErrors(t, "xml", e.post("xml", form), http.StatusBadRequest)
		assert.Len(t, descs, 1)
	})
}

func TestPostRateLimited(t *testing.T) {
	e := newEnv(t, func(s *hazard.ServiceConfig, _ *open311.Config) { s.SubmitsPerDay = 1 })
	form := e.validForm()
	e.submit(form)
	form.Set("lat", "36.5") // not a duplicate question: the limit decides
	codes, _ := checkErrors(t, "json", e.post("json", form), http.StatusBadRequest)
	assert.Equal(t, []int{http.StatusTooManyRequests}, codes)
}

func TestJurisdiction(t *testing.T) {
	e := newEnv(t, func(_ *hazard.ServiceConfig, c *open311.Config) { c.JurisdictionID = "liaocheng.gov.cn" })
	for _, ext := range formats {
		r := e.get("/open311/v2/services." + ext + "?jurisdiction_id=liaocheng.gov.cn")
		assert.Equal(t, http.StatusOK, r.status, "the configured jurisdiction")
		r = e.get("/open311/v2/services." + ext)
		assert.Equal(t, http.StatusOK, r.status, "jurisdiction_id is optional")
		_, descs := checkErrors(t, ext, e.get("/open311/v2/services."+ext+"?jurisdiction_id=sfgov.org"), http.StatusNotFound)
		assert.Equal(t, []string{"jurisdiction_id"}, fieldsOf(descs))
		form := e.validForm()
		form.Set("jurisdiction_id", "sfgov.org")
		checkErrors(t, ext, e.post(ext, form), http.StatusNotFound)
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, path string
		ext                string
		status, code       int
	}{
		{"no format", "GET", "/open311/v2/services", "xml", 404, 404},
		{"unknown format", "GET", "/open311/v2/services.html", "xml", 404, 404},
		{"unknown resource", "GET", "/open311/v2/potholes.json", "json", 404, 404},
		{"nested too deep", "GET", "/open311/v2/services/fire/x.json", "json", 404, 404},
		{"unknown request", "GET", "/open311/v2/requests/LC-20260301-999999.json", "json", 404, 404},
		{"unknown token", "GET", "/open311/v2/tokens/nope.xml", "xml", 404, 404},
		{"POST services", "POST", "/open311/v2/services.json", "json", 400, 405},
		{"DELETE a request", "DELETE", "/open311/v2/requests/x.xml", "xml", 400, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			codes, _ := checkErrors(t, tt.ext, e.do(tt.method, tt.path, nil), tt.status)
			assert.Equal(t, []int{tt.code}, codes)
		})
	}
	t.Run("mounted with StripPrefix", func(t *testing.T) {
		h, err := open311.NewHandler(open311.Config{Service: e.svc, Photos: e.photos, Partners: open311.StaticPartners{}, BaseURL: baseURL})
		require.NoError(t, err)
		srv := httptestServer(t, http.StripPrefix("/open311/v2", h))
		resp, err := http.Get(srv + "/open311/v2/services.json")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	id := e.submit(e.validForm())
	for _, ext := range formats {
		r := e.get("/open311/v2/tokens/" + id + "." + ext)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		if ext == "json" {
			list := jsonList(t, r)
			require.Len(t, list, 1)
			checkJSONObject(t, "token", list[0], tokenSchema)
			assert.Equal(t, id, list[0]["service_request_id"])
		} else {
			list := items(t, xmlRoot(t, r, "service_requests"), "request")
			require.Len(t, list, 1)
			checkXMLElement(t, "token", list[0], tokenSchema)
			assert.Equal(t, id, list[0].text("service_request_id"))
		}
	}
}

func TestGetRequestsFilters(t *testing.T) {
	e := newEnv(t)
	old := e.submit(e.validForm()) // 2026-03-01
	e.clock.Advance(100 * 24 * time.Hour)
	form := e.validForm()
	form.Set("email", "b@example.org")
	fire := e.submit(form) // 2026-06-09
	e.clock.Advance(time.Hour)
	form.Set("service_code", "gas")
	form.Set("lat", "36.6")
	gas := e.submit(form)
	e.clock.Advance(time.Hour)
	form.Set("service_code", "construction")
	form.Set("lat", "36.7")
	closed := e.submit(form)
	e.act(closed, "withdraw", mustUser(t, e, closed), hazard.ActInput{})
	e.clock.Advance(time.Hour)

	ids := func(t *testing.T, ext, query string) []string {
		t.Helper()
		var out []string
		for _, q := range checkRequests(t, ext, e.get("/open311/v2/requests."+ext+query), false) {
			out = append(out, q["service_request_id"])
		}
		return out
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"default: the last 90 days, newest first", "", []string{closed, gas, fire}},
		{"service_code", "?service_code=gas", []string{gas}},
		{"service_code list", "?service_code=gas,fire", []string{gas, fire}},
		{"service_code repeated", "?service_code=gas&service_code=construction", []string{closed, gas}},
		{"status open", "?status=open", []string{gas, fire}},
		{"status closed", "?status=closed", []string{closed}},
		{"status both", "?status=open,closed", []string{closed, gas, fire}},
		{"start_date and end_date", "?start_date=2026-02-28T00:00:00Z&end_date=2026-03-02T00:00:00%2B08:00", []string{old}},
		{"start_date alone spans 90 days", "?start_date=2026-02-28", []string{old}},
		{"end_date alone spans 90 days back", "?end_date=2026-06-09T08:00:00Z", []string{fire}},
		{"service_request_id overrides the rest", "?service_request_id=" + old + "," + gas + ",LC-20990101-000001&status=closed&service_code=fire", []string{old, gas}},
		{"page_size", "?page_size=2", []string{closed, gas}},
		{"page 2", "?page_size=2&page=2", []string{fire}},
		{"page past the end", "?page_size=2&page=3", nil},
		{"ids paged", "?service_request_id=" + old + "," + gas + "&page_size=1&page=2", []string{gas}},
	}
	for _, tt := range tests {
		for _, ext := range formats {
			t.Run(tt.name+"/"+ext, func(t *testing.T) {
				assert.Equal(t, tt.want, ids(t, ext, tt.query))
			})
		}
	}

	bad := []struct {
		name, query string
		fields      []string
	}{
		{"span over 90 days", "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", []string{"end_date"}},
		{"end before start", "?start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z", []string{"end_date"}},
		{"no zone", "?start_date=2026-03-01T00:00:00", []string{"start_date"}},
		{"unknown status and service", "?status=pending&service_code=potholes", []string{"service_code", "status"}},
		{"bad page", "?page=0&page_size=1001", []string{"page", "page_size"}},
		{"too many ids", "?service_request_id=" + strings.Repeat("x,", open311.MaxRequestIDs) + "x", []string{"service_request_id"}},
	}
	for _, tt := range bad {
		for _, ext := range formats {
			t.Run(tt.name+"/"+ext, func(t *testing.T) {
				_, descs := checkErrors(t, ext, e.get("/open311/v2/requests."+ext+tt.query), http.StatusBadRequest)
				assert.Equal(t, tt.fields, fieldsOf(descs))
			})
		}
	}
}

func mustUser(t *testing.T, e *env, ref string) hazard.User {
	t.Helper()
	h, err := e.store.GetByRef(context.Background(), ref)
	require.NoError(t, err)
	return hazard.User{ID: h.Reporter.UserID, Role: "reporter"}
}

var (
	dispatcher = hazard.User{ID: "d1", Role: "dispatcher"}
	fireDept   = hazard.User{ID: "h1", Role: "handler", Department: "fire"}
	reviewer   = hazard.User{ID: "r1", Role: "reviewer"}
)

func TestProgressTimeline(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.submit(e.validForm())
	evidence, err := e.blobs.Put(ctx, strings.NewReader(string(e.pngData)), hazard.TypePNG)
	require.NoError(t, err)
	e.clock.Advance(time.Hour)
	e.act(id, "dispatch", dispatcher, hazard.ActInput{Department: "fire"})
	e.clock.Advance(time.Hour)
	e.act(id, "accept", fireDept, hazard.ActInput{})
	e.clock.Advance(time.Hour)
	e.act(id, "resolve", fireDept, hazard.ActInput{Note: "Crates removed, lane clear.", PrivateNote: "owner fined", Photos: []hazard.Photo{{SHA256: evidence.Key, ContentType: evidence.ContentType, Size: evidence.Size}}})
	e.clock.Advance(time.Hour)
	e.act(id, "approve", reviewer, hazard.ActInput{Verdict: "fixed"})
	closedAt := e.clock.Now()
	e.clock.Advance(time.Hour)

	wantNotes := "submitted/OPEN forwarded/ACTION_SCHEDULED accepted/IN_PROGRESS handled/IN_PROGRESS reviewed/FIXED"
	for _, ext := range formats {
		t.Run("extensions/"+ext, func(t *testing.T) {
			q := checkRequests(t, ext, e.get("/open311/v2/requests/"+id+"."+ext+"?extensions=true"), true)[0]
			assert.Equal(t, wantNotes, q["notes"])
			assert.Equal(t, "closed", q["status"])
			assert.Equal(t, closedAt.Format(time.RFC3339), q["updated_datetime"], "a closed request's updated_datetime is when it closed")
			assert.Equal(t, "", q["expected_datetime"], "nothing expected of a closed request")
			assert.Equal(t, "Fire and Rescue", q["agency_responsible"])
			assert.Equal(t, "Reviewed and closed as fixed.", q["status_notes"])
			list := checkRequests(t, ext, e.get("/open311/v2/requests."+ext+"?extensions=true"), true)
			require.Len(t, list, 1)
			assert.Equal(t, wantNotes, list[0]["notes"])
			plain := checkRequests(t, ext, e.get("/open311/v2/requests/"+id+"."+ext), false)[0]
			_, has := plain["notes"]
			assert.False(t, has, "notes only with extensions=true")
			body := string(e.get("/open311/v2/requests/" + id + "." + ext + "?extensions=true").body)
			assert.NotContains(t, body, "owner fined", "private notes never show")
			assert.Contains(t, body, "Crates removed, lane clear.")
		})
		t.Run("servicerequestupdates/"+ext, func(t *testing.T) {
			ups := updates(t, e, ext, "")
			var statuses []string
			for _, u := range ups {
				assert.Equal(t, id, u["service_request_id"])
				statuses = append(statuses, u["status"])
			}
			assert.Equal(t, []string{"OPEN", "ACTION_SCHEDULED", "IN_PROGRESS", "IN_PROGRESS", "FIXED"}, statuses)
			assert.Equal(t, "Crates removed, lane clear.", ups[3]["description"])
			assert.Equal(t, baseURL+"/photos/"+evidence.Key, ups[3]["media_url"], "the rectification photo")
			assert.Equal(t, "", ups[4]["media_url"])
			assert.Equal(t, "2026-03-01T12:00:00Z", ups[4]["updated_datetime"])
			seen := map[string]bool{}
			for _, u := range ups {
				assert.False(t, seen[u["update_id"]], "update_id %s repeats", u["update_id"])
				seen[u["update_id"]] = true
			}

			window := updates(t, e, ext, "?start_date=2026-03-01T09:30:00Z&end_date=2026-03-01T11:00:00Z")
			statuses = nil
			for _, u := range window {
				statuses = append(statuses, u["status"])
			}
			assert.Equal(t, []string{"IN_PROGRESS", "IN_PROGRESS"}, statuses, "the window holds accept and resolve")
			paged := updates(t, e, ext, "?page_size=2&page=3")
			require.Len(t, paged, 1)
			assert.Equal(t, "FIXED", paged[0]["status"])
			_, descs := checkErrors(t, ext, e.get("/open311/v2/servicerequestupdates."+ext+"?start_date=yesterday"), http.StatusBadRequest)
			assert.Equal(t, []string{"start_date"}, fieldsOf(descs))
		})
	}
}

func TestClosingStatuses(t *testing.T) {
	e := newEnv(t)
	rejected := e.submit(e.validForm())
	e.act(rejected, "reject", dispatcher, hazard.ActInput{Note: "Not a safety hazard."})

	form := e.validForm()
	form.Set("service_code", "gas")
	form.Set("email", "first@example.org")
	original := e.submit(form)
	form.Set("email", "second@example.org")
	dup := e.submit(form) // same place, same category: flagged
	e.act(dup, "reject", dispatcher, hazard.ActInput{Note: "Already reported."})

	form.Set("service_code", "construction")
	withdrawn := e.submit(form)
	e.act(withdrawn, "withdraw", mustUser(t, e, withdrawn), hazard.ActInput{})

	last := map[string]string{}
	for _, u := range updates(t, e, "json", "") {
		last[u["service_request_id"]] = u["status"]
	}
	assert.Equal(t, map[string]string{
		rejected: "NO_FURTHER_ACTION", original: "OPEN", dup: "DUPLICATE", withdrawn: "CLOSED",
	}, last)
	q := checkRequests(t, "json", e.get("/open311/v2/requests/"+rejected+".json"), false)[0]
	assert.Equal(t, "Not a safety hazard.", q["status_notes"], "status_notes is the latest public note")
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		state     string
		duplicate bool
		want      open311.UpdateStatus
	}{
		{"submitted", false, open311.StatusOpen},
		{"dispatched", false, open311.StatusActionScheduled},
		{"accepted", false, open311.StatusInProgress},
		{"resolved", false, open311.StatusInProgress},
		{"closed_valid", false, open311.StatusFixed},
		{"closed_invalid", false, open311.StatusNoFurtherAction},
		{"closed_invalid", true, open311.StatusDuplicate},
		{"withdrawn", false, open311.StatusClosed},
		{"withdrawn", true, open311.StatusClosed},
		{"found", false, open311.StatusOpen},
		{"rectifying", false, open311.StatusInProgress},
		{"awaiting_signoff", false, open311.StatusInvestigating},
		{"closed_out", false, open311.StatusFixed},
		{"dismissed", false, open311.StatusNoFurtherAction},
	}
	ps := hazard.DefaultProcesses()
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			var m hazard.StateMeaning
			var terminal bool
			for _, pr := range ps.All() {
				if mm, ok := pr.Meaning(tt.state); ok {
					m, terminal = mm, pr.Definition().IsTerminal(tt.state)
				}
			}
			got := open311.StatusOf(m, tt.duplicate)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, terminal, got.Closes(), "a status closes exactly the closed states")
		})
	}
}

// updates fetches servicerequestupdates and checks it against the
// extension's field list.
func updates(t *testing.T, e *env, ext, query string) []map[string]string {
	t.Helper()
	r := e.get("/open311/v2/servicerequestupdates." + ext + query)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var out []map[string]string
	if ext == "json" {
		for i, u := range jsonList(t, r) {
			checkJSONObject(t, "update["+strconv.Itoa(i)+"]", u, updateSchema)
			m := map[string]string{}
			for k, v := range u {
				m[k], _ = v.(string)
			}
			out = append(out, m)
		}
		return out
	}
	root := xmlRoot(t, r, "service_request_updates")
	for i, u := range items(t, root, "request_update") {
		s := map[string]field{}
		for k, v := range updateSchema {
			s[k] = v
		}
		s["description"] = field{kind: kString, nullable: true} // an empty element is an empty string here
		s["media_url"] = field{kind: kURI, nullable: true}
		checkXMLElement(t, "update["+strconv.Itoa(i)+"]", u, s)
		m := map[string]string{}
		for _, c := range u.Children {
			m[c.XMLName.Local] = strings.TrimSpace(c.Text)
		}
		out = append(out, m)
	}
	return out
}

func TestEscalationKeepsTheStatus(t *testing.T) {
	e := newEnv(t)
	id := e.submit(e.validForm())
	e.clock.Advance(25 * time.Hour) // past the one-day dispatch deadline
	n, err := e.svc.Escalate(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n, "Escalate")
	for _, ext := range formats {
		q := checkRequests(t, ext, e.get("/open311/v2/requests/"+id+"."+ext+"?extensions=true"), true)[0]
		assert.Equal(t, "submitted/OPEN escalated/OPEN", q["notes"], ext)
		assert.Equal(t, "open", q["status"], ext)
	}
}

// accountsFunc adapts a function to open311.Accounts.
type accountsFunc func(ctx context.Context, r open311.Reporter) (hazard.User, error)

func (f accountsFunc) Resolve(ctx context.Context, r open311.Reporter) (hazard.User, error) {
	return f(ctx, r)
}

func TestAccountsErrors(t *testing.T) {
	tests := []struct {
		name     string
		accounts accountsFunc
		status   int
		codes    []int
		fields   []string
	}{
		{"account refused", func(context.Context, open311.Reporter) (hazard.User, error) {
			return hazard.User{}, hazard.Errorf(hazard.CodeForbidden, "this account is suspended")
		}, 403, []int{403}, []string{"this account is suspended"}},
		{"account store down", func(context.Context, open311.Reporter) (hazard.User, error) {
			return hazard.User{}, errors.New("dial tcp 10.0.0.9:5432: connection refused")
		}, 500, []int{500}, []string{"internal error"}},
		{"an ID the domain refuses", func(context.Context, open311.Reporter) (hazard.User, error) {
			return hazard.User{ID: strings.Repeat("u", hazard.MaxUserIDLen+1), Role: "reporter"}, nil
		}, 400, []int{400}, []string{"account_id"}},
		{"the partner's own user", func(_ context.Context, r open311.Reporter) (hazard.User, error) {
			return hazard.User{ID: "partner:" + r.Partner.Name + ":" + r.AccountID, Role: "reporter", Verified: true}, nil
		}, 200, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(_ *hazard.ServiceConfig, c *open311.Config) { c.Accounts = tt.accounts })
			form := e.validForm()
			form.Set("account_id", "42")
			r := e.post("json", form)
			if tt.status == http.StatusOK {
				require.Equal(t, http.StatusOK, r.status, "%s", r.body)
				h, err := e.store.GetByRef(context.Background(), jsonList(t, r)[0]["service_request_id"].(string))
				require.NoError(t, err)
				assert.Equal(t, hazard.Reporter{UserID: "partner:" + testPartner + ":42", Verified: true, Contact: hazard.Contact{Name: "Li Hua", Phone: "13800138000"}}, h.Reporter)
				return
			}
			codes, descs := checkErrors(t, "json", r, tt.status)
			assert.Equal(t, tt.codes, codes)
			assert.Equal(t, tt.fields, fieldsOf(descs))
			assert.NotContains(t, string(r.body), "10.0.0.9", "internal causes never show")
		})
	}
}

// TestUpdatesSkipOtherSubjects appends an event of another subject than a
// hazard (a unit's note, public) to the log: servicerequestupdates lists
// only the hazards' updates, and does not fail on it.
func TestUpdatesSkipOtherSubjects(t *testing.T) {
	e := newEnv(t)
	id := e.submit(e.validForm())
	_, err := e.store.Append(context.Background(), hazard.Event{
		Subject: hazard.Subject{Kind: "unit", ID: "unit-1"}, Type: hazard.EventNote, PublicNote: "unit inspected",
		Actor: hazard.Actor{ID: "inspector-1", Role: "inspector"}, Time: e.clock.Now(),
	})
	require.NoError(t, err)
	ups := updates(t, e, "json", "")
	require.Len(t, ups, 1, "the hazard's submission only")
	assert.Equal(t, id, ups[0]["service_request_id"])
}

// TestCoordSystemAttribute: lat and long are WGS-84 unless
// attribute[coord_system] says otherwise, in any of the accepted
// spellings; the hazard stores the canonical value.
func TestCoordSystemAttribute(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		value string
		want  hazard.CoordSystem
	}{{"", hazard.WGS84}, {"gcj02", hazard.GCJ02}, {"GCJ-02", hazard.GCJ02}, {"wgs-84", hazard.WGS84}, {"WGS84", hazard.WGS84}} {
		f := e.validForm()
		if tc.value != "" {
			f.Set("attribute[coord_system]", tc.value)
		}
		f.Set("address_string", "东昌府区 柳园路 "+strconv.Itoa(len(tc.value)+100)+"号")
		ref := e.submit(f)
		h, err := e.store.GetByRef(context.Background(), ref)
		require.NoError(t, err)
		require.NotNil(t, h.Location.Point, "point of %q", tc.value)
		assert.Equal(t, tc.want, h.Location.Point.System, "coord_system %q", tc.value)
	}
}
