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

	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

// BenchmarkProcessor processes the committed sample lines, parsed once by
// the elemta receiver, with GeoIP on (a City and an ASN database). ns/op is
// per record, to compare with the receiver's BenchmarkParse.
func BenchmarkProcessor(b *testing.B) {
	dir := b.TempDir()
	cityPath, asnPath := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	writeDB(b, cityPath, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	writeDB(b, asnPath, "GeoLite2-ASN", network{"81.2.69.0/24", asnRecordMap(20712, "Andrews & Arnold Ltd")})

	input := plog.NewLogs()
	for _, name := range []string{"auth-session.log", "flow.log", "seed.log"} {
		readLines(b, filepath.Join("testdata", name)).ResourceLogs().MoveAndAppendTo(input.ResourceLogs())
	}
	// Half the connections come from a public address GeoIP places.
	i := 0
	for _, rl := range input.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if i++; i%2 == 0 {
					lr.Attributes().PutStr("client_ip", "81.2.69.142")
				}
			}
		}
	}
	n := input.LogRecordCount()

	cfg := createDefaultConfig().(*Config)
	cfg.GeoIP.CityDatabase, cfg.GeoIP.ASNDatabase = cityPath, asnPath
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(b, err)
	require.NoError(b, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(b, p.Shutdown(context.Background())) }()

	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k += n {
		b.StopTimer()
		batch := plog.NewLogs()
		input.CopyTo(batch)
		b.StartTimer()
		if err := p.ConsumeLogs(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
}
