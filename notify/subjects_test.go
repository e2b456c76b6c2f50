package notify_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/hazard"
)

// TestRouterPassesOverOtherSubjects hands the router events of another
// subject than a hazard, of every type it routes for hazards: it plans no
// message, fails nothing (so the relay never retries nor parks them) and
// sends nothing.
func TestRouterPassesOverOtherSubjects(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for i, typ := range []hazard.EventType{
		hazard.EventSubmitted, hazard.EventTransition, hazard.EventEscalated,
		hazard.EventRewardIssued, hazard.EventRewardClaimed, hazard.EventRewardExpired,
	} {
		e := f.event(typ, int64(i+10), "dispatch", "submitted", "dispatched", map[string]string{"reporter_id": "u-rep", "amount_fen": "100"})
		e.HazardID = uuid.Nil
		e.Subject = hazard.Subject{Kind: "unit", ID: f.h.ID.String()}
		plan, err := f.router.Plan(ctx, e)
		require.NoError(t, err, "Plan(%s of a unit)", typ)
		assert.Empty(t, plan, "Plan(%s of a unit)", typ)
		require.NoError(t, f.router.Handle(ctx, e), "Handle(%s of a unit)", typ)
	}
	assert.Empty(t, f.wechat.Sent(), "WeChat messages")
	assert.Empty(t, f.sms.Sent(), "SMS messages")
}
