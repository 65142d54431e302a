package esdouble

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLeanKeepsWhatTellsTheLine: a lean double keeps of each document what
// tells its line (message, event.original, the load generator's tbid, the
// OTel mapping's body) and its event type, nothing else.
func TestLeanKeepsWhatTellsTheLine(t *testing.T) {
	tests := []struct {
		name   string
		source string
		want   map[string]any
	}{
		{
			"a flat document without its line",
			`{"message":"New connection","tbid":"3:17","event_type":"session","client_ip":"192.0.2.1"}`,
			map[string]any{"message": "New connection", "tbid": "3:17", "event_type": "session"},
		},
		{
			"a flat document keeping its line",
			`{"message":"New connection","event.original":"{\"msg\":\"New connection\"}","event_type":"session","level":"INFO"}`,
			map[string]any{"message": "New connection", "event.original": `{"msg":"New connection"}`, "event_type": "session"},
		},
		{
			"the OTel mapping",
			`{"body":{"text":"SMTP: x"},"attributes":{"event_type":"smtp_command"}}`,
			map[string]any{"message": nil, "event_type": nil, "body": map[string]any{"text": "SMTP: x"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			s.SetLean(true)
			require.Equal(t, []int{201}, bulkStatuses(t, s, `{"create":{"_index":"elemta-logs-2026.12.07","_id":"a"}}`+"\n"+tt.source+"\n"))
			docs := s.Documents()
			require.Len(t, docs, 1)
			assert.Equal(t, tt.want, docs[0].Source)
		})
	}
}
