package elemtasetupextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		name    string
		check   func(t *testing.T, cfg *Config)
		wantErr string
	}{
		{name: "", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, "http://localhost:9200", cfg.Elasticsearch.Endpoint)
			assert.Equal(t, "30d", cfg.ILM.Retention)
			assert.False(t, cfg.Overwrite)
		}},
		{name: "full", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, "https://es.example.com:9200", cfg.Elasticsearch.Endpoint)
			assert.Equal(t, "ApiKey c2VjcmV0", authorization(cfg.Elasticsearch.User, cfg.Elasticsearch.Password, cfg.Elasticsearch.APIKey))
			assert.Equal(t, 10*time.Second, cfg.Elasticsearch.Timeout)
			assert.Equal(t, "90d", cfg.ILM.Retention)
			assert.True(t, cfg.Overwrite)
			assert.Equal(t, RetryConfig{InitialInterval: 2 * time.Second, MaxInterval: time.Minute}, cfg.Retry)
		}},
		{name: "bad_endpoint", wantErr: `elasticsearch::endpoint: "es.example.com" is not an http or https URL`},
		{name: "both_credentials", wantErr: "elasticsearch: both user and api_key are set; keep one of them"},
		{name: "bad_retention", wantErr: `ilm::retention: "30 days" is not a retention; use days or hours, for example 30d`},
		{name: "backup_without_settings", wantErr: `backup: the repository "elemta-backups" needs a type and its settings`},
		{name: "backup", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, BackupConfig{
				Repository: "elemta-backups", Type: "fs", Settings: map[string]any{"location": "/mnt/backups/elemta"},
				Schedule: "0 0 3 * * ?", ExpireAfter: "90d",
			}, cfg.Backup)
		}},
		{name: "bad_retry", wantErr: "retry: initial_interval 0s and max_interval 5s must be positive"},
		{name: "alerts_off", check: func(t *testing.T, cfg *Config) { assert.False(t, cfg.Kibana.Alerts) }},
		{name: "alert_rules", check: func(t *testing.T, cfg *Config) {
			assert.True(t, cfg.Kibana.Alerts, "on by default")
			assert.Equal(t, AlertRule{Threshold: 50, Window: 10 * time.Minute}, cfg.Kibana.AlertRules.AuthFailures)
			assert.Equal(t, defaultAlertRules().ErrorRate, cfg.Kibana.AlertRules.ErrorRate, "the others keep their defaults")
		}},
		{name: "bad_alert_window", wantErr: "kibana::alert_rules::error_rate::window: 1.5s is not a whole number of seconds"},
	}
	for _, tt := range tests {
		t.Run("name="+tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}
