package open311

import (
	"encoding/json"
	"encoding/xml"
	"strconv"
	"time"
)

// The wire types below are encoded to XML and to JSON from the same values:
// an optional field is a null in JSON and an empty element in XML (the Spark
// convention the specification's examples follow).

// optString is a string that may be null.
type optString struct {
	S  string
	OK bool
}

func some(s string) optString {
	if s == "" {
		return optString{}
	}
	return optString{S: s, OK: true}
}

func (o optString) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return json.Marshal(o.S)
}

func (o optString) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(o.S, start)
}

// optFloat is a number that may be null.
type optFloat struct {
	F  float64
	OK bool
}

func (o optFloat) text() string { return strconv.FormatFloat(o.F, 'f', -1, 64) }

func (o optFloat) MarshalJSON() ([]byte, error) {
	if !o.OK {
		return []byte("null"), nil
	}
	return []byte(o.text()), nil
}

func (o optFloat) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if !o.OK {
		return e.EncodeElement("", start)
	}
	return e.EncodeElement(o.text(), start)
}

// w3c is a datetime in W3C format, UTC, "Z" zone; the zero time is null.
type w3c time.Time

// W3C is the layout of datetimes on the wire: RFC 3339 in UTC, which is a
// profile of the W3C note the specification requires.
const W3C = "2006-01-02T15:04:05Z07:00"

func (t w3c) text() string {
	if time.Time(t).IsZero() {
		return ""
	}
	return time.Time(t).UTC().Format(W3C)
}

func (t w3c) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.text())
}

func (t w3c) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(t.text(), start)
}

// wireError is one error of the list.
type wireError struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

type wireErrors struct {
	XMLName xml.Name    `xml:"errors"`
	Items   []wireError `xml:"error"`
}

// wireDiscovery is the Service Discovery document.
type wireDiscovery struct {
	XMLName    xml.Name       `xml:"discovery" json:"-"`
	Changeset  string         `xml:"changeset" json:"changeset"`
	Contact    string         `xml:"contact" json:"contact"`
	KeyService string         `xml:"key_service" json:"key_service"`
	Endpoints  []wireEndpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type wireEndpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// wireService is one service of GET services.
type wireService struct {
	XMLName     xml.Name  `xml:"service" json:"-"`
	ServiceCode string    `xml:"service_code" json:"service_code"`
	ServiceName string    `xml:"service_name" json:"service_name"`
	Description optString `xml:"description" json:"description"`
	Metadata    bool      `xml:"metadata" json:"metadata"`
	Type        string    `xml:"type" json:"type"`
	Keywords    optString `xml:"keywords" json:"keywords"`
	Group       optString `xml:"group" json:"group"`
}

type wireServices struct {
	XMLName xml.Name      `xml:"services"`
	Items   []wireService `xml:"service"`
}

// wireDefinition is a service definition.
type wireDefinition struct {
	XMLName     xml.Name        `xml:"service_definition" json:"-"`
	ServiceCode string          `xml:"service_code" json:"service_code"`
	Attributes  []wireAttribute `xml:"attributes>attribute" json:"attributes"`
}

type wireAttribute struct {
	Variable            bool        `xml:"variable" json:"variable"`
	Code                string      `xml:"code" json:"code"`
	Datatype            string      `xml:"datatype" json:"datatype"`
	Required            bool        `xml:"required" json:"required"`
	DatatypeDescription optString   `xml:"datatype_description" json:"datatype_description"`
	Order               int         `xml:"order" json:"order"`
	Description         optString   `xml:"description" json:"description"`
	Values              []wireValue `xml:"values>value,omitempty" json:"values,omitempty"`
}

type wireValue struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// wireRequest is one service request of GET requests.
type wireRequest struct {
	XMLName           xml.Name   `xml:"request" json:"-"`
	ServiceRequestID  string     `xml:"service_request_id" json:"service_request_id"`
	Status            string     `xml:"status" json:"status"`
	StatusNotes       optString  `xml:"status_notes" json:"status_notes"`
	ServiceName       optString  `xml:"service_name" json:"service_name"`
	ServiceCode       string     `xml:"service_code" json:"service_code"`
	Description       optString  `xml:"description" json:"description"`
	AgencyResponsible optString  `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     optString  `xml:"service_notice" json:"service_notice"`
	RequestedDatetime w3c        `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   w3c        `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  w3c        `xml:"expected_datetime" json:"expected_datetime"`
	Address           optString  `xml:"address" json:"address"`
	AddressID         optString  `xml:"address_id" json:"address_id"`
	Zipcode           optString  `xml:"zipcode" json:"zipcode"`
	Lat               optFloat   `xml:"lat" json:"lat"`
	Long              optFloat   `xml:"long" json:"long"`
	MediaURL          optString  `xml:"media_url" json:"media_url"`
	Notes             *wireNotes `xml:"notes,omitempty" json:"notes,omitempty"`
}

// wireNotes is the notes extension (extensions=true): the progress
// timeline. It is a pointer so that it is absent unless asked for.
type wireNotes struct {
	Items []wireNote `xml:"note"`
}

func (n *wireNotes) MarshalJSON() ([]byte, error) {
	if n.Items == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(n.Items)
}

type wireNote struct {
	Datetime    w3c       `xml:"datetime" json:"datetime"`
	Description optString `xml:"description" json:"description"`
	Type        string    `xml:"type" json:"type"`
	Status      string    `xml:"status" json:"status"`
	MediaURL    optString `xml:"media_url" json:"media_url"`
}

type wireRequests struct {
	XMLName xml.Name      `xml:"service_requests"`
	Items   []wireRequest `xml:"request"`
}

// wireCreated is the answer to a POST, and to GET tokens.
type wireCreated struct {
	XMLName          xml.Name   `xml:"request" json:"-"`
	ServiceRequestID string     `xml:"service_request_id" json:"service_request_id"`
	Token            *string    `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice    *optString `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
	AccountID        *optString `xml:"account_id,omitempty" json:"account_id,omitempty"`
}

type wireCreatedList struct {
	XMLName xml.Name      `xml:"service_requests"`
	Items   []wireCreated `xml:"request"`
}

// wireUpdate is one update of servicerequestupdates.
type wireUpdate struct {
	XMLName          xml.Name  `xml:"request_update" json:"-"`
	UpdateID         string    `xml:"update_id" json:"update_id"`
	ServiceRequestID string    `xml:"service_request_id" json:"service_request_id"`
	Status           string    `xml:"status" json:"status"`
	UpdatedDatetime  w3c       `xml:"updated_datetime" json:"updated_datetime"`
	Description      string    `xml:"description" json:"description"`
	MediaURL         optString `xml:"media_url" json:"media_url"`
}

type wireUpdates struct {
	XMLName xml.Name     `xml:"service_request_updates"`
	Items   []wireUpdate `xml:"request_update"`
}
