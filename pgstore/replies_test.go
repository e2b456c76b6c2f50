package pgstore_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reply/replytest"
)

func TestReplyStoreConformance(t *testing.T) {
	testURL(t)
	replytest.TestStore(t, func(t *testing.T) (reply.Store, hazard.EventLog) {
		db := newDB(t)
		return db.Replies(), db.Hazards()
	})
}
