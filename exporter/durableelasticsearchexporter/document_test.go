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

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
)

// records flattens a batch into its records, in order.
func records(ld plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, lr)
			}
		}
	}
	return out
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

			got, wanted := records(docs), records(want)
			require.Len(t, got, len(wanted))
			for i := range got {
				assert.Equal(t, wanted[i].Body().AsRaw(), got[i].Body().AsRaw(), "document %d", i)
				for _, key := range []string{attrIndex, attrDocumentID} {
					w, _ := wanted[i].Attributes().Get(key)
					g, ok := got[i].Attributes().Get(key)
					require.True(t, ok, "document %d has %s", i, key)
					assert.Equal(t, w.Str(), g.Str(), "document %d: %s", i, key)
				}
			}
			mode, _ := docs.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Attributes().Get(attrMappingMode)
			assert.Equal(t, mappingBodyMap, mode.Str())
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
			name: "Elemta's own message and @timestamp keys are kept under elemta_",
			prepare: func(lr plog.LogRecord) {
				lr.SetTimestamp(at)
				lr.Body().SetStr("{\"message\":\"m\"}")
				lr.Attributes().PutStr("message", "m")
				lr.Attributes().PutStr("@timestamp", "then")
			},
			prefix: "elemta-logs-",
			wantDoc: map[string]any{
				"elemta_message": "m", "elemta_@timestamp": "then",
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
			docs := flatDocuments{indexPrefix: tt.prefix}.build(ld)
			require.Equal(t, 1, docs.LogRecordCount())
			doc := records(docs)[0]
			assert.Equal(t, tt.wantDoc, doc.Body().Map().AsRaw())
			assert.Equal(t, lr.Timestamp(), doc.Timestamp())
			assert.Equal(t, lr.ObservedTimestamp(), doc.ObservedTimestamp())
			want := map[string]any{}
			if tt.wantIndex != "" {
				want[attrIndex] = tt.wantIndex
			}
			if tt.wantID != "" {
				want[attrDocumentID] = tt.wantID
			}
			assert.Equal(t, want, doc.Attributes().AsRaw(), "the document's record keeps what routes it")
		})
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return at
}
