package smtpeventprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/elemta/otelcol-elemta/internal/recordroom"
	"github.com/elemta/otelcol-elemta/internal/recordstest"
	"github.com/elemta/otelcol-elemta/internal/vocabulary"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

// TestAttributesAddedFitsTheRoom checks, on Elemta's lines with GeoIP
// placing every client and delivery host, that the processor adds no more
// attributes to a record than recordroom.AttributesAdded: the room the
// receiver leaves, so that a record's attribute list is allocated once.
func TestAttributesAddedFitsTheRoom(t *testing.T) {
	dir := t.TempDir()
	cityPath, asnPath := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	writeDB(t, cityPath, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	writeDB(t, asnPath, "GeoLite2-ASN", network{"81.2.69.0/24", asnRecordMap(20712, "Andrews & Arnold Ltd")})

	for _, name := range []string{"auth-session.log", "failed-login.log", "flow.log", "seed.log"} {
		t.Run(name, func(t *testing.T) {
			input := readLines(t, filepath.Join("testdata", name))
			var before []int
			for _, lr := range recordstest.Of(input) {
				before = append(before, lr.Attributes().Len())
				for _, key := range []string{vocabulary.AttrClientIP, vocabulary.AttrDeliveryIP} {
					if v, ok := lr.Attributes().Get(key); ok && v.Str() != "" {
						v.SetStr("81.2.69.142")
					}
				}
			}

			cfg := createDefaultConfig().(*Config)
			cfg.GeoIP.CityDatabase, cfg.GeoIP.ASNDatabase = []string{cityPath}, []string{asnPath}
			sink := new(consumertest.LogsSink)
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
			require.NoError(t, p.ConsumeLogs(context.Background(), input))

			i, located := 0, 0
			for _, lr := range events(sink) {
				added := lr.Attributes().Len() - before[i]
				assert.LessOrEqual(t, added, recordroom.AttributesAdded, "record %d of %s", i, name)
				if _, ok := lr.Attributes().Get(vocabulary.AttrClientGeo); ok {
					located++
				}
				i++
			}
			assert.Equal(t, len(before), i)
			assert.Positive(t, located, "GeoIP placed no client")
		})
	}
}
