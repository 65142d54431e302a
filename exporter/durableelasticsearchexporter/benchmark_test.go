package durableelasticsearchexporter

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
)

// BenchmarkInspect measures what reading Elasticsearch's answer adds to
// each bulk request of 1,000 documents.
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

// BenchmarkFlatDocuments measures making the documents of a batch: the
// smtpevent processor's golden records (every shape of line), read only as
// the pipeline hands them over beside other consumers; ns/op is per record.
func BenchmarkFlatDocuments(b *testing.B) {
	in := plog.NewLogs()
	for _, name := range []string{"seed", "flow", "auth-session", "failed-login"} {
		ld, err := golden.ReadLogs(filepath.Join("..", "..", "processor", "smtpeventprocessor", "testdata", name+".expected.yaml"))
		require.NoError(b, err)
		ld.ResourceLogs().MoveAndAppendTo(in.ResourceLogs())
	}
	in.MarkReadOnly()
	shape := flatDocuments{indexPrefix: defaultIndexPrefix}
	records := in.LogRecordCount()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = shape.build(in)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}

// BenchmarkRequestMade measures what keeping a held batch's request costs
// when it goes out: the compressed body (120 KiB, a batch of 1,000 lines)
// kept and the documents let go.
func BenchmarkRequestMade(b *testing.B) {
	wire := bytes.Repeat([]byte{0x5a}, 120<<10)
	docs := plog.NewLogs()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		docs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		held := &heldDocuments{docs: docs}
		body := &sentBody{gzipped: true, again: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(wire)), nil
		}}
		b.StartTimer()
		require.NoError(b, held.requestMade(body))
	}
}
