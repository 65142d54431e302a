package durableelasticsearchexporter // import "github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter"

import (
	"context"
	"net/http"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/elemta/otelcol-elemta/exporter/durableelasticsearchexporter/internal/metadata"
)

const (
	// defaultTimeout bounds one bulk attempt; the Elasticsearch client's own
	// default is 90s, and a batch that takes longer is retried.
	defaultTimeout = 90 * time.Second
	// defaultQueueSize is in batches; with the default batch size this holds
	// about half a million log lines.
	defaultQueueSize = 500
	// defaultBatchItems is the number of log records sent in one bulk request.
	defaultBatchItems = 1000
	// defaultFlushTimeout sends a partial batch after this long.
	defaultFlushTimeout = time.Second
	// defaultMaxRetryInterval caps the wait between two attempts.
	defaultMaxRetryInterval = 30 * time.Second
	// defaultIndexPrefix names the daily indices: elemta-logs-2026.12.02.
	defaultIndexPrefix = "elemta-logs-"
	// defaultDeadLetterDirectory is under the distribution's storage directory.
	defaultDeadLetterDirectory = "/var/lib/otelcol-elemta/dead-letter"
	// defaultDeadLetterMaxSizeMiB and defaultDeadLetterMaxFiles bound the
	// dead-letter store to about 1 GiB.
	defaultDeadLetterMaxSizeMiB = 100
	defaultDeadLetterMaxFiles   = 9
)

// retriedStatuses are the HTTP statuses of a whole bulk request that are
// transient: the exporter retries them instead of dropping the batch.
var retriedStatuses = []int{
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// NewFactory returns the factory of the durable_elasticsearch exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.QueueSize = defaultQueueSize
	queue.Sizer = exporterhelper.RequestSizerTypeRequests
	queue.BlockOnOverflow = true
	queue.Batch = configoptional.Some(exporterhelper.BatchConfig{
		FlushTimeout: defaultFlushTimeout,
		Sizer:        exporterhelper.RequestSizerTypeItems,
		MinSize:      defaultBatchItems,
		MaxSize:      defaultBatchItems,
	})

	backOff := configretry.NewDefaultBackOffConfig()
	backOff.MaxInterval = defaultMaxRetryInterval
	backOff.MaxElapsedTime = 0

	es := *elasticsearchexporter.NewFactory().CreateDefaultConfig().(*elasticsearchexporter.Config)
	es.QueueBatchConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	es.Retry.RetryOnStatus = append([]int(nil), retriedStatuses...)
	// A document sent again answers 409, which counts as delivered
	// (refused.go): not an error worth a log line.
	es.SuppressConflictErrors = true

	return &Config{
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: defaultTimeout},
		QueueConfig:   configoptional.Default(queue),
		BackOffConfig: backOff,
		Document:      DocumentConfig{Shape: ShapeFlat, IndexPrefix: defaultIndexPrefix},
		DeadLetter: DeadLetterConfig{
			Directory:  defaultDeadLetterDirectory,
			MaxSizeMiB: defaultDeadLetterMaxSizeMiB,
			MaxFiles:   defaultDeadLetterMaxFiles,
		},
		Elasticsearch: es,
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	return newLogsExporter(ctx, set, cfg.(*Config))
}
