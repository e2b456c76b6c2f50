package memreply_test

import (
	"testing"

	"github.com/hazardloop/hazardloop/hazard"
	"github.com/hazardloop/hazardloop/hazard/memstore"
	"github.com/hazardloop/hazardloop/reply"
	"github.com/hazardloop/hazardloop/reply/memreply"
	"github.com/hazardloop/hazardloop/reply/replytest"
)

func TestStore(t *testing.T) {
	replytest.TestStore(t, func(t *testing.T) (reply.Store, hazard.EventLog) {
		log := memstore.New()
		return memreply.New(log), log
	})
}
