package pgstore_test

import (
	"time"

	"github.com/google/uuid"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/relay"
)

// The legacy fixture: hazards, events and a parked event with fixed values,
// as the code before pgstore had its own row types stored them. The rows in
// testdata/legacy_rows.json were written from exactly these values by that
// code (pgstore at commit f23c9c5, through Create, Append and Park), and
// TestLegacyRowsReadBack reads them with today's code. Never change these
// values without capturing the rows again with the old code.

var (
	legacyZone = time.FixedZone("CST", 8*3600)
	legacyT0   = time.Date(2026, 11, 28, 9, 30, 15, 123456789, time.UTC)
)

// legacyHazards returns the hazards of the fixture: one with every field
// set (times with a zone offset and nanoseconds, a GCJ-02 point) and a
// minimal open one (no point, no evidence, no deadline).
func legacyHazards() []hazard.Hazard {
	full := hazard.Hazard{
		ID:          uuid.MustParse("019ac9e0-0000-7000-8000-000000000001"),
		Ref:         "LC-20261128-000001",
		Category:    "gas",
		Severity:    hazard.SeverityMajor,
		Description: "燃气管道泄漏 gas leak\n第二行\twith a tab \"quoted\" <b>&amp;</b>",
		Photos: []hazard.Photo{
			{SHA256: "1111111111111111111111111111111111111111111111111111111111111111", ContentType: hazard.TypeJPEG, Size: 123456},
			{SHA256: "2222222222222222222222222222222222222222222222222222222222222222", ContentType: hazard.TypePNG, Size: 4242},
		},
		Location: hazard.Location{
			Address:  "北京市东城区东长安街1号",
			Point:    &hazard.Point{Lat: 39.915123456789, Lng: 116.404987654321, System: hazard.GCJ02},
			District: "110101",
		},
		Reporter: hazard.Reporter{UserID: "citizen-legacy", Verified: true,
			Contact: hazard.Contact{Name: "张三", Phone: "13800000000"}},
		Unit:            "东城区应急管理局",
		Department:      "gas",
		Source:          hazard.SourceInspection,
		State:           "closed_out",
		Workflow:        "rectification",
		WorkflowVersion: 2,
		Version:         1,
		Deadline:        time.Date(2026, 12, 1, 18, 0, 0, 987654321, legacyZone),
		Escalated:       "rectifying",
		Resolution:      "已更换阀门",
		Evidence: []hazard.Photo{
			{SHA256: "3333333333333333333333333333333333333333333333333333333333333333", ContentType: hazard.TypeWebP, Size: 777},
		},
		Verdict:     "属实",
		FineFen:     500000,
		BonusFen:    2000,
		DuplicateOf: uuid.MustParse("019ac9df-0000-7000-8000-0000000000ff"),
		CreatedAt:   legacyT0,
		UpdatedAt:   legacyT0.Add(time.Hour).In(legacyZone),
		ClosedAt:    legacyT0.Add(2 * time.Hour),
	}
	minimal := hazard.Hazard{
		ID:          uuid.MustParse("019ac9e0-0000-7000-8000-000000000002"),
		Ref:         "LC-20261128-000002",
		Category:    "fire",
		Severity:    hazard.SeverityGeneral,
		Description: "安全出口被杂物堵塞",
		Photos: []hazard.Photo{
			{SHA256: "4444444444444444444444444444444444444444444444444444444444444444", ContentType: hazard.TypeJPEG, Size: 1000},
		},
		Location:        hazard.Location{Address: "朝阳区某小区3号楼"},
		Reporter:        hazard.Reporter{UserID: "citizen-2"},
		Source:          hazard.SourceCitizen,
		State:           "submitted",
		Workflow:        "citizen_report",
		WorkflowVersion: 1,
		Version:         1,
		CreatedAt:       legacyT0.Add(time.Minute),
		UpdatedAt:       legacyT0.Add(time.Minute),
	}
	return []hazard.Hazard{full, minimal}
}

// legacyEvents returns the events of the fixture, without their sequence
// numbers, in the order they were written: the first two with Create (one
// per hazard), the rest with Append.
func legacyEvents() []hazard.Event {
	hs := legacyHazards()
	return []hazard.Event{
		{HazardID: hs[0].ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "inspector-1", Role: "inspector", Department: "emergency"},
			To: "found", Data: map[string]string{"workflow": "rectification@2", "idempotency_key": "k-1"}, Time: legacyT0},
		{HazardID: hs[1].ID, Type: hazard.EventSubmitted, Actor: hazard.Actor{ID: "citizen-2", Role: "reporter"},
			Time: legacyT0.Add(time.Minute).In(legacyZone)},
		{HazardID: hs[0].ID, Type: hazard.EventTransition, Actor: hazard.Actor{ID: "handler-7", Role: "handler", Department: "gas"},
			Action: "rectify", From: "rectifying", To: "rectified", PublicNote: "已整改", PrivateNote: "联系人电话 13800000000",
			Attachments: []hazard.Photo{{SHA256: "5555555555555555555555555555555555555555555555555555555555555555", ContentType: hazard.TypeJPEG, Size: 2048}},
			Data:        map[string]string{"department": "gas", "amount_fen": "2000"},
			Time:        legacyT0.Add(90 * time.Minute)},
		{HazardID: hs[0].ID, Type: hazard.EventRewardIssued, Actor: hazard.System,
			Data: map[string]string{hazard.DataRewardID: "019ac9e0-0000-7000-8000-0000000000aa", hazard.DataAmountFen: "5000",
				hazard.DataClaimBy: "2026-12-28T09:30:15Z", hazard.DataReporterID: "citizen-legacy", hazard.DataPolicy: "default"},
			Time: legacyT0.Add(3 * time.Hour)},
	}
}

// legacyParked returns the parked event of the fixture: the third event
// (sequence number 3) parked by a consumer.
func legacyParked() relay.ParkedEvent {
	e := legacyEvents()[2]
	e.Seq = 3
	return relay.ParkedEvent{Consumer: "notify", Event: e, Attempts: 7,
		Error: "sms gateway: 503 Service Unavailable", ParkedAt: legacyT0.Add(4 * time.Hour).In(legacyZone)}
}
