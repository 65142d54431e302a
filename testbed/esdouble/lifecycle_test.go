package esdouble

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestILMBlocksWritesToAgedIndices: an index whose policy has reached a
// phase with a write-blocking action refuses documents with 403
// cluster_block_exception; a policy without one keeps it writable.
func TestILMBlocksWritesToAgedIndices(t *testing.T) {
	tests := []struct {
		name       string
		warm       map[string]any
		age        time.Duration
		wantStatus int
	}{
		{"young index, readonly later", map[string]any{"readonly": map[string]any{}}, 0, http.StatusCreated},
		{"aged past readonly", map[string]any{"readonly": map[string]any{}}, 3 * 24 * time.Hour, http.StatusForbidden},
		{"aged past forcemerge", map[string]any{"forcemerge": map[string]any{"max_num_segments": 1}}, 3 * 24 * time.Hour, http.StatusForbidden},
		{"aged past set_priority only", map[string]any{"set_priority": map[string]any{"priority": 50}}, 3 * 24 * time.Hour, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			put(t, s, "/_ilm/policy/p", map[string]any{"policy": map[string]any{"phases": map[string]any{
				"hot":  map[string]any{"min_age": "0ms", "actions": map[string]any{}},
				"warm": map[string]any{"min_age": "2d", "actions": tt.warm},
			}}})
			put(t, s, "/_index_template/t", map[string]any{
				"index_patterns": []any{"logs-*"},
				"template":       map[string]any{"settings": map[string]any{"index": map[string]any{"lifecycle": map[string]any{"name": "p"}}}},
			})
			require.Equal(t, []int{http.StatusCreated}, createStatuses(t, s, "logs-a", "1"))
			require.True(t, s.AgeIndex("logs-a", tt.age))
			assert.Equal(t, []int{tt.wantStatus}, createStatuses(t, s, "logs-a", "2"))
		})
	}
}

func put(t *testing.T, s *Server, path string, body any) {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPut, s.URL()+path, bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// createStatuses sends one document with the create action and returns
// the status of its item.
func createStatuses(t *testing.T, s *Server, index, id string) []int {
	t.Helper()
	return bulkStatuses(t, s, `{"create":{"_index":"`+index+`","_id":"`+id+`"}}`+"\n"+`{"message":"x"}`+"\n")
}

// bulkStatuses sends a bulk body and returns the status of each item.
func bulkStatuses(t *testing.T, s *Server, body string) []int {
	t.Helper()
	resp, err := http.Post(s.URL()+"/_bulk", "application/x-ndjson", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer struct {
		Items []map[string]struct {
			Status int `json:"status"`
		} `json:"items"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	var out []int
	for _, item := range answer.Items {
		for _, r := range item {
			out = append(out, r.Status)
		}
	}
	return out
}
