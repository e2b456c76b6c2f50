package relay_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/relay"
)

// A relay feeds the event log to a consumer, which sees each event at least
// once, in order: a hazard's events and those of other subjects alike.
func Example() {
	ctx := context.Background()
	store := memstore.New()
	svc, err := hazard.NewService(hazard.ServiceConfig{Store: store})
	if err != nil {
		panic(err)
	}
	_, err = svc.Submit(ctx, hazard.User{ID: "u-1", Role: "reporter"}, hazard.SubmitInput{
		Category: "gas", Description: "燃气管道锈蚀", Location: hazard.Location{Address: "幸福小区3号楼"},
		Photos: []hazard.Photo{{SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", ContentType: hazard.TypePNG, Size: 1024}},
	}, "")
	if err != nil {
		panic(err)
	}
	// An event of another subject: a unit graded by an inspector.
	_, err = store.Append(ctx, hazard.Event{
		Subject: hazard.Subject{Kind: "unit", ID: "unit-7"}, Type: "unit_graded",
		Actor: hazard.Actor{ID: "inspector-1", Role: "inspector"}, Time: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}

	// The memstore is both the event log and the relay's cursors.
	r, err := relay.New(store, store, relay.Config{Consumers: []relay.Consumer{{
		Name: "notify",
		Handle: func(_ context.Context, e hazard.Event) error {
			fmt.Println("event", e.Seq, e.Type, e.SubjectOf().Kind)
			return nil
		},
	}}})
	if err != nil {
		panic(err)
	}
	if err := r.Drain(ctx); err != nil {
		panic(err)
	}
	cursor, _ := store.Cursor(ctx, "notify")
	fmt.Println("cursor", cursor)
	// Output:
	// event 1 submitted hazard
	// event 2 unit_graded unit
	// cursor 2
}
