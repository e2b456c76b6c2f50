package open311_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hazardloop/hazardloop/examples/open311"
	"github.com/hazardloop/hazardloop/hazard"
)

// TestRequestsFollowThePublicationPolicy: with the default policy a
// partner's request is neither listed nor found until a dispatcher
// forwarded it, and a moderator's public text replaces its description.
func TestRequestsFollowThePublicationPolicy(t *testing.T) {
	e := newEnv(t, func(c *hazard.ServiceConfig, _ *open311.Config) { c.Moderation.Publish = "" })
	id := e.submit(e.validForm())
	r := e.get("/open311/v2/requests/" + id + ".json")
	assert.Equal(t, http.StatusNotFound, r.status, "a request not forwarded yet: %s", r.body)
	assert.Empty(t, checkRequests(t, "json", e.get("/open311/v2/requests.json"), false), "the list before the dispatch")

	h := e.act(id, "dispatch", dispatcher, hazard.ActInput{Department: "fire"})
	got := checkRequests(t, "json", e.get("/open311/v2/requests/"+id+".json"), false)
	require.Len(t, got, 1)
	assert.Equal(t, id, got[0]["service_request_id"])
	require.Len(t, checkRequests(t, "json", e.get("/open311/v2/requests.json"), false), 1, "the list after the dispatch")

	_, err := e.svc.Moderate(t.Context(), reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModEdit, Reason: "a name", Description: "消防通道被堵"})
	require.NoError(t, err)
	got = checkRequests(t, "json", e.get("/open311/v2/requests/"+id+".json"), false)
	require.Len(t, got, 1)
	assert.Equal(t, "消防通道被堵", got[0]["description"], "the moderated description")
	_, err = e.svc.Moderate(t.Context(), reviewer, h.ID, hazard.ModerateInput{Action: hazard.ModHide, Reason: "defamatory", ExpectedVersion: 1})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, e.get("/open311/v2/requests/"+id+".json").status, "a hidden request")
}
