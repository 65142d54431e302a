package elemtasetupextension // import "github.com/elemta/otelcol-elemta/extension/elemtasetupextension"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"

	"github.com/elemta/otelcol-elemta/extension/elemtasetupextension/internal/metadata"
)

const (
	defaultEndpoint        = "http://localhost:9200"
	defaultTimeout         = 30 * time.Second
	defaultRetention       = "30d"
	defaultInitialInterval = time.Second
	// A setup that waits for an unreachable cluster tries it again every
	// 5 s at most: once Elasticsearch is back, the lines waiting for the
	// setup go within 5 s, as the exporter's waiting batches do (its
	// retry_on_failure::initial_interval).
	defaultMaxInterval    = 5 * time.Second
	defaultBackupSchedule = "0 30 1 * * ?" // 01:30 every day
	defaultBackupExpiry   = "30d"
)

// NewFactory returns the factory of the elemtasetup extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Endpoint = defaultEndpoint
	client.Timeout = defaultTimeout
	kibana := confighttp.NewDefaultClientConfig()
	kibana.Timeout = defaultTimeout
	return &Config{
		Elasticsearch: ElasticsearchConfig{ClientConfig: client},
		Kibana:        KibanaConfig{ClientConfig: kibana, Alerts: true, AlertRules: defaultAlertRules()},
		ILM:           ILMConfig{Retention: defaultRetention},
		Backup:        BackupConfig{Schedule: defaultBackupSchedule, ExpireAfter: defaultBackupExpiry},
		Retry:         RetryConfig{InitialInterval: defaultInitialInterval, MaxInterval: defaultMaxInterval},
	}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newSetup(set, cfg.(*Config))
}
