package hazard_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
)

// Validation reports every problem at once, each with its field.
func ExampleHazard_Validate() {
	h := hazard.Hazard{
		ID:              uuid.MustParse("0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"),
		Ref:             "LC-20261128-000123",
		Category:        "volcano",
		Severity:        hazard.SeverityGeneral,
		Description:     strings.Repeat("险", hazard.MaxDescriptionLen+1),
		Location:        hazard.Location{Address: "北京市东城区东长安街1号"},
		Reporter:        hazard.Reporter{UserID: "u-42", Verified: true},
		Source:          hazard.SourceCitizen,
		State:           "submitted",
		Workflow:        "citizen",
		WorkflowVersion: 1,
		Version:         1,
		CreatedAt:       time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC),
	}
	err := h.Validate(hazard.DefaultRegistry())
	fmt.Println(hazard.ErrorCode(err), errors.Is(err, hazard.ErrInvalid))
	var e *hazard.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Message)
		}
	}
	// Output:
	// invalid true
	// category: is not a known category
	// description: must be at most 1000 characters
	// photos: needs at least 1 photo(s)
}

// The public view of a hazard has no field for the reporter: it cannot
// leak who reported it.
func ExampleHazard_Public() {
	h := hazard.Hazard{
		Ref:         "LC-20261128-000123",
		Category:    "fire",
		Severity:    hazard.SeverityMajor,
		Description: "消防通道被堵",
		Photos:      []hazard.Photo{{SHA256: strings.Repeat("ab", 32), ContentType: hazard.TypeJPEG, Size: 2048}},
		Location:    hazard.Location{Address: "北京市东城区东长安街1号"},
		Reporter:    hazard.Reporter{UserID: "u-42", Contact: hazard.Contact{Name: "张三", Phone: "13800000000"}},
		Source:      hazard.SourceCitizen,
		State:       "handling",
		Department:  "fire",
	}
	events := []hazard.Event{
		{Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "u-42", Role: "reporter"}, To: "submitted"},
		{Type: hazard.EventTransition, Actor: hazard.Actor{ID: "d-7", Role: "dispatcher"}, Action: "dispatch", From: "submitted", To: "handling",
			PublicNote: "已派发消防救援支队", PrivateNote: "reporter asked for a call back"},
		{Type: hazard.EventRewardIssued, Actor: hazard.System, PublicNote: "reward 2000 fen"},
	}
	p := h.Public()
	p.Timeline = hazard.PublicTimeline(events)
	fmt.Println(p.Ref, p.Category, p.State, p.Department, len(p.Photos))
	for _, e := range p.Timeline {
		fmt.Printf("%s role=%q to=%s note=%q\n", e.Type, e.Role, e.To, e.Note)
	}
	// Output:
	// LC-20261128-000123 fire handling fire 1
	// submitted role="" to=submitted note=""
	// transition role="dispatcher" to=handling note="已派发消防救援支队"
}
