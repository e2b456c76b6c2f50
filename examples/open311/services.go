package open311

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hazardloop/hazardloop/hazard"
)

// Codes of the attributes of every service definition.
const (
	// AttrSeverity is the severity: a singlevaluelist of general or major,
	// required.
	AttrSeverity = "severity"
	// AttrUnit is the receiving unit the reporter names (the enterprise or
	// the place responsible): an optional string of at most
	// hazard.MaxUnitLen characters.
	AttrUnit = "unit"
	// AttrCoordSystem is the coordinate system of lat and long: optional,
	// WGS-84 (GeoReport's) when absent; GCJ-02 for a client that reads
	// Chinese maps. Spellings are hazard.ParseCoordSystem's: WGS84,
	// wgs84, WGS-84, GCJ02, gcj02, GCJ-02.
	AttrCoordSystem = "coord_system"
)

// discovery serves the Service Discovery document.
func (h *handler) discovery(w http.ResponseWriter, _ *http.Request, f format) {
	typ := "production"
	if h.cfg.Test {
		typ = "test"
	}
	cs := h.changeset.Format(W3C)
	d := wireDiscovery{
		Changeset:  cs,
		Contact:    h.cfg.Contact,
		KeyService: h.cfg.KeyService,
		Endpoints: []wireEndpoint{{
			Specification: Specification,
			URL:           h.cfg.BaseURL + h.cfg.Prefix,
			Changeset:     cs,
			Type:          typ,
			Formats:       []string{"text/xml", "application/json"},
		}},
	}
	h.write(w, f, http.StatusOK, d, d)
}

// services serves the list of services: one per hazard category.
func (h *handler) services(w http.ResponseWriter, _ *http.Request, f format) {
	cats := h.cfg.Service.Categories().All()
	items := make([]wireService, 0, len(cats))
	for _, c := range cats {
		items = append(items, h.service(c))
	}
	h.write(w, f, http.StatusOK, wireServices{Items: items}, items)
}

// service maps a category: the name in the configured language, the other
// language's name in the description, the industry as the group.
func (h *handler) service(c hazard.Category) wireService {
	name, other := c.NameEN, c.NameZH
	if h.cfg.Language == Chinese {
		name, other = c.NameZH, c.NameEN
	}
	desc := fmt.Sprintf("%s (%s): report a public-safety hazard of this kind with at least one photo (media_url), its address or coordinates, a description and its severity.", name, other)
	kw := []string{c.Code, c.NameEN, c.NameZH}
	if c.Industry != "" {
		kw = append(kw, c.Industry)
	}
	return wireService{
		ServiceCode: c.Code,
		ServiceName: name,
		Description: some(desc),
		Metadata:    true,
		Type:        "realtime",
		Keywords:    some(strings.Join(kw, ", ")),
		Group:       some(c.Industry),
	}
}

// attributes returns the attributes of every service definition.
func attributes() []wireAttribute {
	return []wireAttribute{
		{
			Variable: true, Code: AttrSeverity, Datatype: "singlevaluelist", Required: true,
			DatatypeDescription: some("general or major"),
			Order:               1,
			Description:         some("How serious the hazard is. General (一般事故隐患): small harm, can be fixed at once. Major (重大事故隐患): serious harm, hard to fix, may need a suspension of work."),
			Values: []wireValue{
				{Key: string(hazard.SeverityGeneral), Name: "General hazard (一般事故隐患)"},
				{Key: string(hazard.SeverityMajor), Name: "Major hazard (重大事故隐患)"},
			},
		},
		{
			Variable: true, Code: AttrUnit, Datatype: "string", Required: false,
			DatatypeDescription: some(fmt.Sprintf("at most %d characters, one line", hazard.MaxUnitLen)),
			Order:               2,
			Description:         some("The receiving unit: the enterprise, shop or site where the hazard is, if known (接收单位)."),
		},
		{
			Variable: true, Code: AttrCoordSystem, Datatype: "singlevaluelist", Required: false,
			DatatypeDescription: some("WGS84 (default) or GCJ02; wgs84, gcj02, WGS-84 and GCJ-02 are accepted"),
			Order:               3,
			Description:         some("The coordinate system of lat and long: WGS-84 (GPS, the default) or GCJ-02 (Chinese maps, wx.getLocation's gcj02)."),
			Values: []wireValue{
				{Key: string(hazard.WGS84), Name: "WGS-84"},
				{Key: string(hazard.GCJ02), Name: "GCJ-02"},
			},
		},
	}
}

// definition serves the service definition of a category.
func (h *handler) definition(w http.ResponseWriter, _ *http.Request, f format, code string) {
	c, ok := h.cfg.Service.Categories().Lookup(code)
	if !ok {
		h.fail(w, f, notFoundField("service_code", fmt.Sprintf("%q is not a service of this endpoint", code)))
		return
	}
	d := wireDefinition{ServiceCode: c.Code, Attributes: attributes()}
	h.write(w, f, http.StatusOK, d, d)
}
