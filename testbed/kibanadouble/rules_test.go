package kibanadouble

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func esQueryRule(edit func(rule, params map[string]any)) map[string]any {
	params := map[string]any{
		"searchType": "esQuery", "index": []any{"logs-*"}, "timeField": "@timestamp", "esQuery": `{"query":{"match_all":{}}}`,
		"size": 0, "threshold": []any{10}, "thresholdComparator": ">", "timeWindowSize": 5, "timeWindowUnit": "m",
	}
	rule := map[string]any{"name": "r", "rule_type_id": ".es-query", "consumer": "stackAlerts", "schedule": map[string]any{"interval": "1m"}, "params": params}
	if edit != nil {
		edit(rule, params)
	}
	return rule
}

func send(t *testing.T, s *Server, method, path string, body any, xsrf bool) (int, map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(method, s.URL()+path, bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if xsrf {
		req.Header.Set("kbn-xsrf", "test")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	return resp.StatusCode, answer
}

// TestRuleAPI: the alerting rule API validates as Kibana does.
func TestRuleAPI(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		rule     map[string]any
		xsrf     bool
		want     int
		wantText string
	}{
		{"a valid rule", http.MethodPost, esQueryRule(nil), true, http.StatusOK, ""},
		{"without kbn-xsrf", http.MethodPost, esQueryRule(nil), false, http.StatusBadRequest, "kbn-xsrf"},
		{"esQuery without query", http.MethodPost, esQueryRule(func(_, p map[string]any) { p["esQuery"] = `{"size":1}` }), true, http.StatusBadRequest, `must contain \"query\"`},
		{"between with one threshold", http.MethodPost, esQueryRule(func(_, p map[string]any) { p["thresholdComparator"] = "between" }), true, http.StatusBadRequest, "must have two elements"},
		{"max without aggField", http.MethodPost, esQueryRule(func(_, p map[string]any) { p["aggType"] = "max" }), true, http.StatusBadRequest, "[aggField]: must have a value"},
		{"an unknown param", http.MethodPost, esQueryRule(func(_, p map[string]any) { p["window"] = "5m" }), true, http.StatusBadRequest, "[window]: definition for this key is missing"},
		{"a bad interval", http.MethodPost, esQueryRule(func(r, _ map[string]any) { r["schedule"] = map[string]any{"interval": "1 minute"} }), true, http.StatusBadRequest, "not a valid duration"},
		{"an unknown rule type", http.MethodPost, esQueryRule(func(r, _ map[string]any) { r["rule_type_id"] = ".nope" }), true, http.StatusBadRequest, "is not registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			code, answer := send(t, s, tt.method, "/api/alerting/rule/r1", tt.rule, tt.xsrf)
			assert.Equal(t, tt.want, code, "%v", answer)
			if tt.wantText != "" {
				data, _ := json.Marshal(answer)
				assert.Contains(t, string(data), tt.wantText)
			}
		})
	}
}

// TestRuleLifecycle: create with an id, the id taken in every space, an
// update that takes no consumer, a read with the schema's defaults.
func TestRuleLifecycle(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddSpace("mail")
	code, _ := send(t, s, http.MethodPost, "/api/alerting/rule/r1", esQueryRule(nil), true)
	require.Equal(t, http.StatusOK, code)
	code, _ = send(t, s, http.MethodPost, "/s/mail/api/alerting/rule/r1", esQueryRule(nil), true)
	assert.Equal(t, http.StatusConflict, code, "ids are shared across spaces")
	_, ok := s.Rule("mail", "r1")
	assert.False(t, ok)

	update := esQueryRule(nil)
	code, _ = send(t, s, http.MethodPut, "/api/alerting/rule/r1", update, true)
	assert.Equal(t, http.StatusBadRequest, code, "the update takes neither rule_type_id nor consumer")
	delete(update, "rule_type_id")
	delete(update, "consumer")
	update["name"] = "renamed"
	code, _ = send(t, s, http.MethodPut, "/api/alerting/rule/r1", update, true)
	require.Equal(t, http.StatusOK, code)
	r, ok := s.Rule("default", "r1")
	require.True(t, ok)
	assert.Equal(t, "renamed", r["name"])
	assert.Equal(t, true, r["params"].(map[string]any)["excludeHitsFromPreviousRun"], "the schema's default")
	assert.InDelta(t, 1, r["revision"], 0)
}
