package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/elemta/otelcol-elemta/processor/smtpeventprocessor/internal/metadata"
)

const (
	defaultMaxSessions = 10000
	defaultSessionTTL  = 10 * time.Minute
	defaultGeoCache    = 4096
	defaultGeoReload   = time.Minute
)

// NewFactory returns the factory of the smtpevent processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Session: SessionConfig{MaxSessions: defaultMaxSessions, TTL: defaultSessionTTL},
		Privacy: PrivacyConfig{Sender: PrivacyKeep, Recipient: PrivacyKeep, Subject: PrivacyKeep, FailedLoginUsername: PrivacyRedact},
		GeoIP:   GeoIPConfig{CacheSize: defaultGeoCache, ReloadInterval: defaultGeoReload},
	}
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newSMTPEventProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
}
