package elemtareceiver // import "github.com/elemta/otelcol-elemta/receiver/elemtareceiver"

import (
	"context"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/elemta/otelcol-elemta/receiver/elemtareceiver/internal/metadata"
)

const (
	defaultStartAt              = "beginning"
	defaultTimezone             = "UTC"
	defaultRetryInitialInterval = time.Second
	defaultRetryMaxInterval     = 30 * time.Second
	// defaultBatchLines and defaultBatchBytes make bulk requests of the
	// size Elasticsearch handles well (a few MiB).
	defaultBatchLines = 1000
	defaultBatchBytes = 5 << 20
	// defaultInFlightBatches and defaultInFlightBytes keep enough bulk
	// requests going to drain a backlog at the pace of a loaded cluster
	// (answers in 100-1,000 ms: up to 25,000 lines a second at one second,
	// at Elemta's 300-400 bytes a line), while what is held stays bounded:
	// each line in flight is held as its line and, with
	// durable_elasticsearch, its share of the compressed bulk request.
	// How many are in flight at a time follows the cluster's answers
	// (pace): a fast cluster gets few.
	defaultInFlightBatches = 32
	defaultInFlightBytes   = 10 << 20
)

// defaultRotatedCopySuffixes follow logrotate's default naming of a rotated file.
var defaultRotatedCopySuffixes = []string{".1"}

// NewFactory returns the factory of the elemta receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	fc := fileconsumer.NewConfig()
	fc.StartAt = defaultStartAt
	fc.MaxLogSizeBehavior = fileconsumer.MaxLogSizeBehaviorTruncate
	fc.IncludeFileRecordOffset = true
	fc.IncludeFilePath = true

	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval = defaultRetryInitialInterval
	retry.MaxInterval = defaultRetryMaxInterval
	retry.MaxElapsedTime = 0

	return &Config{
		Config:         *fc,
		Format:         FormatAuto,
		Timezone:       defaultTimezone,
		RotatedCopies:  RotatedCopiesConfig{Suffixes: append([]string(nil), defaultRotatedCopySuffixes...)},
		Batch:          BatchConfig{MaxLines: defaultBatchLines, MaxBytes: defaultBatchBytes},
		InFlight:       InFlightConfig{MaxBatches: defaultInFlightBatches, MaxBytes: defaultInFlightBytes},
		RetryOnFailure: retry,
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newLogsReceiver(set, cfg.(*Config), next)
}
