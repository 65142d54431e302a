package smtpeventprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

// BenchmarkProcessor processes the committed sample lines, parsed once by
// the elemta receiver, with GeoIP off and on (a City and an ASN database).
// ns/op is per record, to compare with the receiver's BenchmarkParse.
func BenchmarkProcessor(b *testing.B) {
	for _, geoip := range []bool{false, true} {
		b.Run(map[bool]string{false: "geoip=off", true: "geoip=on"}[geoip], func(b *testing.B) {
			benchmarkProcessor(b, geoip)
		})
	}
}

func benchmarkProcessor(b *testing.B, geoip bool) {
	dir := b.TempDir()
	cityPath, asnPath := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	writeDB(b, cityPath, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	writeDB(b, asnPath, "GeoLite2-ASN", network{"81.2.69.0/24", asnRecordMap(20712, "Andrews & Arnold Ltd")})

	input := plog.NewLogs()
	for _, name := range []string{"auth-session.log", "flow.log", "seed.log"} {
		readLines(b, filepath.Join("testdata", name)).ResourceLogs().MoveAndAppendTo(input.ResourceLogs())
	}
	// Half the connections come from a public address GeoIP places.
	for i, lr := range recordstest.Of(input) {
		if (i+1)%2 == 0 {
			lr.Attributes().PutStr("client_ip", "81.2.69.142")
		}
	}
	n := input.LogRecordCount()

	cfg := createDefaultConfig().(*Config)
	if geoip {
		cfg.GeoIP.CityDatabase, cfg.GeoIP.ASNDatabase = []string{cityPath}, []string{asnPath}
	}
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(b, err)
	require.NoError(b, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(b, p.Shutdown(context.Background())) }()

	// Batches are copied a hundred at a time with the clock stopped:
	// stopping it around each copy would cost more than processing it.
	batches := make([]plog.Logs, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		for i := range batches {
			batches[i] = copyAsReceived(input)
		}
		b.StartTimer()
		for _, batch := range batches {
			if err := p.ConsumeLogs(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			if done += n; done >= b.N {
				break
			}
		}
	}
}

// receiverRoom is the room the elemta receiver leaves in each record's
// attributes for what the pipeline adds.
const receiverRoom = 28

// copyAsReceived copies a batch the way the elemta receiver makes one: each
// record's attributes with room to grow (plog's CopyTo allocates them to
// size).
func copyAsReceived(src plog.Logs) plog.Logs {
	dst := plog.NewLogs()
	for _, rl := range src.ResourceLogs().All() {
		drl := dst.ResourceLogs().AppendEmpty()
		rl.Resource().CopyTo(drl.Resource())
		for _, sl := range rl.ScopeLogs().All() {
			dsl := drl.ScopeLogs().AppendEmpty()
			sl.Scope().CopyTo(dsl.Scope())
			for _, lr := range sl.LogRecords().All() {
				d := dsl.LogRecords().AppendEmpty()
				d.Attributes().EnsureCapacity(lr.Attributes().Len() + receiverRoom)
				lr.CopyTo(d)
			}
		}
	}
	return dst
}
