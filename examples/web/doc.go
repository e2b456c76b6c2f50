// Package web serves hazardloop's mobile-first web pages: the citizen pages
// (home, report, plaza, mine, knowledge) and the staff console (work queue,
// report detail with its actions, department board, articles).
//
// A citizen's own data is on /mine/data: a download of it, and the deletion
// of their account (static/erase.js sends the confirming word to the API).
//
// Pages are server-rendered html/template documents. They hold no rule of
// their own: every figure, list and permission comes from the same JSON API
// that other clients use, called in-process with the visitor's token (read
// from the hl_token cookie), and every action is a small, dependency-free
// script calling that API with a Bearer token. Whatever the API refuses, the
// page shows as the API's error, next to the field at fault.
//
// Text is escaped everywhere by html/template: a description holding HTML or
// script shows as text. Chinese is the default language; ?lang=en switches to
// English and remembers the choice in the hl_lang cookie.
//
// The four-colour risk map (/risk-map), the plaza and the report page draw
// a map with Leaflet, loaded from the URLs of Config.Map (MapConfig: by
// default Leaflet 1.9.4 from unpkg with its integrity hashes, and
// OpenStreetMap's tiles). No map code is in the repository, and no page
// needs the map: the risk map's list and filters are server-rendered, and
// static/map.js draws the map over what the page already shows once Leaflet
// has loaded, clustering nearby markers when zoomed out and, on the report
// page, letting the citizen place the hazard. The pages with a map allow
// exactly the map's origins in their Content-Security-Policy.
package web
