package server

import (
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// photoPath is where photos are served; views link photos under it.
const photoPath = "/photos/"

// PhotoLink is a photo of a view: its key and its URL path.
type PhotoLink struct {
	Key string `json:"key"`
	URL string `json:"url"`
}

func links(keys []string) []PhotoLink {
	out := make([]PhotoLink, len(keys))
	for i, k := range keys {
		out[i] = PhotoLink{Key: k, URL: photoPath + k}
	}
	return out
}

func photoKeys(ps []hazard.Photo) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.SHA256
	}
	return out
}

// ReportView is a report as its reporter or staff see it. View says which:
// "reporter" (with Timeline) or "staff" (with Events and Reporter).
type ReportView struct {
	View        string          `json:"view"`
	ID          uuid.UUID       `json:"id"`
	Ref         string          `json:"ref"`
	Category    string          `json:"category"`
	Severity    hazard.Severity `json:"severity"`
	Description string          `json:"description"`
	Location    hazard.Location `json:"location"`
	Unit        string          `json:"unit,omitempty"`
	// UnitID is the unit the hazard was found at; staff and the unit see it.
	UnitID      string           `json:"unit_id,omitempty"`
	Department  string           `json:"department,omitempty"`
	Source      hazard.Source    `json:"source"`
	State       string           `json:"state"`
	Version     int64            `json:"version"`
	Deadline    time.Time        `json:"deadline,omitzero"`
	Photos      []PhotoLink      `json:"photos"`
	Resolution  string           `json:"resolution,omitempty"`
	Evidence    []PhotoLink      `json:"evidence,omitempty"`
	Verdict     string           `json:"verdict,omitempty"`
	FineFen     int64            `json:"fine_fen,omitempty"`
	BonusFen    int64            `json:"bonus_fen,omitempty"`
	DuplicateOf uuid.UUID        `json:"duplicate_of,omitzero"`
	Reporter    *hazard.Reporter `json:"reporter,omitempty"`
	// ContactOnFile (staff view) says that the reporter left a contact,
	// which POST /api/v1/reports/{id}/contact reveals with a logged reason.
	ContactOnFile bool      `json:"contact_on_file,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	ClosedAt      time.Time `json:"closed_at,omitzero"`
	// Timeline is the reporter's timeline (reporter view).
	Timeline []hazard.ReporterEvent `json:"timeline,omitempty"`
	// Events is the full event log of the hazard (staff view).
	Events  []hazard.Event      `json:"events,omitempty"`
	Actions []hazard.ActionInfo `json:"actions"`
}

func viewOf(h *hazard.Hazard, view string) ReportView {
	v := ReportView{View: view, ID: h.ID, Ref: h.Ref, Category: h.Category, Severity: h.Severity,
		Description: h.Description, Location: h.Location, Unit: h.Unit, Department: h.Department,
		Source: h.Source, State: h.State, Version: h.Version, Deadline: h.Deadline,
		Photos: links(photoKeys(h.Photos)), Resolution: h.Resolution, Verdict: h.Verdict,
		FineFen: h.FineFen, BonusFen: h.BonusFen, DuplicateOf: h.DuplicateOf,
		CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt, ClosedAt: h.ClosedAt, Actions: []hazard.ActionInfo{}}
	if len(h.Evidence) > 0 {
		v.Evidence = links(photoKeys(h.Evidence))
	}
	return v
}

func reporterView(rv hazard.ReporterView) ReportView {
	v := viewOf(&rv.Hazard, "reporter")
	v.Timeline = rv.Timeline
	if rv.Actions != nil {
		v.Actions = rv.Actions
	}
	return v
}

func staffView(sv hazard.StaffView) ReportView {
	v := viewOf(&sv.Hazard, "staff")
	if rep := sv.Hazard.Reporter; rep != (hazard.Reporter{}) {
		v.Reporter = &rep // an enterprise's view has none
	}
	v.UnitID = sv.Hazard.UnitID
	v.ContactOnFile = sv.ContactOnFile
	v.Events = sv.Events
	if sv.Actions != nil {
		v.Actions = sv.Actions
	}
	return v
}

// PublicReport is a report on the plaza: no reporter identity, photos as
// links.
type PublicReport struct {
	hazard.PublicHazard
	PhotoLinks    []PhotoLink `json:"photo_links"`
	EvidenceLinks []PhotoLink `json:"evidence_links,omitempty"`
}

func publicReport(p hazard.PublicHazard) PublicReport {
	out := PublicReport{PublicHazard: p, PhotoLinks: links(p.Photos)}
	if len(p.Evidence) > 0 {
		out.EvidenceLinks = links(p.Evidence)
	}
	return out
}

// ListResponse is one page of a listing.
type ListResponse[T any] struct {
	Items []T `json:"items"`
	// Next is the cursor of the next page; empty on the last one.
	Next string `json:"next,omitempty"`
}
