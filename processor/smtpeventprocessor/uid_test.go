package smtpeventprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// line is one record as the elemta receiver hands it over: where it was
// read and what it says.
type line struct {
	host, path, identity string
	offset               int64 // -1: none
	text                 string
	at                   time.Time
}

func (l line) logs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("host.name", l.host)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(l.text)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(l.at))
	attrs := lr.Attributes()
	if l.path != "" {
		attrs.PutStr(vocabulary.AttrFilePath, l.path)
	}
	if l.identity != "" {
		attrs.PutStr(vocabulary.AttrFileIdentity, l.identity)
	}
	if l.offset >= 0 {
		attrs.PutInt(vocabulary.AttrFileRecordOffset, l.offset)
	}
	return ld
}

// TestRecordUIDs: a line's id follows the file's identity, its offset, its
// text and its host, never the file's name; a line without a place in a
// file is identified by its time and text.
func TestRecordUIDs(t *testing.T) {
	at := time.Date(2026, 11, 25, 17, 42, 57, 0, time.UTC)
	base := line{host: "mx1", path: "/var/log/elemta/elemta.log", identity: "head-a", offset: 4096, text: "a line", at: at}
	tests := []struct {
		name  string
		other func(l line) line
		same  bool
	}{
		{"read again", func(l line) line { return l }, true},
		{"renamed (rotation)", func(l line) line { l.path = "/var/log/elemta/elemta-1.log"; return l }, true},
		{"copied (copytruncate)", func(l line) line { l.path += ".1"; return l }, true},
		{"read at another time", func(l line) line { l.at = at.Add(time.Hour); return l }, true},
		{"another server", func(l line) line { l.host = "mx2"; return l }, false},
		{"another file", func(l line) line { l.identity = "head-b"; return l }, false},
		{"another offset", func(l line) line { l.offset = 8192; return l }, false},
		{"another text", func(l line) line { l.text = "another line"; return l }, false},
	}
	uid := func(t *testing.T, l line) string {
		sink, consume := newTestProcessor(t, createDefaultConfig().(*Config))
		consume(l.logs())
		evs := events(sink)
		require.Len(t, evs, 1)
		assert.NotContains(t, evs[0].Attributes().AsRaw(), vocabulary.AttrFileIdentity, "the identity leaves the record once used")
		id, _ := attr(evs[0], vocabulary.AttrRecordUID).(string)
		require.NotEmpty(t, id)
		return id
	}
	want := uid(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := uid(t, tt.other(base))
			if tt.same {
				assert.Equal(t, want, got)
			} else {
				assert.NotEqual(t, want, got)
			}
		})
	}

	t.Run("no place in a file", func(t *testing.T) {
		unplaced := line{host: "mx1", offset: -1, text: "a line", at: at}
		first := uid(t, unplaced)
		assert.Equal(t, first, uid(t, unplaced), "the same time and text")
		later := unplaced
		later.at = at.Add(time.Second)
		assert.NotEqual(t, first, uid(t, later), "another time")
		named := unplaced
		named.path, named.offset = "/var/log/elemta/elemta.log", 4096
		assert.Equal(t, first, uid(t, named), "a name and an offset without the file's identity are no place")
	})
}
