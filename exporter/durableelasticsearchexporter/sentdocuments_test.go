package durableelasticsearchexporter

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// typedRecords is a batch of n records whose attributes hold every type a
// document's field may have, escapes and two days among them.
func typedRecords(n int) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2024, 1, 15+i%2, 23, 59, 59, 123456789, time.UTC)))
		r.Body().SetStr(`{"msg":"line ` + strconv.Itoa(i) + `"}`)
		m := r.Attributes()
		m.PutStr(vocabulary.AttrRecordUID, "uid-"+strconv.Itoa(i))
		m.PutStr(vocabulary.AttrLogMessage, "line "+strconv.Itoa(i)+` "quoted" \ tab	é ✉`)
		m.PutInt("client_port", 59115)
		m.PutInt("max_age", 1800000000000)
		m.PutDouble("duration_ms", 1.5)
		m.PutDouble("ratio", 2)
		m.PutDouble("tiny", 1e-9)
		m.PutBool("tls_active", i%2 == 0)
		m.PutEmpty("nothing")
		m.PutEmptyBytes("raw").FromRaw([]byte{0, 1, 2})
		sl := m.PutEmptySlice("component")
		sl.AppendEmpty().SetStr("smtp-session")
		sl.AppendEmpty().SetInt(7)
		nested := m.PutEmptyMap("tls")
		nested.PutStr("version", "1.3")
		nested.PutEmptyMap("empty")
	}
	return ld
}

// TestARetriedBatchIsTheBatchSent: a held batch's documents are let go once
// contrib's exporter has made its request of them, and made again from
// that request for a retry, whole or split in halves; Elasticsearch gets
// the documents a batch taken at once gets, under the same ids and
// indices.
func TestARetriedBatchIsTheBatchSent(t *testing.T) {
	const n = 40
	want := indexedAtOnce(t, typedRecords(n))
	require.Len(t, want, n)

	tests := []struct {
		name    string
		status  int // Elasticsearch refuses every request with it until the exporter retried the batch retried times
		retried int
		limit   int // Elasticsearch's http.max_content_length, 0 for none
	}{
		{name: "refused (503), retried once", status: http.StatusServiceUnavailable, retried: 1},
		{name: "refused (429), retried twice", status: http.StatusTooManyRequests, retried: 2},
		{name: "too large as a whole: split in halves", limit: 12000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			es.FailBulk(tt.status)
			es.SetMaxBulkBytes(tt.limit)
			exp := startObserved(t, testConfig(t, es.URL(), false), componenttest.NewNopHost())
			defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

			ticket := hold(t, exp, typedRecords(n))
			require.Eventually(t, func() bool { return retries(exp) >= tt.retried }, 20*time.Second, time.Millisecond)
			es.FailBulk(0)
			require.NoError(t, settled(t, ticket, 20*time.Second))
			assert.Equal(t, want, sources(es.Documents()))
		})
	}
}

// indexedAtOnce is what Elasticsearch holds of ld delivered at the first
// attempt, by index and id.
func indexedAtOnce(t *testing.T, ld plog.Logs) map[string]map[string]any {
	t.Helper()
	es := esdouble.New()
	defer es.Close()
	exp := startObserved(t, testConfig(t, es.URL(), false), componenttest.NewNopHost())
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()
	require.NoError(t, settled(t, hold(t, exp, ld), 20*time.Second))
	require.Zero(t, retries(exp))
	return sources(es.Documents())
}

func sources(docs []esdouble.Document) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, d := range docs {
		out[documentKey(d.Index, d.ID)] = d.Source
	}
	return out
}
