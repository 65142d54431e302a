package elemtalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/elemta/otelcol-elemta/internal/substrtest"
)

// TestJSONStrings holds the strings of JSON lines to what the line says,
// escaped or not, and to the line's own memory where the line has the
// value as it is.
func TestJSONStrings(t *testing.T) {
	tests := []struct {
		name string
		line string
		want map[string]any
		// shared are the values the record takes from the line itself.
		shared []string
	}{
		{
			name:   "plain values",
			line:   `{"note":"queued","sender":"a@example.org"}`,
			want:   map[string]any{"note": "queued", "sender": "a@example.org"},
			shared: []string{"note", "sender"},
		},
		{
			name:   "an escaped quote and a plain value after it",
			line:   `{"note":"said \"hi\"","sender":"a@example.org"}`,
			want:   map[string]any{"note": `said "hi"`, "sender": "a@example.org"},
			shared: []string{"sender"},
		},
		{
			name:   "unicode escapes",
			line:   `{"note":"caf\u00e9","to":"b@example.org"}`,
			want:   map[string]any{"note": "café", "to": "b@example.org"},
			shared: []string{"to"},
		},
		{
			name:   "an escaped first key",
			line:   `{"n\u006fte":"x","sender":"a@example.org"}`,
			want:   map[string]any{"note": "x", "sender": "a@example.org"},
			shared: []string{"sender"},
		},
		{
			name:   "space before the first key",
			line:   "{ \t\"note\":\"queued\",\"sender\":\"a@example.org\"}",
			want:   map[string]any{"note": "queued", "sender": "a@example.org"},
			shared: []string{"note", "sender"},
		},
		{
			name: "nested objects and lists",
			line: `{"note":"m","tls":{"cipher":"TLS_AES_128_GCM_SHA256","peer":"x\ty"},"rcpt":["a@example.org","b\\c@example.org"]}`,
			want: map[string]any{
				"note": "m",
				"tls":  map[string]any{"cipher": "TLS_AES_128_GCM_SHA256", "peer": "x\ty"},
				"rcpt": []any{"a@example.org", `b\c@example.org`},
			},
		},
		{
			name:   "a lone surrogate stays as written",
			line:   `{"note":"\ud800x","sender":"a@example.org"}`,
			want:   map[string]any{"note": `\ud800x`, "sender": "a@example.org"},
			shared: []string{"sender"},
		},
	}
	p := NewParser(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := pcommon.NewMap()
			r := p.ParseInto(tt.line, attrs)
			require.Equal(t, "json", string(r.Format))
			for k, want := range tt.want {
				v, ok := attrs.Get(k)
				require.True(t, ok, k)
				assert.Equal(t, want, v.AsRaw(), k)
			}
			for _, k := range tt.shared {
				v, _ := attrs.Get(k)
				assert.True(t, substrtest.Within(v.Str(), tt.line), "%s is a substring of the line, not a copy", k)
			}
		})
	}
}
