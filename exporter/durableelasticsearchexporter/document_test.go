package durableelasticsearchexporter

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// indexOf is the index a document of docs goes to, as contrib's exporter
// routes it: its record's elasticsearch.index, else its scope's.
func indexOf(docs plog.Logs, doc plog.LogRecord) string {
	if v, ok := doc.Attributes().Get(attrIndex); ok {
		return v.Str()
	}
	for _, rl := range docs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr == doc {
					v, _ := sl.Scope().Attributes().Get(attrIndex)
					return v.Str()
				}
			}
		}
	}
	return ""
}

var update = flag.Bool("update", false, "rewrite testdata/documents/ from the processor's golden files")

// TestFlatDocumentsOfProcessorRecords shapes the records the smtpevent
// processor emits (its golden files) and compares the documents with
// testdata/documents/, the documents Elasticsearch receives: the body is
// the document, the record keeps the index and the id. A change of the
// documents shows in the diff of `go test -run TestFlatDocuments -update`.
func TestFlatDocumentsOfProcessorRecords(t *testing.T) {
	wants, err := filepath.Glob(filepath.Join("testdata", "documents", "*.expected.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, wants)
	for _, wantPath := range wants {
		name := filepath.Base(wantPath)
		t.Run(strings.TrimSuffix(name, ".expected.yaml"), func(t *testing.T) {
			in, err := golden.ReadLogs(filepath.Join("..", "..", "processor", "smtpeventprocessor", "testdata", name))
			require.NoError(t, err)
			before := plog.NewLogs()
			in.CopyTo(before)
			in.MarkReadOnly() // as the pipeline hands it over beside other consumers
			before.MarkReadOnly()
			docs := flatDocuments{indexPrefix: defaultIndexPrefix}.build(in)
			assert.Equal(t, before, in, "the records are left as they were")
			if *update {
				require.NoError(t, golden.WriteLogs(t, wantPath, docs))
			}
			want, err := golden.ReadLogs(wantPath)
			require.NoError(t, err)

			got, wanted := recordstest.Of(docs), recordstest.Of(want)
			require.Len(t, got, len(wanted))
			for i := range got {
				assert.Equal(t, wanted[i].Body().AsRaw(), got[i].Body().AsRaw(), "document %d", i)
				w, _ := wanted[i].Attributes().Get(attrDocumentID)
				g, ok := got[i].Attributes().Get(attrDocumentID)
				require.True(t, ok, "document %d has an id", i)
				assert.Equal(t, w.Str(), g.Str(), "document %d: id", i)
				assert.Equal(t, indexOf(want, wanted[i]), indexOf(docs, got[i]), "document %d: index", i)
				assert.NotEmpty(t, indexOf(docs, got[i]), "document %d: index", i)
			}
			for _, sl := range docs.ResourceLogs().At(0).ScopeLogs().All() {
				mode, _ := sl.Scope().Attributes().Get(attrMappingMode)
				assert.Equal(t, mappingBodyMap, mode.Str())
			}
		})
	}
}

func TestFlatDocument(t *testing.T) {
	at := pcommon.NewTimestampFromTime(mustTime(t, "2026-12-01T23:59:59.5+00:00"))
	observed := pcommon.NewTimestampFromTime(mustTime(t, "2026-12-02T00:00:01Z"))
	tests := []struct {
		name      string
		prepare   func(lr plog.LogRecord)
		prefix    string
		original  bool
		wantDoc   map[string]any
		wantIndex string
		wantID    string
	}{
		{
			name: "attributes, time and line",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr("the line")
				lr.Attributes().PutStr("event_type", "delivery")
				lr.Attributes().PutStr(vocabulary.AttrRecordUID, "uid-1")
			},
			prefix:    "elemta-logs-",
			wantDoc:   map[string]any{"event_type": "delivery", "@timestamp": "2026-12-01T23:59:59.5Z", "message": "the line"},
			wantIndex: "elemta-logs-2026.12.01",
			wantID:    "uid-1",
		},
		{
			name: "a line's log_message is its message; the line itself is left out",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr(`{"time":"2026-12-01T23:59:59.5Z","level":"INFO","msg":"Connection accepted"}`)
				lr.Attributes().PutStr(vocabulary.AttrLogMessage, "Connection accepted")
			},
			prefix: "elemta-logs-",
			wantDoc: map[string]any{
				"log_message": "Connection accepted", "@timestamp": "2026-12-01T23:59:59.5Z", "message": "Connection accepted",
			},
			wantIndex: "elemta-logs-2026.12.01",
		},
		{
			name: "original: the line in event.original",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr(`{"msg":"Connection accepted"}`)
				lr.Attributes().PutStr(vocabulary.AttrLogMessage, "Connection accepted")
			},
			original: true,
			wantDoc: map[string]any{
				"log_message": "Connection accepted", "@timestamp": "2026-12-01T23:59:59.5Z", "message": "Connection accepted",
				"event.original": `{"msg":"Connection accepted"}`,
			},
		},
		{
			name: "a log_message that is not text: the line is the message",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr(`{"msg":42}`)
				lr.Attributes().PutInt(vocabulary.AttrLogMessage, 42)
			},
			wantDoc: map[string]any{"log_message": int64(42), "@timestamp": "2026-12-01T23:59:59.5Z", "message": `{"msg":42}`},
		},
		{
			name: "Elemta's own message, @timestamp and event.original keys are kept under elemta_",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr("{\"message\":\"m\"}")
				lr.Attributes().PutStr("message", "m")
				lr.Attributes().PutStr("@timestamp", "then")
				lr.Attributes().PutStr("event.original", "o")
			},
			prefix: "elemta-logs-",
			wantDoc: map[string]any{
				"elemta_message": "m", "elemta_@timestamp": "then", "elemta_event.original": "o",
				"@timestamp": "2026-12-01T23:59:59.5Z", "message": "{\"message\":\"m\"}",
			},
			wantIndex: "elemta-logs-2026.12.01",
		},
		{
			name: "no time in the line: the day it was read",
			prepare: func(lr plog.LogRecord) {
				lr.SetObservedTimestamp(observed)
				lr.Body().SetStr("x")
			},
			prefix:    "mail-",
			wantDoc:   map[string]any{"@timestamp": "2026-12-02T00:00:01Z", "message": "x"},
			wantIndex: "mail-2026.12.02",
		},
		{
			name: "no prefix: contrib routes",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr("x")
			},
			wantDoc: map[string]any{"@timestamp": "2026-12-01T23:59:59.5Z", "message": "x"},
		},
		{
			name: "a map body is a document already",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetEmptyMap().PutStr("message", "shaped before")
			},
			prefix:  "elemta-logs-",
			wantDoc: map[string]any{"message": "shaped before"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			tt.prepare(lr)
			ld.MarkReadOnly()
			docs := flatDocuments{indexPrefix: tt.prefix, original: tt.original}.build(ld)
			require.Equal(t, 1, docs.LogRecordCount())
			doc := recordstest.Of(docs)[0]
			assert.Equal(t, tt.wantDoc, doc.Body().Map().AsRaw())
			assert.Equal(t, lr.Timestamp(), doc.Timestamp())
			assert.Equal(t, lr.ObservedTimestamp(), doc.ObservedTimestamp())
			want := map[string]any{}
			if tt.wantID != "" {
				want[attrDocumentID] = tt.wantID
			}
			assert.Equal(t, want, doc.Attributes().AsRaw(), "the document's record keeps its id")
			assert.Equal(t, tt.wantIndex, indexOf(docs, doc), "the document's scope names its index")
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return at
}

