package e2e

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/elemta/otelcol-elemta/testbed/esdouble"
)

// TestGeoIPThroughTheCollector: with GEOIP_CITY_DB set, a public client
// address gets its country and location, the lines of its session too, and
// a private address gets nothing, without any error. GEOIP_CITY_DB names two
// files, the second for IPv6.
func TestGeoIPThroughTheCollector(t *testing.T) {
	dir := t.TempDir()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 24})
	require.NoError(t, err)
	_, network, err := net.ParseCIDR("81.2.69.0/24")
	require.NoError(t, err)
	require.NoError(t, tree.Insert(network, mmdbtype.Map{
		"country":  mmdbtype.Map{"iso_code": mmdbtype.String("GB"), "names": mmdbtype.Map{"en": mmdbtype.String("United Kingdom")}},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(51.5142), "longitude": mmdbtype.Float64(-0.0931)},
	}))
	dbPath := filepath.Join(dir, "city.mmdb")
	writeTree(t, tree, dbPath)
	// A second file, in ip-location-db's flattened schema, knows an IPv6 network.
	v6, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "ip-location-db dbip-city", RecordSize: 24})
	require.NoError(t, err)
	_, network, err = net.ParseCIDR("2a02:8000::/24")
	require.NoError(t, err)
	require.NoError(t, v6.Insert(network, mmdbtype.Map{"country_code": mmdbtype.String("DE"), "city": mmdbtype.String("Berlin")}))
	v6Path := filepath.Join(dir, "city-ipv6.mmdb")
	writeTree(t, v6, v6Path)

	logDir := t.TempDir()
	appendLines(t, filepath.Join(logDir, "elemta.log"), []string{
		"SMTP: 2024-01-15 10:30:45 new connection: 81.2.69.142:2525",
		"SMTP: 2024-01-15 10:30:46 EHLO public.example",
		"SMTP: 2024-01-15 10:31:45 new connection: 192.168.1.100:54321",
		"SMTP: 2024-01-15 10:32:45 new connection: [2a02:8012::1]:2525",
	})
	es := esdouble.New()
	defer es.Close()
	env := defaultEnv(logDir, t.TempDir(), es.URL())
	env["GEOIP_CITY_DB"] = dbPath + "," + v6Path // both files, as an environment variable names them
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	defer c.stop(t)
	require.Eventually(t, func() bool { return len(es.Documents()) == 4 }, time.Minute, 100*time.Millisecond)

	byLine := map[string]esdouble.Document{}
	for _, d := range es.Documents() {
		byLine[esdouble.Message(d)] = d
	}
	wantGB := map[string]any{
		"country_iso_code": "GB", "country_name": "United Kingdom",
		"location": map[string]any{"lat": 51.5142, "lon": -0.0931},
	}
	for _, line := range []string{"SMTP: 2024-01-15 10:30:45 new connection: 81.2.69.142:2525", "SMTP: 2024-01-15 10:30:46 EHLO public.example"} {
		geo, ok := esdouble.Attribute(byLine[line], "client_geo")
		require.True(t, ok, "no client_geo for %q", line)
		assert.Equal(t, wantGB, geo, line)
	}
	private := byLine["SMTP: 2024-01-15 10:31:45 new connection: 192.168.1.100:54321"]
	assert.NotContains(t, private.Source, "client_geo")
	assert.NotContains(t, private.Source, "error_reason", "a private address is no error")
	assert.Equal(t, false, private.Source["is_error"])

	geo, ok := esdouble.Attribute(byLine["SMTP: 2024-01-15 10:32:45 new connection: [2a02:8012::1]:2525"], "client_geo")
	require.True(t, ok, "the IPv6 address is placed by the second file")
	assert.Equal(t, map[string]any{"country_iso_code": "DE", "city_name": "Berlin"}, geo)
}

// writeTree writes a MaxMind-format database file.
func writeTree(t *testing.T, tree *mmdbwriter.Tree, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = tree.WriteTo(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestGeoIPWithDBIPLite runs the collector with the real DB-IP Lite City
// files in GEOIP_CITY_DB, comma-separated as the environment names both.
// It runs only when OTELCOL_ELEMTA_TEST_DBIP_CITY names them: `make
// test-geoip` fetches them.
func TestGeoIPWithDBIPLite(t *testing.T) {
	files := os.Getenv("OTELCOL_ELEMTA_TEST_DBIP_CITY")
	if files == "" {
		t.Skip("set OTELCOL_ELEMTA_TEST_DBIP_CITY to the DB-IP Lite City files (make test-geoip does)")
	}
	logDir := t.TempDir()
	lines := map[string]string{
		"SMTP: 2024-01-15 10:30:45 new connection: 8.8.8.8:2525":                   "US",
		"SMTP: 2024-01-15 10:30:46 new connection: [2001:67c:2e8:22::c100:68b]:25": "NL",
		"SMTP: 2024-01-15 10:30:47 new connection: 10.1.2.3:2525":                  "",
	}
	var written []string
	for l := range lines {
		written = append(written, l)
	}
	appendLines(t, filepath.Join(logDir, "elemta.log"), written)
	es := esdouble.New()
	defer es.Close()
	env := defaultEnv(logDir, t.TempDir(), es.URL())
	env["GEOIP_CITY_DB"] = files
	c := startCollector(t, env, filepath.Join(distDir(t), "config.yaml"))
	defer c.stop(t)
	require.Eventually(t, func() bool { return len(es.Documents()) == len(lines) }, time.Minute, 100*time.Millisecond)

	for _, d := range es.Documents() {
		want := lines[esdouble.Message(d)]
		geo, ok := esdouble.Attribute(d, "client_geo")
		if want == "" {
			assert.False(t, ok, "%s: no client_geo", esdouble.Message(d))
			continue
		}
		require.True(t, ok, "%s: client_geo", esdouble.Message(d))
		t.Logf("%s: %v", esdouble.Message(d), geo)
		assert.Equal(t, want, geo.(map[string]any)["country_iso_code"])
		assert.Contains(t, geo, "location")
	}
}
