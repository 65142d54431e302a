package durableelasticsearchexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		check   func(*testing.T, *Config)
		wantErr string
	}{
		{
			name: "",
			check: func(t *testing.T, cfg *Config) {
				assert.Equal(t, "http://127.0.0.1:9200", cfg.Elasticsearch.Endpoint)
				assert.Equal(t, time.Duration(0), cfg.BackOffConfig.MaxElapsedTime, "retries never give up by default")
				assert.False(t, cfg.QueueConfig.HasValue(), "no queue: the caller learns when Elasticsearch has the batch")
				assert.Equal(t, ShapeFlat, cfg.Document.Shape)
				assert.False(t, cfg.Document.Original, "the line is left out of its document by default")
				assert.False(t, cfg.Elasticsearch.QueueBatchConfig.HasValue())
				assert.Equal(t, retriedStatuses, cfg.Elasticsearch.Retry.RetryOnStatus)
				assert.True(t, cfg.Elasticsearch.SuppressConflictErrors, "a resent document's 409 is a delivery, not an error to log")
			},
		},
		{
			name:  "data_stream",
			check: func(t *testing.T, cfg *Config) { assert.Equal(t, "logs-elemta-default", cfg.Elasticsearch.LogsIndex) },
		},
		{name: "removed_bulk_action", wantErr: "bulk_action is no longer a setting: documents go with contrib's create action"},
		{
			name: "full",
			check: func(t *testing.T, cfg *Config) {
				assert.Equal(t, 30*time.Second, cfg.Timeout)
				assert.True(t, cfg.Document.Original)
				require.True(t, cfg.QueueConfig.HasValue())
				assert.Equal(t, int64(50), cfg.QueueConfig.Get().QueueSize)
				require.NotNil(t, cfg.QueueConfig.Get().StorageID)
				assert.Equal(t, component.MustNewID("file_storage"), *cfg.QueueConfig.Get().StorageID)
				assert.Equal(t, time.Second, cfg.BackOffConfig.InitialInterval)
				assert.Equal(t, "elastic", cfg.Elasticsearch.Authentication.User)
				assert.Equal(t, "elemta-logs", cfg.Elasticsearch.LogsIndex)
			},
		},
		{name: "bad_shape", wantErr: `document::shape: "ecs" is not a shape; use "flat"`},
		{name: "bad_index_prefix", wantErr: `document::index_prefix: "Elemta-Logs-" cannot start an Elasticsearch index name`},
		{name: "memory_queue", wantErr: "sending_queue: a queue in memory answers batches before Elasticsearch has them"},
		{name: "inner_queue", wantErr: "elasticsearch::sending_queue must not be set"},
		{name: "no_retry", wantErr: "retry_on_failure::enabled is false"},
		{name: "no_endpoint", wantErr: "exactly one of [endpoint, endpoints, cloudid] must be specified"},
	}
	for _, tt := range tests {
		t.Run("name="+tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg.(*Config))
		})
	}
}
