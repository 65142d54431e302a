package durableelasticsearchexporter

import (
	"bufio"
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
)

// BenchmarkInspect measures what reading Elasticsearch's answer adds to
// each bulk request of 1,000 documents, beside createToIndex, the rewrite
// of a whole body that an answer refusing documents reads again.
// "all indexed" is the answer to nearly every request (the fast path); "one
// refused" parses the answer and writes one entry to the dead-letter file.
func BenchmarkInspect(b *testing.B) {
	const n = 1000
	var body, ok, oneRefused bytes.Buffer
	ok.WriteString(`{"items":[`)
	oneRefused.WriteString(`{"items":[`)
	for i := range n {
		id := strconv.Itoa(i)
		body.WriteString(`{"create":{"_index":"elemta-logs-2026.11.25","_id":"` + id + `"}}` + "\n")
		body.WriteString(`{"@timestamp":"2026-11-25T17:42:57.44Z","message":"line ` + id + `","event_type":"smtp_command"}` + "\n")
		sep := ","
		if i == n-1 {
			sep = ""
		}
		ok.WriteString(`{"index":{"_index":"elemta-logs-2026.11.25","status":201}}` + sep)
		if i == 500 {
			oneRefused.WriteString(`{"index":{"_index":"elemta-logs-2026.11.25","status":400,"error":{"type":"mapper_parsing_exception","reason":"x"}}}` + sep)
		} else {
			oneRefused.WriteString(`{"index":{"_index":"elemta-logs-2026.11.25","status":201}}` + sep)
		}
	}
	ok.WriteString(`]}`)
	oneRefused.WriteString(`]}`)

	tb, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	if err != nil {
		b.Fatal(err)
	}
	store, err := openDeadLetterStore(DeadLetterConfig{Directory: b.TempDir(), MaxSizeMiB: 100, MaxFiles: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = store.close() }()
	refused, err := newRefusedDocuments(retriedStatuses, zap.NewNop(), tb)
	if err != nil {
		b.Fatal(err)
	}
	refused.store = store

	b.Run("createToIndex", func(b *testing.B) {
		b.ReportAllocs()
		work := make([]byte, body.Len())
		for b.Loop() {
			copy(work, body.Bytes()) // the rewrite is in place
			createToIndex(work)
		}
	})
	for _, answer := range []struct {
		name string
		body []byte
	}{{"all indexed", ok.Bytes()}, {"one refused", oneRefused.Bytes()}} {
		b.Run(answer.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				refused.recent.Purge() // written every time, as on a first send
				refused.inspect(context.Background(), newBulkReport(false), 200, body.Bytes, answer.body)
			}
		})
	}
}

// BenchmarkBulkEncode measures what the bulk middleware does to each
// request of 1,000 documents before it goes out, beside the way it did it
// before: "copy, std gzip" reads the whole body into a buffer, rewrites the
// actions there and compresses it with the standard library's gzip;
// "stream, klauspost gzip" (encode) rewrites the actions as the body is
// read and compresses them as they come, holding no uncompressed copy.
// The body is read in the 32 KiB pieces the HTTP instrumentation gives.
func BenchmarkBulkEncode(b *testing.B) {
	body := sampleBulkBody(1000)
	request := func() *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/_bulk", io.NopCloser(bufio.NewReaderSize(bytes.NewReader(body), 32<<10)))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		return req
	}
	b.Run("copy, std gzip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		var plain, wire bytes.Buffer
		zw, _ := stdgzip.NewWriterLevel(&wire, 1)
		for b.Loop() {
			req := request()
			plain.Reset()
			if _, err := plain.ReadFrom(req.Body); err != nil {
				b.Fatal(err)
			}
			createToIndex(plain.Bytes())
			wire.Reset()
			zw.Reset(&wire)
			if _, err := zw.Write(plain.Bytes()); err != nil {
				b.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream, klauspost gzip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		m := &bulkMiddleware{rewrite: true, gzip: true, gzipLevel: 1}
		var wire bytes.Buffer
		for b.Loop() {
			sent := newSentBody(request(), true)
			if _, err := m.encode(&wire, sent); err != nil {
				b.Fatal(err)
			}
			sent.release()
		}
	})
}

// sampleBulkBody is a bulk body of n create actions and flat documents
// made of the committed sample lines.
func sampleBulkBody(n int) []byte {
	lines := []string{
		`{"time":"2026-11-25T17:42:57.441Z","level":"INFO","msg":"SMTP command received","component":"smtp-session","session_id":"b1f0","remote_addr":"203.0.113.7:52114","command":"MAIL FROM:<alice@example.com>"}`,
		"SMTP: 2024-01-15 10:30:46 EHLO client.example.com",
	}
	var body bytes.Buffer
	for i := range n {
		id := strconv.Itoa(i)
		body.WriteString(`{"create":{"_index":"elemta-logs-2026.11.25","_id":"` + id + `"}}` + "\n")
		doc := map[string]any{
			"@timestamp": "2026-11-25T17:42:57.441Z", "message": lines[i%len(lines)],
			"event_type": "smtp_command", "smtp_verb": "MAIL", "client_ip": "203.0.113.7", "client_port": 52114,
			"session_id": "b1f0", "sender": "alice@example.com", "sender_domain": "example.com", "mta_flow": "inbound",
			"event.outcome": "success", "event.category": "email", "log.file.name": "elemta.log", "log.file.path": "/var/log/elemta/elemta.log",
		}
		line, _ := json.Marshal(doc)
		body.Write(line)
		body.WriteByte('\n')
	}
	return body.Bytes()
}
