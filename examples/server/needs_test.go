package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestActionInputsAreNamedAsTheAPITakesThem: what the actions list says an
// action needs, and the field its error names, are fields of the action
// request; sending them by those names is accepted.
func TestActionInputsAreNamedAsTheAPITakesThem(t *testing.T) {
	s := startServer(t)
	citizen, dispatcher := s.login("citizen-1"), s.login("dispatcher-1")
	v := s.submit(citizen, []string{s.upload(citizen, pngPhoto(t, 61))})
	id := v["id"].(string)

	r := s.do("GET", "/api/v1/reports/"+id+"/actions", dispatcher, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var l struct {
		Actions []struct {
			Name  string   `json:"name"`
			Needs []string `json:"needs"`
		} `json:"actions"`
	}
	r.json(t, &l)
	needs := map[string][]string{}
	for _, a := range l.Actions {
		needs[a.Name] = a.Needs
	}
	require.Equal(t, []string{"note"}, needs["reject"], "needs of reject")

	r = s.do("POST", "/api/v1/reports/"+id+"/actions/reject", dispatcher, map[string]any{"expected_version": version(v)})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	assert.Equal(t, []string{"note"}, errFields(t, r), "field of a reject without its reason")

	// The old name is no field of the request.
	r = s.do("POST", "/api/v1/reports/"+id+"/actions/reject", dispatcher, map[string]any{"expected_version": version(v), "reason": "重复"})
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)

	body := map[string]any{"expected_version": version(v)}
	for _, n := range needs["reject"] {
		body[n] = "重复上报"
	}
	v = s.act(dispatcher, id, "reject", body)
	assert.Equal(t, "closed_invalid", v["state"])
}
