package e2e

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestOtherBackendsGetOTelRecords adds a file exporter to the default
// configuration's logs pipeline. It receives OTel log records: the body is
// the line as Elemta wrote it, the attributes are the event's fields, and
// nothing is Elasticsearch's. Elasticsearch receives its flat documents.
func TestOtherBackendsGetOTelRecords(t *testing.T) {
	es := esdouble.New()
	defer es.Close()
	logDir := t.TempDir()
	out := filepath.Join(t.TempDir(), "records.json")
	written := sampleLines(t)
	appendLines(t, filepath.Join(logDir, "elemta.log"), written)

	env := defaultEnv(logDir, t.TempDir(), es.URL())
	env["ALSO_TO_FILE"] = out
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"), "testdata/also_to_file.yaml")
	requireEachOnce(t, es, written)

	var records []plog.LogRecord
	require.Eventually(t, func() bool {
		records = readRecords(t, out)
		return len(records) >= len(written)
	}, 30*time.Second, 100*time.Millisecond)
	c.stop(t)
	require.Len(t, records, len(written))

	wrote := map[string]bool{}
	for _, l := range written {
		wrote[l] = true
	}
	for i, lr := range records {
		require.Equal(t, pcommon.ValueTypeStr, lr.Body().Type(), "record %d: the body is the line", i)
		assert.True(t, wrote[lr.Body().Str()] || strings.Contains(lr.Body().Str(), "[REDACTED]"),
			"record %d: the body is a line as written, or with its credentials scrubbed: %q", i, lr.Body().Str())
		attrs := lr.Attributes().AsRaw()
		assert.Contains(t, attrs, vocabulary.AttrEventType, "record %d", i)
		assert.Contains(t, attrs, vocabulary.AttrMTAFlow, "record %d", i)
		assert.NotEmpty(t, attrs[vocabulary.AttrRecordUID], "record %d", i)
		for k := range attrs {
			assert.False(t, strings.HasPrefix(k, "elasticsearch.") || strings.HasPrefix(k, "elastic."), "record %d carries %s", i, k)
		}
	}

	for _, d := range es.Documents() {
		for _, key := range []string{"@timestamp", "message", vocabulary.AttrEventType, vocabulary.AttrMTAFlow} {
			assert.Contains(t, d.Source, key, "document %s", d.ID)
		}
		assert.NotContains(t, d.Source, vocabulary.AttrRecordUID, "the uid is the document's id")
		assert.True(t, strings.HasPrefix(d.Index, "elemta-logs-"), d.Index)
	}
}

// readRecords reads the file exporter's OTLP JSON, a batch per line, and
// checks that no scope or resource carries Elasticsearch's attributes.
func readRecords(t *testing.T, path string) []plog.LogRecord {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var out []plog.LogRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sc.Bytes())
		require.NoError(t, err)
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for k := range sl.Scope().Attributes().All() {
					assert.False(t, strings.HasPrefix(k, "elastic"), "scope carries %s", k)
				}
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	require.NoError(t, sc.Err())
	return out
}
