package elemtasetupextension

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHolds(t *testing.T) {
	tests := []struct {
		name, shown, written string
		want                 bool
	}{
		{"the same", `{"a":1,"b":["x"]}`, `{"a":1,"b":["x"]}`, true},
		{"a key the product adds", `{"a":1,"composed_of":[],"modified_date_millis":5}`, `{"a":1}`, true},
		{"a default added deeper", `{"delete":{"delete_searchable_snapshot":true}}`, `{"delete":{}}`, true},
		{"a number shown as a string", `{"number_of_shards":"1","codec":"best_compression","hidden":"false"}`, `{"number_of_shards":1,"codec":"best_compression","hidden":false}`, true},
		{"JSON in a string, written again", `{"panelsJSON":"[\n {\n  \"b\": 2,\n  \"a\": 1\n }\n]"}`, `{"panelsJSON":"[{\"a\":1,\"b\":2}]"}`, true},
		{"JSON in a string, with a stamp added", `{"panelsJSON":"[{\"a\":1,\"version\":\"8.9.0\"}]"}`, `{"panelsJSON":"[{\"a\":1}]"}`, true},
		{"a value changed", `{"min_age":"400d"}`, `{"min_age":"30d"}`, false},
		{"a key of ours gone", `{"a":1}`, `{"a":1,"b":2}`, false},
		{"a list grown", `{"columns":["a","b"]}`, `{"columns":["a"]}`, false},
		{"a list reordered", `{"columns":["b","a"]}`, `{"columns":["a","b"]}`, false},
		{"JSON in a string, changed", `{"panelsJSON":"[{\"a\":2}]"}`, `{"panelsJSON":"[{\"a\":1}]"}`, false},
		{"a string that is not JSON, changed", `{"title":"Our board"}`, `{"title":"Elemta"}`, false},
		{"a number changed", `{"priority":"7"}`, `{"priority":100}`, false},
		{"a map where ours is a list", `{"a":{}}`, `{"a":[]}`, false},
		{"null kept", `{"a":null}`, `{"a":null}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var shown, written any
			require.NoError(t, json.Unmarshal([]byte(tt.shown), &shown))
			require.NoError(t, json.Unmarshal([]byte(tt.written), &written))
			assert.Equal(t, tt.want, holds(shown, written))
		})
	}
}
