package web

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// RiskListPage is how many units one page of the risk map's list shows.
const RiskListPage = 50

// riskMapPath is the API's four-colour risk map.
const riskMapPath = "/api/v1/risk/map.geojson"

// mapMessages are the texts of the map pages, in both languages.
var mapMessages = map[string][2]string{
	"nav.riskmap":                  {"风险分布图", "Risk map"},
	"riskmap.title":                {"风险分布图", "Four-colour risk map"},
	"riskmap.industry":             {"行业", "Industry"},
	"riskmap.grade":                {"风险等级", "Risk grade"},
	"riskmap.district":             {"区域", "District"},
	"riskmap.all":                  {"全部", "All"},
	"riskmap.filter":               {"筛选", "Filter"},
	"riskmap.list":                 {"单位列表", "Units"},
	"riskmap.count":                {"家单位", "units"},
	"riskmap.empty":                {"没有符合条件的单位。", "No unit matches."},
	"riskmap.prev":                 {"上一页", "Previous page"},
	"riskmap.next":                 {"下一页", "Next page"},
	"riskmap.approx":               {"位置为约数（约 1 公里）。", "Locations are approximate (about 1 km)."},
	"map.label":                    {"地图", "Map"},
	"map.nolib":                    {"地图未能加载，页面其余部分照常可用。", "The map could not load; the rest of the page works without it."},
	"map.pick":                     {"在地图上点选或拖动标记以标出隐患位置", "Tap the map or drag the marker to place the hazard"},
	"grade.red":                    {"重大风险（红）", "Major risk (red)"},
	"grade.orange":                 {"较大风险（橙）", "High risk (orange)"},
	"grade.yellow":                 {"一般风险（黄）", "Moderate risk (yellow)"},
	"grade.blue":                   {"低风险（蓝）", "Low risk (blue)"},
	"industry.hazardous_chemicals": {"危险化学品", "Hazardous chemicals"},
	"industry.industry_trade":      {"工贸", "Industry and trade"},
	"industry.fire":                {"消防重点单位", "Fire safety key units"},
	"industry.special_equipment":   {"特种设备", "Special equipment"},
	"industry.urban_gas":           {"城镇燃气", "Urban gas"},
}

func init() { maps.Copy(messages, mapMessages) }

// grades are the four colours in the order the list shows them, worst
// first.
var grades = []string{"red", "orange", "yellow", "blue"}

// mapFeature is what the risk map page reads of a GeoJSON feature.
type mapFeature struct {
	ID         string `json:"id"`
	Properties struct {
		Name     string `json:"name"`
		Industry string `json:"industry"`
		Grade    string `json:"grade"`
		Colour   string `json:"colour"`
		District string `json:"district"`
	} `json:"properties"`
	Geometry struct {
		Coordinates [2]float64 `json:"coordinates"`
	} `json:"geometry"`
}

type featureCollection struct {
	Features []mapFeature `json:"features"`
}

// gradeCount is one grade of the legend with the units of that grade.
type gradeCount struct {
	Grade string
	Count int
}

// riskMap is the four-colour risk map page: the map over a list of the
// units the filters select, which the server renders so that the page
// works without the map.
func (h *Handler) riskMap(w http.ResponseWriter, r *http.Request) {
	p, c, _ := h.start(w, r, "riskmap.title", false)
	q := url.Values{}
	for _, k := range []string{"industry", "grade", "district"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	var all, sel featureCollection
	if err := c.get(r.Context(), riskMapPath, nil, &all); err != nil {
		h.fail(w, r, p, err)
		return
	}
	if err := c.get(r.Context(), riskMapPath, q, &sel); err != nil {
		h.fail(w, r, p, err)
		return
	}
	industries, districts := map[string]bool{}, map[string]bool{}
	for _, f := range all.Features {
		industries[f.Properties.Industry] = true
		if f.Properties.District != "" {
			districts[f.Properties.District] = true
		}
	}
	rank := func(g string) int { return slices.Index(grades, g) }
	units := sel.Features
	slices.SortStableFunc(units, func(a, b mapFeature) int {
		return cmp.Or(cmp.Compare(rank(a.Properties.Grade), rank(b.Properties.Grade)),
			cmp.Compare(a.Properties.Name, b.Properties.Name), cmp.Compare(a.ID, b.ID))
	})
	counts := make([]gradeCount, len(grades))
	for i, g := range grades {
		counts[i].Grade = g
	}
	for _, f := range units {
		if i := rank(f.Properties.Grade); i >= 0 {
			counts[i].Count++
		}
	}
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pages := max(1, (len(units)+RiskListPage-1)/RiskListPage)
	pageNo = min(max(pageNo, 1), pages)
	from := (pageNo - 1) * RiskListPage
	link := func(n int) string {
		v := url.Values{}
		maps.Copy(v, q)
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/risk-map"
		}
		return "/risk-map?" + v.Encode()
	}
	p.Data["Units"] = units[from:min(from+RiskListPage, len(units))]
	p.Data["Total"] = len(units)
	p.Data["Counts"] = counts
	p.Data["Grades"] = grades
	p.Data["Industries"] = slices.Sorted(maps.Keys(industries))
	p.Data["Districts"] = slices.Sorted(maps.Keys(districts))
	p.Data["Industry"], p.Data["Grade"], p.Data["District"] = q.Get("industry"), q.Get("grade"), q.Get("district")
	if pageNo > 1 {
		p.Data["Prev"] = link(pageNo - 1)
	}
	if pageNo < pages {
		p.Data["Next"] = link(pageNo + 1)
	}
	p.Data["Page"], p.Data["Pages"] = pageNo, pages
	p.Data["GeoJSON"] = riskMapPath
	if len(q) > 0 {
		p.Data["GeoJSON"] = riskMapPath + "?" + q.Encode()
	}
	h.withMap(p)
	h.render(w, r, "riskmap", p)
}

// industryName names an industry code in the page's language; a code the
// pages do not know shows as itself.
func industryName(l Lang, code string) string {
	if _, ok := messages["industry."+code]; ok {
		return T(l, "industry."+code)
	}
	return code
}

// mapView is what a page with a map passes to its template: where Leaflet
// and the tiles come from, and the view to start with.
type mapView struct {
	JS, JSIntegrity, CSS, CSSIntegrity string
	Tiles, Subdomains, Attribution     string
	System                             string
	MaxZoom, Zoom                      int
	Lat, Lng                           float64
}

// withMap makes p a page with a map: its template loads Leaflet, and its
// Content-Security-Policy allows the map's origins.
func (h *Handler) withMap(p *page) {
	m := h.mapCfg
	c := m.Center.WGS84()
	p.Map = &mapView{JS: m.LeafletJS, JSIntegrity: m.LeafletJSIntegrity, CSS: m.LeafletCSS, CSSIntegrity: m.LeafletCSSIntegrity,
		Tiles: m.TileURL, Subdomains: m.TileSubdomains, Attribution: m.TileAttribution, System: string(m.TileSystem),
		MaxZoom: m.TileMaxZoom, Zoom: m.Zoom, Lat: c.Lat, Lng: c.Lng}
}
