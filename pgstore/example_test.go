package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/pgstore"
)

// Open a database, migrate it, and store a hazard with its first event. The
// example needs a database, so it is compiled but not run by go test.
func Example() {
	ctx := context.Background()
	db, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// Safe when several processes start at once.
	if _, err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	store := db.Hazards() // a hazard.Store: pass it to hazard.NewService
	now := time.Now().UTC()
	h := hazard.Hazard{
		ID:          uuid.Must(uuid.NewV7()),
		Ref:         "LC-20261128-000001",
		Category:    "fire",
		Severity:    hazard.SeverityGeneral,
		Description: "消防通道被堵",
		Photos:      []hazard.Photo{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: hazard.TypeJPEG, Size: 1024}},
		Location:    hazard.Location{Address: "北京市东城区东长安街1号"},
		Reporter:    hazard.Reporter{UserID: "citizen-1"},
		Source:      hazard.SourceCitizen,
		State:       "submitted", Workflow: "citizen_report", WorkflowVersion: 1,
		Version:   1,
		CreatedAt: now, UpdatedAt: now,
	}
	submitted := hazard.Event{HazardID: h.ID, Type: hazard.EventSubmitted,
		Actor: hazard.Actor{ID: "citizen-1", Role: "reporter"}, To: "submitted", Time: now}
	if _, _, err := store.Create(ctx, h, []hazard.Event{submitted}, "client-key-1"); err != nil {
		log.Fatal(err)
	}
	events, err := store.Events(ctx, 0, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(events), "event(s) in the log")

	_ = db.Ledger() // a reward.Ledger over the same pool
}

// The migrations embedded in the module, in the order Migrate applies them.
func ExampleMigrations() {
	for _, m := range pgstore.Migrations() {
		fmt.Println(m.Version, m.Name)
	}
	// Output:
	// 1 0001_hazards.sql
	// 2 0002_rewards.sql
	// 3 0003_deliveries_blobs.sql
	// 4 0004_event_subjects.sql
	// 5 0005_hazard_rows.sql
	// 6 0006_limits.sql
	// 7 0007_uploads.sql
	// 8 0008_risk.sql
	// 9 0009_inspection.sql
	// 10 0010_blob_times.sql
	// 11 0011_rewards_issued.sql
	// 12 0012_deliveries_user.sql
	// 13 0013_ledger_refs.sql
	// 16 0016_moderation_replies.sql
	// 18 0018_follows.sql
	// 19 0019_erasure.sql
	// 20 0020_original_retention.sql
	// 21 0021_ledger_place_spot_checks.sql
}