// TestDocumentsOfSeveralDays: the documents of each day share a scope that
// names the day's index; a document already shaped goes to a scope
// without one, routed by its own attributes as before.
func TestDocumentsOfSeveralDays(t *testing.T) {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName("elemta")
	for i, day := range []string{"2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z", "2026-12-01T11:00:00Z", ""} {
		lr := sl.LogRecords().AppendEmpty()
		if day == "" {
			lr.Body().SetEmptyMap().PutStr("message", "shaped before")
			continue
		}
		lr.SetTimestamp(pcommon.NewTimestampFromTime(mustTime(t, day)))
		lr.Body().SetStr("line " + string(rune('a'+i)))
	}
	ld.MarkReadOnly()
	docs := flatDocuments{indexPrefix: "elemta-logs-"}.build(ld)

	got := map[string][]string{}
	for _, osl := range docs.ResourceLogs().At(0).ScopeLogs().All() {
		assert.Equal(t, "elemta", osl.Scope().Name(), "the scope is kept")
		index, _ := osl.Scope().Attributes().Get(attrIndex)
		for _, doc := range osl.LogRecords().All() {
			m, _ := doc.Body().Map().Get(vocabulary.AttrMessage)
			got[index.Str()] = append(got[index.Str()], m.Str())
		}
	}
	assert.Equal(t, map[string][]string{
		"elemta-logs-2026.12.01": {"line a", "line c"},
		"elemta-logs-2026.12.02": {"line b"},
		"":                       {"shaped before"},
	}, got)
}

// TestDailyIndexName: each time gets the index of its UTC day, however the
// times of a batch alternate, before 1970 too.
func TestDailyIndexName(t *testing.T) {
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return ts
	}
	days := dailyIndex{prefix: "elemta-logs-"}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{at("2026-11-25T17:42:54.312079547Z"), "elemta-logs-2026.11.25"},
		{at("2026-11-25T23:59:59.999999999Z"), "elemta-logs-2026.11.25"},
		{at("2026-11-26T00:00:00Z"), "elemta-logs-2026.11.26"},
		{at("2026-11-25T00:00:00Z"), "elemta-logs-2026.11.25"},
		{at("2026-11-26T01:00:00+02:00"), "elemta-logs-2026.11.25"}, // 23:00 UTC
		{at("1970-01-01T00:00:00Z"), "elemta-logs-1970.01.01"},
		{at("1969-12-31T23:59:59.5Z"), "elemta-logs-1969.12.31"},
		{at("1969-12-31T00:00:00Z"), "elemta-logs-1969.12.31"},
		{at("1969-12-30T23:59:59Z"), "elemta-logs-1969.12.30"},
	} {
		assert.Equal(t, tt.want, days.name(tt.at), "%s", tt.at)
	}
}

// TestDailyIndexRemembersDaysTakingTurns: lines with their own time and
// lines timed when read take turns while a backlog is read; neither day's
// name is made again, and more days than it remembers still get theirs.
func TestDailyIndexRemembersDaysTakingTurns(t *testing.T) {
	days := dailyIndex{prefix: "elemta-logs-"}
	written := time.Date(2026, 11, 25, 17, 42, 54, 0, time.UTC)
	read := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	assert.Equal(t, "elemta-logs-2026.11.25", days.name(written))
	assert.Equal(t, "elemta-logs-2026.12.07", days.name(read))
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		days.name(written)
		days.name(read)
	}), "the two days' names are remembered")

	for round := range 3 {
		for d := range 2 * len(days.known) {
			at := written.AddDate(0, 0, d)
			assert.Equal(t, "elemta-logs-"+at.Format("2006.01.02"), days.name(at), "round %d, day %d", round, d)
		}
	}
}
