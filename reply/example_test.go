package reply_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reply/memreply"
)

// An admin prepares a note for dispatching; a dispatcher gets it rendered
// for a report, edits it if need be, and sends it as the action's note.
func Example() {
	ctx := context.Background()
	store := memstore.New()
	clock := func() time.Time { return time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC) }
	hz, _ := hazard.NewService(hazard.ServiceConfig{Store: store, Refs: hazard.RefFormat{Prefix: "EX"}, Clock: clock})
	replies, _ := reply.New(reply.Config{Store: memreply.New(store), Hazards: hz})
	admin := hazard.User{ID: "admin-1", Role: "admin"}
	dispatcher := hazard.User{ID: "dispatcher-1", Role: "dispatcher"}
	citizen := hazard.User{ID: "citizen-1", Role: "reporter"}

	_, err := replies.Create(ctx, admin, "forward_fire", reply.Input{Action: "dispatch", Category: "fire",
		Title: "转办消防", TextZH: "您的报告 {ref} 已转至消防部门处理。", TextEN: "Report {ref} was forwarded to the fire brigade."})
	if err != nil {
		fmt.Println(err)
		return
	}
	photo := hazard.Photo{SHA256: strings.Repeat("ab", 32), ContentType: hazard.TypeJPEG, Size: 2048}
	h, err := hz.Submit(ctx, citizen, hazard.SubmitInput{Category: "fire", Description: "安全出口被堵",
		Location: hazard.Location{Address: "建国路88号"}, Photos: []hazard.Photo{photo}}, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	notes, err := replies.Suggest(ctx, dispatcher, h.ID, "dispatch")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range notes {
		fmt.Println(n.Title, n.TextZH)
	}
	// Output: 转办消防 您的报告 EX-20260101-000001 已转至消防部门处理。
}
