package durableelasticsearchexporter

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap/zapcore"

	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

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

// TestResentDocumentsAreDelivered sends a batch twice: Elasticsearch
// answers the second send's create actions with 409 conflicts, which the
// exporter counts as delivered, without a dead letter, an error or an
// error log line. The requests go out as contrib's exporter compressed them.
func TestResentDocumentsAreDelivered(t *testing.T) {
	tests := []struct {
		name        string
		compression configcompression.Type
		level       configcompression.Level
		shape       string // none: contrib's default otel mapping mode, which requires data streams
		wantEncoded string
	}{
		{"flat, gzip (the default)", configcompression.TypeGzip, 1, ShapeFlat, "gzip"},
		{"flat, gzip at level 6", configcompression.TypeGzip, 6, ShapeFlat, "gzip"},
		{"flat, uncompressed", "none", 0, ShapeFlat, ""},
		{"contrib's otel mode, to a data stream", configcompression.TypeGzip, 1, ShapeNone, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := esdouble.New()
			defer es.Close()
			cfg := testConfig(t, es.URL(), false)
			cfg.Elasticsearch.Compression = tt.compression
			cfg.Elasticsearch.CompressionParams.Level = tt.level
			cfg.Elasticsearch.LogsDynamicID.Enabled = true
			cfg.Document.Shape = tt.shape

			exp := startObserved(t, cfg, componenttest.NewNopHost())

			const n = 5
			require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(n, tt.shape)))
			require.Len(t, es.Documents(), n)
			require.NoError(t, exp.ConsumeLogs(context.Background(), idLogs(n, tt.shape)), "a resent batch is delivered")
			require.NoError(t, exp.Shutdown(context.Background()))

			assert.Len(t, es.Documents(), n, "a resend does not duplicate")
			assert.Equal(t, n, es.Outcomes()["create/created"])
			assert.Equal(t, n, es.Outcomes()["create/conflict"])
			assert.Zero(t, exp.logs.FilterLevelExact(zapcore.ErrorLevel).Len(), "a resend logs no error: %v", exp.logs.All())
			dead, _ := os.ReadFile(cfg.DeadLetter.Directory + "/dead-letter.ndjson")
			assert.Empty(t, dead, "nothing dead-lettered")
			bulks := 0
			for _, r := range es.Requests() {
				if r.Path == "/_bulk" {
					bulks++
					assert.Equal(t, tt.wantEncoded, r.Encoding)
				}
			}
			assert.Equal(t, 2, bulks)
		})
	}
}

// TestSentBody reads a bulk request's body again, as an answer that
// refuses documents needs it: uncompressed, whether the request was
// compressed or not and whether it can give its body twice or had to be
// copied before it went; the request still sends the whole body.
func TestSentBody(t *testing.T) {
	const plain = "{\"create\":{\"_index\":\"i\",\"_id\":\"a\"}}\n{\"x\":1}\n"
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(plain))
	require.NoError(t, zw.Close())

	for _, gz := range []bool{false, true} {
		for _, twice := range []bool{false, true} {
			wire := []byte(plain)
			if gz {
				wire = zipped.Bytes()
			}
			t.Run(map[bool]string{false: "plain", true: "gzip"}[gz]+map[bool]string{false: ", copied", true: ", GetBody"}[twice], func(t *testing.T) {
				req := httptest.NewRequest(http.MethodPost, "/_bulk", io.NopCloser(bytes.NewReader(wire)))
				req.GetBody = nil
				if twice {
					req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(wire)), nil }
				}
				if gz {
					req.Header.Set("Content-Encoding", "gzip")
				}
				body, err := sentBodyOf(req)
				require.NoError(t, err)
				defer body.release()
				sent, err := io.ReadAll(req.Body)
				require.NoError(t, err)
				assert.Equal(t, wire, sent, "the request sends its body")
				assert.Equal(t, strings.Split(plain, "\n"), strings.Split(string(body.plain()), "\n"), "the body the answer is read against, line by line")
			})
		}
	}
}

// TestSentBodyThatCannotBeRead: a compressed body that is not gzip reads
// as nil, and the error is kept.
func TestSentBodyThatCannotBeRead(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/_bulk", strings.NewReader("not gzip"))
	req.Header.Set("Content-Encoding", "gzip")
	body, err := sentBodyOf(req)
	require.NoError(t, err)
	defer body.release()
	assert.Nil(t, body.plain())
	assert.Error(t, body.err)
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
