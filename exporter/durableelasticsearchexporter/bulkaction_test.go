package durableelasticsearchexporter

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

func TestCreateToIndex(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one document", "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"x\":1}\n", "{\"index\": {\"_index\":\"i\",\"_id\":\"a\"}}\n{\"x\":1}\n"},
		{"several, no final newline", "{\"create\":{\"_id\":\"a\"}}\n{\"x\":1}\n{\"create\":{\"_id\":\"b\"}}\n{\"x\":2}", "{\"index\": {\"_id\":\"a\"}}\n{\"x\":1}\n{\"index\": {\"_id\":\"b\"}}\n{\"x\":2}"},
		{"a document that looks like an action", "{\"create\":{}}\n{\"create\":{\"k\":1}}\n", "{\"index\": {}}\n{\"create\":{\"k\":1}}\n"},
		{"another action is left alone", "{\"create\":{}}\n{\"x\":1}\n{\"delete\":{\"_id\":\"a\"}}\n", "{\"create\":{}}\n{\"x\":1}\n{\"delete\":{\"_id\":\"a\"}}\n"},
		{"a document bound for a data stream keeps create", "{\"create\":{\"_index\":\"logs-a-b\",\"require_data_stream\":true}}\n{\"x\":1}\n{\"create\":{\"_id\":\"b\"}}\n{\"x\":2}\n", "{\"create\":{\"_index\":\"logs-a-b\",\"require_data_stream\":true}}\n{\"x\":1}\n{\"index\": {\"_id\":\"b\"}}\n{\"x\":2}\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.in)
			createToIndex(body)
			assert.Equal(t, tt.want, string(body))
		})
	}
}

// TestEncodeRewritesAsItReads checks the streaming rewrite against
// createToIndex, the rewrite of a whole body, whatever pieces the body is
// read in, compressed or not, and whether the request can give its body
// twice (GetBody) or must be copied.
func TestEncodeRewritesAsItReads(t *testing.T) {
	bodies := map[string]string{
		"one document":               "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"x\":1}\n",
		"several, no final newline":  "{\"create\":{\"_id\":\"a\"}}\n{\"x\":1}\n{\"create\":{\"_id\":\"b\"}}\n{\"x\":2}",
		"a last action line alone":   "{\"create\":{\"_id\":\"a\"}}\n{\"x\":1}\n{\"create\":{\"_id\":\"b\"}}",
		"a document like an action":  "{\"create\":{}}\n{\"create\":{\"k\":1}}\n",
		"another action: left alone": "{\"create\":{}}\n{\"x\":1}\n{\"delete\":{\"_id\":\"a\"}}\n",
		"data stream keeps create":   "{\"create\":{\"_index\":\"logs-a-b\",\"require_data_stream\":true}}\n{\"x\":1}\n{\"create\":{\"_id\":\"b\"}}\n{\"x\":2}\n",
		"empty":                      "",
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":       func(r io.Reader) io.Reader { return r },
		"byte a time": iotest.OneByteReader,
		"halves":      iotest.HalfReader,
	}
	for name, in := range bodies {
		want := []byte(in)
		createToIndex(want)
		for rname, wrap := range readers {
			for _, gz := range []bool{false, true} {
				for _, twice := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s/gzip=%t/getbody=%t", name, rname, gz, twice), func(t *testing.T) {
						req := httptest.NewRequest(http.MethodPost, "/_bulk", io.NopCloser(wrap(strings.NewReader(in))))
						req.GetBody = nil
						if twice {
							req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(wrap(strings.NewReader(in))), nil }
						}
						m := &bulkMiddleware{rewrite: true, gzip: gz, gzipLevel: 1}
						body := newSentBody(req, true)
						defer body.release()
						var dst bytes.Buffer
						size, err := m.encode(&dst, body)
						require.NoError(t, err)
						got := dst.Bytes()
						if gz {
							zr, err := gzip.NewReader(&dst)
							require.NoError(t, err)
							got, err = io.ReadAll(zr)
							require.NoError(t, err)
						}
						assert.Equal(t, string(want), string(got), "the body on the wire")
						assert.Equal(t, int64(len(in)), size, "the uncompressed size")
						assert.Equal(t, string(want), string(body.plain()), "the body the answer is read against")
					})
				}
			}
		}
	}
}

