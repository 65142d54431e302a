package esdouble

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docappenderFilter is the filter_path go-docappender sends with _bulk.
const docappenderFilter = "items.*._index,items.*.status,items.*.failure_store,items.*.error.type,items.*.error.reason"

func TestFilterPath(t *testing.T) {
	created := map[string]any{
		"_index": "elemta-logs-2026.11.25", "_id": "a", "_version": 1, "result": "created",
		"_shards": map[string]any{"total": 2, "successful": 1, "failed": 0}, "status": 201,
	}
	refused := map[string]any{
		"_index": "elemta-logs-2026.11.25", "_id": "b", "status": 400,
		"error": map[string]any{
			"type": "mapper_parsing_exception", "reason": "failed to parse",
			"caused_by": map[string]any{"type": "illegal_argument_exception"},
		},
	}
	bulkAnswer := map[string]any{"took": 3, "errors": true, "items": []any{
		map[string]any{"create": created},
		map[string]any{"create": refused},
	}}
	tests := []struct {
		name    string
		body    any
		filters string
		want    string
	}{
		{
			name: "go-docappender's bulk filter", body: bulkAnswer, filters: docappenderFilter,
			want: `{"items":[{"create":{"_index":"elemta-logs-2026.11.25","status":201}},` +
				`{"create":{"_index":"elemta-logs-2026.11.25","error":{"reason":"failed to parse","type":"mapper_parsing_exception"},"status":400}}]}`,
		},
		{name: "a whole object", body: bulkAnswer, filters: "items.*.error", want: `{"items":[{"create":{"error":{"caused_by":{"type":"illegal_argument_exception"},"reason":"failed to parse","type":"mapper_parsing_exception"}}}]}`},
		{name: "any depth", body: bulkAnswer, filters: "**.failed", want: `{"items":[{"create":{"_shards":{"failed":0}}}]}`},
		{name: "a name's prefix", body: bulkAnswer, filters: "to*,err*", want: `{"errors":true,"took":3}`},
		{name: "nothing named: an empty object", body: bulkAnswer, filters: "nothing.here", want: `{}`},
		{name: "a typed answer", body: struct {
			Acknowledged bool   `json:"acknowledged"`
			Index        string `json:"index"`
		}{true, "x"}, filters: "acknowledged", want: `{"acknowledged":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(filterPath(tt.body, tt.filters))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}

// TestBulkFilterPath: a _bulk request with go-docappender's filter_path is
// answered with each item's index and status only, as Elasticsearch does.
func TestBulkFilterPath(t *testing.T) {
	s := New()
	defer s.Close()
	body := `{"create":{"_index":"elemta-logs-2026.11.25","_id":"x1"}}` + "\n" + `{"message":"one"}` + "\n"
	resp, err := http.Post(s.URL()+"/_bulk?filter_path="+docappenderFilter, "application/x-ndjson", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[{"create":{"_index":"elemta-logs-2026.11.25","status":201}}]}`, string(answer))
	assert.Len(t, s.Documents(), 1, "indexed all the same")
}

// TestErrorsAreNotFiltered: a whole request refused keeps its error with
// filter_path set, as Elasticsearch builds error answers unfiltered.
func TestErrorsAreNotFiltered(t *testing.T) {
	s := New()
	defer s.Close()
	s.FailBulk(http.StatusTooManyRequests)
	body := `{"create":{"_index":"elemta-logs-2026.11.25","_id":"x1"}}` + "\n" + `{"message":"one"}` + "\n"
	resp, err := http.Post(s.URL()+"/_bulk?filter_path="+docappenderFilter, "application/x-ndjson", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	var answer map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	assert.Contains(t, answer, "error")
}
