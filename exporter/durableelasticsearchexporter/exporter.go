package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"compress/gzip"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configmiddleware"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogsExporter builds contrib's Elasticsearch exporter without a queue, so
// that every bulk failure comes back as an error, and wraps it in an
// exporterhelper with this exporter's persistent queue and unbounded retry.
// A batch leaves the queue only when Elasticsearch has answered for every
// document in it; on shutdown an unsent batch stays in storage for the next
// start.
func newLogsExporter(ctx context.Context, set exporter.Settings, cfg *Config) (exporter.Logs, error) {
	innerCfg := cfg.Elasticsearch
	var middleware *bulkActionMiddleware
	if cfg.BulkAction == BulkActionIndex {
		// The middleware rewrites the actions of the uncompressed body,
		// then compresses it as contrib's exporter would have.
		middleware = &bulkActionMiddleware{}
		if innerCfg.Compression == configcompression.TypeGzip {
			middleware.gzip, middleware.gzipLevel = true, int(innerCfg.CompressionParams.Level)
			if middleware.gzipLevel == 0 { // unset: the default level, as confighttp reads it
				middleware.gzipLevel = gzip.DefaultCompression
			}
		}
		innerCfg.Compression = "none"
		innerCfg.Middlewares = append(slices.Clone(innerCfg.Middlewares), configmiddleware.Config{ID: bulkActionID})
	}
	innerSet := set
	innerSet.ID = component.NewIDWithName(elasticsearchexporter.NewFactory().Type(), set.ID.String())
	innerSet.Logger = set.Logger.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return demoteInnerRejections{c}
	}))
	inner, err := elasticsearchexporter.NewFactory().CreateLogs(ctx, innerSet, &innerCfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}

	start := func(ctx context.Context, host component.Host) error {
		set.Logger.Info("Durable Elasticsearch exporter starting",
			zap.Bool("persistent_queue", hasStorage(cfg)),
			zap.Duration("retry_max_elapsed_time", cfg.BackOffConfig.MaxElapsedTime))
		if middleware != nil {
			host = newHostWith(host, bulkActionID, middleware)
		}
		return inner.Start(ctx, host)
	}
	shutdown := func(ctx context.Context) error {
		defer set.Logger.Info("Durable Elasticsearch exporter stopped")
		return inner.Shutdown(ctx)
	}

	return exporterhelper.NewLogs(ctx, set, cfg, inner.ConsumeLogs,
		exporterhelper.WithStart(start),
		exporterhelper.WithShutdown(shutdown),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithRetry(cfg.BackOffConfig),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	)
}

// bulkActionID names the bulk action middleware among the extensions that
// contrib's exporter sees.
var bulkActionID = component.MustNewID("durable_elasticsearch_bulk_action")

// hostWith is the collector's host with one more extension. It passes
// status reports on to the host.
type hostWith struct {
	component.Host
	extensions map[component.ID]component.Component
}

func newHostWith(host component.Host, id component.ID, ext component.Component) hostWith {
	extensions := maps.Clone(host.GetExtensions())
	if extensions == nil {
		extensions = map[component.ID]component.Component{}
	}
	extensions[id] = ext
	return hostWith{Host: host, extensions: extensions}
}

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h.extensions }

func (h hostWith) Report(ev *componentstatus.Event) {
	if r, ok := h.Host.(componentstatus.Reporter); ok {
		r.Report(ev)
	}
}

func hasStorage(cfg *Config) bool {
	return cfg.QueueConfig.HasValue() && cfg.QueueConfig.Get().StorageID != nil
}
