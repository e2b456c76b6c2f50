// Package open311 serves the Open311 GeoReport v2 API over a hazard.Service,
// so that city issue trackers, 311 apps and validators can read the report
// plaza and submit citizen reports.
//
// NewHandler returns an http.Handler to mount at /open311/v2/ (with or
// without http.StripPrefix). It serves, each in XML (the required format)
// and JSON:
//
//	discovery.{xml,json}                 Service Discovery
//	services.{xml,json}                  the hazard categories
//	services/{service_code}.{xml,json}   a category's service definition
//	requests.{xml,json}          GET     hazards, filtered and paged
//	requests.{xml,json}          POST    submit a citizen report (api_key)
//	requests/{id}.{xml,json}             one hazard by reference number
//	tokens/{token}.{xml,json}            see "Tokens" in the README
//	servicerequestupdates.{xml,json}     mySociety's progress extension
//
// # Conventions
//
// Responses are UTF-8 with the content types of the specification
// (text/xml; charset=utf-8 and application/json; charset=utf-8); XML starts
// with its declaration and has no namespace; JSON follows the Spark
// convention (a list is a bare array, an empty XML element is null).
// Datetimes are W3C (RFC 3339) in UTC with the zone "Z". Coordinates are
// WGS-84, converted from GCJ-02 where a hazard was stored in it.
//
// Errors are the specification's list of {code, description} with the
// HTTP status the specification names (400, 403 or 404), or 500 for an
// internal failure (the specification lists no status for it; 500 tells
// clients and monitoring that the fault is the server's). The body code is
// the HTTP status, or 429 for a rate limit and 409 for a conflict, which are
// sent with status 400. Every field problem of a request is reported at
// once, each description starting with the name of the field at fault and
// ": ".
//
// The reporter's identity never appears in a response: requests are built
// from hazard.PublicHazard, which cannot carry it.
//
// The handler NewHandler returns is safe for concurrent use.
package open311
