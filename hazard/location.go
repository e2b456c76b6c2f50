package hazard

import (
	"math"
	"strings"
	"unicode/utf8"
)

// CoordSystem names the datum of a coordinate pair. Chinese map services
// return GCJ-02; GPS and international services use WGS-84.
type CoordSystem string

// The coordinate systems.
const (
	WGS84 CoordSystem = "WGS84"
	GCJ02 CoordSystem = "GCJ02"
)

// Valid reports whether c is a known coordinate system.
func (c CoordSystem) Valid() bool { return c == WGS84 || c == GCJ02 }

// ParseCoordSystem returns the coordinate system s names, in its canonical
// spelling (WGS84 or GCJ02). It accepts the spellings clients send:
// wx.getLocation's "wgs84" and "gcj02", and map SDKs' "WGS-84" and
// "GCJ-02", in any case, with or without the hyphen. Anything else is
// CodeInvalid with the field coord_system.
func ParseCoordSystem(s string) (CoordSystem, error) {
	switch strings.ToUpper(strings.Replace(strings.TrimSpace(s), "-", "", 1)) {
	case string(WGS84):
		return WGS84, nil
	case string(GCJ02):
		return GCJ02, nil
	}
	return "", &Error{Code: CodeInvalid, Field: "coord_system", Message: "must be WGS84 or GCJ02 (wgs84, gcj02, WGS-84 and GCJ-02 are accepted)"}
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseCoordSystem's spellings, so that JSON carries any of them and the
// canonical value is stored. An unknown name is kept as given, for
// Location.Validate to refuse with the field at fault.
func (c *CoordSystem) UnmarshalText(b []byte) error {
	if sys, err := ParseCoordSystem(string(b)); err == nil {
		*c = sys
		return nil
	}
	*c = CoordSystem(b)
	return nil
}

// Point is a latitude and longitude in degrees in a named system.
type Point struct {
	Lat    float64     `json:"lat"`
	Lng    float64     `json:"lng"`
	System CoordSystem `json:"system"`
}

// Limits of a location.
const (
	MaxAddressLen  = 200 // runes
	MaxDistrictLen = 64  // runes
)

// Location is where a hazard is.
type Location struct {
	// Address is the detailed address; required.
	Address string `json:"address"`
	// Point is optional.
	Point *Point `json:"point,omitempty"`
	// District is an optional district or grid code.
	District string `json:"district,omitempty"`
}

// Validate reports every problem with l.
func (l Location) Validate() error {
	var p Problems
	switch n := utf8.RuneCountInString(l.Address); {
	case !utf8.ValidString(l.Address):
		p.Add("address", "is not valid UTF-8")
	case n == 0:
		p.Add("address", "is required")
	case n > MaxAddressLen:
		p.Add("address", "is longer than %d characters", MaxAddressLen)
	case hasControl(l.Address):
		p.Add("address", "contains control characters")
	}
	if utf8.RuneCountInString(l.District) > MaxDistrictLen || hasControl(l.District) {
		p.Add("district", "must be at most %d printable characters", MaxDistrictLen)
	}
	if pt := l.Point; pt != nil {
		if math.IsNaN(pt.Lat) || pt.Lat < -90 || pt.Lat > 90 {
			p.Add("latitude", "must be between -90 and 90")
		}
		if math.IsNaN(pt.Lng) || pt.Lng < -180 || pt.Lng > 180 {
			p.Add("longitude", "must be between -180 and 180")
		}
		if !pt.System.Valid() {
			p.Add("coord_system", "must be WGS84 or GCJ02 (wgs84, gcj02, WGS-84 and GCJ-02 are accepted)")
		}
	}
	return p.Err("location")
}

// WGS84 returns the point in WGS-84, converting from GCJ-02 where needed
// (by the usual iterative inverse of the GCJ-02 offset, accurate to about a
// metre). Points outside China are the same in both systems.
func (p Point) WGS84() Point {
	if p.System != GCJ02 {
		return Point{Lat: p.Lat, Lng: p.Lng, System: WGS84}
	}
	lat, lng := p.Lat, p.Lng
	// Iterate: find w such that gcj(w) == p.
	wLat, wLng := lat, lng
	for i := 0; i < 10; i++ {
		gLat, gLng := toGCJ(wLat, wLng)
		dLat, dLng := gLat-lat, gLng-lng
		wLat -= dLat
		wLng -= dLng
		if math.Abs(dLat) < 1e-9 && math.Abs(dLng) < 1e-9 {
			break
		}
	}
	return Point{Lat: wLat, Lng: wLng, System: WGS84}
}

// GCJ02 returns the point in GCJ-02, converting from WGS-84 where needed.
func (p Point) GCJ02() Point {
	if p.System == GCJ02 {
		return p
	}
	lat, lng := toGCJ(p.Lat, p.Lng)
	return Point{Lat: lat, Lng: lng, System: GCJ02}
}

// DistanceMeters returns the great-circle distance between p and q in metres,
// after bringing both to WGS-84.
func (p Point) DistanceMeters(q Point) float64 {
	a, b := p.WGS84(), q.WGS84()
	const r = 6371008.8
	φ1, φ2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dφ := (b.Lat - a.Lat) * math.Pi / 180
	dλ := (b.Lng - a.Lng) * math.Pi / 180
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// BBox is a latitude/longitude box in WGS-84, edges included.
type BBox struct {
	MinLat, MinLng, MaxLat, MaxLng float64
}

// Contains reports whether the WGS-84 point lies in b.
func (b BBox) Contains(p Point) bool {
	w := p.WGS84()
	return w.Lat >= b.MinLat && w.Lat <= b.MaxLat && w.Lng >= b.MinLng && w.Lng <= b.MaxLng
}

// Around returns the smallest WGS-84 box holding the circle of radius
// metres around p: a prefilter for a distance check.
func (p Point) Around(radius float64) BBox {
	w := p.WGS84()
	dLat := radius / 111320.0
	cos := math.Cos(w.Lat * math.Pi / 180)
	if cos < 1e-6 {
		cos = 1e-6
	}
	dLng := radius / (111320.0 * cos)
	return BBox{MinLat: w.Lat - dLat, MaxLat: w.Lat + dLat, MinLng: w.Lng - dLng, MaxLng: w.Lng + dLng}
}

func outOfChina(lat, lng float64) bool {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// toGCJ applies the published GCJ-02 offset to a WGS-84 point.
func toGCJ(lat, lng float64) (float64, float64) {
	if outOfChina(lat, lng) {
		return lat, lng
	}
	const a = 6378245.0
	const ee = 0.00669342162296594323
	dLat := transformLat(lng-105.0, lat-35.0)
	dLng := transformLng(lng-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - ee*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (a / sqrtMagic * math.Cos(radLat) * math.Pi)
	return lat + dLat, lng + dLng
}

func transformLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func transformLng(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}
