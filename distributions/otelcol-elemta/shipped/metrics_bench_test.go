package shipped_test

import (
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkShippedMetrics runs the default configuration's
// signal_to_metrics connector on what it reads in the pipeline: the
// smtpevent processor's records (its expected outputs: SMTP sessions and
// messages, more of them marked for a metric than in a server's log). "all"
// has every metric of the configuration, each other sub-benchmark one
// metric alone: what it costs on every line. ns/record is per record.
func BenchmarkShippedMetrics(b *testing.B) {
	conf, err := confmaptest.LoadConf(filepath.Join("..", "config.yaml"))
	require.NoError(b, err)
	connector, err := conf.Sub("connectors::signal_to_metrics")
	require.NoError(b, err)
	metrics, ok := connector.Get("logs").([]any)
	require.True(b, ok, "connectors::signal_to_metrics::logs is a list")

	records := expectedRecords(b)
	run := func(b *testing.B, defs []any) {
		factory := signaltometricsconnector.NewFactory()
		cfg := factory.CreateDefaultConfig()
		require.NoError(b, confmap.NewFromStringMap(map[string]any{"logs": defs}).Unmarshal(cfg))
		c, err := factory.CreateLogsToMetrics(b.Context(), connectortest.NewNopSettings(factory.Type()), cfg, consumertest.NewNop())
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if err := c.ConsumeLogs(b.Context(), records); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(records.LogRecordCount()), "ns/record")
	}
	b.Run("all", func(b *testing.B) { run(b, metrics) })
	for _, m := range metrics {
		def, ok := m.(map[string]any)
		require.True(b, ok)
		name, ok := def["name"].(string)
		require.True(b, ok)
		b.Run(name, func(b *testing.B) { run(b, []any{def}) })
	}
}

// batchLines is about the receiver's batch (batch::max_lines): the
// connector aggregates a batch's records before it hands their counts on.
const batchLines = 1000

// expectedRecords gathers the smtpevent processor's expected outputs,
// repeated, into one batch of at least batchLines records.
func expectedRecords(b *testing.B) plog.Logs {
	paths, err := filepath.Glob(filepath.Join("..", "..", "..", "processor", "smtpeventprocessor", "testdata", "*.expected.yaml"))
	require.NoError(b, err)
	require.NotEmpty(b, paths)
	var expected []plog.Logs
	for _, path := range paths {
		ld, err := golden.ReadLogs(path)
		require.NoError(b, err)
		require.Positive(b, ld.LogRecordCount(), path)
		expected = append(expected, ld)
	}
	batch := plog.NewLogs()
	for batch.LogRecordCount() < batchLines {
		for _, ld := range expected {
			for _, rl := range ld.ResourceLogs().All() {
				rl.CopyTo(batch.ResourceLogs().AppendEmpty())
			}
		}
	}
	return batch
}