// docsProcessed sums contrib's otelcol.elasticsearch.docs.processed by outcome.
func docsProcessed(t *testing.T, tel *componenttest.Telemetry) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := tel.GetMetric("otelcol.elasticsearch.docs.processed")
	if err != nil {
		return out
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		outcome, _ := dp.Attributes.Value("outcome")
		out[outcome.AsString()] += dp.Value
	}
	return out
}

// idLogs are n log records with stable ids, as the smtpevent processor
// emits them: the exporter makes flat documents of them. With shape none
// they carry contrib's own id attribute and contrib's default otel mapping
// mode sends them to a data stream.
func idLogs(n int, shape string) plog.Logs {
	ld := logs(n)
	for i, r := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		id := "doc-" + string(rune('a'+i))
		if shape == ShapeFlat {
			r.Attributes().PutStr(vocabulary.AttrRecordUID, id)
		} else {
			r.Attributes().PutStr("elasticsearch.document_id", id)
		}
	}
	return ld
}

func TestResentDocumentsAreSuccesses(t *testing.T) {
	tests := []struct {
		name        string
		action      string
		compression configcompression.Type
		level       configcompression.Level
		shape       string // none: contrib's default otel mapping mode, which requires data streams
		wantResent  string // the double's outcome for the second send
		wantMetric  map[string]int64
		wantEncoded string
	}{
		{"index, gzip", BulkActionIndex, configcompression.TypeGzip, 1, ShapeFlat, "index/updated", map[string]int64{"success": 10}, "gzip"},
		{"index, gzip at its default level", BulkActionIndex, configcompression.TypeGzip, 0, ShapeFlat, "index/updated", map[string]int64{"success": 10}, "gzip"},
		{"index, uncompressed", BulkActionIndex, "none", 0, ShapeFlat, "index/updated", map[string]int64{"success": 10}, ""},
		{"index, to a data stream: create kept", BulkActionIndex, configcompression.TypeGzip, 1, ShapeNone, "create/conflict", map[string]int64{"success": 5, "failed_client": 5}, "gzip"},
		{"create", BulkActionCreate, configcompression.TypeGzip, 1, ShapeFlat, "create/conflict", map[string]int64{"success": 5, "failed_client": 5}, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			cfg := testConfig(t, es.URL(), false)
			cfg.BulkAction = tt.action
			cfg.Elasticsearch.Compression = tt.compression
			cfg.Elasticsearch.CompressionParams.Level = tt.level
			cfg.Elasticsearch.LogsDynamicID.Enabled = true
			cfg.Document.Shape = tt.shape

			exp := startObserved(t, cfg, componenttest.NewNopHost())

			const n = 5
			require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(n, tt.shape)))
			require.Eventually(t, func() bool { return len(es.Documents()) == n }, 10*time.Second, 10*time.Millisecond)
			require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(n, tt.shape)))
			require.Eventually(t, func() bool { return es.Outcomes()[tt.wantResent] == n }, 10*time.Second, 10*time.Millisecond)
			require.NoError(t, exp.Shutdown(context.Background()))

			assert.Len(t, es.Documents(), n, "a resend does not duplicate")
			assert.Equal(t, n, es.Outcomes()[strings.Split(tt.wantResent, "/")[0]+"/created"])
			assert.Equal(t, tt.wantMetric, docsProcessed(t, exp.tel), "contrib's count of both sends by outcome")
			for _, r := range es.Requests() {
				if r.Path == "/_bulk" {
					assert.Equal(t, tt.wantEncoded, r.Encoding)
				}
			}
		})
	}
}

// TestAnswerBody checks the pooled answer body: it reads as the answer
// until closed, and as empty after; closing twice gives the buffer back
// once.
func TestAnswerBody(t *testing.T) {
	const answer = "whatever Elasticsearch answered, byte for byte\n"
	a, err := readAnswer(strings.NewReader(answer))
	require.NoError(t, err)

	got, err := io.ReadAll(a)
	require.NoError(t, err)
	assert.Equal(t, answer, string(got))

	require.NoError(t, a.Close())
	assert.Nil(t, a.buf, "the buffer went back to the pool")
	require.NoError(t, a.Close())
	n, err := a.Read(make([]byte, 8))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
}
